/* store: the MongoDB database, through one pool of the driver's clients: the pool, the monitor that
 * pings the database and keeps store_available() current (so requests can be refused at once
 * while it is away), and what the driver tells of the replica set, passed on to topology.
 * Each collection has a room of its own behind this one: store_scores.h, store_players.h,
 * store_web_pods.h. Callers pass typed, validated structs; documents are built from those
 * values only. Every call blocks on the database, so it runs on a database worker (dbqueue)
 * or a housekeeping thread, never on an HTTP thread. No driver type appears in any of these
 * headers: the driver is the store's alone (store_internal.h). */
#ifndef PACMAN_STORE_H
#define PACMAN_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "log.h"

enum store_status {
    STORE_OK,
    STORE_DUPLICATE,   /* store_scores_insert: the submissionId was stored before */
    STORE_NOT_FOUND,   /* store_players_update: no such player */
    STORE_UNAVAILABLE, /* no primary reachable, timed out, failing over: 503 */
    STORE_ERROR,       /* anything else the database refused, or out of memory: 500 */
};

struct store;
struct strbuf;
struct topology;

/* Sets the driver up for the process: once, before any other store call and before a second
 * thread exists. */
void store_library_init(void);

/* Undoes store_library_init, after every store is freed. */
void store_library_cleanup(void);

/* Creates the pool from config (URI, timeouts, write concern majority+journal) and starts the
 * monitor. Does not wait for the database: it may be down. topology (may be NULL) gets what
 * the driver's monitoring of the replica set reports. NULL with error set when the connection
 * string is unusable. */
struct store *store_new(const struct config *config, struct logger *logger,
                        struct topology *topology, char *error, size_t error_size);

/* Stops the monitor and destroys the pool. Call after every worker has finished. */
void store_free(struct store *store);

/* False while the last contact with the database failed; the monitor flips it back. */
bool store_available(const struct store *store);

/* Called by whoever found the database unreachable or not answering in time (a failed call,
 * a late database task); wakes the monitor, which says when it answers again. */
void store_mark_unavailable(struct store *store);

/* The store's metrics (a metrics_source_fn; ctx is the store): database up, operations and
 * failures. */
void store_metrics(void *store, struct strbuf *out);

#endif
