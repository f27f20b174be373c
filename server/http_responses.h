/* http_responses: libmicrohttpd response objects: the headers every response carries, and the
 * game's files' answers, built once at start-up and shared by every request (no copy, no
 * allocation beyond the request record), one set per HTTP thread: a response object has a lock
 * and a reference count that libmicrohttpd takes and changes twice per request, so shared by
 * all threads it would bounce between their cores on every request. The bodies are the loaded
 * files themselves, shared by all sets. */
#ifndef PACMAN_HTTP_RESPONSES_H
#define PACMAN_HTTP_RESPONSES_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

struct http_responses;
struct static_file;
struct static_files;

/* Adds the headers every response carries (Content-Security-Policy, nosniff, ...). */
void http_responses_add_common_headers(struct MHD_Response *response);

/* Builds `sets` sets of answers for every file of files (which must outlive them): 200 and
 * 304, plain and gzip where the file has a gzip copy. NULL when out of memory. */
struct http_responses *http_responses_new(const struct static_files *files, size_t sets);

/* Destroys every answer. NULL is ignored. */
void http_responses_free(struct http_responses *responses);

/* The calling thread's prebuilt answer to file (one of the files given): 304 without a body
 * when not_modified, else 200 with its gzip copy or itself. Each thread takes the next set the
 * first time it asks (with a thread per connection, threads share them in turn). */
struct MHD_Response *http_responses_static(struct http_responses *responses,
                                           const struct static_file *file, bool gzip,
                                           bool not_modified);

/* The same answer built for one request, with Connection: close (the server is shutting
 * down: the client reconnects elsewhere). The caller destroys it. NULL when out of memory. */
struct MHD_Response *http_responses_static_closing(const struct static_file *file, bool gzip,
                                                   bool not_modified);

#endif
