/* players: GET /user/id, POST /user/stats and GET /user/stats (the live-players view). */
#ifndef PACMAN_PLAYERS_H
#define PACMAN_PLAYERS_H

#include "api.h"

struct db_task *players_handle_id(struct app *app, enum method method, const struct input *input,
                                  struct reply *reply);
struct db_task *players_handle_stats(struct app *app, enum method method,
                                     const struct input *input, struct reply *reply);

/* Validates a stats report into stats. False with a 400 reply naming the field otherwise. */
bool players_parse_stats(const struct input *input, struct store_player_stats *stats,
                         struct reply *reply);

/* The GET /user/stats body: [{cloud,zone,host,score,level,lives,et,txncount}]. */
json_t *players_stats_json(const struct store_player_stats *rows, size_t count);

#endif
