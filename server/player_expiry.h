/* player_expiry: removes players who stopped reporting (PLAYER_TTL_SECONDS).
 *
 * Every GET /user/id stores a player document (the old client needs that side effect), so a
 * script, or just years of demos, would grow the players' collection without bound. A
 * thread deletes, every tenth of the TTL (at least 1 s, at most 60 s apart), the players
 * whose last report, or creation for those who never reported, is older than the TTL. An
 * expired player's next report gets 404 and the page asks for a new id. Every replica runs
 * it; the deletes are idempotent, and on a database that is away the thread just waits.
 *
 * A MongoDB TTL index would do the same, but FerretDB refuses one ("expireAfterSeconds is not
 * implemented yet"), and on a deployment that already has the plain lastUpdate index a
 * createIndexes call cannot add the option (that takes collMod). A delete by the indexed
 * lastUpdate works on both, and the tests can watch it. */
#ifndef PACMAN_PLAYER_EXPIRY_H
#define PACMAN_PLAYER_EXPIRY_H

#include <stdbool.h>
#include <stdint.h>

struct logger;
struct store;
struct player_expiry;

/* ttl_seconds 0: players are kept for ever and no thread is started. NULL when out of memory
 * or threads. */
struct player_expiry *player_expiry_start(struct store *store, struct logger *logger,
                                          unsigned ttl_seconds);

/* Stops the thread (waits for a delete in progress) and frees. NULL is ignored. */
void player_expiry_stop(struct player_expiry *expiry);

struct strbuf;

/* Players deleted by this process since start, as a metric (a metrics_source_fn; ctx is the
 * expiry). */
void player_expiry_metrics(void *expiry, struct strbuf *out);

#endif
