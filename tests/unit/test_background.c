/* Unit tests of background: rounds on their delay, idle until woken, a wake during a round
 * never lost, BACKGROUND_DONE, and stop waiting for the round in progress. (That its waits
 * ignore a wall-clock step is shown against the real server: tests/integration/
 * test_clock_step.py.) */

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

#include "background.h"
#include "timing.h"

struct counter {
    atomic_int rounds;
    long delay_ms;  /* what each round returns */
    int done_after; /* BACKGROUND_DONE from this round on (0: never) */
    int block_ms;   /* each round takes this long */
    atomic_bool in_round;
};

static long count_round(void *arg)
{
    struct counter *counter = arg;
    atomic_store(&counter->in_round, true);
    if (counter->block_ms)
        usleep((useconds_t)counter->block_ms * 1000);
    int rounds = atomic_fetch_add(&counter->rounds, 1) + 1;
    atomic_store(&counter->in_round, false);
    if (counter->done_after && rounds >= counter->done_after)
        return BACKGROUND_DONE;
    return counter->delay_ms;
}

/* Polls until counter has done want rounds, for at most 2 s; true when it did. */
static bool rounds_reach(struct counter *counter, int want)
{
    for (int waited = 0; waited < 2000 && atomic_load(&counter->rounds) < want; waited++)
        usleep(1000);
    return atomic_load(&counter->rounds) >= want;
}

static void test_rounds_come_on_their_delay(void **state)
{
    (void)state;
    struct counter counter = {.delay_ms = 20};
    int64_t started = timing_now_us();
    struct background *background = background_start(count_round, &counter, 0);
    assert_non_null(background);
    assert_true(rounds_reach(&counter, 6)); /* the first at once, then every 20 ms */
    int64_t took_ms = (timing_now_us() - started) / 1000;
    assert_true(took_ms >= 100);
    background_stop(background);
}

static void test_an_idle_thread_runs_only_when_woken(void **state)
{
    (void)state;
    struct counter counter = {.delay_ms = BACKGROUND_IDLE};
    struct background *background = background_start(count_round, &counter, BACKGROUND_IDLE);
    usleep(100 * 1000);
    assert_int_equal(atomic_load(&counter.rounds), 0);
    background_wake(background);
    assert_true(rounds_reach(&counter, 1));
    usleep(100 * 1000);
    assert_int_equal(atomic_load(&counter.rounds), 1); /* idle again */
    background_wake(background);
    background_wake(background); /* wakes before a round runs are one round */
    assert_true(rounds_reach(&counter, 2));
    background_stop(background);
}

static void test_a_wake_during_a_round_runs_the_next_at_once(void **state)
{
    (void)state;
    struct counter counter = {.delay_ms = BACKGROUND_IDLE, .block_ms = 100};
    struct background *background = background_start(count_round, &counter, 0);
    for (int waited = 0; waited < 2000 && !atomic_load(&counter.in_round); waited++)
        usleep(1000);
    assert_true(atomic_load(&counter.in_round));
    background_wake(background); /* while the first round runs */
    assert_true(rounds_reach(&counter, 2));
    background_stop(background);
}

static void test_done_ends_the_rounds(void **state)
{
    (void)state;
    struct counter counter = {.delay_ms = 1, .done_after = 3};
    struct background *background = background_start(count_round, &counter, 0);
    assert_true(rounds_reach(&counter, 3));
    background_wake(background); /* the thread has ended: nothing runs, nothing breaks */
    usleep(50 * 1000);
    assert_int_equal(atomic_load(&counter.rounds), 3);
    background_stop(background);
}

static void test_stop_waits_for_the_round_in_progress(void **state)
{
    (void)state;
    struct counter counter = {.delay_ms = 0, .block_ms = 200};
    struct background *background = background_start(count_round, &counter, 0);
    for (int waited = 0; waited < 2000 && !atomic_load(&counter.in_round); waited++)
        usleep(1000);
    int64_t started = timing_now_us();
    background_stop(background); /* a round that would run again at once (delay 0) */
    assert_true(timing_now_us() - started >= 100 * 1000);
    assert_int_equal(atomic_load(&counter.rounds), 1); /* finished; none started after */
    assert_false(atomic_load(&counter.in_round));
    background_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rounds_come_on_their_delay),
        cmocka_unit_test(test_an_idle_thread_runs_only_when_woken),
        cmocka_unit_test(test_a_wake_during_a_round_runs_the_next_at_once),
        cmocka_unit_test(test_done_ends_the_rounds),
        cmocka_unit_test(test_stop_waits_for_the_round_in_progress),
    };
    return cmocka_run_group_tests_name("background", tests, NULL, NULL);
}
