/* dispatch: the route -> handler table, the one place above every API area. */
#include "dispatch.h"

#include "cluster.h"
#include "highscores.h"
#include "location.h"
#include "ops.h"
#include "players.h"

static const api_handler_fn dispatch_handlers[ROUTE_COUNT] = {
    [ROUTE_STATIC] = NULL,
    [ROUTE_HIGHSCORES_LIST] = highscores_handle_list,
    [ROUTE_HIGHSCORES] = highscores_handle_post,
    [ROUTE_HIGHSCORES_FINGERPRINT] = highscores_handle_fingerprint,
    [ROUTE_PLAYER_ID] = players_handle_id,
    [ROUTE_PLAYER_STATS] = players_handle_stats,
    [ROUTE_LOCATION] = location_handle,
    [ROUTE_HEALTHZ] = ops_handle_healthz,
    [ROUTE_READYZ] = ops_handle_readyz,
    [ROUTE_METRICS] = ops_handle_metrics,
    [ROUTE_CLUSTER] = cluster_handle,
};

api_handler_fn dispatch_handler(enum route route)
{
    return route < ROUTE_COUNT ? dispatch_handlers[route] : NULL;
}
