/* players: player ids and live stats. */
#include "players.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "dbqueue.h"
#include "hex.h"
#include "input.h"
#include "reply.h"
#include "result_cache.h"
#include "store_players.h"

/* ---- a player's stats in the API ---- */

bool players_read_stats(const struct input *input, struct store_player *player, struct reply *reply)
{
    char error[160];
    memset(player, 0, sizeof *player);
    if (!input_get_text(input, "userId", true, 24, 24, NULL, player->id, sizeof player->id, error,
                        sizeof error)) {
        reply_error(reply, 400, "%s", error);
        return false;
    }
    if (!hex_is_digits(player->id, 24)) {
        reply_error(reply, 400, "userId must be 24 hexadecimal digits");
        return false;
    }
    for (char *c = player->id; *c; c++)
        *c = hex_digit((unsigned)hex_value(*c)); /* lower case, as ObjectIds are written */
    if (!input_get_int(input, "score", true, 0, 10000000, 0, &player->score, error, sizeof error) ||
        !input_get_int(input, "level", true, 1, 999, 1, &player->level, error, sizeof error) ||
        !input_get_int(input, "lives", true, 0, 99, 0, &player->lives, error, sizeof error) ||
        !input_get_int(input, "elapsedTime", true, 0, 86400, 0, &player->elapsed_time, error,
                       sizeof error)) {
        reply_error(reply, 400, "%s", error);
        return false;
    }
    return api_read_place(input, &player->place, reply);
}

static json_t *players_row_json(const void *row)
{
    const struct store_player *player = row;
    json_t *entry = json_object();
    api_place_to_json(entry, &player->place);
    json_object_set_new(entry, "score", json_integer(player->score));
    json_object_set_new(entry, "level", json_integer(player->level));
    json_object_set_new(entry, "lives", json_integer(player->lives));
    json_object_set_new(entry, "et", json_integer(player->elapsed_time));
    json_object_set_new(entry, "txncount", json_integer(player->update_counter));
    return entry;
}

json_t *players_list_json(const struct store_player *players, size_t count)
{
    return api_json_array(players, count, sizeof *players, players_row_json);
}

/* ---- GET /user/id ---- */

static void players_id_run(struct dbqueue_task *task, struct store *store)
{
    char id[25];
    enum store_status status = store_players_create(store, id);
    if (status != STORE_OK)
        api_reply_store_error(&task->reply, status);
    else
        reply_json(&task->reply, 200, json_string(id));
}

struct dbqueue_task *players_handle_id(struct app *app, enum method method,
                                       const struct input *input, struct reply *reply)
{
    (void)app, (void)method, (void)input;
    return api_task_new(sizeof(struct dbqueue_task), players_id_run, reply);
}

/* ---- POST /user/stats ---- */

struct players_update_task {
    struct dbqueue_task task;
    struct store_player player;
};

static void players_update_run(struct dbqueue_task *task, struct store *store)
{
    struct players_update_task *update = (struct players_update_task *)task;
    enum store_status status = store_players_update(store, &update->player);
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
    struct store_player *rows = calloc(STORE_PLAYERS_ROWS, sizeof *rows);
    if (!rows) { /* not the database failing: waiters then read themselves */
        api_reply_store_error(reply, STORE_ERROR);
        return true;
    }
    size_t count = 0;
    enum store_status status = store_players_list(store, rows, &count);
    if (status != STORE_OK)
        api_reply_store_error(reply, status);
    else
        reply_json(reply, 200, players_list_json(rows, count));
    free(rows);
    return status == STORE_OK;
}

struct dbqueue_task *players_handle_stats(struct app *app, enum method method,
                                          const struct input *input, struct reply *reply)
{
    if (method != METHOD_POST)
        return api_cached_read(app->players_cache, players_read, reply);
    struct players_update_task *update =
        (struct players_update_task *)api_task_new(sizeof *update, players_update_run, reply);
    if (!update)
        return NULL;
    if (!players_read_stats(input, &update->player, reply)) {
        dbqueue_release(&update->task);
        return NULL;
    }
    return &update->task;
}
