/* ops: the endpoints for the platform rather than the player: /healthz (the process
 * answers), /readyz (send me traffic; 503 once shutting down) and /metrics (Prometheus). */
#ifndef PACMAN_OPS_H
#define PACMAN_OPS_H

#include "api.h"

struct dbqueue_task *ops_handle_healthz(struct app *app, enum method method,
                                        const struct input *input, struct reply *reply);
struct dbqueue_task *ops_handle_readyz(struct app *app, enum method method,
                                       const struct input *input, struct reply *reply);
struct dbqueue_task *ops_handle_metrics(struct app *app, enum method method,
                                        const struct input *input, struct reply *reply);

struct strbuf;

/* Readiness as a metric (a metrics_source_fn; ctx is the app). */
void ops_metrics(void *app, struct strbuf *out);

#endif
