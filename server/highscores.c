/* highscores: score submission, the top-10 list and its cache. */
#include "highscores.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "result_cache.h"
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

json_t *highscores_list_json(const struct store_score *scores, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++) {
        json_t *entry = json_object();
        json_object_set_new(entry, "name", json_string(scores[i].name));
        api_place_to_json(entry, &scores[i].place);
        json_object_set_new(entry, "score", json_integer(scores[i].score));
        if (json_array_append_new(list, entry) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
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
    reply_json(reply, 200, highscores_list_json(scores, count));
    return true;
}

struct dbqueue_task *highscores_handle_list(struct app *app, enum method method,
                                            const struct input *input, struct reply *reply)
{
    (void)method, (void)input;
    return api_cached_read(app->highscores->cache, highscores_read, reply);
}

/* ---- POST /highscores ---- */

/* The most a level can yield: 240 dots (10) and 4 energizers (50) make 2,600; four ghosts
 * per energizer at 200+400+800+1,600 make 12,000; two fruit at most 5,000 each. */
#define HIGHSCORES_MAX_PER_LEVEL (2600 + 12000 + 10000)

bool highscores_plausible(int64_t score, int64_t level)
{
    return score <= level * HIGHSCORES_MAX_PER_LEVEL;
}

bool highscores_parse_submission(const struct input *input, struct store_score *score,
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
    if (!highscores_plausible(score->score, score->level)) {
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
    if (!highscores_parse_submission(input, &post->score, reply)) {
        free(post);
        return NULL;
    }
    post->task.run = highscores_post_run;
    post->task.destroy = api_task_free;
    post->highscores = app->highscores;
    return &post->task;
}
