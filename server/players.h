/* players: GET /user/id, POST /user/stats and GET /user/stats (the live-players view). Every
 * open page polls the view and reports its own stats every few seconds, so the view is served
 * from the replica's cache (app->players_cache) while it is younger than PLAYERS_CACHE_MS,
 * whoever reported since: any report, this replica's or another's, shows within the cache
 * age, and the database sees at most one list read per replica per cache age. */
#ifndef PACMAN_PLAYERS_H
#define PACMAN_PLAYERS_H

#include "api.h"

struct dbqueue_task *players_handle_id(struct app *app, enum method method,
                                       const struct input *input, struct reply *reply);
struct dbqueue_task *players_handle_stats(struct app *app, enum method method,
                                          const struct input *input, struct reply *reply);

#endif
