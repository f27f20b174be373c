/* players: player ids, live stats and the live-players cache. */
#include "players.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hex.h"
#include "result_cache.h"
#include "strbuf.h"

struct players {
    struct result_cache *cache; /* the GET /user/stats body */
};

struct players *players_new(unsigned cache_ms)
{
    struct players *players = calloc(1, sizeof *players);
    if (!players)
        return NULL;
    players->cache = result_cache_new(cache_ms, NULL);
    if (!players->cache) {
        free(players);
        return NULL;
    }
    return players;
}

void players_free(struct players *players)
{
    if (!players)
        return;
    result_cache_free(players->cache);
    free(players);
}

void players_metrics(const void *ctx, struct strbuf *out)
{
    const struct players *players = ctx;
    uint64_t hits, misses;
    result_cache_counts(players->cache, &hits, &misses);
    strbuf_printf(out,
                  "# HELP pacman_userstats_cache_hits_total GET /user/stats answered from this "
                  "replica's copy.\n"
                  "# TYPE pacman_userstats_cache_hits_total counter\n"
                  "pacman_userstats_cache_hits_total %llu\n"
                  "# HELP pacman_userstats_cache_misses_total GET /user/stats sent to a database "
                  "worker.\n"
                  "# TYPE pacman_userstats_cache_misses_total counter\n"
                  "pacman_userstats_cache_misses_total %llu\n",
                  (unsigned long long)hits, (unsigned long long)misses);
}

struct players_task {
    struct dbqueue_task task;
    struct store_player_stats stats; /* POST /user/stats only */
};

static struct dbqueue_task *players_task_new(dbqueue_run_fn run, struct reply *reply)
{
    struct players_task *players = calloc(1, sizeof *players);
    if (!players) {
        reply_error(reply, 500, "out of memory");
        return NULL;
    }
    players->task.run = run;
    players->task.destroy = api_task_free;
    return &players->task;
}

/* ---- GET /user/id ---- */

static void players_id_run(struct dbqueue_task *task, struct store *store)
{
    char id[25];
    enum store_status status = store_create_player(store, id);
    if (status != STORE_OK)
        api_reply_store_error(&task->reply, status);
    else
        reply_json(&task->reply, 200, json_string(id));
}

struct dbqueue_task *players_handle_id(struct app *app, enum method method,
                                       const struct input *input, struct reply *reply)
{
    (void)app, (void)method, (void)input;
    return players_task_new(players_id_run, reply);
}

/* ---- POST /user/stats ---- */

bool players_parse_stats(const struct input *input, struct store_player_stats *stats,
                         struct reply *reply)
{
    char error[160];
    memset(stats, 0, sizeof *stats);
    if (!input_get_text(input, "userId", true, 24, 24, NULL, stats->user_id, sizeof stats->user_id,
                        error, sizeof error)) {
        reply_error(reply, 400, "%s", error);
        return false;
    }
    if (!hex_is_digits(stats->user_id, 24)) {
        reply_error(reply, 400, "userId must be 24 hexadecimal digits");
        return false;
    }
    for (char *c = stats->user_id; *c; c++)
        *c = hex_digit((unsigned)hex_value(*c)); /* lower case, as ObjectIds are written */
    if (!input_get_int(input, "score", true, 0, 10000000, 0, &stats->score, error, sizeof error) ||
        !input_get_int(input, "level", true, 1, 999, 1, &stats->level, error, sizeof error) ||
        !input_get_int(input, "lives", true, 0, 99, 0, &stats->lives, error, sizeof error) ||
        !input_get_int(input, "elapsedTime", true, 0, 86400, 0, &stats->elapsed_time, error,
                       sizeof error)) {
        reply_error(reply, 400, "%s", error);
        return false;
    }
    return api_read_place(input, &stats->place, reply);
}

static void players_update_run(struct dbqueue_task *task, struct store *store)
{
    struct players_task *players = (struct players_task *)task;
    enum store_status status = store_update_player_stats(store, &players->stats);
    if (status == STORE_NOT_FOUND) {
        reply_error(&task->reply, 404, "no player has this userId; get one from GET user/id");
    } else if (status != STORE_OK) {
        api_reply_store_error(&task->reply, status);
    } else {
        /* The cached live players are kept: the view may lag by the cache age (and reads
         * from a secondary anyway), and every open page reports every few seconds, so
         * dropping the copy on each report would send nearly every list to the database. */
        reply_json(&task->reply, 200, json_pack("{s:s}", "rs", "success"));
    }
}

/* ---- GET /user/stats ---- */

json_t *players_stats_json(const struct store_player_stats *rows, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++) {
        json_t *entry = json_object();
        api_place_to_json(entry, &rows[i].place);
        json_object_set_new(entry, "score", json_integer(rows[i].score));
        json_object_set_new(entry, "level", json_integer(rows[i].level));
        json_object_set_new(entry, "lives", json_integer(rows[i].lives));
        json_object_set_new(entry, "et", json_integer(rows[i].elapsed_time));
        json_object_set_new(entry, "txncount", json_integer(rows[i].update_counter));
        if (json_array_append_new(list, entry) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* The cache's database read (ctx is the store). */
static bool players_read(void *store, struct reply *reply)
{
    struct store_player_stats *rows = calloc(STORE_PLAYER_ROWS, sizeof *rows);
    if (!rows) { /* not the database failing: waiters then read themselves */
        api_reply_store_error(reply, STORE_ERROR);
        return true;
    }
    size_t count = 0;
    enum store_status status = store_list_player_stats(store, rows, &count);
    if (status != STORE_OK)
        api_reply_store_error(reply, status);
    else
        reply_json(reply, 200, players_stats_json(rows, count));
    free(rows);
    return status == STORE_OK;
}

struct dbqueue_task *players_handle_stats(struct app *app, enum method method,
                                          const struct input *input, struct reply *reply)
{
    if (method != METHOD_POST)
        return api_cached_read(app->players->cache, players_read, reply);
    struct dbqueue_task *task = players_task_new(players_update_run, reply);
    if (task && !players_parse_stats(input, &((struct players_task *)task)->stats, reply)) {
        task->destroy(task);
        return NULL;
    }
    return task;
}
