/* https: one GET over TLS, as the node lookup needs it (node_lookup.c): the server's certificate
 * checked against one CA file and against the host name or address asked for, one request per
 * connection, the whole exchange within a time limit. OpenSSL, which libmongoc loads anyway,
 * rather than libcurl, which brought many more libraries into the process and the image for
 * this one request. */
#ifndef PACMAN_HTTPS_H
#define PACMAN_HTTPS_H

#include <stdbool.h>
#include <stddef.h>

struct https_response {
    unsigned status; /* the HTTP status code */
    char *body;      /* NUL-terminated; the caller frees it */
    size_t body_length;
};

/* GETs path from host (a name, an IPv4 or an IPv6 address, without brackets) on port over TLS
 * 1.2 or later, trusting only the certificates in ca_file. headers are more request header
 * lines, each ending in CRLF ("Authorization: Bearer ...\r\n"), or NULL; the request is
 * wiped from memory once sent. The answer may be at most max_bytes, headers included, and all
 * must be done within timeout_ms. True with response filled whatever the status; false with
 * error set (no answer, a certificate not signed by ca_file or not naming host, an answer
 * malformed, cut short or too large). */
bool https_get(const char *host, unsigned port, const char *path, const char *headers,
               const char *ca_file, int timeout_ms, size_t max_bytes,
               struct https_response *response, char *error, size_t error_size);

#endif
