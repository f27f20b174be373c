/* dispatch: which handler answers each route. It is the one module that knows every API area
 * (highscores, players, location, ops, cluster); they know nothing of each other, nor of it. */
#ifndef PACMAN_DISPATCH_H
#define PACMAN_DISPATCH_H

#include "api.h"
#include "router.h"

/* The handler for an API route; NULL for ROUTE_STATIC (and anything out of range). */
api_handler_fn dispatch_handler(enum route route);

#endif
