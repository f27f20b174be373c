/* api: the route-to-handler table and what the API areas share. */
#include "api.h"

#include <stdlib.h>

#include "highscores.h"
#include "location.h"
#include "ops.h"
#include "players.h"

static const api_handler_fn api_handlers[ROUTE_COUNT] = {
    [ROUTE_STATIC] = NULL,
    [ROUTE_HIGHSCORES_LIST] = highscores_handle_list,
    [ROUTE_HIGHSCORES] = highscores_handle_post,
    [ROUTE_USER_ID] = players_handle_id,
    [ROUTE_USER_STATS] = players_handle_stats,
    [ROUTE_LOCATION] = location_handle,
    [ROUTE_HEALTHZ] = ops_handle_healthz,
    [ROUTE_READYZ] = ops_handle_readyz,
    [ROUTE_METRICS] = ops_handle_metrics,
};

api_handler_fn api_handler(enum route route)
{
    return route < ROUTE_COUNT ? api_handlers[route] : NULL;
}

void api_reply_unavailable(struct reply *reply)
{
    reply_error(reply, 503, "the high-score database is unavailable; try again in a few seconds");
}

void api_reply_store_error(struct reply *reply, enum store_status status)
{
    switch (status) {
    case STORE_UNAVAILABLE:
        api_reply_unavailable(reply);
        break;
    case STORE_NOT_FOUND:
        reply_error(reply, 404, "not found");
        break;
    default:
        reply_error(reply, 500, "the database refused the operation");
        break;
    }
}

void api_place_to_json(json_t *object, const struct store_place *place)
{
    json_object_set_new(object, "cloud", json_string(place->cloud));
    json_object_set_new(object, "zone", json_string(place->zone));
    json_object_set_new(object, "host", json_string(place->host));
}

bool api_read_place(const struct input *input, struct store_place *place, struct reply *reply)
{
    char error[160];
    if (!input_get_text(input, "cloud", false, 0, STORE_PLACE_CHARS, "unknown", place->cloud,
                        sizeof place->cloud, error, sizeof error) ||
        !input_get_text(input, "zone", false, 0, STORE_PLACE_CHARS, "unknown", place->zone,
                        sizeof place->zone, error, sizeof error) ||
        !input_get_text(input, "host", false, 0, STORE_PLACE_CHARS, "unknown", place->host,
                        sizeof place->host, error, sizeof error)) {
        reply_error(reply, 400, "%s", error);
        return false;
    }
    return true;
}

void api_task_free(struct dbqueue_task *task)
{
    reply_clear(&task->reply);
    free(task);
}

struct api_cached_task {
    struct dbqueue_task task;
    struct result_cache *cache;
    result_cache_fill_fn fill;
};

static void api_cached_run(struct dbqueue_task *task, struct store *store)
{
    struct api_cached_task *cached = (struct api_cached_task *)task;
    result_cache_fill(cached->cache, &task->reply, cached->fill, store);
}

struct dbqueue_task *api_cached_read(struct result_cache *cache, result_cache_fill_fn fill,
                                     struct reply *reply)
{
    if (result_cache_get(cache, reply))
        return NULL;
    struct api_cached_task *cached = calloc(1, sizeof *cached);
    if (!cached) {
        reply_error(reply, 500, "out of memory");
        return NULL;
    }
    cached->task.run = api_cached_run;
    cached->task.destroy = api_task_free;
    cached->cache = cache;
    cached->fill = fill;
    return &cached->task;
}
