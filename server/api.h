/* api: the handler of each API route. A handler validates its input and either answers at
 * once (filling reply, returning NULL) or returns a database task for a worker to run; the
 * HTTP layer suspends the request meanwhile. Handlers know nothing about libmicrohttpd. */
#ifndef PACMAN_API_H
#define PACMAN_API_H

#include "dbqueue.h"
#include "input.h"
#include "reply.h"
#include "result_cache.h"
#include "router.h"
#include "store.h"

struct app;

typedef struct dbqueue_task *(*api_handler_fn)(struct app *app, enum method method,
                                               const struct input *input, struct reply *reply);

/* The handler for an API route; NULL for ROUTE_STATIC. */
api_handler_fn api_handler(enum route route);

/* Fills reply with the 503 every database-backed route answers while the database is away. */
void api_reply_unavailable(struct reply *reply);

/* Maps a store status that is not success to its reply (503, 404 or 500). */
void api_reply_store_error(struct reply *reply, enum store_status status);

/* Adds the place fields (cloud, zone, host) to object. */
void api_place_to_json(json_t *object, const struct store_place *place);

/* Reads cloud, zone and host (each optional, at most STORE_PLACE_CHARS characters, default
 * "unknown"). False with a 400 reply naming the field otherwise. */
bool api_read_place(const struct input *input, struct store_place *place, struct reply *reply);

/* A GET whose body a result_cache holds: answered at once from the cache when fresh (NULL,
 * reply filled), otherwise a database task whose run is result_cache_fill(cache, reply, fill,
 * store), so concurrent misses make one read. NULL with a 500 reply when out of memory. */
struct dbqueue_task *api_cached_read(struct result_cache *cache, result_cache_fill_fn fill,
                                     struct reply *reply);

/* Destroys a task allocated with malloc whose struct starts with its struct dbqueue_task:
 * clears its reply and frees it. The destroy function of every API task. */
void api_task_free(struct dbqueue_task *task);

#endif
