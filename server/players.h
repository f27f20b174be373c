/* players: GET /user/id, POST /user/stats and GET /user/stats (the live-players view), and
 * what a player's stats are in the API: the report read and checked into a struct
 * store_player, the live players written back as JSON. (The routes and the collection keep the
 * old app's names, user and userstats; everything else calls them players.)
 *
 * Every open page polls the view and reports its own stats every few seconds, so the view is
 * served from the replica's cache (app->players_cache) while it is younger than
 * PLAYERS_CACHE_MS, whoever reported since: any report, this replica's or another's, shows
 * within the cache age, and the database sees at most one list read per replica per cache
 * age. */
#ifndef PACMAN_PLAYERS_H
#define PACMAN_PLAYERS_H

#include "api.h"
#include "store_players.h"

struct dbqueue_task *players_handle_id(struct app *app, enum method method,
                                       const struct input *input, struct reply *reply);
struct dbqueue_task *players_handle_stats(struct app *app, enum method method,
                                          const struct input *input, struct reply *reply);

/* A POST /user/stats report: userId (24 hex digits, lower-cased), score, level, lives,
 * elapsedTime, the place. False with a 400 reply naming what is wrong. */
bool players_read_stats(const struct input *input, struct store_player *player,
                        struct reply *reply);

/* The GET /user/stats body: [{cloud,zone,host,score,level,lives,et,txncount}]. NULL when out
 * of memory. */
json_t *players_list_json(const struct store_player *players, size_t count);

#endif
