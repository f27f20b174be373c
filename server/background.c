/* background: a thread, its wake-up and its schedule on the monotonic clock. */
#include "background.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "timing.h"

struct background {
    background_round_fn round;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC */
    bool woken;          /* a wake since the last round began */
    bool stopping;
    int64_t due_us; /* next round, on timing_now_us's clock; -1: when woken */
};

static int64_t background_due(long delay_ms)
{
    return delay_ms == BACKGROUND_IDLE ? -1 : timing_now_us() + (int64_t)delay_ms * 1000;
}

/* With the lock held: sleeps until the next round is due or the thread must stop; true when
 * a round should run. */
static bool background_wait_locked(struct background *background)
{
    while (!background->stopping && !background->woken) {
        if (background->due_us < 0) {
            pthread_cond_wait(&background->wake, &background->lock);
            continue;
        }
        int64_t due = background->due_us;
        if (timing_now_us() >= due)
            break;
        struct timespec until = {(time_t)(due / 1000000), (long)(due % 1000000) * 1000};
        pthread_cond_timedwait(&background->wake, &background->lock, &until);
    }
    return !background->stopping;
}

static void *background_main(void *arg)
{
    struct background *background = arg;
    pthread_mutex_lock(&background->lock);
    while (background_wait_locked(background)) {
        background->woken = false;
        pthread_mutex_unlock(&background->lock);
        long delay_ms = background->round(background->ctx);
        pthread_mutex_lock(&background->lock);
        if (delay_ms == BACKGROUND_DONE)
            break;
        background->due_us = background_due(delay_ms);
    }
    pthread_mutex_unlock(&background->lock);
    return NULL;
}

struct background *background_start(background_round_fn round, void *ctx, long first_delay_ms)
{
    struct background *background = calloc(1, sizeof *background);
    if (!background)
        return NULL;
    background->round = round;
    background->ctx = ctx;
    background->due_us = background_due(first_delay_ms);
    pthread_condattr_t attributes;
    bool made = false;
    if (pthread_condattr_init(&attributes) == 0) {
        made = pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC) == 0 &&
               pthread_cond_init(&background->wake, &attributes) == 0;
        pthread_condattr_destroy(&attributes);
    }
    if (!made) {
        free(background);
        return NULL;
    }
    pthread_mutex_init(&background->lock, NULL);
    if (pthread_create(&background->thread, NULL, background_main, background) != 0) {
        pthread_mutex_destroy(&background->lock);
        pthread_cond_destroy(&background->wake);
        free(background);
        return NULL;
    }
    return background;
}

void background_wake(struct background *background)
{
    pthread_mutex_lock(&background->lock);
    background->woken = true;
    pthread_cond_signal(&background->wake);
    pthread_mutex_unlock(&background->lock);
}

void background_stop(struct background *background)
{
    if (!background)
        return;
    pthread_mutex_lock(&background->lock);
    background->stopping = true;
    pthread_cond_signal(&background->wake);
    pthread_mutex_unlock(&background->lock);
    pthread_join(background->thread, NULL);
    pthread_mutex_destroy(&background->lock);
    pthread_cond_destroy(&background->wake);
    free(background);
}
