/* http: the HTTP server. It turns requests into calls of their route's handler (routes.h) or
 * answers from the game's files, waits for database tasks with the request suspended (so HTTP
 * threads never wait on the database), and writes one log line and the metrics of every
 * request. */
#ifndef PACMAN_HTTP_H
#define PACMAN_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct app;
struct http_server;

/* Prebuilds the static responses and starts listening on config->port. NULL with error set
 * when the port cannot be bound or memory runs out. */
struct http_server *http_start(struct app *app, char *error, size_t error_size);

/* Stops accepting connections; requests in flight and open connections go on, and every
 * response from now on closes its connection. */
void http_stop_accepting(struct http_server *server);

/* Closes every connection and frees the server. Every database task must be answered first
 * (dbqueue_free), so no request is left suspended. */
void http_stop(struct http_server *server);

#endif
