/* player_expiry: the thread that deletes players past PLAYER_TTL_SECONDS. */
#include "player_expiry.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "log.h"
#include "store.h"
#include "timing.h"

#define PLAYER_EXPIRY_MIN_INTERVAL_MS 1000L
#define PLAYER_EXPIRY_MAX_INTERVAL_MS 60000L

struct player_expiry {
    struct store *store;
    struct logger *logger;
    unsigned ttl_seconds;
    long interval_ms;
    atomic_uint_fast64_t deleted;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
};

/* Sleeps interval_ms unless stopped meanwhile; true when stopping. */
static bool player_expiry_wait(struct player_expiry *expiry)
{
    pthread_mutex_lock(&expiry->lock);
    struct timespec until = timing_after_ms(expiry->interval_ms);
    while (!expiry->stopping)
        if (pthread_cond_timedwait(&expiry->wake, &expiry->lock, &until) != 0)
            break;
    bool stopping = expiry->stopping;
    pthread_mutex_unlock(&expiry->lock);
    return stopping;
}

static void *player_expiry_loop(void *arg)
{
    struct player_expiry *expiry = arg;
    bool failing = false;
    while (!player_expiry_wait(expiry)) {
        if (!store_available(expiry->store))
            continue; /* the requests' 503s already tell; try again next round */
        int64_t deleted = 0;
        enum store_status status =
            store_expire_players(expiry->store, expiry->ttl_seconds, &deleted);
        if (status != STORE_OK) {
            if (!failing)
                log_message(expiry->logger, LOG_WARN,
                            "expiring players failed (will retry every %ld s)",
                            expiry->interval_ms / 1000);
            failing = true;
            continue;
        }
        failing = false;
        if (deleted > 0) {
            atomic_fetch_add(&expiry->deleted, (uint64_t)deleted);
            log_message(expiry->logger, LOG_INFO,
                        "expired %lld players who had not reported for %u s", (long long)deleted,
                        expiry->ttl_seconds);
        }
    }
    return NULL;
}

struct player_expiry *player_expiry_start(struct store *store, struct logger *logger,
                                          unsigned ttl_seconds)
{
    struct player_expiry *expiry = calloc(1, sizeof *expiry);
    if (!expiry)
        return NULL;
    expiry->store = store;
    expiry->logger = logger;
    expiry->ttl_seconds = ttl_seconds;
    if (ttl_seconds == 0)
        return expiry;
    long interval = (long)ttl_seconds * 100; /* a tenth of the TTL, in ms */
    expiry->interval_ms = interval < PLAYER_EXPIRY_MIN_INTERVAL_MS   ? PLAYER_EXPIRY_MIN_INTERVAL_MS
                          : interval > PLAYER_EXPIRY_MAX_INTERVAL_MS ? PLAYER_EXPIRY_MAX_INTERVAL_MS
                                                                     : interval;
    pthread_mutex_init(&expiry->lock, NULL);
    pthread_cond_init(&expiry->wake, NULL);
    if (pthread_create(&expiry->thread, NULL, player_expiry_loop, expiry) != 0) {
        pthread_cond_destroy(&expiry->wake);
        pthread_mutex_destroy(&expiry->lock);
        free(expiry);
        return NULL;
    }
    return expiry;
}

void player_expiry_stop(struct player_expiry *expiry)
{
    if (!expiry)
        return;
    if (expiry->ttl_seconds > 0) {
        pthread_mutex_lock(&expiry->lock);
        expiry->stopping = true;
        pthread_cond_signal(&expiry->wake);
        pthread_mutex_unlock(&expiry->lock);
        pthread_join(expiry->thread, NULL);
        pthread_cond_destroy(&expiry->wake);
        pthread_mutex_destroy(&expiry->lock);
    }
    free(expiry);
}

uint64_t player_expiry_total(const struct player_expiry *expiry)
{
    return atomic_load(&expiry->deleted);
}
