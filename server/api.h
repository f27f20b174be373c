/* api: what every API area shares, below them all: the handler's type, the API's request
 * bodies read into typed store values (each field checked, the error naming it), those values
 * written as the JSON the game expects, the replies for store failures, and the cached-read
 * task of the GET routes. Pure apart from that task: no database, no HTTP, no threads.
 *
 * A handler validates its input and either answers at once (filling reply, returning NULL) or
 * returns a database task for a worker to run; the HTTP layer suspends the request meanwhile.
 * Handlers know nothing about libmicrohttpd; dispatch.c maps routes to them. */
#ifndef PACMAN_API_H
#define PACMAN_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dbqueue.h"
#include "result_cache.h"
#include "router.h"
#include "store.h"

struct app;
struct input;
struct reply;

typedef struct dbqueue_task *(*api_handler_fn)(struct app *app, enum method method,
                                               const struct input *input, struct reply *reply);

/* ---- replies ---- */

/* Fills reply with the 503 every database-backed route answers while the database is away. */
void api_reply_unavailable(struct reply *reply);

/* Maps a store status that is not success to its reply (503, 404 or 500). */
void api_reply_store_error(struct reply *reply, enum store_status status);

/* ---- request bodies into typed values (false with a 400 reply naming the field) ---- */

/* cloud, zone and host: each optional, at most STORE_PLACE_CHARS characters, default
 * "unknown". */
bool api_read_place(const struct input *input, struct store_place *place, struct reply *reply);

/* A POST /highscores submission: name, score, level, optional submissionId, the place. */
bool api_read_score(const struct input *input, struct store_score *score, struct reply *reply);

/* False when score cannot be reached by the end of level: a cheap server-side check against
 * hand-made submissions (see SECURITY.md for what it cannot catch). */
bool api_score_plausible(int64_t score, int64_t level);

/* A POST /user/stats report: userId (24 hex digits, lower-cased), score, level, lives,
 * elapsedTime, the place. */
bool api_read_player_stats(const struct input *input, struct store_player_stats *stats,
                           struct reply *reply);

/* ---- typed values into JSON ---- */

/* Adds the place fields (cloud, zone, host) to object. */
void api_place_to_json(json_t *object, const struct store_place *place);

/* The top-10 body, as the old client expects it: [{name,cloud,zone,host,score}]. */
json_t *api_scores_json(const struct store_score *scores, size_t count);

/* The GET /user/stats body: [{cloud,zone,host,score,level,lives,et,txncount}]. */
json_t *api_player_stats_json(const struct store_player_stats *rows, size_t count);

/* ---- tasks ---- */

/* A GET whose body a result_cache holds: answered at once from the cache when fresh (NULL,
 * reply filled), otherwise a database task whose run is result_cache_fill(cache, reply, fill,
 * store), so concurrent misses make one read. NULL with a 500 reply when out of memory. */
struct dbqueue_task *api_cached_read(struct result_cache *cache, result_cache_fill_fn fill,
                                     struct reply *reply);

/* A zeroed task of size bytes (a struct that starts with its struct dbqueue_task) that runs
 * run and is destroyed by api_task_free. NULL with a 500 reply when out of memory. */
struct dbqueue_task *api_task_new(size_t size, dbqueue_run_fn run, struct reply *reply);

/* Destroys a task made by api_task_new: clears its reply and frees it. */
void api_task_free(struct dbqueue_task *task);

#endif
