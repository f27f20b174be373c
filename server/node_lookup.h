/* node_lookup: where this replica runs. host is this machine's name (the pod name on
 * Kubernetes); cloud and zone come from the Kubernetes node the pod runs on, looked up once,
 * in the background, through the API server with the pod's service-account token: "unknown"
 * until then, or when not in a pod. Reading the place never waits on the network. */
#ifndef PACMAN_NODE_LOOKUP_H
#define PACMAN_NODE_LOOKUP_H

struct config;
struct logger;
struct node_lookup;
struct place;

/* Reads the host name and, when config names a node and a Kubernetes API server, starts the
 * background lookup. NULL only when out of memory. */
struct node_lookup *node_lookup_start(const struct config *config, struct logger *logger);

/* Stops the lookup (at most a few seconds) and frees. NULL is ignored. */
void node_lookup_stop(struct node_lookup *lookup);

/* Copies where this replica runs now. Thread-safe. */
void node_lookup_place(struct node_lookup *lookup, struct place *place);

#endif
