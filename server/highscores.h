/* highscores: POST /highscores and GET /highscores/list, and the per-replica cache of the
 * top 10. The list is served from memory while it is younger than HIGHSCORES_CACHE_MS and
 * this replica has written no score since it was read; a replica's own writes are
 * therefore visible at once, other replicas' writes within the cache age. */
#ifndef PACMAN_HIGHSCORES_H
#define PACMAN_HIGHSCORES_H

#include <stdint.h>

#include "api.h"

struct highscores;

struct highscores *highscores_new(unsigned cache_ms);
void highscores_free(struct highscores *highscores);

struct dbqueue_task *highscores_handle_list(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply);
struct dbqueue_task *highscores_handle_post(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply);

/* Validates a submission into score. False with a 400 reply naming the field otherwise. */
bool highscores_parse_submission(const struct input *input, struct store_score *score,
                                 struct reply *reply);

/* False when score cannot be reached by the end of level: a cheap server-side check against
 * hand-made submissions (see SECURITY.md for what it cannot catch). */
bool highscores_plausible(int64_t score, int64_t level);

/* The list body for scores, as the old client expects it: [{name,cloud,zone,host,score}]. */
json_t *highscores_list_json(const struct store_score *scores, size_t count);

struct strbuf;

/* The top-10 cache's hits and misses (a metrics_source_fn; ctx is the highscores area). */
void highscores_metrics(const void *highscores, struct strbuf *out);

#endif
