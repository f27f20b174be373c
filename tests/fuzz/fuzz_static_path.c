/* Fuzzes what a request path goes through: static_files_unescape_path (MHD's unescape hook),
 * router_match, static_files_path_is_clean, static_files_lookup against a table of files, and
 * log_escape (the path is written to the request log).
 *
 * Invariants: a path names a row of the route table (the game's files' row for any other), and
 * that row's Allow header lists what it allows; a path that is served names a loaded file
 * exactly (or its directory's index.html); "clean" is checked against an independent reading
 * of its definition; a log line is the inside of a valid JSON string and never receives a
 * control character, a character that moves text around it or a lone quote. */
#include <jansson.h>

#include "fuzz.h"
#include "log.h"
#include "router.h"
#include "routes.h"
#include "static_files.h"

static const char *const loaded[] = {
    "/css/pacman.css", "/favicon.svg", "/img/a b.png", "/index.html", "/js/main.js",
    "/js/net/client.js", "/sub/index.html", "/x%41.txt",
};
static struct static_file table[sizeof loaded / sizeof loaded[0]];
static struct static_files files;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* the loader would skip "/img/a b.png" (not clean): keep it to prove lookup refuses it */
    for (size_t i = 0; i < sizeof loaded / sizeof loaded[0]; i++) {
        table[i].path = (char *)(uintptr_t)loaded[i];
        table[i].content_type = static_files_content_type(loaded[i]);
    }
    files.files = table;
    files.count = sizeof loaded / sizeof loaded[0];
    return 0;
}

/* The definition in static_files.h, read independently. */
static bool clean_by_definition(const char *path)
{
    if (path[0] != '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '\\')
            return false;
    if (strstr(path, "//") || strstr(path, "/./") || strstr(path, "/../"))
        return false;
    size_t length = strlen(path);
    if ((length >= 2 && strcmp(path + length - 2, "/.") == 0) ||
        (length >= 3 && strcmp(path + length - 3, "/..") == 0))
        return false;
    return true;
}

/* What a log line may hold: the inside of a JSON string that jansson reads back (so valid
 * UTF-8), no control byte, and no C1 control or bidirectional override as it is. */
static bool valid_log_text(const char *line, size_t length)
{
    for (const unsigned char *p = (const unsigned char *)line; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    if (strstr(line, "\xe2\x80\xae") || strstr(line, "\xe2\x81\xa6"))
        return false;
    for (const char *c1 = strstr(line, "\xc2"); c1; c1 = strstr(c1 + 1, "\xc2"))
        if ((unsigned char)c1[1] >= 0x80 && (unsigned char)c1[1] < 0xa0)
            return false;
    char *quoted = malloc(length + 3);
    if (!quoted)
        abort();
    quoted[0] = '"';
    memcpy(quoted + 1, line, length);
    memcpy(quoted + 1 + length, "\"", 2);
    json_t *read = json_loads(quoted, JSON_DECODE_ANY, NULL);
    bool valid = json_is_string(read);
    json_decref(read);
    free(quoted);
    return valid;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    enum method method = (enum method)(data[0] % 4);
    char *path = fuzz_string(data + 1, size - 1);
    size_t before = strlen(path);

    size_t length = static_files_unescape_path(path);
    FUZZ_CHECK(length == strlen(path));
    FUZZ_CHECK(length <= before);

    const struct route *route = router_match(routes, routes_count, path);
    FUZZ_CHECK(route >= routes && route < routes + routes_count);
    FUZZ_CHECK(route == routes || strcmp(route->path, path) == 0);
    FUZZ_CHECK(route->name != NULL && router_allow(route) != NULL);
    if (router_allows(route, method))
        FUZZ_CHECK(strstr(router_allow(route), method == METHOD_GET    ? "GET"
                                                : method == METHOD_HEAD ? "HEAD"
                                                                        : "POST"));

    bool clean = static_files_path_is_clean(path);
    FUZZ_CHECK(clean == clean_by_definition(path));

    const struct static_file *file = static_files_lookup(&files, path);
    if (file) {
        FUZZ_CHECK(clean);
        FUZZ_CHECK(file >= table && file < table + files.count);
        if (length && path[length - 1] == '/') {
            FUZZ_CHECK(strncmp(file->path, path, length) == 0);
            FUZZ_CHECK(strcmp(file->path + length, "index.html") == 0);
        } else {
            FUZZ_CHECK(strcmp(file->path, path) == 0);
        }
        FUZZ_CHECK(strcmp(file->path, "/img/a b.png") != 0);
    }

    char line[64];
    size_t line_size = 1 + data[0] % sizeof line;
    size_t written = log_escape(line, line_size, path);
    FUZZ_CHECK(written < line_size && written == strlen(line));
    FUZZ_CHECK(valid_log_text(line, written));
    for (size_t i = 0; i < written; i++) {
        if (line[i] == '\\') {
            FUZZ_CHECK(i + 1 < written);
            i++; /* the escaped character */
        } else {
            FUZZ_CHECK(line[i] != '"');
        }
    }
    free(path);
    return 0;
}
