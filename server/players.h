/* players: GET /user/id, POST /user/stats and GET /user/stats (the live-players view), and
 * the per-replica cache of that view. Every open page polls it and reports its own stats
 * every few seconds, so the view is served from memory while it is younger than
 * HIGHSCORES_CACHE_MS, whoever reported since: any report, this replica's or another's,
 * shows within the cache age, and the database sees at most one list read per replica per
 * cache age. */
#ifndef PACMAN_PLAYERS_H
#define PACMAN_PLAYERS_H

#include "api.h"

struct players;
struct strbuf;

/* The players area with a live-players cache of cache_ms (0: every GET reads the database).
 * NULL when out of memory. Free with players_free (NULL is ignored). */
struct players *players_new(unsigned cache_ms);
void players_free(struct players *players);

struct dbqueue_task *players_handle_id(struct app *app, enum method method,
                                       const struct input *input, struct reply *reply);
struct dbqueue_task *players_handle_stats(struct app *app, enum method method,
                                          const struct input *input, struct reply *reply);

/* GET /user/stats answered from the cache (hits) and sent to the database (misses) since
 * start (a metrics_source_fn; ctx is the players area). */
void players_metrics(const void *players, struct strbuf *out);

#endif
