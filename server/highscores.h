/* highscores: POST /highscores and GET /highscores/list, and the per-replica cache of the
 * top 10. The list is served from memory while it is younger than HIGHSCORES_CACHE_MS and
 * this replica has written no score since it was read; a replica's own writes are
 * therefore visible at once, other replicas' writes within the cache age. */
#ifndef PACMAN_HIGHSCORES_H
#define PACMAN_HIGHSCORES_H

#include "api.h"

struct highscores;
struct strbuf;

/* The highscores area with a top-10 cache of cache_ms (0: every list reads the database).
 * NULL when out of memory. Free with highscores_free (NULL is ignored). */
struct highscores *highscores_new(unsigned cache_ms);
void highscores_free(struct highscores *highscores);

struct dbqueue_task *highscores_handle_list(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply);
struct dbqueue_task *highscores_handle_post(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply);

/* The top-10 cache's hits and misses (a metrics_source_fn; ctx is the highscores area). */
void highscores_metrics(const void *highscores, struct strbuf *out);

#endif
