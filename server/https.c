/* https: one GET over TLS with OpenSSL, on a non-blocking socket polled against a deadline. */
#include "https.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "strbuf.h"
#include "timing.h"

struct https_exchange {
    int64_t deadline_us;
    int fd;
    SSL *ssl;
    bool timed_out;
    char *error;
    size_t error_size;
};

/* Waits until the socket is ready for events; false (timed_out set) once the deadline passes. */
static bool https_wait(struct https_exchange *x, short events)
{
    for (;;) {
        int64_t left_ms = (x->deadline_us - timing_now_us() + 999) / 1000;
        struct pollfd ready = {.fd = x->fd, .events = events};
        int n = left_ms > 0 ? poll(&ready, 1, (int)left_ms) : 0;
        if (n > 0)
            return true;
        if (n == 0 || errno != EINTR) {
            x->timed_out = n == 0;
            return false;
        }
    }
}

static bool https_connect(struct https_exchange *x, const char *host, unsigned port)
{
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *addresses = NULL;
    int status = getaddrinfo(host, service, &hints, &addresses);
    if (status != 0) {
        snprintf(x->error, x->error_size, "cannot resolve %s: %s", host, gai_strerror(status));
        return false;
    }
    int failure = 0;
    for (struct addrinfo *a = addresses; a && x->fd < 0 && !x->timed_out; a = a->ai_next) {
        int fd =
            socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            failure = errno;
            continue;
        }
        x->fd = fd;
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            failure = errno;
            socklen_t length = sizeof failure;
            if (failure == EINPROGRESS && https_wait(x, POLLOUT))
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length);
            if (failure != 0) {
                close(fd);
                x->fd = -1;
            }
        }
    }
    freeaddrinfo(addresses);
    if (x->fd < 0)
        snprintf(x->error, x->error_size, "cannot connect to %s port %u: %s", host, port,
                 x->timed_out ? "timed out" : strerror(failure));
    return x->fd >= 0;
}

/* After an SSL call returned result <= 0: waits for what OpenSSL needs and returns true to
 * call again, or false when the call failed for good. */
static bool https_again(struct https_exchange *x, int result)
{
    switch (SSL_get_error(x->ssl, result)) {
    case SSL_ERROR_WANT_READ:
        return https_wait(x, POLLIN);
    case SSL_ERROR_WANT_WRITE:
        return https_wait(x, POLLOUT);
    default:
        return false;
    }
}

static bool https_failed(struct https_exchange *x, const char *during)
{
    long verified = x->ssl ? SSL_get_verify_result(x->ssl) : X509_V_OK;
    char reason[256] = "connection closed";
    unsigned long code = ERR_get_error();
    if (x->timed_out)
        snprintf(reason, sizeof reason, "timed out");
    else if (verified != X509_V_OK)
        snprintf(reason, sizeof reason, "certificate not trusted: %s",
                 X509_verify_cert_error_string(verified));
    else if (code)
        ERR_error_string_n(code, reason, sizeof reason);
    snprintf(x->error, x->error_size, "%s: %s", during, reason);
    return false;
}

/* The server's certificate must be signed by ca_file and name host: its DNS name, or its
 * address when host is an IP address (as KUBERNETES_SERVICE_HOST is). */
static bool https_handshake(struct https_exchange *x, SSL_CTX *context, const char *host,
                            const char *ca_file)
{
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    /* A server that closes without TLS's close_notify ends the body (HTTP/1.0); a body cut
     * short is still caught against its Content-Length. */
    SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (SSL_CTX_load_verify_locations(context, ca_file, NULL) != 1) {
        snprintf(x->error, x->error_size, "cannot read the CA certificates in %s", ca_file);
        return false;
    }
    x->ssl = SSL_new(context);
    if (!x->ssl || SSL_set_fd(x->ssl, x->fd) != 1)
        return https_failed(x, "TLS set-up");
    unsigned char address[16];
    bool is_address =
        inet_pton(AF_INET, host, address) == 1 || inet_pton(AF_INET6, host, address) == 1;
    if (is_address ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(x->ssl), host) != 1
                   : SSL_set1_host(x->ssl, host) != 1 ||
                         SSL_set_tlsext_host_name(x->ssl, (char *)(uintptr_t)host) != 1)
        return https_failed(x, "TLS set-up");
    int result;
    while ((result = SSL_connect(x->ssl)) != 1)
        if (!https_again(x, result))
            return https_failed(x, "TLS handshake");
    return true;
}

static bool https_send(struct https_exchange *x, const char *data, size_t size)
{
    int result;
    while ((result = SSL_write(x->ssl, data, (int)size)) <= 0)
        if (!https_again(x, result))
            return https_failed(x, "sending the request");
    return true;
}

/* The status and the body's framing from a response head (NUL-terminated, up to the blank
 * line). false when it is not an HTTP/1 status line or the framing is not understood. */
static bool https_parse_head(const char *head, unsigned *status, long long *content_length)
{
    unsigned minor;
    if (sscanf(head, "HTTP/1.%1u %3u", &minor, status) != 2 || *status < 100 || *status > 599)
        return false;
    *content_length = -1;
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *name = line + 2;
        if (strncasecmp(name, "Content-Length:", 15) == 0) {
            char *end;
            long long value = strtoll(name + 15, &end, 10);
            if (value < 0 || end == name + 15 || (*content_length >= 0 && value != *content_length))
                return false;
            *content_length = value;
        } else if (strncasecmp(name, "Transfer-Encoding:", 18) == 0) {
            return false; /* not an answer to an HTTP/1.0 request */
        }
    }
    return true;
}

/* Reads until the body is complete (Content-Length) or the server closes. */
static bool https_receive(struct https_exchange *x, size_t max_bytes,
                          struct https_response *response)
{
    struct strbuf answer;
    strbuf_init(&answer, max_bytes);
    size_t head_length = 0;
    long long content_length = -1;
    bool complete = false;
    while (!complete) {
        char chunk[16384];
        int result = SSL_read(x->ssl, chunk, sizeof chunk);
        if (result <= 0) {
            if (SSL_get_error(x->ssl, result) == SSL_ERROR_ZERO_RETURN)
                break; /* the server closed */
            if (https_again(x, result))
                continue;
            strbuf_free(&answer);
            return https_failed(x, "reading the answer");
        }
        if (!strbuf_append(&answer, chunk, (size_t)result)) {
            snprintf(x->error, x->error_size, "the answer is larger than %zu bytes", max_bytes);
            strbuf_free(&answer);
            return false;
        }
        char *blank = head_length ? NULL : strstr(answer.data, "\r\n\r\n");
        if (blank) {
            *blank = '\0';
            bool understood = https_parse_head(answer.data, &response->status, &content_length);
            *blank = '\r';
            if (!understood) {
                snprintf(x->error, x->error_size, "not an HTTP/1 answer it can read");
                strbuf_free(&answer);
                return false;
            }
            head_length = (size_t)(blank - answer.data) + 4;
        }
        complete = head_length && content_length >= 0 &&
                   answer.length - head_length >= (unsigned long long)content_length;
    }
    size_t body_length = answer.length - head_length;
    if (!head_length ||
        (content_length >= 0 && body_length != (unsigned long long)content_length)) {
        snprintf(x->error, x->error_size, "the answer was cut short");
        strbuf_free(&answer);
        return false;
    }
    size_t length;
    char *data = strbuf_take(&answer, &length);
    if (!data) {
        snprintf(x->error, x->error_size, "out of memory");
        return false;
    }
    memmove(data, data + head_length, body_length + 1); /* with the NUL */
    response->body = data;
    response->body_length = body_length;
    return true;
}

bool https_get(const char *host, unsigned port, const char *path, const char *headers,
               const char *ca_file, int timeout_ms, size_t max_bytes,
               struct https_response *response, char *error, size_t error_size)
{
    struct https_exchange x = {.deadline_us = timing_now_us() + (int64_t)timeout_ms * 1000,
                               .fd = -1,
                               .error = error,
                               .error_size = error_size};
    memset(response, 0, sizeof *response);
    ERR_clear_error();
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    bool done = false;
    if (!context) {
        snprintf(error, error_size, "cannot set up TLS");
    } else if (https_connect(&x, host, port) && https_handshake(&x, context, host, ca_file)) {
        /* HTTP/1.0: the answer is never chunked, and the connection ends with it. */
        bool ipv6 = strchr(host, ':') != NULL;
        char *request = NULL;
        int length =
            asprintf(&request, "GET %s HTTP/1.0\r\nHost: %s%s%s:%u\r\nUser-Agent: pacman\r\n%s\r\n",
                     path, ipv6 ? "[" : "", host, ipv6 ? "]" : "", port, headers ? headers : "");
        if (length < 0) {
            snprintf(error, error_size, "out of memory");
        } else {
            done =
                https_send(&x, request, (size_t)length) && https_receive(&x, max_bytes, response);
            explicit_bzero(request, (size_t)length);
            free(request);
        }
    }
    if (x.ssl) {
        if (done)
            SSL_shutdown(x.ssl); /* one try: says goodbye without waiting for the answer */
        SSL_free(x.ssl);
    }
    if (x.fd >= 0)
        close(x.fd);
    SSL_CTX_free(context);
    ERR_clear_error();
    return done;
}
