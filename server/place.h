/* place: where something runs, as the API writes it: {cloud, zone, host}. This replica's place
 * (node_lookup), the place a score or a player's stats were sent from (the store's records),
 * and the zone of each web pod share this shape. */
#ifndef PACMAN_PLACE_H
#define PACMAN_PLACE_H

/* At most this many characters each; a character is at most 4 bytes of UTF-8. */
#define PLACE_CHARS 64
#define PLACE_SIZE (PLACE_CHARS * 4 + 1)

struct place {
    char cloud[PLACE_SIZE];
    char zone[PLACE_SIZE];
    char host[PLACE_SIZE];
};

#endif
