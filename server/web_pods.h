/* web_pods: the registry of the web tier's live replicas, kept in the database itself.
 *
 * Each replica records itself every WEB_PODS_BEAT_MS in the collection "webpods" (its host,
 * port, zone, when it started and, each time, lastSeen) and reads the others back: the pods
 * seen within WEB_PODS_LIVE_MS are alive. On SIGTERM it deletes its own row at once, so a
 * scale-down shows within a beat on every other replica; a pod killed without SIGTERM drops
 * out of the list after WEB_PODS_LIVE_MS. Rows older than WEB_PODS_FORGET_MS are deleted by
 * whichever replica beats next. A MongoDB TTL index could do that last part; FerretDB has
 * none, and expiring by lastSeen in the query is exact where a TTL index deletes only once a
 * minute anyway.
 *
 * Times are the replicas' own clocks: on a cluster they are kept within milliseconds of each
 * other (NTP); a clock off by more than WEB_PODS_LIVE_MS would hide its pod from the others.
 * The list is kept in memory for GET /cluster; while the database is away it stays as last
 * read (with the time it was read), and this replica always lists itself. */
#ifndef PACMAN_WEB_PODS_H
#define PACMAN_WEB_PODS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_PODS_BEAT_MS 2000
#define WEB_PODS_LIVE_MS (3 * WEB_PODS_BEAT_MS)
#define WEB_PODS_FORGET_MS 60000
/* The rows read back: WEB_PODS_MAX (store_web_pods.h); a Deployment of more shows the first
 * ones by name. */

struct logger;
struct node_lookup;
struct store;
struct strbuf;
struct web_pods;

/* Starts the thread that beats for this replica: its host and zone as node (the node lookup)
 * says before each beat (the zone arrives once the node is read), and the given HTTP port.
 * NULL when out of memory or threads. */
struct web_pods *web_pods_start(struct store *store, struct node_lookup *node,
                                struct logger *logger, unsigned port);

/* SIGTERM: deletes this replica's row (on the thread, so the caller does not wait for the
 * database) and stops beating. Idempotent. */
void web_pods_leave(struct web_pods *pods);

/* Stops the thread (waits for a database call in progress) and frees. NULL is ignored. */
void web_pods_stop(struct web_pods *pods);

/* The "web" object of GET /cluster: self (this replica's host), selfId (its row's id,
 * "host:port"), asOf (when the list was last read, or null) and pods (id, host, port, zone,
 * started, lastSeen), sorted by id. NULL when out of memory. */
json_t *web_pods_to_json(struct web_pods *pods);

/* Counts the changes of the list: pods coming and going, a zone or a start time changing, the
 * first read; not the lastSeen times, which every beat moves (a cache of the object above
 * tracks it). */
uint64_t web_pods_changes(struct web_pods *pods);

/* Pods in the list now (this replica included). */
size_t web_pods_count(struct web_pods *pods);

/* The web tier's metric (a metrics_source_fn; ctx is the registry): pacman_web_pods. */
void web_pods_metrics(void *ctx, struct strbuf *out);

#endif
