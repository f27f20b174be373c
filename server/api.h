/* api: what the API areas share, below them all: the places every body carries read into and
 * written out of typed values, the replies for store failures, a JSON array of rows, and the
 * database tasks (plain ones and the cached reads of the GET routes). The areas' own bodies
 * (a score, a player's stats) are read and written in their own files. Pure apart from the
 * cached read's task: no database, no HTTP, no threads.
 *
 * A handler (router.h, route_handler_fn) validates its input and either answers at once or
 * returns one of these tasks for a database worker to run. */
#ifndef PACMAN_API_H
#define PACMAN_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "dbqueue.h"
#include "result_cache.h"
#include "router.h"
#include "store.h"

struct input;
struct place;
struct reply;

/* ---- replies ---- */

/* Maps a store status that is not success to its reply (503, 404 or 500). */
void api_reply_store_error(struct reply *reply, enum store_status status);

/* ---- bodies ---- */

/* cloud, zone and host: each optional, at most PLACE_CHARS characters, default "unknown".
 * False with a 400 reply naming the field. */
bool api_read_place(const struct input *input, struct place *place, struct reply *reply);

/* Adds the place fields (cloud, zone, host) to object. */
void api_place_to_json(json_t *object, const struct place *place);

/* A JSON array of count rows of size bytes each, every one written by row; NULL when out of
 * memory. */
json_t *api_json_array(const void *rows, size_t count, size_t size, json_t *(*row)(const void *));

/* ---- tasks ---- */

/* A zeroed task of size bytes (a struct that starts with its struct dbqueue_task) that runs
 * run; dbqueue_release destroys it, queued or not. NULL with a 500 reply when out of memory. */
struct dbqueue_task *api_task_new(size_t size, dbqueue_run_fn run, struct reply *reply);

/* A GET whose body a result_cache holds: answered at once from the cache when fresh (NULL,
 * reply filled), otherwise a database task whose run is result_cache_fill(cache, reply, fill,
 * store), so concurrent misses make one read. NULL with a 500 reply when out of memory. */
struct dbqueue_task *api_cached_read(struct result_cache *cache, result_cache_fill_fn fill,
                                     struct reply *reply);

#endif
