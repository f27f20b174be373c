/* highscores: score submission, the top-10 list and its cache. */
#include "highscores.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "dbqueue.h"
#include "input.h"
#include "reply.h"
#include "result_cache.h"
#include "store.h"
#include "strbuf.h"

struct highscores {
    struct result_cache *cache; /* the list's JSON body */
};

struct highscores *highscores_new(unsigned cache_ms)
{
    struct highscores *highscores = calloc(1, sizeof *highscores);
    if (!highscores)
        return NULL;
    highscores->cache = result_cache_new(cache_ms, NULL);
    if (!highscores->cache) {
        free(highscores);
        return NULL;
    }
    return highscores;
}

void highscores_free(struct highscores *highscores)
{
    if (!highscores)
        return;
    result_cache_free(highscores->cache);
    free(highscores);
}

void highscores_metrics(const void *ctx, struct strbuf *out)
{
    const struct highscores *highscores = ctx;
    uint64_t hits, misses;
    result_cache_counts(highscores->cache, &hits, &misses);
    strbuf_printf(out,
                  "# TYPE pacman_highscores_cache_hits_total counter\n"
                  "pacman_highscores_cache_hits_total %llu\n"
                  "# TYPE pacman_highscores_cache_misses_total counter\n"
                  "pacman_highscores_cache_misses_total %llu\n",
                  (unsigned long long)hits, (unsigned long long)misses);
}

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
    return api_cached_read(app->highscores->cache, highscores_read, reply);
}

/* ---- POST /highscores ---- */

struct highscores_post_task {
    struct dbqueue_task task;
    struct highscores *highscores;
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
        result_cache_invalidate(post->highscores->cache);
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
    struct highscores_post_task *post = calloc(1, sizeof *post);
    if (!post) {
        reply_error(reply, 500, "out of memory");
        return NULL;
    }
    if (!api_read_score(input, &post->score, reply)) {
        free(post);
        return NULL;
    }
    post->task.run = highscores_post_run;
    post->task.destroy = api_task_free;
    post->highscores = app->highscores;
    return &post->task;
}
