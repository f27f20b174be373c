/* router: which route a method and path name, and which methods a path allows. */
#ifndef PACMAN_ROUTER_H
#define PACMAN_ROUTER_H

#include <stdbool.h>

enum route {
    ROUTE_STATIC, /* anything not below: a file of the game */
    ROUTE_HIGHSCORES_LIST,
    ROUTE_HIGHSCORES,
    ROUTE_HIGHSCORES_FINGERPRINT,
    ROUTE_PLAYER_ID,
    ROUTE_PLAYER_STATS,
    ROUTE_LOCATION,
    ROUTE_HEALTHZ,
    ROUTE_READYZ,
    ROUTE_METRICS,
    ROUTE_CLUSTER,
    ROUTE_COUNT
};

enum method { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD_OTHER };

struct route_match {
    enum route route;
    bool method_allowed;
    const char *allow; /* the Allow header value for this path */
};

enum method router_method(const char *method);

/* Matches path (without query string) and method. Never fails: unknown paths are static. */
struct route_match router_match(const char *path, enum method method);

/* A short stable name for metrics and logs ("highscores_list", "static", ...). */
const char *router_route_name(enum route route);

#endif
