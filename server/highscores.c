/* highscores: score submission and the top-10 list. */
#include "highscores.h"

#include <stdlib.h>

#include "api.h"
#include "app.h"
#include "cluster_events.h"
#include "dbqueue.h"
#include "hex.h"
#include "input.h"
#include "reply.h"
#include "result_cache.h"
#include "store.h"

/* ---- GET /highscores/list ---- */

/* The cache's database read (ctx is the store). */
static bool highscores_read(void *store, struct reply *reply)
{
    struct store_score scores[STORE_TOP_SCORES];
    size_t count = 0;
    enum store_status status = store_list_scores(store, scores, &count);
    if (status != STORE_OK) {
        api_reply_store_error(reply, status);
        return false;
    }
    reply_json(reply, 200, api_scores_json(scores, count));
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
    enum store_status status = store_fingerprint_scores(store, &fingerprint);
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
    char newest[CLUSTER_TIME_SIZE];
    cluster_format_time(fingerprint.newest_unix_ms, newest, sizeof newest);
    reply_json(&task->reply, 200,
               json_pack("{s:I, s:s, s:o}", "count", (json_int_t)fingerprint.count, "sha256",
                         sha256, "newest",
                         fingerprint.newest_unix_ms ? json_string(newest) : json_null()));
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
    enum store_status status = store_insert_score(store, &post->score, &stored);
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
    if (!api_read_score(input, &post->score, reply)) {
        api_task_free(&post->task);
        return NULL;
    }
    post->cache = app->highscores_cache;
    return &post->task;
}
