/* Fuzzes config_redact_uri, the only thing between a MONGO_URI secret and the log.
 *
 * Input: two bytes for the output size (1..4096), then the connection string.
 * Invariants: the output is NUL-terminated inside the buffer; a short buffer yields a prefix
 * of the full redaction; for every string the MongoDB driver accepts with a password, no
 * byte of that password reaches the redaction (the driver splits credentials at the first @,
 * the redaction hides everything up to the last @ of the host part, a superset); and no byte
 * of the value of an option that holds a secret (a name with "password" in it, or
 * authMechanismProperties) reaches it either. */
#include <ctype.h>
#include <strings.h>

#include "config.h"
#include "fuzz.h"
#include "fuzz_mongoc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_mongoc_init();
    return 0;
}

/* The first c in text (before end, when given) that no backslash escapes: how the driver
 * scans a connection string. */
static const char *driver_scan(const char *text, char c, const char *end)
{
    for (const char *p = text; *p && (!end || p < end); p++) {
        if (*p == c)
            return p;
        if (*p == '\\' && p[1])
            p++;
    }
    return NULL;
}

/* The driver takes the password from between the first ':' and the first '@' after the
 * scheme that no backslash escapes. Rewriting those bytes must not change the redaction: then no byte of the password
 * can be in it. And when the driver reads the redaction back, it reads "***" or nothing. */
static void check_password_hidden(const char *uri_text, const char *full, size_t full_size)
{
    const char *scheme_end = strstr(uri_text, "://");
    FUZZ_CHECK(scheme_end != NULL);
    const char *authority = scheme_end + 3;
    const char *at = driver_scan(authority, '@', NULL);
    FUZZ_CHECK(at != NULL);
    const char *colon = driver_scan(authority, ':', at);
    FUZZ_CHECK(colon != NULL);
    char *other = strdup(uri_text);
    char *other_full = malloc(full_size);
    if (!other || !other_full)
        abort();
    for (char *c = other + (colon + 1 - uri_text); c < other + (at - uri_text); c++)
        *c = *c == 'Q' ? 'R' : 'Q';
    FUZZ_CHECK(config_redact_uri(other, other_full, full_size));
    if (strcmp(full, other_full) != 0) {
        fprintf(stderr, "fuzz: the redaction depends on the password: %s -> %s\n", uri_text,
                full);
        abort();
    }
    mongoc_uri_t *redacted = mongoc_uri_new_with_error(full, NULL);
    if (redacted) {
        /* none, when a backslash-escaped ':' in the user name moved the cut earlier */
        FUZZ_CHECK(!mongoc_uri_get_password(redacted) ||
                   strcmp(mongoc_uri_get_password(redacted), "***") == 0);
        mongoc_uri_destroy(redacted);
    }
    free(other);
    free(other_full);
}

/* Where the options of a connection string begin (after its ?), found as the redaction finds
 * them: after the last @ of the host part, escaped or not (everything before it is hidden as
 * credentials: a superset of what the driver takes for them); NULL when there are none. */
static char *options_of(char *text)
{
    char *scheme_end = strstr(text, "://");
    char *authority = scheme_end ? scheme_end + 3 : text;
    char *end = authority;
    while (*end && *end != '/')
        end += *end == '\\' && end[1] ? 2 : 1;
    char *rest = authority;
    for (char *p = authority; p < end; p++)
        if (*p == '@')
            rest = p;
    char *query = strchr(rest, '?');
    return query ? query + 1 : NULL;
}

static bool secret_name(const char *name, size_t length)
{
    static const char *const secrets[] = {"password", "authmechanismproperties"};
    for (size_t s = 0; s < 2; s++)
        for (size_t i = 0; i + strlen(secrets[s]) <= length; i++)
            if (strncasecmp(name + i, secrets[s], strlen(secrets[s])) == 0)
                return true;
    return false;
}

/* Rewrites every letter and digit of every secret option's value in uri_text (the other
 * bytes may end the host part or the option): the redaction must not change. */
static void check_options_hidden(const char *uri_text, const char *full, size_t full_size)
{
    char *other = strdup(uri_text);
    char *other_full = malloc(full_size);
    if (!other || !other_full)
        abort();
    bool rewrote = false;
    for (char *p = options_of(other); p && *p;) {
        size_t length = strcspn(p, "&;");
        char *equals = memchr(p, '=', length);
        if (equals && secret_name(p, (size_t)(equals - p)))
            for (char *c = equals + 1; c < p + length; c++)
                if (isalnum((unsigned char)*c)) { /* not a / @ ? that moves where things end */
                    *c = *c == 'Q' ? 'R' : 'Q';
                    rewrote = true;
                }
        p += length;
        if (*p)
            p++;
    }
    if (rewrote) {
        FUZZ_CHECK(config_redact_uri(other, other_full, full_size));
        if (strcmp(full, other_full) != 0) {
            fprintf(stderr, "fuzz: the redaction depends on a secret option: %s -> %s\n",
                    uri_text, full);
            abort();
        }
    }
    free(other);
    free(other_full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t out_size = 1 + ((size_t)data[0] << 8 | data[1]) % 4096;
    char *uri_text = fuzz_string(data + 2, size - 2);
    size_t uri_length = strlen(uri_text);

    /* "***" may be longer than what it hides: at most two bytes more for a value of one, and
     * every secret option's name is longer than that */
    size_t full_size = 2 * uri_length + 8;
    char *full = malloc(full_size);
    char *out = malloc(out_size);
    if (!full || !out)
        abort();
    FUZZ_CHECK(config_redact_uri(uri_text, full, full_size));
    FUZZ_CHECK(strlen(full) < full_size);

    bool fits = config_redact_uri(uri_text, out, out_size);
    size_t out_length = strnlen(out, out_size);
    FUZZ_CHECK(out_length < out_size);
    if (fits)
        FUZZ_CHECK(strcmp(out, full) == 0);
    else
        FUZZ_CHECK(strncmp(out, full, out_length) == 0 && strlen(full) >= out_size);

    check_options_hidden(uri_text, full, full_size);
    mongoc_uri_t *uri = mongoc_uri_new_with_error(uri_text, NULL);
    if (uri && mongoc_uri_get_password(uri) && mongoc_uri_get_password(uri)[0])
        check_password_hidden(uri_text, full, full_size);
    mongoc_uri_destroy(uri);
    free(full);
    free(out);
    free(uri_text);
    return 0;
}
