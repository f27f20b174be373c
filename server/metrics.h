/* metrics: request counters and latency histograms per route of the route table, the process's own
 * gauges, and the metrics each area of the server writes itself (its sources), rendered together in
 * the Prometheus text format. metrics knows no area: main.c adds each area's source function, so a
 * new area brings its metrics without touching this file. Counting is lock-free (relaxed atomics);
 * rendering reads a consistent-enough snapshot, as Prometheus expects of counters. */
#ifndef PACMAN_METRICS_H
#define PACMAN_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "router.h"

struct metrics;

struct strbuf;

/* Writes an area's metrics (# HELP and # TYPE lines, then samples) to out; ctx is the area's
 * object, given to metrics_add_source. Called on the thread rendering /metrics, while other
 * threads use the object: a source reads it as any of its users would (atomics, its lock). */
typedef void (*metrics_source_fn)(void *ctx, struct strbuf *out);

/* Counters for each row of routes (count rows; the table outlives the metrics). NULL when
 * out of memory. */
struct metrics *metrics_new(const struct route *routes, size_t count);
void metrics_free(struct metrics *metrics);

/* Adds a source, rendered after the request metrics in the order added and before the
 * process's. Call before serving starts (sources are not locked). False when out of memory. */
bool metrics_add_source(struct metrics *metrics, metrics_source_fn source, void *ctx);

void metrics_request_started(struct metrics *metrics);

/* Records a finished request (pairs with metrics_request_started): route is a row of the
 * table given to metrics_new; duration_us is from the moment its headers were complete to the
 * end of its response. */
void metrics_request_finished(struct metrics *metrics, const struct route *route, unsigned status,
                              int64_t duration_us);

/* Requests started and not yet finished. */
long metrics_in_flight(const struct metrics *metrics);

/* Renders everything into a malloc'd NUL-terminated string; NULL when out of memory. */
char *metrics_render(const struct metrics *metrics);

#endif
