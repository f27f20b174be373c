/* cluster: GET /cluster, what this replica sees of the system for the page's "Database" and
 * "Web tier" panels: the replica set as the driver monitors it (topology) and the web pods
 * alive now (web_pods), both from memory, so the route never waits on the database and every
 * open page can poll it. Also the /metrics lines of both. */
#ifndef PACMAN_CLUSTER_H
#define PACMAN_CLUSTER_H

#include <stdio.h>

#include "api.h"

/* {"now", "database": {...}, "web": {...}}: see API.md and README.md. */
struct db_task *cluster_handle(struct app *app, enum method method, const struct input *input,
                               struct reply *reply);

/* The replica set's and the web tier's Prometheus lines (pacman_database_member_state,
 * pacman_database_primary_changes_total, pacman_database_no_primary_seconds, pacman_web_pods). */
void cluster_write_metrics(struct app *app, FILE *out);

#endif
