/* highscores: POST /highscores, GET /highscores/list and GET /highscores/fingerprint, and what
 * a score is in the API: the submission read and checked into a struct store_score, the
 * stored scores written back as the JSON the game expects.
 *
 * The list is served from the replica's cache (app->highscores_cache, a result_cache) while
 * it is younger than HIGHSCORES_CACHE_MS and this replica has written no score since it was
 * read; a replica's own writes are therefore visible at once, other replicas' writes within
 * the cache age. */
#ifndef PACMAN_HIGHSCORES_H
#define PACMAN_HIGHSCORES_H

#include "api.h"
#include "store_scores.h"

struct dbqueue_task *highscores_handle_list(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply);
struct dbqueue_task *highscores_handle_post(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply);

/* {"count", "sha256", "newest"} of every stored score (store_scores_fingerprint says what is
 * hashed), never cached: for checking a backup's restore by script. */
struct dbqueue_task *highscores_handle_fingerprint(struct app *app, enum method method,
                                                   const struct input *input, struct reply *reply);

/* A POST /highscores submission: name, score, level, optional submissionId, the place. False
 * with a 400 reply naming what is wrong. */
bool highscores_read_score(const struct input *input, struct store_score *score,
                           struct reply *reply);

/* False when score cannot be reached by the end of level: a cheap server-side check against
 * hand-made submissions (see SECURITY.md for what it cannot catch). */
bool highscores_score_plausible(int64_t score, int64_t level);

/* The top-10 body, as the old client expects it: [{name,cloud,zone,host,score}]. NULL when out
 * of memory. */
json_t *highscores_list_json(const struct store_score *scores, size_t count);

#endif
