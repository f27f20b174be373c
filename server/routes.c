/* routes: the route table. */
#include "routes.h"

#include "cluster.h"
#include "highscores.h"
#include "location.h"
#include "ops.h"
#include "players.h"

/* The paths and metric names are the old app's: a player's id and stats live under /user/
 * (and in its userstats collection), which the code calls players throughout. HEAD is
 * allowed wherever GET is free of side effects; GET /user/id creates a player (kept for
 * compatibility with the old client), so it is GET only. */
const struct route routes[] = {
    /* {path, methods, metric name, handler, area}: router.h says what each one is */
    {"", ROUTE_GET | ROUTE_HEAD, "static", NULL, "static_files"},
    {"/highscores/list", ROUTE_GET | ROUTE_HEAD, "highscores_list", highscores_handle_list,
     "highscores"},
    {"/highscores", ROUTE_POST, "highscores", highscores_handle_post, "highscores"},
    {"/highscores/fingerprint", ROUTE_GET | ROUTE_HEAD, "highscores_fingerprint",
     highscores_handle_fingerprint, "highscores"},
    {"/user/id", ROUTE_GET, "user_id", players_handle_id, "players"},
    {"/user/stats", ROUTE_GET | ROUTE_HEAD | ROUTE_POST, "user_stats", players_handle_stats,
     "players"},
    {"/location/metadata", ROUTE_GET | ROUTE_HEAD, "location", location_handle, "location"},
    {"/healthz", ROUTE_GET | ROUTE_HEAD, "healthz", ops_handle_healthz, "ops"},
    {"/readyz", ROUTE_GET | ROUTE_HEAD, "readyz", ops_handle_readyz, "ops"},
    {"/metrics", ROUTE_GET | ROUTE_HEAD, "metrics", ops_handle_metrics, "ops"},
    {"/cluster", ROUTE_GET | ROUTE_HEAD, "cluster", cluster_handle, "cluster"},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
