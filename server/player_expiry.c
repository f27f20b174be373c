/* player_expiry: the thread that deletes players past PLAYER_TTL_SECONDS. */
#include "player_expiry.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "background.h"
#include "log.h"
#include "store.h"
#include "store_players.h"
#include "strbuf.h"

#define PLAYER_EXPIRY_MIN_INTERVAL_MS 1000L
#define PLAYER_EXPIRY_MAX_INTERVAL_MS 60000L

struct player_expiry {
    struct store *store;
    struct logger *logger;
    unsigned ttl_seconds;
    long interval_ms;
    atomic_uint_fast64_t deleted;
    struct background *thread; /* NULL when players are kept for ever */
    bool failing;              /* the last round failed: said once, not every round */
};

/* One round, every interval_ms. */
static long player_expiry_round(void *arg)
{
    struct player_expiry *expiry = arg;
    if (!store_available(expiry->store))
        return expiry->interval_ms; /* the requests' 503s already tell; try again next round */
    int64_t deleted = 0;
    enum store_status status = store_players_expire(expiry->store, expiry->ttl_seconds, &deleted);
    if (status != STORE_OK) {
        if (!expiry->failing)
            log_message(expiry->logger, LOG_LEVEL_WARN,
                        "expiring players failed (will retry every %ld s)",
                        expiry->interval_ms / 1000);
        expiry->failing = true;
        return expiry->interval_ms;
    }
    expiry->failing = false;
    if (deleted > 0) {
        atomic_fetch_add(&expiry->deleted, (uint64_t)deleted);
        log_message(expiry->logger, LOG_LEVEL_INFO,
                    "expired %lld players who had not reported for %u s", (long long)deleted,
                    expiry->ttl_seconds);
    }
    return expiry->interval_ms;
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
    expiry->thread = background_start(player_expiry_round, expiry, expiry->interval_ms);
    if (!expiry->thread) {
        free(expiry);
        return NULL;
    }
    return expiry;
}

void player_expiry_stop(struct player_expiry *expiry)
{
    if (!expiry)
        return;
    background_stop(expiry->thread);
    free(expiry);
}

void player_expiry_metrics(void *ctx, struct strbuf *out)
{
    struct player_expiry *expiry = ctx;
    strbuf_printf(out,
                  "# HELP pacman_players_expired_total Players deleted by this replica for "
                  "not reporting within PLAYER_TTL_SECONDS.\n"
                  "# TYPE pacman_players_expired_total counter\n"
                  "pacman_players_expired_total %llu\n",
                  (unsigned long long)atomic_load(&expiry->deleted));
}
