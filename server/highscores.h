/* highscores: POST /highscores, GET /highscores/list and GET /highscores/fingerprint. The list is
 * served from the replica's cache (app->highscores_cache, a result_cache) while it is younger than
 * HIGHSCORES_CACHE_MS and this replica has written no score since it was read; a replica's
 * own writes are therefore visible at once, other replicas' writes within the cache age. */
#ifndef PACMAN_HIGHSCORES_H
#define PACMAN_HIGHSCORES_H

#include "api.h"

struct dbqueue_task *highscores_handle_list(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply);
/* {"count", "sha256", "newest"} of every stored score (store_fingerprint_scores says what is
 * hashed), never cached: for checking a backup's restore by script. */
struct dbqueue_task *highscores_handle_fingerprint(struct app *app, enum method method,
                                                   const struct input *input, struct reply *reply);
struct dbqueue_task *highscores_handle_post(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply);

#endif
