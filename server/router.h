/* router: what a route's row holds, and which row of a table a request names. The table of
 * every route the server answers is routes.c's; this module only reads rows. Pure. */
#ifndef PACMAN_ROUTER_H
#define PACMAN_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

enum method { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD_OTHER };

/* A row's methods: a set of these. */
#define ROUTE_GET (1u << METHOD_GET)
#define ROUTE_HEAD (1u << METHOD_HEAD)
#define ROUTE_POST (1u << METHOD_POST)

struct app;
struct dbqueue_task;
struct input;
struct reply;

/* A route's handler validates its input and either answers at once (fills reply, returns
 * NULL) or returns a database task for a worker to run (see dbqueue.h); the HTTP layer keeps
 * the request waiting meanwhile. Handlers know nothing about HTTP plumbing. */
typedef struct dbqueue_task *(*route_handler_fn)(struct app *app, enum method method,
                                                 const struct input *input, struct reply *reply);

struct route {
    const char *path;         /* matched whole, without the query string */
    unsigned methods;         /* ROUTE_GET | ...: any other method gets 405 with Allow */
    const char *name;         /* for metrics and logs: "highscores_list" */
    route_handler_fn handler; /* NULL: the game's files (static_files) */
    const char *area;         /* the module whose handler it is: its layer (check_layers.py) */
};

/* METHOD_OTHER for anything but GET, HEAD and POST. */
enum method router_method(const char *method);

/* The row of table (count rows) whose path is path; table[0], the game's files, when no other
 * row names it. Never fails. */
const struct route *router_match(const struct route *table, size_t count, const char *path);

/* Whether route answers method. */
bool router_allows(const struct route *route, enum method method);

/* The Allow header for route ("GET, HEAD"), from its methods: a static string. */
const char *router_allow(const struct route *route);

#endif
