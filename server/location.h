/* location: GET /location/metadata, {cloud, zone, host}: where the replica that answers runs,
 * as node_lookup knows it now (the route never waits on the network). */
#ifndef PACMAN_LOCATION_H
#define PACMAN_LOCATION_H

#include "api.h"

struct dbqueue_task *location_handle(struct app *app, enum method method, const struct input *input,
                                     struct reply *reply);

#endif
