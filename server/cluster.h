/* cluster: GET /cluster, what this replica sees of the system for the page's "Database" and
 * "Web tier" panels: the replica set as the driver monitors it (topology) and the web pods
 * alive now (web_pods), both from memory, so the route never waits on the database. Every
 * open page polls it, so the body is made once and its bytes served to every poll
 * (app->cluster_cache) until what it shows changes, or at most CLUSTER_CACHE_MS later (its
 * times, round trips and "now" move on by themselves). */
#ifndef PACMAN_CLUSTER_H
#define PACMAN_CLUSTER_H

#include "api.h"

/* The most a body is served for when nothing it shows changed. */
#define CLUSTER_CACHE_MS 1000

/* {"now", "database": {...}, "web": {...}}: see docs/api.md. */
struct dbqueue_task *cluster_handle(struct app *app, enum method method, const struct input *input,
                                    struct reply *reply);

#endif
