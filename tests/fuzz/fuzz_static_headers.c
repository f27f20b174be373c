/* Fuzzes the two request headers the static-file path parses: Accept-Encoding
 * (static_files_accepts_gzip) and If-None-Match (static_files_etag_matches), and static_files_content_type.
 *
 * Input: an If-None-Match/Accept-Encoding value, then optionally a NUL and an ETag. */
#include "fuzz.h"
#include "static_files.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t header_size = nul ? (size_t)(nul - data) : size;
    char *header = fuzz_string(data, header_size);
    char *etag = nul ? fuzz_string(nul + 1, size - header_size - 1)
                     : fuzz_string((const uint8_t *)"\"0123456789abcdef\"", 18);

    bool gzip = static_files_accepts_gzip(header);
    FUZZ_CHECK(gzip == static_files_accepts_gzip(header)); /* no hidden state */
    bool matches = static_files_etag_matches(header, etag);
    FUZZ_CHECK(matches == static_files_etag_matches(header, etag));
    if (etag[0] != '\0' && strcmp(header, etag) == 0 && strchr(etag, ',') == NULL &&
        etag[0] == '"' && strchr(etag + 1, '"') == etag + strlen(etag) - 1)
        FUZZ_CHECK(matches); /* a well-formed quoted ETag matches itself */
    FUZZ_CHECK(static_files_content_type(header) != NULL);
    FUZZ_CHECK(!static_files_accepts_gzip(NULL));
    FUZZ_CHECK(!static_files_etag_matches(NULL, etag));

    /* the header as one element of a list, and weak */
    size_t list_size = header_size + 32;
    char *list = malloc(list_size);
    if (!list)
        abort();
    snprintf(list, list_size, "W/%s, \"x\"", header);
    (void)static_files_etag_matches(list, etag);
    snprintf(list, list_size, "identity;q=0, %s", header);
    (void)static_files_accepts_gzip(list);
    free(list);
    free(header);
    free(etag);
    return 0;
}
