/* api: the API's bodies as typed values and JSON, and what the API areas share. */
#include "api.h"

#include <stdlib.h>
#include <string.h>

#include "dbqueue.h"
#include "hex.h"
#include "input.h"
#include "reply.h"
#include "result_cache.h"
#include "store.h"

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

struct dbqueue_task *api_task_new(size_t size, dbqueue_run_fn run, struct reply *reply)
{
    struct dbqueue_task *task = calloc(1, size);
    if (!task) {
        reply_error(reply, 500, "out of memory");
        return NULL;
    }
    task->run = run;
    task->destroy = api_task_free;
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

/* ---- scores ---- */

/* The most a level can yield: 240 dots (10) and 4 energizers (50) make 2,600; four ghosts
 * per energizer at 200+400+800+1,600 make 12,000; two fruit at most 5,000 each. */
#define API_MAX_SCORE_PER_LEVEL (2600 + 12000 + 10000)

bool api_score_plausible(int64_t score, int64_t level)
{
    return score <= level * API_MAX_SCORE_PER_LEVEL;
}

bool api_read_score(const struct input *input, struct store_score *score, struct reply *reply)
{
    char error[160];
    memset(score, 0, sizeof *score);
    if (!input_get_text(input, "name", true, 1, STORE_NAME_CHARS, NULL, score->name,
                        sizeof score->name, error, sizeof error) ||
        !input_get_int(input, "score", true, 0, 10000000, 0, &score->score, error, sizeof error) ||
        !input_get_int(input, "level", true, 1, 999, 1, &score->level, error, sizeof error) ||
        !input_get_text(input, "submissionId", false, 1, STORE_SUBMISSION_ID_CHARS, "",
                        score->submission_id, sizeof score->submission_id, error, sizeof error)) {
        reply_error(reply, 400, "%s", error);
        return false;
    }
    if (!api_score_plausible(score->score, score->level)) {
        reply_error(reply, 400,
                    "score %lld is more than a game can reach by level %lld (at most %d a level)",
                    (long long)score->score, (long long)score->level, API_MAX_SCORE_PER_LEVEL);
        return false;
    }
    /* given but empty once trimmed ("" or spaces): an error, not "no id", or a retry of
     * this score would be stored twice */
    const struct input_field *id = input_find(input, "submissionId");
    if (id && id->kind == INPUT_STRING && score->submission_id[0] == '\0') {
        reply_error(reply, 400, "submissionId must be 1 to %d characters when given",
                    STORE_SUBMISSION_ID_CHARS);
        return false;
    }
    size_t id_length = strlen(score->submission_id);
    if (strspn(score->submission_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789_-") != id_length) {
        reply_error(reply, 400, "submissionId may hold only letters, digits, - and _");
        return false;
    }
    return api_read_place(input, &score->place, reply);
}

/* A JSON array of count rows of size bytes each, every one written by row; NULL when out of
 * memory. */
static json_t *api_json_array(const void *rows, size_t count, size_t size,
                              json_t *(*row)(const void *))
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        if (json_array_append_new(list, row((const char *)rows + i * size)) != 0) {
            json_decref(list);
            return NULL;
        }
    return list;
}

static json_t *api_score_json(const void *row)
{
    const struct store_score *score = row;
    json_t *entry = json_object();
    json_object_set_new(entry, "name", json_string(score->name));
    api_place_to_json(entry, &score->place);
    json_object_set_new(entry, "score", json_integer(score->score));
    return entry;
}

json_t *api_scores_json(const struct store_score *scores, size_t count)
{
    return api_json_array(scores, count, sizeof *scores, api_score_json);
}

/* ---- players ---- */

bool api_read_player_stats(const struct input *input, struct store_player_stats *stats,
                           struct reply *reply)
{
    char error[160];
    memset(stats, 0, sizeof *stats);
    if (!input_get_text(input, "userId", true, 24, 24, NULL, stats->player_id,
                        sizeof stats->player_id, error, sizeof error)) {
        reply_error(reply, 400, "%s", error);
        return false;
    }
    if (!hex_is_digits(stats->player_id, 24)) {
        reply_error(reply, 400, "userId must be 24 hexadecimal digits");
        return false;
    }
    for (char *c = stats->player_id; *c; c++)
        *c = hex_digit((unsigned)hex_value(*c)); /* lower case, as ObjectIds are written */
    if (!input_get_int(input, "score", true, 0, 10000000, 0, &stats->score, error, sizeof error) ||
        !input_get_int(input, "level", true, 1, 999, 1, &stats->level, error, sizeof error) ||
        !input_get_int(input, "lives", true, 0, 99, 0, &stats->lives, error, sizeof error) ||
        !input_get_int(input, "elapsedTime", true, 0, 86400, 0, &stats->elapsed_time, error,
                       sizeof error)) {
        reply_error(reply, 400, "%s", error);
        return false;
    }
    return api_read_place(input, &stats->place, reply);
}

static json_t *api_player_stats_row_json(const void *row)
{
    const struct store_player_stats *stats = row;
    json_t *entry = json_object();
    api_place_to_json(entry, &stats->place);
    json_object_set_new(entry, "score", json_integer(stats->score));
    json_object_set_new(entry, "level", json_integer(stats->level));
    json_object_set_new(entry, "lives", json_integer(stats->lives));
    json_object_set_new(entry, "et", json_integer(stats->elapsed_time));
    json_object_set_new(entry, "txncount", json_integer(stats->update_counter));
    return entry;
}

json_t *api_player_stats_json(const struct store_player_stats *rows, size_t count)
{
    return api_json_array(rows, count, sizeof *rows, api_player_stats_row_json);
}
