/* app: the process-wide objects, created in main.c and handed to whoever needs them. Only
 * names their types: a module that uses one includes that module's header itself. */
#ifndef PACMAN_APP_H
#define PACMAN_APP_H

#include <stdatomic.h>

#include "static_files.h" /* held by value */

struct config;
struct dbqueue;
struct logger;
struct metrics;
struct node_lookup;
struct player_expiry;
struct result_cache;
struct receive_deadline;
struct store;
struct topology;
struct web_pods;

struct app {
    const struct config *config;
    struct logger *logger;
    struct store *store;
    struct dbqueue *dbqueue;
    struct metrics *metrics;
    struct node_lookup *node_lookup;           /* where this replica runs */
    struct result_cache *highscores_cache;     /* the top 10's body (HIGHSCORES_CACHE_MS) */
    struct result_cache *players_cache;        /* the live players' body (PLAYERS_CACHE_MS) */
    struct result_cache *cluster_cache;        /* GET /cluster's body (CLUSTER_CACHE_MS) */
    struct player_expiry *player_expiry;       /* PLAYER_TTL_SECONDS */
    struct receive_deadline *receive_deadline; /* REQUEST_TIMEOUT_SECONDS, for http */
    struct topology *topology;                 /* the replica set, from the driver's monitoring */
    struct web_pods *web_pods;                 /* the web tier's live replicas */
    struct static_files static_files;
    atomic_bool shutting_down; /* SIGTERM seen: /readyz answers 503 */
};

#endif
