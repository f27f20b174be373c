/* http_loop: the libmicrohttpd daemons and the threads that run them.
 *
 * In epoll mode (the default) each of the HTTP_THREADS threads runs a daemon of its own in
 * libmicrohttpd's external-epoll mode: the thread (a background round) waits on the daemon's
 * epoll set and calls MHD_run, and the daemons accept from one listening socket. Not
 * libmicrohttpd's own epoll threads: their loop can sleep with events in hand (see
 * http_loop.c), which stopped the server under load. In the other modes (poll,
 * thread-per-connection) there is one daemon, run by libmicrohttpd's own threads.
 * docs/performance.md compares the modes. */
#ifndef PACMAN_HTTP_LOOP_H
#define PACMAN_HTTP_LOOP_H

#include <microhttpd.h>
#include <stddef.h>

/* Each connection's memory pool: the request line and headers as read, and the response
 * headers. libmicrohttpd allocates it whole for every connection and zeroes all of it before
 * each request on a keep-alive connection, so every byte of it is resident while the
 * connection is open and written once per request: at a thousand connections this size is most
 * of the process's memory, and its zeroing most of a static answer's instructions
 * (docs/performance.md). Bodies do not go through it (http.c copies them out as they arrive).
 * Pools up to 32 KiB come from malloc: main's footprint_trim hands them back once their
 * connections have closed. */
#define HTTP_LOOP_CONNECTION_MEMORY (8 * 1024)

struct config;
struct http_loop;
struct http_loops;

/* What the daemons call; owner is the caller's (the server), given back to each. */
struct http_loop_handlers {
    void *owner;
    /* a request's every call (MHD_AccessHandlerCallback); its cls is the loop whose daemon has
     * the connection (http_loop_owner, http_loop_resume) */
    MHD_AccessHandlerCallback request;
    MHD_RequestCompletedCallback completed; /* cls: owner */
    /* a connection opened (code STARTED) or closed; cls: owner */
    MHD_NotifyConnectionCallback connection;
    /* decodes a request's path in place, returns its new length; cls: owner */
    size_t (*unescape)(void *cls, struct MHD_Connection *connection, char *text);
    MHD_LogCallback log; /* cls: owner */
};

/* Starts listening on config->port and serving with config's HTTP_MODE and HTTP_THREADS,
 * MAX_CONNECTIONS shared out among the daemons. NULL with error set when the port cannot be
 * bound, or out of memory, descriptors or threads. */
struct http_loops *http_loops_start(const struct config *config,
                                    const struct http_loop_handlers *handlers, char *error,
                                    size_t error_size);

/* Stops accepting connections: the listening socket is closed; open connections go on. */
void http_loops_quiesce(struct http_loops *loops);

/* Stops the threads and the daemons, closing every connection, and frees. NULL is ignored. */
void http_loops_stop(struct http_loops *loops);

/* The owner given to http_loops_start. */
void *http_loop_owner(const struct http_loop *loop);

/* Resumes a suspended connection of loop's daemon and wakes the thread that runs it; any
 * thread may call it. */
void http_loop_resume(struct http_loop *loop, struct MHD_Connection *connection);

#endif
