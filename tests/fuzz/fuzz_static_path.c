/* Fuzzes what a request path goes through: static_files_unescape_path (MHD's unescape hook),
 * router_match, static_files_path_is_clean, static_files_lookup against a table of files, and
 * log_escape (the path is written to the request log).
 *
 * Invariants: a path that is served names a loaded file exactly (or its directory's
 * index.html); "clean" is checked against an independent reading of its definition; a log
 * line never receives a control character or a lone quote. */
#include "fuzz.h"
#include "log.h"
#include "router.h"
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

    struct route_match match = router_match(path, method);
    FUZZ_CHECK(match.route < ROUTE_COUNT && match.allow != NULL);
    FUZZ_CHECK(router_route_name(match.route) != NULL);

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
    FUZZ_CHECK(fuzz_printable_ascii(line));
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
