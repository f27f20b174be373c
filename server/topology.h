/* topology: this replica's view of the MongoDB replica set, from the driver's own monitoring.
 *
 * libmongoc checks every member of the set in the background (SDAM: a hello every
 * heartbeatFrequencyMS, which the store sets to 1 s) and reports what it finds through the
 * pool's monitoring callbacks; the store (store.c) passes each report on here as plain values:
 * a server opened or closed (added to or dropped from the set's member list), a server's
 * description changed (its type: primary, secondary, unknown...), a heartbeat succeeded (its
 * round-trip time) or failed. topology keeps the members, their states and since when, and the
 * last TOPOLOGY_EVENTS changes (replset decides what a change is), all in memory: GET /cluster
 * reads it without touching the database, so any number of open pages can poll it. No
 * replSetGetStatus: that needs a privileged user the game does not have.
 *
 * The reports come on the driver's monitor threads; every function here is thread-safe. */
#ifndef PACMAN_TOPOLOGY_H
#define PACMAN_TOPOLOGY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

#define TOPOLOGY_MAX_MEMBERS 64 /* a replica set has at most 50 */
#define TOPOLOGY_EVENTS 50

struct topology;

/* An empty view. NULL when out of memory. */
struct topology *topology_new(void);

/* Frees. Destroy the pool whose monitoring reports here first. NULL is ignored. */
void topology_free(struct topology *topology);

/* ---- what the driver reports (host is "host:port" as the driver writes it) ---- */

/* The set the connection string names (NULL: none), shown until a member tells its own. */
void topology_expect_set(struct topology *topology, const char *replica_set);

/* A server was added to the set's member list, or dropped from it. */
void topology_server_opened(struct topology *topology, const char *host);
void topology_server_closed(struct topology *topology, const char *host);

/* A server's description changed: type is the driver's ("RSPrimary", "Unknown", ...),
 * rtt_ms its average round-trip time (< 0: not known), set_name the set it says it is in
 * (NULL: it says none). */
void topology_server_changed(struct topology *topology, const char *host, const char *type,
                             int64_t rtt_ms, const char *set_name);

/* The driver's description of the whole set changed: the rule runs over what changed since
 * the last time and keeps its events. */
void topology_set_changed(struct topology *topology);

/* A check of host succeeded; duration_us is its round trip (< 0: not one, as an awaited
 * heartbeat of the streaming protocol waits for news). */
void topology_check_succeeded(struct topology *topology, const char *host, int64_t duration_us);

/* A check of host failed: it is unreachable until a check succeeds. */
void topology_check_failed(struct topology *topology, const char *host);

/* A command to host failed on the network (the connection reset, refused or timed out): it
 * tells the same as a failed check, and often first; the driver describes the server as
 * unknown right after, which then shows as unreachable. */
void topology_command_failed(struct topology *topology, const char *host);

/* host's average round-trip time as the driver knows it (MongoDB 4.4 and later measure it on
 * a connection of their own, which reports no heartbeat): kept unless a check measured one
 * lately. The store's monitor passes these every round. */
void topology_round_trip(struct topology *topology, const char *host, int64_t rtt_ms);

/* ---- reading the view ---- */

/* The "database" object of GET /cluster: replicaSet, primary, noPrimarySeconds, members (host,
 * name, state, rttMs, since) and events (newest first: at, kind, text, member). NULL when out
 * of memory. */
json_t *topology_to_json(struct topology *topology);

/* Counts the changes of what topology_to_json shows, but for the round-trip times and the
 * time without a primary, which change all the time (a cache of that object tracks it). */
uint64_t topology_changes(struct topology *topology);

/* The replica set's metrics (a metrics_source_fn; ctx is the topology):
 * pacman_database_member_state{member,state} (1 for the state each member is in, 0 for the
 * others), pacman_database_primary_changes_total and pacman_database_no_primary_seconds (the
 * stretch without a primary going on now, else the last one that ended). */
void topology_metrics(void *ctx, struct strbuf *out);

#endif
