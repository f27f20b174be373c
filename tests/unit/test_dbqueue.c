/* Unit tests of dbqueue with tasks the test holds in their run: a task expires while it runs
 * and is answered once (and the database is told it is late), a full queue refuses, a queue
 * whose database is away refuses at once, the queue works on after an expiry, and closing
 * answers every task in flight at once, as a shutdown, without blaming the database, and
 * destroys each exactly once. */

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
#include <unistd.h>

#include <string.h>

#include "dbqueue.h"
#include "timing.h"

/* The database as the queue sees it: the test's own, opaque to dbqueue. */
struct store {
    atomic_bool away;
    atomic_int lates;
};

static bool database_available(const struct store *store)
{
    return !atomic_load(&store->away);
}

static void database_late(struct store *store)
{
    atomic_fetch_add(&store->lates, 1);
}

static struct store database;

static struct dbqueue *queue_new(unsigned workers, unsigned max_waiting, unsigned timeout_ms)
{
    atomic_store(&database.away, false);
    atomic_store(&database.lates, 0);
    struct dbqueue_options options = {workers, max_waiting, timeout_ms, database_available,
                                      database_late};
    return dbqueue_new(&database, &options);
}

/* The answer the requester would send: its status, and whether its error text holds words. */
static unsigned answer(struct dbqueue_task *task, const char *words)
{
    struct reply reply = {0};
    dbqueue_take_reply(task, &reply);
    unsigned status = reply.status;
    if (words) {
        assert_non_null(reply.body);
        if (!strstr(reply.body, words))
            fail_msg("\"%s\" is not in %s", words, reply.body);
    }
    reply_clear(&reply);
    return status;
}

/* What happened to one task; outlives the task, which the queue frees. */
struct record {
    atomic_int runs, dones, destroys;
    _Atomic int64_t done_us;
};

struct test_task {
    struct dbqueue_task task;
    struct record *record;
    bool blocks; /* run waits for the gate */
};

/* The gate blocking runs, opened by the test. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_opened = PTHREAD_COND_INITIALIZER;
static bool gate_open;

static void gate_set(bool open)
{
    pthread_mutex_lock(&gate_lock);
    gate_open = open;
    pthread_cond_broadcast(&gate_opened);
    pthread_mutex_unlock(&gate_lock);
}

/* Runs on a worker thread: no cmocka assertion here (they must run on the test's thread). */
static void test_run(struct dbqueue_task *task, struct store *store)
{
    (void)store;
    struct test_task *test = (struct test_task *)task;
    atomic_fetch_add(&test->record->runs, 1);
    if (test->blocks) {
        pthread_mutex_lock(&gate_lock);
        while (!gate_open)
            pthread_cond_wait(&gate_opened, &gate_lock);
        pthread_mutex_unlock(&gate_lock);
    }
    reply_error(&task->reply, 200, "ran");
}

static void test_done(struct dbqueue_task *task, void *cookie)
{
    (void)task;
    struct record *record = cookie;
    atomic_store(&record->done_us, timing_now_us());
    atomic_fetch_add(&record->dones, 1);
}

static void test_destroy(struct dbqueue_task *task)
{
    reply_clear(&task->reply);
    atomic_fetch_add(&((struct test_task *)task)->record->destroys, 1);
    free(task);
}

static struct dbqueue_task *task_new(struct record *record, bool blocks)
{
    struct test_task *test = calloc(1, sizeof *test);
    assert_non_null(test);
    dbqueue_task_init(&test->task, test_run, test_destroy);
    test->record = record;
    test->blocks = blocks;
    return &test->task;
}

/* Polls until *counter reaches want, for at most 2 s. */
static void wait_count(atomic_int *counter, int want)
{
    for (int waited = 0; waited < 2000 && atomic_load(counter) < want; waited++)
        usleep(1000);
    assert_int_equal(atomic_load(counter), want);
}

static void test_a_task_that_outlives_its_deadline_is_answered_once_as_expired(void **state)
{
    (void)state;
    gate_set(false);
    struct dbqueue *queue = queue_new(1, 4, 100);
    assert_non_null(queue);
    struct record record = {0};
    struct dbqueue_task *task = task_new(&record, true);
    int64_t submitted = timing_now_us();
    assert_true(dbqueue_submit(queue, task, test_done, &record));
    wait_count(&record.dones, 1); /* while the run is still held */
    assert_int_equal(answer(task, "did not answer in time"), 503);
    assert_int_equal(atomic_load(&database.lates), 1); /* the database was told */
    int64_t took_ms = (atomic_load(&record.done_us) - submitted) / 1000;
    assert_true(took_ms >= 100 && took_ms < 400);
    assert_int_equal(atomic_load(&record.runs), 1);
    dbqueue_release(task);                              /* the requester read its answer and went */
    assert_int_equal(atomic_load(&record.destroys), 0); /* the worker still runs it */
    gate_set(true);
    wait_count(&record.destroys, 1);
    assert_int_equal(atomic_load(&record.dones), 1); /* its late result is dropped */
    dbqueue_free(queue);
}

static void test_a_full_queue_refuses_and_the_task_stays_the_callers(void **state)
{
    (void)state;
    gate_set(false);
    struct dbqueue *queue = queue_new(1, 2, 5000);
    struct record records[4] = {0};
    struct dbqueue_task *tasks[4];
    for (int i = 0; i < 4; i++)
        tasks[i] = task_new(&records[i], true);
    assert_true(dbqueue_submit(queue, tasks[0], test_done, &records[0]));
    wait_count(&records[0].runs, 1); /* the only worker is busy: the rest wait in the queue */
    assert_true(dbqueue_submit(queue, tasks[1], test_done, &records[1]));
    assert_true(dbqueue_submit(queue, tasks[2], test_done, &records[2]));
    assert_false(dbqueue_submit(queue, tasks[3], test_done, &records[3]));
    assert_int_equal(dbqueue_pending(queue), 3);
    assert_int_equal(answer(tasks[3], "too busy"), 503); /* ready at once */
    dbqueue_release(tasks[3]); /* refused: the caller's reference was the only one */
    wait_count(&records[3].destroys, 1);
    gate_set(true);
    for (int i = 0; i < 3; i++) {
        wait_count(&records[i].dones, 1);
        assert_int_equal(answer(tasks[i], "ran"), 200);
        dbqueue_release(tasks[i]);
        wait_count(&records[i].destroys, 1);
    }
    assert_int_equal(atomic_load(&records[3].dones), 0);
    assert_int_equal(atomic_load(&records[3].runs), 0);
    assert_int_equal(dbqueue_pending(queue), 0);
    dbqueue_free(queue);
}

static void test_a_task_expired_in_the_queue_never_runs_and_the_queue_works_on(void **state)
{
    (void)state;
    gate_set(false);
    struct dbqueue *queue = queue_new(1, 4, 5000);
    struct record busy = {0}, stale = {0}, later = {0};
    struct dbqueue_task *first = task_new(&busy, true);
    struct dbqueue_task *queued = task_new(&stale, false);
    queued->timeout_ms = 50; /* its own deadline, shorter than the queue's */
    assert_true(dbqueue_submit(queue, first, test_done, &busy));
    wait_count(&busy.runs, 1);
    assert_true(dbqueue_submit(queue, queued, test_done, &stale));
    wait_count(&stale.dones, 1);
    assert_int_equal(answer(queued, "did not answer in time"), 503);
    dbqueue_release(queued);
    wait_count(&stale.destroys, 1); /* taken off the queue: nothing else holds it */
    gate_set(true);
    wait_count(&busy.dones, 1);
    assert_int_equal(answer(first, "ran"), 200);
    dbqueue_release(first);

    /* after the deadline passed for one task, the next is served as usual */
    struct dbqueue_task *next = task_new(&later, false);
    int64_t submitted = timing_now_us();
    assert_true(dbqueue_submit(queue, next, test_done, &later));
    wait_count(&later.dones, 1);
    assert_true(atomic_load(&later.done_us) - submitted < 500 * 1000);
    assert_int_equal(answer(next, "ran"), 200);
    dbqueue_release(next);
    assert_int_equal(atomic_load(&stale.runs), 0);
    assert_int_equal(atomic_load(&later.destroys), 1);
    dbqueue_free(queue);
}

static void *free_queue(void *queue)
{
    dbqueue_free(queue);
    return NULL;
}

static void test_closing_answers_every_task_in_flight_at_once_as_a_shutdown(void **state)
{
    (void)state;
    gate_set(false);
    struct dbqueue *queue = queue_new(2, 8, 10000);
    struct record records[4] = {0};
    struct dbqueue_task *tasks[4];
    for (int i = 0; i < 4; i++) {
        tasks[i] = task_new(&records[i], true);
        assert_true(dbqueue_submit(queue, tasks[i], test_done, &records[i]));
    }
    wait_count(&records[0].runs, 1); /* two run, two wait in the queue */
    wait_count(&records[1].runs, 1);
    int64_t closing = timing_now_us();
    pthread_t closer;
    assert_int_equal(pthread_create(&closer, NULL, free_queue, queue), 0);
    for (int i = 0; i < 4; i++) {
        wait_count(&records[i].dones, 1); /* while two runs are still held */
        /* the server is going away: not "the database did not answer in time" */
        assert_int_equal(answer(tasks[i], "shutting down"), 503);
        assert_true(atomic_load(&records[i].done_us) - closing < 500 * 1000);
    }
    assert_int_equal(atomic_load(&database.lates), 0); /* a healthy database is not blamed */
    /* the requesters let go, some before the queue is gone and some after */
    dbqueue_release(tasks[2]);
    dbqueue_release(tasks[0]);
    gate_set(true);
    pthread_join(closer, NULL); /* returns once the workers finished their runs */
    dbqueue_release(tasks[1]);
    dbqueue_release(tasks[3]);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(atomic_load(&records[i].dones), 1);
        assert_int_equal(atomic_load(&records[i].destroys), 1);
    }
    assert_int_equal(atomic_load(&records[2].runs), 0);
    assert_int_equal(atomic_load(&records[3].runs), 0);
}

static void test_a_database_away_refuses_at_once_and_then_serves_again(void **state)
{
    (void)state;
    gate_set(true);
    struct dbqueue *queue = queue_new(1, 4, 5000);
    struct record refused = {0}, served = {0};
    atomic_store(&database.away, true);
    struct dbqueue_task *task = task_new(&refused, false);
    assert_false(dbqueue_submit(queue, task, test_done, &refused));
    assert_int_equal(answer(task, "database is unavailable"), 503);
    dbqueue_release(task);
    assert_int_equal(atomic_load(&refused.destroys), 1);
    assert_int_equal(atomic_load(&refused.runs), 0);
    assert_int_equal(atomic_load(&refused.dones), 0);
    atomic_store(&database.away, false);
    task = task_new(&served, false);
    assert_true(dbqueue_submit(queue, task, test_done, &served));
    wait_count(&served.dones, 1);
    assert_int_equal(answer(task, "ran"), 200);
    dbqueue_release(task);
    dbqueue_free(queue);
    assert_int_equal(atomic_load(&served.destroys), 1);
    assert_int_equal(atomic_load(&database.lates), 0);
}

static void test_a_task_never_queued_is_destroyed_by_its_release(void **state)
{
    (void)state;
    struct record record = {0};
    dbqueue_release(task_new(&record, false)); /* a handler that refused its input */
    assert_int_equal(atomic_load(&record.destroys), 1);
}

static void test_free_accepts_null_and_no_workers_is_refused(void **state)
{
    (void)state;
    dbqueue_free(NULL);
    struct dbqueue_options none = {0, 4, 1000, NULL, NULL};
    assert_null(dbqueue_new(NULL, &none));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_task_that_outlives_its_deadline_is_answered_once_as_expired),
        cmocka_unit_test(test_a_full_queue_refuses_and_the_task_stays_the_callers),
        cmocka_unit_test(test_a_task_expired_in_the_queue_never_runs_and_the_queue_works_on),
        cmocka_unit_test(test_closing_answers_every_task_in_flight_at_once_as_a_shutdown),
        cmocka_unit_test(test_a_database_away_refuses_at_once_and_then_serves_again),
        cmocka_unit_test(test_a_task_never_queued_is_destroyed_by_its_release),
        cmocka_unit_test(test_free_accepts_null_and_no_workers_is_refused),
    };
    return cmocka_run_group_tests_name("dbqueue", tests, NULL, NULL);
}
