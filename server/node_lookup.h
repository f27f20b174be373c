/* location: GET /location/metadata, {cloud, zone, host}. host is this machine's name (the
 * pod name on Kubernetes). cloud and zone come from the Kubernetes node the pod runs on:
 * looked up once, in the background, through the API server with the pod's service-account
 * token; "unknown" until then, or when not in a pod. The route never waits on the network. */
#ifndef PACMAN_LOCATION_H
#define PACMAN_LOCATION_H

#include "api.h"

struct config;
struct location;
struct logger;
struct store_place;

/* Reads the host name and, when config names a node and a Kubernetes API server, starts the
 * background lookup. NULL only when out of memory. */
struct location *location_new(const struct config *config, struct logger *logger);

/* Stops the lookup (at most a few seconds) and frees. */
void location_free(struct location *location);

/* Copies the current place. */
void location_get(struct location *location, struct store_place *place);

struct dbqueue_task *location_handle(struct app *app, enum method method, const struct input *input,
                                     struct reply *reply);

#endif
