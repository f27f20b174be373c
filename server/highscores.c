/* highscores: score submission, the top-10 list and its cache. */
#include "highscores.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "timing.h"

struct highscores {
    pthread_mutex_t lock;
    char *body; /* the cached list as JSON, or NULL */
    size_t body_length;
    int64_t fetched_us;
    uint64_t generation;      /* bumped by every score this replica stores */
    uint64_t body_generation; /* the generation the cached body was read at */
    /* Single flight: while one worker reads the list for the current generation, the other
     * list tasks wait for its result instead of each asking the database (after every
     * stored score and every expiry, all the requests that arrive during the read would
     * otherwise each send the same query). */
    bool refreshing;
    uint64_t refresh_generation; /* the generation the read in flight started at */
    uint64_t refreshes_done;     /* reads finished, so a waiter knows that its read ended */
    enum store_status last_refresh_status;
    pthread_cond_t refreshed;
    unsigned cache_ms;
    atomic_uint_fast64_t hits, misses;
};

struct highscores *highscores_new(unsigned cache_ms)
{
    struct highscores *highscores = calloc(1, sizeof *highscores);
    if (!highscores)
        return NULL;
    pthread_mutex_init(&highscores->lock, NULL);
    pthread_cond_init(&highscores->refreshed, NULL);
    highscores->cache_ms = cache_ms;
    return highscores;
}

void highscores_free(struct highscores *highscores)
{
    if (!highscores)
        return;
    pthread_mutex_destroy(&highscores->lock);
    pthread_cond_destroy(&highscores->refreshed);
    free(highscores->body);
    free(highscores);
}

void highscores_cache_counts(const struct highscores *highscores, uint64_t *hits,
                             uint64_t *misses)
{
    *hits = atomic_load(&highscores->hits);
    *misses = atomic_load(&highscores->misses);
}

/* With the lock held: copies the cached body into reply when it may be served (read after
 * this replica's last stored score, and younger than cache_ms); false otherwise. */
static bool highscores_copy_fresh_locked(struct highscores *highscores, struct reply *reply)
{
    if (!highscores->body || highscores->body_generation != highscores->generation ||
        timing_now_us() - highscores->fetched_us >= (int64_t)highscores->cache_ms * 1000)
        return false;
    reply->body = malloc(highscores->body_length + 1);
    if (!reply->body)
        return false;
    memcpy(reply->body, highscores->body, highscores->body_length + 1);
    reply->body_length = highscores->body_length;
    reply->status = 200;
    return true;
}

/* Copies the cached body into reply when it is fresh; false otherwise. */
static bool highscores_cache_get(struct highscores *highscores, struct reply *reply)
{
    pthread_mutex_lock(&highscores->lock);
    bool hit = highscores_copy_fresh_locked(highscores, reply);
    pthread_mutex_unlock(&highscores->lock);
    atomic_fetch_add_explicit(hit ? &highscores->hits : &highscores->misses, 1,
                              memory_order_relaxed);
    return hit;
}

/* On a database worker, before reading the list: waits while another worker reads it for
 * the current generation, then answers from what that read stored, or with its error (a
 * failing database is not asked again by every waiter in turn). True when reply holds the
 * answer; false when the caller must read the list (and then call highscores_refresh_done). */
static bool highscores_await_refresh(struct highscores *highscores, struct reply *reply,
                                     uint64_t *generation)
{
    bool served = false;
    bool waited = false;
    uint64_t waited_for = 0;
    pthread_mutex_lock(&highscores->lock);
    for (;;) {
        if (highscores_copy_fresh_locked(highscores, reply)) {
            served = true;
            break;
        }
        if (waited && highscores->refreshes_done != waited_for &&
            highscores->last_refresh_status != STORE_OK) {
            api_reply_store_error(reply, highscores->last_refresh_status);
            served = true;
            break;
        }
        bool in_flight = highscores->refreshing &&
                         highscores->refresh_generation == highscores->generation;
        if (!in_flight) {
            /* No read in flight, or only one that started before a score was stored (its
             * result will not be kept): this worker reads. */
            highscores->refreshing = true;
            highscores->refresh_generation = highscores->generation;
            break;
        }
        waited = true;
        waited_for = highscores->refreshes_done;
        pthread_cond_wait(&highscores->refreshed, &highscores->lock);
    }
    *generation = highscores->generation;
    pthread_mutex_unlock(&highscores->lock);
    return served;
}

/* Ends the read started at generation and wakes the workers waiting for it. */
static void highscores_refresh_done(struct highscores *highscores, uint64_t generation,
                                    enum store_status status)
{
    pthread_mutex_lock(&highscores->lock);
    if (highscores->refreshing && highscores->refresh_generation == generation)
        highscores->refreshing = false;
    highscores->refreshes_done++;
    highscores->last_refresh_status = status;
    pthread_cond_broadcast(&highscores->refreshed);
    pthread_mutex_unlock(&highscores->lock);
}

/* Keeps body unless a score was stored after the read began (generation moved on). */
static void highscores_cache_put(struct highscores *highscores, uint64_t generation,
                                 int64_t read_started_us, const char *body, size_t length)
{
    if (highscores->cache_ms == 0)
        return;
    char *copy = malloc(length + 1);
    if (!copy)
        return;
    memcpy(copy, body, length + 1);
    pthread_mutex_lock(&highscores->lock);
    if (generation == highscores->generation && read_started_us >= highscores->fetched_us) {
        free(highscores->body);
        highscores->body = copy;
        highscores->body_length = length;
        highscores->body_generation = generation;
        highscores->fetched_us = read_started_us;
        copy = NULL;
    }
    pthread_mutex_unlock(&highscores->lock);
    free(copy);
}

static void highscores_invalidate(struct highscores *highscores)
{
    pthread_mutex_lock(&highscores->lock);
    highscores->generation++;
    pthread_mutex_unlock(&highscores->lock);
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

struct highscores_list_task {
    struct db_task task;
    struct highscores *highscores;
    uint64_t generation;
    int64_t started_us;
};

static void highscores_list_run(struct db_task *task, struct store *store)
{
    struct highscores_list_task *list = (struct highscores_list_task *)task;
    struct highscores *highscores = list->highscores;
    bool shared = highscores->cache_ms > 0;
    if (shared) {
        /* Read at the generation current now: a score stored since the request arrived is
         * then in the answer too, and a read that started after it may be kept. */
        if (highscores_await_refresh(highscores, &task->reply, &list->generation))
            return;
        list->started_us = timing_now_us();
    }
    struct store_score scores[STORE_TOP_SCORES];
    size_t count = 0;
    enum store_status status = store_list_scores(store, scores, &count);
    if (status != STORE_OK)
        api_reply_store_error(&task->reply, status);
    else if (reply_json(&task->reply, 200, highscores_list_json(scores, count)))
        highscores_cache_put(highscores, list->generation, list->started_us, task->reply.body,
                             task->reply.body_length);
    if (shared)
        highscores_refresh_done(highscores, list->generation, status);
}

static void highscores_task_free(struct db_task *task)
{
    reply_clear(&task->reply);
    free(task);
}

struct db_task *highscores_handle_list(struct app *app, enum method method,
                                       const struct input *input, struct reply *reply)
{
    (void)method, (void)input;
    struct highscores *highscores = app->highscores;
    if (highscores_cache_get(highscores, reply))
        return NULL;
    struct highscores_list_task *list = calloc(1, sizeof *list);
    if (!list) {
        reply_error(reply, 500, "out of memory");
        return NULL;
    }
    list->task.run = highscores_list_run;
    list->task.destroy = highscores_task_free;
    list->highscores = highscores;
    pthread_mutex_lock(&highscores->lock);
    list->generation = highscores->generation;
    pthread_mutex_unlock(&highscores->lock);
    list->started_us = timing_now_us();
    return &list->task;
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
        !input_get_int(input, "score", true, 0, 10000000, 0, &score->score, error,
                       sizeof error) ||
        !input_get_int(input, "level", true, 1, 999, 1, &score->level, error, sizeof error) ||
        !input_get_text(input, "submissionId", false, 1, STORE_SUBMISSION_ID_CHARS, "",
                        score->submission_id, sizeof score->submission_id, error,
                        sizeof error)) {
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
    struct db_task task;
    struct highscores *highscores;
    struct store_score score;
};

static void highscores_post_run(struct db_task *task, struct store *store)
{
    struct highscores_post_task *post = (struct highscores_post_task *)task;
    struct store_score stored;
    enum store_status status = store_insert_score(store, &post->score, &stored);
    if (status != STORE_OK && status != STORE_DUPLICATE) {
        api_reply_store_error(&task->reply, status);
        return;
    }
    if (status == STORE_OK)
        highscores_invalidate(post->highscores);
    /* A replayed submissionId answers exactly as the first time did. */
    reply_json(&task->reply, 200,
               json_pack("{s:s, s:s, s:I, s:I, s:s}", "name", stored.name, "zone",
                         stored.place.zone, "score", (json_int_t)stored.score, "level",
                         (json_int_t)stored.level, "rs", "success"));
}

struct db_task *highscores_handle_post(struct app *app, enum method method,
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
    post->task.destroy = highscores_task_free;
    post->highscores = app->highscores;
    return &post->task;
}
