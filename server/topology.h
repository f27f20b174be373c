/* topology: this replica's view of the MongoDB replica set, from the driver's own monitoring.
 *
 * libmongoc checks every member of the set in the background (SDAM: a hello every
 * heartbeatFrequencyMS, 2 s here) and reports what it finds through the pool's monitoring
 * callbacks: a server opened or closed (added to or dropped from the set's member list), a
 * server's description changed (its type: primary, secondary, unknown...), a heartbeat
 * succeeded (its round-trip time) or failed. topology keeps the members, the states and since
 * when, and the last TOPOLOGY_EVENTS changes (cluster_events decides what a change is), all in
 * memory: GET /cluster reads it without touching the database, so any number of open pages
 * can poll it. No replSetGetStatus: that needs a privileged user the game does not have.
 *
 * The callbacks run on the driver's monitor threads; every function here is thread-safe. */
#ifndef PACMAN_TOPOLOGY_H
#define PACMAN_TOPOLOGY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the driver's types, named without its headers */
struct _mongoc_client_pool_t;
struct _mongoc_client_t;
struct strbuf;

#define TOPOLOGY_MAX_MEMBERS 64 /* a replica set has at most 50 */
#define TOPOLOGY_EVENTS 50

struct topology;

/* An empty view. NULL when out of memory. */
struct topology *topology_new(void);

/* Frees. Destroy the pool it watches first (its monitors call into the view). NULL is ignored. */
void topology_free(struct topology *topology);

/* Registers the monitoring callbacks on pool; libmongoc allows this once per pool, before the
 * first client is popped (store_new calls it). replica_set: the set the connection string
 * names (NULL for none), shown until a member tells its own. False when the driver refused. */
bool topology_watch(struct topology *topology, struct _mongoc_client_pool_t *pool,
                    const char *replica_set);

/* Takes the round-trip times of the members the driver knows from client's topology. With
 * MongoDB 4.4 and later the driver measures them on a connection of their own, which reports
 * no heartbeat event, and a description that changes only by its round-trip time reports
 * none either; callers that hold a client every few seconds (cluster.c) pass it here. Does no
 * I/O. */
void topology_refresh_round_trips(struct topology *topology, struct _mongoc_client_t *client);

/* The "database" object of GET /cluster: replicaSet, primary, noPrimarySeconds, members (host,
 * name, state, rttMs, since) and events (newest first: at, kind, text, member). NULL when out
 * of memory. */
json_t *topology_to_json(struct topology *topology);

/* Copies the current primary's host ("" when there is none) into out. */
void topology_primary(struct topology *topology, char *out, size_t size);

/* The replica set's metrics (a metrics_source_fn; ctx is the topology):
 * pacman_database_member_state{member,state} (1 for the state each member is in, 0 for the
 * others), pacman_database_primary_changes_total and pacman_database_no_primary_seconds (the
 * stretch without a primary going on now, else the last one that ended). */
void topology_metrics(const void *ctx, struct strbuf *out);

#endif
