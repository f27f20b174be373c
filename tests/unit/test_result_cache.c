/* Unit tests of result_cache on the test's own clock: what is served, for how long, what an
 * invalidation discards, and that concurrent misses make one database read, not one each. */

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "result_cache.h"
#include "strbuf.h"

#define MAX_AGE_MS 1000
#define MS_US 1000

static _Atomic int64_t fake_now_us = 1000000;

static int64_t fake_clock(void)
{
    return atomic_load(&fake_now_us);
}

static void advance_ms(int64_t milliseconds)
{
    atomic_fetch_add(&fake_now_us, milliseconds * MS_US);
}

/* A database worker calling result_cache_fill on its own thread, whose fill (when the cache
 * calls it) waits for the test to hand it the answer of its read. */
struct worker {
    struct result_cache *cache;
    pthread_t thread;
    struct reply reply; /* what result_cache_fill left: the answer to send */
    atomic_bool filling, returned;
    pthread_mutex_t lock;
    pthread_cond_t answered;
    bool has_answer, failed;
    unsigned status;
    const char *body;
};

static bool worker_fill(void *ctx, struct reply *reply)
{
    struct worker *worker = ctx;
    atomic_store(&worker->filling, true);
    pthread_mutex_lock(&worker->lock);
    while (!worker->has_answer)
        pthread_cond_wait(&worker->answered, &worker->lock);
    pthread_mutex_unlock(&worker->lock);
    reply->status = worker->status;
    reply->body = strdup(worker->body);
    reply->body_length = strlen(worker->body);
    return !worker->failed;
}

static void *worker_run(void *arg)
{
    struct worker *worker = arg;
    result_cache_fill(worker->cache, &worker->reply, worker_fill, worker);
    atomic_store(&worker->returned, true);
    return NULL;
}

static void worker_start(struct worker *worker, struct result_cache *cache)
{
    memset(worker, 0, sizeof *worker);
    worker->cache = cache;
    pthread_mutex_init(&worker->lock, NULL);
    pthread_cond_init(&worker->answered, NULL);
    assert_int_equal(pthread_create(&worker->thread, NULL, worker_run, worker), 0);
}

/* Polls flag for up to milliseconds. */
static bool within(atomic_bool *flag, int milliseconds)
{
    for (int waited = 0; waited < milliseconds && !atomic_load(flag); waited++)
        usleep(1000);
    return atomic_load(flag);
}

/* Waits until the worker's fill was called: it is the one reading the database. */
static void worker_await_reading(struct worker *worker)
{
    assert_true(within(&worker->filling, 5000));
}

static void worker_join(struct worker *worker)
{
    assert_true(within(&worker->returned, 5000));
    assert_int_equal(pthread_join(worker->thread, NULL), 0);
    pthread_mutex_destroy(&worker->lock);
    pthread_cond_destroy(&worker->answered);
}

/* Hands the reading worker the result of its read, then joins it. */
static void worker_finish(struct worker *worker, unsigned status, const char *body, bool failed)
{
    pthread_mutex_lock(&worker->lock);
    worker->status = status;
    worker->body = body;
    worker->failed = failed;
    worker->has_answer = true;
    pthread_cond_signal(&worker->answered);
    pthread_mutex_unlock(&worker->lock);
    worker_join(worker);
    assert_int_equal(worker->reply.status, status);
    assert_string_equal(worker->reply.body, body);
    reply_clear(&worker->reply);
}

/* Starts a worker that must be the one to read, and waits until it reads. */
static void begin_reader(struct worker *worker, struct result_cache *cache)
{
    worker_start(worker, cache);
    worker_await_reading(worker);
}

/* One whole read on the test's thread: the fill answers at once. */
struct instant {
    unsigned status;
    const char *body;
    bool failed, called;
};

static bool instant_fill(void *ctx, struct reply *reply)
{
    struct instant *instant = ctx;
    instant->called = true;
    reply->status = instant->status;
    reply->body = strdup(instant->body);
    reply->body_length = strlen(instant->body);
    return !instant->failed;
}

static void read_through(struct result_cache *cache, unsigned status, const char *body, bool failed)
{
    struct instant instant = {status, body, failed, false};
    struct reply reply = {0};
    result_cache_fill(cache, &reply, instant_fill, &instant);
    assert_true(instant.called); /* nothing fresh was there: this caller read */
    assert_int_equal(reply.status, status);
    assert_string_equal(reply.body, body);
    reply_clear(&reply);
}

/* True when get served exactly body; the reply is cleared either way. */
static bool get_serves(struct result_cache *cache, const char *body)
{
    struct reply reply = {0};
    bool hit = result_cache_get(cache, &reply);
    if (hit) {
        assert_int_equal(reply.status, 200);
        assert_int_equal(reply.body_length, strlen(body));
        assert_string_equal(reply.body, body);
    } else {
        assert_null(reply.body);
    }
    reply_clear(&reply);
    return hit;
}

static void assert_counts(struct result_cache *cache, uint64_t hits, uint64_t misses)
{
    uint64_t got_hits = 0, got_misses = 0;
    result_cache_counts(cache, &got_hits, &got_misses);
    assert_int_equal(got_hits, hits);
    assert_int_equal(got_misses, misses);
}

/* Waits until count workers are blocked waiting for a read; fails after 5 s. */
static void await_waiting(struct result_cache *cache, unsigned count)
{
    for (int waited = 0; waited < 5000 && result_cache_waiting(cache) != count; waited++)
        usleep(1000);
    assert_int_equal(result_cache_waiting(cache), count);
}

/* Starts count workers and waits until every one of them waits for the read in flight. */
static void start_waiters(struct result_cache *cache, struct worker *workers, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        worker_start(&workers[i], cache);
    await_waiting(cache, count);
    for (unsigned i = 0; i < count; i++)
        assert_false(atomic_load(&workers[i].returned));
}

/* Joins count workers, each of which must have been answered with status and body. */
static void join_answered(struct worker *workers, unsigned count, unsigned status, const char *body)
{
    for (unsigned i = 0; i < count; i++) {
        worker_join(&workers[i]);
        assert_false(atomic_load(&workers[i].filling)); /* it did not read the database */
        assert_int_equal(workers[i].reply.status, status);
        assert_string_equal(workers[i].reply.body, body);
        reply_clear(&workers[i].reply);
    }
}

/* ---- get, put, expire ---- */

static void test_an_empty_cache_misses_and_the_first_worker_reads(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    assert_non_null(cache);
    assert_false(get_serves(cache, ""));
    read_through(cache, 200, "[]", false);
    assert_counts(cache, 0, 1);
    result_cache_free(cache);
}

static void test_a_read_body_is_served_by_get(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    read_through(cache, 200, "[{\"score\":1}]", false);
    assert_true(get_serves(cache, "[{\"score\":1}]"));
    assert_true(get_serves(cache, "[{\"score\":1}]"));
    assert_counts(cache, 2, 0);
    result_cache_free(cache);
}

static void test_a_body_expires_max_age_after_its_read_began(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    struct worker reader;
    begin_reader(&reader, cache);
    advance_ms(300); /* a slow read: its age counts from when it began */
    worker_finish(&reader, 200, "[1]", false);
    advance_ms(MAX_AGE_MS - 300 - 1);
    assert_true(get_serves(cache, "[1]"));
    advance_ms(1);
    assert_false(get_serves(cache, "[1]"));
    /* and a worker then reads again instead of serving it */
    read_through(cache, 200, "[2]", false);
    assert_true(get_serves(cache, "[2]"));
    assert_counts(cache, 2, 1);
    result_cache_free(cache);
}

static void test_answers_other_than_a_200_are_not_kept(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    read_through(cache, 503, "{\"error\":\"down\"}", true);
    assert_false(get_serves(cache, "{\"error\":\"down\"}"));
    read_through(cache, 500, "{\"error\":\"internal error\"}", false);
    assert_false(get_serves(cache, "{\"error\":\"internal error\"}"));
    /* nothing was left in flight: the next worker reads at once */
    read_through(cache, 200, "[]", false);
    assert_true(get_serves(cache, "[]"));
    result_cache_free(cache);
}

static void test_a_zero_age_keeps_nothing_and_never_makes_a_worker_wait(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(0, fake_clock, "test", "GET /test");
    struct worker first, second;
    begin_reader(&first, cache);
    begin_reader(&second, cache); /* no single flight: it reads too, without waiting */
    worker_finish(&first, 200, "[]", false);
    worker_finish(&second, 200, "[]", false);
    assert_false(get_serves(cache, "[]"));
    assert_false(get_serves(cache, "[]"));
    assert_counts(cache, 0, 2);
    result_cache_free(cache);
}

/* ---- invalidation by generation ---- */

static void test_invalidate_discards_the_cached_body(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    read_through(cache, 200, "[\"old\"]", false);
    result_cache_invalidate(cache);
    assert_false(get_serves(cache, "[\"old\"]"));
    read_through(cache, 200, "[\"new\"]", false);
    assert_true(get_serves(cache, "[\"new\"]"));
    result_cache_free(cache);
}

static void test_a_read_begun_before_an_invalidation_is_not_kept(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    struct worker reader;
    begin_reader(&reader, cache);
    result_cache_invalidate(cache); /* a write lands while the read is in flight */
    worker_finish(&reader, 200, "[\"before the write\"]", false);
    assert_false(get_serves(cache, "[\"before the write\"]"));
    result_cache_free(cache);
}

static void
test_a_read_in_flight_from_before_an_invalidation_does_not_hold_up_a_new_one(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    struct worker stale, fresh;
    begin_reader(&stale, cache);
    result_cache_invalidate(cache);
    begin_reader(&fresh, cache); /* fails after 5 s if it waits for the stale read */
    worker_finish(&fresh, 200, "[\"after\"]", false);
    /* the stale read ends last and does not replace the newer body */
    worker_finish(&stale, 200, "[\"before\"]", false);
    assert_true(get_serves(cache, "[\"after\"]"));
    result_cache_free(cache);
}

/* ---- single flight ---- */

#define WAITERS 3

static void test_workers_that_miss_during_a_read_wait_for_it_and_share_its_body(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    struct worker reader, waiters[WAITERS];
    begin_reader(&reader, cache);
    start_waiters(cache, waiters, WAITERS);
    worker_finish(&reader, 200, "[\"shared\"]", false);
    join_answered(waiters, WAITERS, 200, "[\"shared\"]");
    assert_int_equal(result_cache_waiting(cache), 0);
    assert_counts(cache, 0, 0); /* only the fast path counts */
    result_cache_free(cache);
}

static void test_workers_waiting_for_a_failed_read_answer_with_its_failure(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    struct worker reader, waiters[WAITERS];
    begin_reader(&reader, cache);
    start_waiters(cache, waiters, WAITERS);
    worker_finish(&reader, 503, "{\"error\":\"database unavailable\"}", true);
    join_answered(waiters, WAITERS, 503, "{\"error\":\"database unavailable\"}");
    /* the failure is not cached: the next request reads again */
    assert_false(get_serves(cache, ""));
    read_through(cache, 200, "[]", false);
    assert_true(get_serves(cache, "[]"));
    result_cache_free(cache);
}

static void test_a_waiter_reads_itself_when_the_read_it_waited_for_was_invalidated(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    struct worker reader, waiter;
    begin_reader(&reader, cache);
    start_waiters(cache, &waiter, 1);
    result_cache_invalidate(cache);
    worker_finish(&reader, 200, "[\"before the write\"]", false);
    worker_await_reading(&waiter); /* it reads itself, at the new generation */
    worker_finish(&waiter, 200, "[\"after the write\"]", false);
    assert_true(get_serves(cache, "[\"after the write\"]"));
    result_cache_free(cache);
}

static void test_hits_and_misses_are_its_metrics(void **state)
{
    (void)state;
    struct result_cache *cache = result_cache_new(MAX_AGE_MS, fake_clock, "test", "GET /test");
    assert_false(get_serves(cache, ""));
    read_through(cache, 200, "[]", false);
    assert_true(get_serves(cache, "[]"));
    assert_true(get_serves(cache, "[]"));
    struct strbuf out;
    strbuf_init(&out, 0);
    result_cache_metrics(cache, &out);
    char *text = strbuf_take(&out, NULL);
    assert_string_equal(text, "# HELP pacman_test_cache_hits_total GET /test answered from this "
                              "replica's copy.\n"
                              "# TYPE pacman_test_cache_hits_total counter\n"
                              "pacman_test_cache_hits_total 2\n"
                              "# HELP pacman_test_cache_misses_total GET /test sent to a database "
                              "worker.\n"
                              "# TYPE pacman_test_cache_misses_total counter\n"
                              "pacman_test_cache_misses_total 1\n");
    free(text);
    result_cache_free(cache);
}

static void test_free_accepts_null(void **state)
{
    (void)state;
    result_cache_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_empty_cache_misses_and_the_first_worker_reads),
        cmocka_unit_test(test_a_read_body_is_served_by_get),
        cmocka_unit_test(test_a_body_expires_max_age_after_its_read_began),
        cmocka_unit_test(test_answers_other_than_a_200_are_not_kept),
        cmocka_unit_test(test_a_zero_age_keeps_nothing_and_never_makes_a_worker_wait),
        cmocka_unit_test(test_invalidate_discards_the_cached_body),
        cmocka_unit_test(test_a_read_begun_before_an_invalidation_is_not_kept),
        cmocka_unit_test(
            test_a_read_in_flight_from_before_an_invalidation_does_not_hold_up_a_new_one),
        cmocka_unit_test(test_workers_that_miss_during_a_read_wait_for_it_and_share_its_body),
        cmocka_unit_test(test_workers_waiting_for_a_failed_read_answer_with_its_failure),
        cmocka_unit_test(test_a_waiter_reads_itself_when_the_read_it_waited_for_was_invalidated),
        cmocka_unit_test(test_hits_and_misses_are_its_metrics),
        cmocka_unit_test(test_free_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
