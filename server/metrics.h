/* metrics: request counters and latency histograms per route, rendered in the Prometheus
 * text format. Counting is lock-free (relaxed atomics); rendering reads a consistent-enough
 * snapshot, as Prometheus expects of counters. */
#ifndef PACMAN_METRICS_H
#define PACMAN_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "router.h"

struct metrics;

/* Gauges owned by other modules, sampled at render time. */
struct metrics_gauges {
    bool ready;
    bool database_available;
    uint64_t database_operations;
    uint64_t database_failures;
    unsigned database_pending;
    uint64_t highscores_cache_hits;
    uint64_t highscores_cache_misses;
    uint64_t userstats_cache_hits;
    uint64_t userstats_cache_misses;
    uint64_t slow_requests_cut;
    uint64_t players_expired;
    long resident_bytes;
};

struct metrics *metrics_new(void);
void metrics_free(struct metrics *metrics);

void metrics_request_started(struct metrics *metrics);

/* Records a finished request (pairs with metrics_request_started). */
void metrics_request_finished(struct metrics *metrics, enum route route, unsigned status,
                              int64_t duration_us);

/* Requests started and not yet finished. */
long metrics_in_flight(const struct metrics *metrics);

/* Renders everything into a malloc'd NUL-terminated string; NULL when out of memory. */
char *metrics_render(const struct metrics *metrics, const struct metrics_gauges *gauges);

#endif
