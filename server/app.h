/* app: the process-wide objects, created in main.c and handed to whoever needs them. Only
 * names their types: a module that uses one includes that module's header itself. */
#ifndef PACMAN_APP_H
#define PACMAN_APP_H

#include <stdatomic.h>

#include "static_files.h" /* held by value */

struct config;
struct dbqueue;
struct highscores;
struct location;
struct logger;
struct metrics;
struct player_expiry;
struct players;
struct receive_deadline;
struct store;

struct app {
    const struct config *config;
    struct logger *logger;
    struct store *store;
    struct dbqueue *dbqueue;
    struct metrics *metrics;
    struct location *location;
    struct highscores *highscores;
    struct players *players;
    struct player_expiry *player_expiry;       /* PLAYER_TTL_SECONDS */
    struct receive_deadline *receive_deadline; /* REQUEST_TIMEOUT_SECONDS, for http */
    struct static_files static_files;
    atomic_bool shutting_down; /* SIGTERM seen: /readyz answers 503 */
};

#endif
