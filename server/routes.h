/* routes: every route the server answers, one row each (router.h says what a row holds). It
 * is the one module that knows every API area; they know nothing of each other, nor of it.
 * Adding a route is a handler in its area's file and a row here: the HTTP layer, the Allow
 * header, the metrics and tests/unit/check_layers.py all read this table. */
#ifndef PACMAN_ROUTES_H
#define PACMAN_ROUTES_H

#include <stddef.h>

#include "router.h"

/* The table; routes[0] answers every path no other row names (the game's files). */
extern const struct route routes[];
extern const size_t routes_count;

#endif
