/* result_cache: one replica's copy of a reply body that comes from a database read and is the
 * same for every caller (the high-score table, the live players), so that a route polled by
 * every open page asks the database at most once per max_age_ms instead of once per request.
 *
 * A body is served while it is younger than max_age_ms (counted from when its read began) and
 * no write through this replica has called result_cache_invalidate since that read began:
 * each invalidation bumps a generation counter, and a read's result is kept only when the
 * generation did not move while it ran. So this replica's own writes show at once, other
 * replicas' within max_age_ms.
 *
 * Reads are single-flight: while one database worker reads for the current generation, the
 * others that missed wait for its result instead of sending the same query; when that read
 * fails they answer with its failure rather than each asking a failing database in turn.
 *
 * A body made from memory rather than read from the database (GET /cluster's) is cached the
 * same way: its source counts its changes, and result_cache_track invalidates the body when
 * the count moved, so the body is made again once per change (or once per max_age_ms).
 *
 * Threads: every function may be called from any thread at once. result_cache_get,
 * result_cache_invalidate, result_cache_track and result_cache_counts never wait for a read
 * (HTTP threads call them); result_cache_fill may block until a fill in flight ends, so call it
 * where that wait is allowed: on a database worker for a database read, on any thread for a
 * fill that only reads memory (the wait is then as short as that fill). There is no read to
 * begin and end by hand: result_cache_fill does both around the fill function, so no caller
 * can leave a read open and make later readers wait for ever. */
#ifndef PACMAN_RESULT_CACHE_H
#define PACMAN_RESULT_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "reply.h"

struct result_cache;

/* Microseconds on a monotonic clock; timing_now_us unless a test brings its own. */
typedef int64_t (*result_cache_clock_fn)(void);

/* The read behind a cache, run by result_cache_fill (for a database read, on a database
 * worker): fills the empty reply. Returns false when the database failed: reply then holds that
 * failure (a 503), which the workers waiting for this read answer with too. True otherwise: a 200
 * reply is kept as the cached body; any other (out of memory serializing it) is neither kept nor
 * shared, and a waiter reads again itself. */
typedef bool (*result_cache_fill_fn)(void *ctx, struct reply *reply);

/* An empty cache keeping bodies for max_age_ms; 0 disables it (nothing is kept, every get
 * misses, every fill reads). clock may be NULL (timing_now_us). metric names its counters
 * (pacman_<metric>_cache_hits_total, _misses_total) and route says what it answers, for their
 * help text; both static strings. NULL when out of memory. Free with result_cache_free. */
struct result_cache *result_cache_new(unsigned max_age_ms, result_cache_clock_fn clock,
                                      const char *metric, const char *route);

/* Frees the cache and its copies. No fill may be in progress. NULL is ignored. */
void result_cache_free(struct result_cache *cache);

/* The fast path, for the thread that received the request: when the cached body is fresh,
 * fills reply (which must be empty) with status 200 and a malloc'd copy of the body, owned by
 * reply, and returns true. Otherwise (stale, invalidated, disabled or out of memory) leaves
 * reply empty and returns false. Counts a hit or a miss. */
bool result_cache_get(struct result_cache *cache, struct reply *reply);

/* On a database worker, after result_cache_get missed: fills the empty reply with a copy of
 * a body that is fresh by now, or of the answer of a read another worker has in flight (it
 * waits for that read), or else by calling fill(ctx, reply) itself and keeping what it read.
 * reply always ends up holding the answer to send. */
void result_cache_fill(struct result_cache *cache, struct reply *reply, result_cache_fill_fn fill,
                       void *ctx);

/* Called after this replica's write succeeded and before it is answered: the cached body, and
 * the result of any read that began before now, is never served again. */
void result_cache_invalidate(struct result_cache *cache);

/* For a body made from an in-memory source that counts its changes: invalidates the cache (as
 * result_cache_invalidate) when version differs from the one given last time. */
void result_cache_track(struct result_cache *cache, uint64_t version);

/* Workers blocked in result_cache_fill right now, waiting for another's read (lets tests know
 * that a worker waits; a snapshot, stale as soon as it returns). */
unsigned result_cache_waiting(struct result_cache *cache);

/* Fast-path hits and misses since start. */
void result_cache_counts(const struct result_cache *cache, uint64_t *hits, uint64_t *misses);

struct strbuf;

/* The hits and misses as metrics (a metrics_source_fn; ctx is the cache). */
void result_cache_metrics(void *cache, struct strbuf *out);

#endif
