/* api: what the API areas share. */
#include "api.h"

#include <stdlib.h>

#include "dbqueue.h"
#include "input.h"
#include "place.h"
#include "reply.h"
#include "result_cache.h"
#include "store.h"

void api_reply_store_error(struct reply *reply, enum store_status status)
{
    switch (status) {
    case STORE_UNAVAILABLE:
        dbqueue_reply_unavailable(reply);
        break;
    case STORE_NOT_FOUND:
        reply_error(reply, 404, "not found");
        break;
    default:
        reply_error(reply, 500, "the database refused the operation");
        break;
    }
}

bool api_read_place(const struct input *input, struct place *place, struct reply *reply)
{
    char error[160];
    if (!input_get_text(input, "cloud", false, 0, PLACE_CHARS, "unknown", place->cloud,
                        sizeof place->cloud, error, sizeof error) ||
        !input_get_text(input, "zone", false, 0, PLACE_CHARS, "unknown", place->zone,
                        sizeof place->zone, error, sizeof error) ||
        !input_get_text(input, "host", false, 0, PLACE_CHARS, "unknown", place->host,
                        sizeof place->host, error, sizeof error)) {
        reply_error(reply, 400, "%s", error);
        return false;
    }
    return true;
}

void api_place_to_json(json_t *object, const struct place *place)
{
    json_object_set_new(object, "cloud", json_string(place->cloud));
    json_object_set_new(object, "zone", json_string(place->zone));
    json_object_set_new(object, "host", json_string(place->host));
}

json_t *api_json_array(const void *rows, size_t count, size_t size, json_t *(*row)(const void *))
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        if (json_array_append_new(list, row((const char *)rows + i * size)) != 0) {
            json_decref(list);
            return NULL;
        }
    return list;
}

static void api_task_free(struct dbqueue_task *task)
{
    reply_clear(&task->reply);
    free(task);
}

struct dbqueue_task *api_task_new(size_t size, dbqueue_run_fn run, struct reply *reply)
{
    struct dbqueue_task *task = calloc(1, size);
    if (!task) {
        reply_error(reply, 500, "out of memory");
        return NULL;
    }
    dbqueue_task_init(task, run, api_task_free);
    return task;
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
    struct api_cached_task *cached =
        (struct api_cached_task *)api_task_new(sizeof *cached, api_cached_run, reply);
    if (!cached)
        return NULL;
    cached->cache = cache;
    cached->fill = fill;
    return &cached->task;
}
