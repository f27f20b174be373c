/* router: matching a request against the route table. */
#include "router.h"

#include <string.h>

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

const struct route *router_match(const struct route *table, size_t count, const char *path)
{
    /* The first two bytes before the whole: most requests are for the game's files, whose
     * paths part from every route's there, and two byte compares cost less than a call. */
    for (size_t i = 1; i < count; i++)
        if (table[i].path[0] == path[0] && table[i].path[1] == path[1] &&
            strcmp(table[i].path, path) == 0)
            return &table[i];
    return &table[0];
}

bool router_allows(const struct route *route, enum method method)
{
    return method != METHOD_OTHER && (route->methods & (1u << method));
}

const char *router_allow(const struct route *route)
{
    /* every set of the three methods, in the order RFC 9110's examples list them */
    static const char *const allow[] = {"",     "GET",       "HEAD",       "GET, HEAD",
                                        "POST", "GET, POST", "HEAD, POST", "GET, HEAD, POST"};
    return allow[route->methods & (ROUTE_GET | ROUTE_HEAD | ROUTE_POST)];
}
