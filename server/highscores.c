/* highscores: score submission, the top-10 list and the fingerprint. */
#include "highscores.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "dbqueue.h"
#include "display.h"
#include "hex.h"
#include "input.h"
#include "reply.h"
#include "result_cache.h"
#include "store_scores.h"

/* ---- a score in the API ---- */

/* The most a level can yield: 240 dots (10) and 4 energizers (50) make 2,600; four ghosts
 * per energizer at 200+400+800+1,600 make 12,000; two fruit at most 5,000 each. */
#define HIGHSCORES_MAX_PER_LEVEL (2600 + 12000 + 10000)

bool highscores_score_plausible(int64_t score, int64_t level)
{
    return score <= level * HIGHSCORES_MAX_PER_LEVEL;
}

bool highscores_read_score(const struct input *input, struct store_score *score,
                           struct reply *reply)
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
    if (!highscores_score_plausible(score->score, score->level)) {
        reply_error(reply, 400,
                    "score %lld is more than a game can reach by level %lld (at most %d a level)",
                    (long long)score->score, (long long)score->level, HIGHSCORES_MAX_PER_LEVEL);
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

static json_t *highscores_score_json(const void *row)
{
    const struct store_score *score = row;
    json_t *entry = json_object();
    json_object_set_new(entry, "name", json_string(score->name));
    api_place_to_json(entry, &score->place);
    json_object_set_new(entry, "score", json_integer(score->score));
    return entry;
}

json_t *highscores_list_json(const struct store_score *scores, size_t count)
{
    return api_json_array(scores, count, sizeof *scores, highscores_score_json);
}

/* ---- GET /highscores/list ---- */

/* The cache's database read (ctx is the store). */
static bool highscores_read(void *store, struct reply *reply)
{
    struct store_score scores[STORE_TOP_SCORES];
    size_t count = 0;
    enum store_status status = store_scores_list(store, scores, &count);
    if (status != STORE_OK) {
        api_reply_store_error(reply, status);
        return false;
    }
    reply_json(reply, 200, highscores_list_json(scores, count));
    return true;
}

struct dbqueue_task *highscores_handle_list(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply)
{
    (void)method, (void)input;
    return api_cached_read(app->highscores_cache, highscores_read, reply);
}

/* ---- GET /highscores/fingerprint ---- */

static void highscores_fingerprint_run(struct dbqueue_task *task, struct store *store)
{
    struct store_fingerprint fingerprint;
    enum store_status status = store_scores_fingerprint(store, &fingerprint);
    if (status != STORE_OK) {
        api_reply_store_error(&task->reply, status);
        return;
    }
    char sha256[2 * sizeof fingerprint.sha256 + 1];
    for (size_t i = 0; i < sizeof fingerprint.sha256; i++) {
        sha256[2 * i] = hex_digit(fingerprint.sha256[i] >> 4);
        sha256[2 * i + 1] = hex_digit(fingerprint.sha256[i]);
    }
    sha256[sizeof sha256 - 1] = '\0';
    reply_json(&task->reply, 200,
               json_pack("{s:I, s:s, s:o}", "count", (json_int_t)fingerprint.count, "sha256",
                         sha256, "newest", display_time_json(fingerprint.newest_unix_ms)));
}

struct dbqueue_task *highscores_handle_fingerprint(struct app *app, enum method method,
                                                   const struct input *input, struct reply *reply)
{
    (void)app, (void)method, (void)input;
    struct dbqueue_task *task =
        api_task_new(sizeof(struct dbqueue_task), highscores_fingerprint_run, reply);
    /* It reads every score, so it may take longer than MONGO_TIMEOUT_MS on a large collection;
     * past the database's own limit, which reports first. */
    if (task)
        task->timeout_ms = STORE_SCAN_TIME_MS + 2000;
    return task;
}

/* ---- POST /highscores ---- */

struct highscores_post_task {
    struct dbqueue_task task;
    struct result_cache *cache; /* the top 10's, dropped once this score is stored */
    struct store_score score;
};

static void highscores_post_run(struct dbqueue_task *task, struct store *store)
{
    struct highscores_post_task *post = (struct highscores_post_task *)task;
    struct store_score stored;
    enum store_status status = store_scores_insert(store, &post->score, &stored);
    if (status != STORE_OK && status != STORE_DUPLICATE) {
        api_reply_store_error(&task->reply, status);
        return;
    }
    if (status == STORE_OK)
        result_cache_invalidate(post->cache);
    /* A replayed submissionId answers exactly as the first time did. */
    reply_json(&task->reply, 200,
               json_pack("{s:s, s:s, s:I, s:I, s:s}", "name", stored.name, "zone",
                         stored.place.zone, "score", (json_int_t)stored.score, "level",
                         (json_int_t)stored.level, "rs", "success"));
}

struct dbqueue_task *highscores_handle_post(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply)
{
    (void)method;
    struct highscores_post_task *post =
        (struct highscores_post_task *)api_task_new(sizeof *post, highscores_post_run, reply);
    if (!post)
        return NULL;
    if (!highscores_read_score(input, &post->score, reply)) {
        dbqueue_release(&post->task);
        return NULL;
    }
    post->cache = app->highscores_cache;
    return &post->task;
}
