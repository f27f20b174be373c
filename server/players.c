/* players: player ids and live stats. */
#include "players.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "dbqueue.h"
#include "input.h"
#include "reply.h"
#include "result_cache.h"
#include "store.h"

struct players_task {
    struct dbqueue_task task;
    struct store_player_stats stats; /* POST /user/stats only */
};

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
    return api_task_new(sizeof(struct players_task), players_id_run, reply);
}

/* ---- POST /user/stats ---- */

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
        reply_json(reply, 200, api_player_stats_json(rows, count));
    free(rows);
    return status == STORE_OK;
}

struct dbqueue_task *players_handle_stats(struct app *app, enum method method,
                                          const struct input *input, struct reply *reply)
{
    if (method != METHOD_POST)
        return api_cached_read(app->players_cache, players_read, reply);
    struct dbqueue_task *task =
        api_task_new(sizeof(struct players_task), players_update_run, reply);
    if (task && !api_read_player_stats(input, &((struct players_task *)task)->stats, reply)) {
        task->destroy(task);
        return NULL;
    }
    return task;
}
