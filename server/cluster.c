/* cluster: the /cluster route. */
#include "cluster.h"

#include "app.h"
#include "display.h"
#include "reply.h"
#include "result_cache.h"
#include "timing.h"
#include "topology.h"
#include "web_pods.h"

/* The cache's fill (ctx is the app): the body made from memory. */
static bool cluster_build(void *ctx, struct reply *reply)
{
    struct app *app = ctx;
    /* "now" lets the page say "for 2 min" by this replica's clock, not the browser's */
    reply_json(reply, 200,
               json_pack("{s:o, s:o, s:o}", "now", display_time_json(timing_unix_ms()), "database",
                         topology_to_json(app->topology), "web", web_pods_to_json(app->web_pods)));
    return true;
}

struct dbqueue_task *cluster_handle(struct app *app, enum method method, const struct input *input,
                                    struct reply *reply)
{
    (void)method, (void)input;
    /* both counts only grow: their sum moves whenever either does */
    result_cache_track(app->cluster_cache,
                       topology_changes(app->topology) + web_pods_changes(app->web_pods));
    if (!result_cache_get(app->cluster_cache, reply))
        result_cache_fill(app->cluster_cache, reply, cluster_build, app);
    return NULL;
}
