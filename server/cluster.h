/* cluster: GET /cluster, what this replica sees of the system for the page's "Database" and
 * "Web tier" panels: the replica set as the driver monitors it (topology) and the web pods
 * alive now (web_pods), both from memory, so the route never waits on the database and every
 * open page can poll it. */
#ifndef PACMAN_CLUSTER_H
#define PACMAN_CLUSTER_H

#include "api.h"

/* {"now", "database": {...}, "web": {...}}: see README.md, "API". */
struct dbqueue_task *cluster_handle(struct app *app, enum method method, const struct input *input,
                                    struct reply *reply);

#endif
