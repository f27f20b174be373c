/* router: the table of API paths. */
#include "router.h"

#include <string.h>

#define ALLOW_GET (1u << METHOD_GET)
#define ALLOW_HEAD (1u << METHOD_HEAD)
#define ALLOW_POST (1u << METHOD_POST)

struct route_entry {
    const char *path;
    enum route route;
    unsigned methods;
    const char *allow;
    const char *name;
};

/* The paths and metric names are the old app's: a player's id and stats live under /user/
 * (and in its userstats collection), which the code calls players throughout. HEAD is
 * allowed wherever GET is free of side effects; GET /user/id creates a player (kept
 * for compatibility with the old client), so it is GET only. */
static const struct route_entry routes[] = {
    {"/highscores/list", ROUTE_HIGHSCORES_LIST, ALLOW_GET | ALLOW_HEAD, "GET, HEAD",
     "highscores_list"},
    {"/highscores", ROUTE_HIGHSCORES, ALLOW_POST, "POST", "highscores"},
    {"/highscores/fingerprint", ROUTE_HIGHSCORES_FINGERPRINT, ALLOW_GET | ALLOW_HEAD, "GET, HEAD",
     "highscores_fingerprint"},
    {"/user/id", ROUTE_PLAYER_ID, ALLOW_GET, "GET", "user_id"},
    {"/user/stats", ROUTE_PLAYER_STATS, ALLOW_GET | ALLOW_HEAD | ALLOW_POST, "GET, HEAD, POST",
     "user_stats"},
    {"/location/metadata", ROUTE_LOCATION, ALLOW_GET | ALLOW_HEAD, "GET, HEAD", "location"},
    {"/healthz", ROUTE_HEALTHZ, ALLOW_GET | ALLOW_HEAD, "GET, HEAD", "healthz"},
    {"/readyz", ROUTE_READYZ, ALLOW_GET | ALLOW_HEAD, "GET, HEAD", "readyz"},
    {"/metrics", ROUTE_METRICS, ALLOW_GET | ALLOW_HEAD, "GET, HEAD", "metrics"},
    {"/cluster", ROUTE_CLUSTER, ALLOW_GET | ALLOW_HEAD, "GET, HEAD", "cluster"},
};

static const struct route_entry static_route = {"", ROUTE_STATIC, ALLOW_GET | ALLOW_HEAD,
                                                "GET, HEAD", "static"};

enum method router_method(const char *method)
{
    if (strcmp(method, "GET") == 0)
        return METHOD_GET;
    if (strcmp(method, "HEAD") == 0)
        return METHOD_HEAD;
    if (strcmp(method, "POST") == 0)
        return METHOD_POST;
    return METHOD_OTHER;
}

static const struct route_entry *router_find(const char *path)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(routes[i].path, path) == 0)
            return &routes[i];
    return &static_route;
}

struct route_match router_match(const char *path, enum method method)
{
    const struct route_entry *entry = router_find(path);
    bool allowed = method != METHOD_OTHER && (entry->methods & (1u << method));
    return (struct route_match){entry->route, allowed, entry->allow};
}

const char *router_route_name(enum route route)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (routes[i].route == route)
            return routes[i].name;
    return static_route.name;
}
