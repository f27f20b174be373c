/* store_players: the players, in the "userstats" collection (the old app's name; the API's
 * /user/... routes): a player's id, the stats its page reports, the live players' list, and the
 * deletion of players who stopped reporting. A change to how players are stored is made here
 * and in players.c. */
#ifndef PACMAN_STORE_PLAYERS_H
#define PACMAN_STORE_PLAYERS_H

#include <stdint.h>

#include "place.h"
#include "store.h"

#define STORE_PLAYERS_ROWS 100 /* the most players a list reads */

struct store_player {
    char id[25]; /* 24 lower-case hex digits, an ObjectId (the API calls it userId) */
    struct place place;
    int64_t score;
    int64_t level;
    int64_t lives;
    int64_t elapsed_time;
    int64_t update_counter; /* read back only */
};

/* Inserts a new player document; writes its id (24 hex digits) to id. */
enum store_status store_players_create(struct store *store, char id[25]);

/* Sets the player's stats and increments its updateCounter. STORE_NOT_FOUND when no player
 * has that id. */
enum store_status store_players_update(struct store *store, const struct store_player *player);

/* Fills out with up to STORE_PLAYERS_ROWS players that reported stats, most recent first
 * (a secondary may answer). */
enum store_status store_players_list(struct store *store, struct store_player *out, size_t *count);

/* Deletes the players whose last report (or creation, for those who never reported) is older
 * than ttl_seconds; *deleted is how many. Not counted as a request's operation. */
enum store_status store_players_expire(struct store *store, unsigned ttl_seconds, int64_t *deleted);

#endif
