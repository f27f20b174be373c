/* result_cache: a cached reply body with its age and generation, and the single-flight read
 * that refreshes it. */
#include "result_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "timing.h"

/* A read in progress, from result_cache_begin_read to result_cache_finish_read. */
struct result_cache_read {
    uint64_t generation; /* the generation the read started at */
    int64_t started_us;  /* when it started, on the cache's clock */
};

struct result_cache {
    pthread_mutex_t lock;
    pthread_cond_t read_finished;
    unsigned max_age_ms;
    result_cache_clock_fn clock;
    const char *metric, *route; /* for result_cache_metrics */
    char *body;                 /* the cached body, or NULL */
    size_t body_length;
    int64_t body_read_us;     /* when the read that produced body began */
    uint64_t body_generation; /* the generation that read began at */
    uint64_t generation;      /* bumped by every result_cache_invalidate */
    uint64_t tracked;         /* the version result_cache_track was given last */
    /* Single flight: after every invalidation and every expiry, all the requests that arrive
     * during the read would otherwise each send the same query. */
    bool reading;                /* a read for reading_generation is in flight */
    uint64_t reading_generation; /* the generation the read in flight began at */
    uint64_t reads_finished;     /* so a waiter knows that the read it waited for ended */
    unsigned waiting;            /* workers in pthread_cond_wait below */
    struct reply last_failure;   /* the last finished read's failure; status 0 if it succeeded */
    atomic_uint_fast64_t hits, misses;
};

struct result_cache *result_cache_new(unsigned max_age_ms, result_cache_clock_fn clock,
                                      const char *metric, const char *route)
{
    struct result_cache *cache = calloc(1, sizeof *cache);
    if (!cache)
        return NULL;
    if (pthread_mutex_init(&cache->lock, NULL) != 0) {
        free(cache);
        return NULL;
    }
    if (pthread_cond_init(&cache->read_finished, NULL) != 0) {
        pthread_mutex_destroy(&cache->lock);
        free(cache);
        return NULL;
    }
    cache->max_age_ms = max_age_ms;
    cache->clock = clock ? clock : timing_now_us;
    cache->metric = metric;
    cache->route = route;
    return cache;
}

void result_cache_free(struct result_cache *cache)
{
    if (!cache)
        return;
    pthread_mutex_destroy(&cache->lock);
    pthread_cond_destroy(&cache->read_finished);
    free(cache->body);
    reply_clear(&cache->last_failure);
    free(cache);
}

void result_cache_counts(const struct result_cache *cache, uint64_t *hits, uint64_t *misses)
{
    *hits = atomic_load(&cache->hits);
    *misses = atomic_load(&cache->misses);
}

/* A malloc'd, NUL-terminated copy of length bytes of body; NULL when out of memory. */
static char *result_cache_copy_body(const char *body, size_t length)
{
    char *copy = malloc(length + 1);
    if (copy) {
        memcpy(copy, body, length);
        copy[length] = '\0';
    }
    return copy;
}

/* Fills the empty target with source and a copy of its body. Out of memory, target keeps
 * source's status with no body: still an answer with the right status. */
static void result_cache_copy_reply(struct reply *target, const struct reply *source)
{
    *target = *source;
    target->body_static = false;
    target->body = source->body ? result_cache_copy_body(source->body, source->body_length) : NULL;
    target->body_length = target->body ? source->body_length : 0;
}

/* With the lock held: copies the cached body into reply when it may be served (read at the
 * current generation, and younger than max_age_ms); false otherwise. */
static bool result_cache_copy_fresh_locked(struct result_cache *cache, struct reply *reply)
{
    if (!cache->body || cache->body_generation != cache->generation ||
        cache->clock() - cache->body_read_us >= (int64_t)cache->max_age_ms * 1000)
        return false;
    reply->body = result_cache_copy_body(cache->body, cache->body_length);
    if (!reply->body)
        return false;
    reply->body_length = cache->body_length;
    reply->status = 200;
    return true;
}

bool result_cache_get(struct result_cache *cache, struct reply *reply)
{
    pthread_mutex_lock(&cache->lock);
    bool hit = result_cache_copy_fresh_locked(cache, reply);
    pthread_mutex_unlock(&cache->lock);
    atomic_fetch_add_explicit(hit ? &cache->hits : &cache->misses, 1, memory_order_relaxed);
    return hit;
}

/* Before reading: true when reply now holds the answer (a body that became fresh while this
 * worker waited for another's read, or that read's failure); false when the caller must read,
 * with read holding what result_cache_finish_read needs. */
static bool result_cache_begin_read(struct result_cache *cache, struct reply *reply,
                                    struct result_cache_read *read)
{
    bool served = false;
    pthread_mutex_lock(&cache->lock);
    if (cache->max_age_ms > 0) {
        bool waited = false;
        uint64_t waited_for = 0;
        for (;;) {
            if (result_cache_copy_fresh_locked(cache, reply)) {
                served = true;
                break;
            }
            if (waited && cache->reads_finished != waited_for && cache->last_failure.status) {
                result_cache_copy_reply(reply, &cache->last_failure);
                served = true;
                break;
            }
            if (!cache->reading || cache->reading_generation != cache->generation) {
                /* No read in flight, or only one that began before an invalidation (its
                 * result will not be kept): this worker reads. */
                cache->reading = true;
                cache->reading_generation = cache->generation;
                break;
            }
            waited = true;
            waited_for = cache->reads_finished;
            cache->waiting++;
            pthread_cond_wait(&cache->read_finished, &cache->lock);
            cache->waiting--;
        }
    }
    /* The generation current now: an invalidation since the request arrived is then in the
     * answer too, and a read that begins after it may be kept. */
    read->generation = cache->generation;
    pthread_mutex_unlock(&cache->lock);
    read->started_us = cache->clock();
    return served;
}

/* Ends the read begun by result_cache_begin_read and wakes the workers waiting for it; copies
 * what it keeps (see result_cache_fill_fn for what is kept and shared). */
static void result_cache_finish_read(struct result_cache *cache,
                                     const struct result_cache_read *read,
                                     const struct reply *answer, bool failed)
{
    if (cache->max_age_ms == 0)
        return;
    /* Copies are made before taking the lock, so waiters and the fast path do not wait on
     * malloc; the lock is held only to swap them in. */
    char *body = NULL;
    struct reply failure = {0};
    if (failed)
        result_cache_copy_reply(&failure, answer);
    else if (answer->status == 200 && answer->body)
        body = result_cache_copy_body(answer->body, answer->body_length);
    pthread_mutex_lock(&cache->lock);
    if (body && read->generation == cache->generation && read->started_us >= cache->body_read_us) {
        char *old = cache->body;
        cache->body = body;
        cache->body_length = answer->body_length;
        cache->body_generation = read->generation;
        cache->body_read_us = read->started_us;
        body = old;
    }
    if (cache->reading && cache->reading_generation == read->generation)
        cache->reading = false;
    cache->reads_finished++;
    struct reply old_failure = cache->last_failure;
    cache->last_failure = failure;
    pthread_cond_broadcast(&cache->read_finished);
    pthread_mutex_unlock(&cache->lock);
    free(body);
    reply_clear(&old_failure);
}

void result_cache_fill(struct result_cache *cache, struct reply *reply, result_cache_fill_fn fill,
                       void *ctx)
{
    struct result_cache_read read;
    if (result_cache_begin_read(cache, reply, &read))
        return;
    bool database_ok = fill(ctx, reply);
    result_cache_finish_read(cache, &read, reply, !database_ok);
}

void result_cache_metrics(void *ctx, struct strbuf *out)
{
    const struct result_cache *cache = ctx;
    uint64_t hits, misses;
    result_cache_counts(cache, &hits, &misses);
    strbuf_printf(out,
                  "# HELP pacman_%s_cache_hits_total %s answered from this replica's copy.\n"
                  "# TYPE pacman_%s_cache_hits_total counter\npacman_%s_cache_hits_total %llu\n"
                  "# HELP pacman_%s_cache_misses_total %s sent to a database worker.\n"
                  "# TYPE pacman_%s_cache_misses_total counter\n"
                  "pacman_%s_cache_misses_total %llu\n",
                  cache->metric, cache->route, cache->metric, cache->metric,
                  (unsigned long long)hits, cache->metric, cache->route, cache->metric,
                  cache->metric, (unsigned long long)misses);
}

unsigned result_cache_waiting(struct result_cache *cache)
{
    pthread_mutex_lock(&cache->lock);
    unsigned waiting = cache->waiting;
    pthread_mutex_unlock(&cache->lock);
    return waiting;
}

void result_cache_invalidate(struct result_cache *cache)
{
    pthread_mutex_lock(&cache->lock);
    cache->generation++;
    pthread_mutex_unlock(&cache->lock);
}

void result_cache_track(struct result_cache *cache, uint64_t version)
{
    pthread_mutex_lock(&cache->lock);
    if (version != cache->tracked) {
        cache->tracked = version;
        cache->generation++;
    }
    pthread_mutex_unlock(&cache->lock);
}
