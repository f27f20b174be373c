/* highscores: score submission and the top-10 list. */
#include "highscores.h"

#include <stdlib.h>

#include "api.h"
#include "app.h"
#include "dbqueue.h"
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
