/* ops: health, readiness and metrics. None of them touches the database: a database outage
 * must not make Kubernetes restart or unroute web pods that still serve the game. */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

struct dbqueue_task *ops_handle_healthz(struct app *app, enum method method,
                                        const struct input *input, struct reply *reply)
{
    (void)app, (void)method, (void)input;
    reply_json(reply, 200, json_pack("{s:s}", "status", "ok"));
    return NULL;
}

struct dbqueue_task *ops_handle_readyz(struct app *app, enum method method,
                                       const struct input *input, struct reply *reply)
{
    (void)method, (void)input;
    const char *database = store_available(app->store) ? "up" : "down";
    if (atomic_load(&app->shutting_down))
        reply_json(reply, 503,
                   json_pack("{s:s, s:s}", "status", "shutting down", "database", database));
    else
        reply_json(reply, 200, json_pack("{s:s, s:s}", "status", "ready", "database", database));
    return NULL;
}

static long ops_resident_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (!statm)
        return 0;
    if (fscanf(statm, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(statm);
    return resident * sysconf(_SC_PAGESIZE);
}

struct dbqueue_task *ops_handle_metrics(struct app *app, enum method method,
                                        const struct input *input, struct reply *reply)
{
    (void)method, (void)input;
    struct store_counters store;
    store_get_counters(app->store, &store);
    struct metrics_gauges gauges = {
        .ready = !atomic_load(&app->shutting_down),
        .database_available = store.available,
        .database_operations = store.operations,
        .database_failures = store.failures,
        .database_pending = dbqueue_pending(app->dbqueue),
        .slow_requests_cut = receive_deadline_cut_total(app->receive_deadline),
        .players_expired = player_expiry_total(app->player_expiry),
        .resident_bytes = ops_resident_bytes(),
    };
    highscores_cache_counts(app->highscores, &gauges.highscores_cache_hits,
                            &gauges.highscores_cache_misses);
    players_cache_counts(app->players, &gauges.userstats_cache_hits,
                         &gauges.userstats_cache_misses);
    char *text = metrics_render(app->metrics, &gauges);
    if (!text) {
        reply_error(reply, 500, "out of memory");
        return NULL;
    }
    reply_clear(reply);
    reply->status = 200;
    reply->body = text;
    reply->body_length = strlen(text);
    reply->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return NULL;
}
