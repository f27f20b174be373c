/* kubernetes: what the server reads in the Kubernetes API's answers, as pure functions (the
 * lookup itself, with its thread and HTTPS client, is node_lookup.c's). */
#ifndef PACMAN_KUBERNETES_H
#define PACMAN_KUBERNETES_H

#include <stdbool.h>
#include <stddef.h>

/* Copies text into out (size bytes) when it is a value fit for the page: 1 to
 * PLACE_CHARS printable characters that fit. Leaves out unchanged otherwise. */
void kubernetes_copy_text(char *out, size_t size, const char *text);

/* Reads cloud (the scheme of spec.providerID: "gce", "aws", "azure", ...) and zone (label
 * topology.kubernetes.io/zone, else failure-domain.beta.kubernetes.io/zone) from a Node
 * object. Leaves a field unchanged when the node does not say. False when json is not a
 * Node object. */
bool kubernetes_parse_node(const char *json, size_t length, char *cloud, size_t cloud_size,
                           char *zone, size_t zone_size);

#endif
