/* ops: health, readiness and metrics. None of them touches the database: a database outage
 * must not make Kubernetes restart or unroute web pods that still serve the game. */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "metrics.h"
#include "reply.h"
#include "store.h"
#include "strbuf.h"

struct dbqueue_task *ops_handle_healthz(struct app *app, enum method method,
                                        const struct input *input, struct reply *reply)
{
    (void)app, (void)method, (void)input;
    reply_json(reply, 200, json_pack("{s:s}", "status", "ok"));
    return NULL;
}

struct dbqueue_task *ops_handle_readyz(struct app *app, enum method method,
                                       const struct input *input, struct reply *reply)
{
    (void)method, (void)input;
    const char *database = store_available(app->store) ? "up" : "down";
    if (atomic_load(&app->shutting_down))
        reply_json(reply, 503,
                   json_pack("{s:s, s:s}", "status", "shutting down", "database", database));
    else
        reply_json(reply, 200, json_pack("{s:s, s:s}", "status", "ready", "database", database));
    return NULL;
}

void ops_metrics(void *ctx, struct strbuf *out)
{
    struct app *app = ctx;
    strbuf_printf(out, "# TYPE pacman_ready gauge\npacman_ready %d\n",
                  !atomic_load(&app->shutting_down));
}

struct dbqueue_task *ops_handle_metrics(struct app *app, enum method method,
                                        const struct input *input, struct reply *reply)
{
    (void)method, (void)input;
    char *text = metrics_render(app->metrics);
    if (!text) {
        reply_error(reply, 500, "out of memory");
        return NULL;
    }
    reply_clear(reply);
    reply->status = 200;
    reply->body = text;
    reply->body_length = strlen(text);
    reply->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return NULL;
}
