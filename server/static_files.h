/* static_files: the game's files, read once at start-up into memory with a precompressed
 * gzip copy, a strong ETag and a content type each. Requests never touch the file system,
 * so no request path can reach a file outside STATIC_DIR: a path is served only when it
 * names a file that was loaded. */
#ifndef PACMAN_STATIC_FILES_H
#define PACMAN_STATIC_FILES_H

#include <stdbool.h>
#include <stddef.h>

struct static_file {
    char *path; /* URL path, "/js/main.js" */
    const char *content_type;
    const char *cache_control;
    char *data;
    size_t size;
    char *gzip_data; /* NULL when compression does not pay */
    size_t gzip_size;
    char etag[24];      /* "0123456789abcdef" with quotes */
    char gzip_etag[28]; /* the gzip representation's own strong ETag */
};

struct static_files {
    struct static_file *files; /* sorted by path */
    size_t count;
    size_t total_bytes;
};

/* Loads every regular file below dir (symbolic links and dot-files are skipped; at most
 * 4096 files and 64 MiB). Returns false with error set when dir cannot be read, a file
 * cannot be read, or the limits are passed. */
bool static_files_load(struct static_files *files, const char *dir, char *error, size_t error_size);

void static_files_free(struct static_files *files);

/* The file a request path names ("/" and "/dir/" mean their index.html), or NULL when the
 * path is not a clean absolute path (see static_files_path_is_clean) or names no loaded file. */
const struct static_file *static_files_lookup(const struct static_files *files, const char *path);

/* True for an absolute path of printable ASCII with no "." or ".." segment, no empty
 * segment (//) and no backslash. */
bool static_files_path_is_clean(const char *path);

/* Percent-decodes a request path in place (MHD's unescape hook) and returns its new length.
 * %00 is left encoded: a decoded NUL would end the C string early and turn
 * "/index.html%00.png" into "/index.html". Malformed escapes are kept as they are. */
size_t static_files_unescape_path(char *path);

/* True when an Accept-Encoding header value accepts gzip (gzip or * with q > 0). */
bool static_files_accepts_gzip(const char *accept_encoding);

/* True when an If-None-Match header value matches etag (weak comparison, as RFC 9110
 * requires for If-None-Match; "*" matches anything). */
bool static_files_etag_matches(const char *if_none_match, const char *etag);

/* The content type for a file name, from its extension. */
const char *static_files_content_type(const char *name);

#endif
