/* app: the process-wide objects, created in main.c and handed to whoever needs them. */
#ifndef PACMAN_APP_H
#define PACMAN_APP_H

#include <stdatomic.h>

#include "config.h"
#include "dbqueue.h"
#include "highscores.h"
#include "location.h"
#include "log.h"
#include "metrics.h"
#include "player_expiry.h"
#include "players.h"
#include "receive_deadline.h"
#include "static_files.h"
#include "store.h"
#include "topology.h"
#include "web_pods.h"

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
    struct topology *topology;                 /* the replica set, from the driver's monitoring */
    struct web_pods *web_pods;                 /* the web tier's live replicas */
    struct static_files static_files;
    atomic_bool shutting_down; /* SIGTERM seen: /readyz answers 503 */
};

#endif
