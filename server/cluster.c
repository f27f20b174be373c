/* cluster: the /cluster route. */
#include "cluster.h"

#include <time.h>

#include "app.h"
#include "cluster_events.h"
#include "reply.h"
#include "topology.h"
#include "web_pods.h"

struct dbqueue_task *cluster_handle(struct app *app, enum method method, const struct input *input,
                                    struct reply *reply)
{
    (void)method, (void)input;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char at[CLUSTER_TIME_SIZE];
    cluster_format_time((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, at, sizeof at);
    /* "now" lets the page say "for 2 min" by this replica's clock, not the browser's */
    reply_json(reply, 200,
               json_pack("{s:s, s:o, s:o}", "now", at, "database", topology_to_json(app->topology),
                         "web", web_pods_to_json(app->web_pods)));
    return NULL;
}
