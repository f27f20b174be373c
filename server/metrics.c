/* metrics: counters and the Prometheus text exposition. */
#include "metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strbuf.h"

static const unsigned metrics_statuses[] = {200, 204, 304, 400, 404, 405, 408,
                                            413, 415, 429, 500, 503, 0 /* other */};
#define METRICS_STATUSES (sizeof metrics_statuses / sizeof metrics_statuses[0])

/* Upper bounds in microseconds; the last bucket is +Inf. */
static const int64_t metrics_bounds_us[] = {500,    1000,   5000,   10000,   25000,  50000,
                                            100000, 250000, 500000, 1000000, 2500000};
#define METRICS_BUCKETS (sizeof metrics_bounds_us / sizeof metrics_bounds_us[0] + 1)

struct metrics_route {
    atomic_uint_fast64_t by_status[METRICS_STATUSES];
    atomic_uint_fast64_t buckets[METRICS_BUCKETS];
    atomic_uint_fast64_t duration_sum_us;
};

struct metrics {
    struct metrics_route routes[ROUTE_COUNT];
    atomic_long in_flight;
    time_t started;
};

struct metrics *metrics_new(void)
{
    struct metrics *metrics = calloc(1, sizeof *metrics);
    if (metrics)
        metrics->started = time(NULL);
    return metrics;
}

void metrics_free(struct metrics *metrics)
{
    free(metrics);
}

void metrics_request_started(struct metrics *metrics)
{
    atomic_fetch_add_explicit(&metrics->in_flight, 1, memory_order_relaxed);
}

long metrics_in_flight(const struct metrics *metrics)
{
    return atomic_load(&metrics->in_flight);
}

void metrics_request_finished(struct metrics *metrics, enum route route, unsigned status,
                              int64_t duration_us)
{
    struct metrics_route *r = &metrics->routes[route < ROUTE_COUNT ? route : ROUTE_STATIC];
    size_t s = 0;
    while (s < METRICS_STATUSES - 1 && metrics_statuses[s] != status)
        s++;
    atomic_fetch_add_explicit(&r->by_status[s], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < METRICS_BUCKETS - 1 && duration_us > metrics_bounds_us[b])
        b++;
    atomic_fetch_add_explicit(&r->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->duration_sum_us, (uint64_t)(duration_us > 0 ? duration_us : 0),
                              memory_order_relaxed);
    atomic_fetch_sub_explicit(&metrics->in_flight, 1, memory_order_relaxed);
}

char *metrics_render(const struct metrics *metrics, const struct metrics_gauges *gauges)
{
    struct strbuf text;
    strbuf_init(&text, 0);
    strbuf_printf(&text, "# HELP pacman_http_requests_total HTTP requests answered, by route "
                         "and status.\n# TYPE pacman_http_requests_total counter\n");
    for (int route = 0; route < ROUTE_COUNT; route++)
        for (size_t s = 0; s < METRICS_STATUSES; s++) {
            uint64_t n = atomic_load(&metrics->routes[route].by_status[s]);
            if (!n)
                continue;
            char status[12];
            if (metrics_statuses[s])
                snprintf(status, sizeof status, "%u", metrics_statuses[s]);
            else
                snprintf(status, sizeof status, "other");
            strbuf_printf(&text, "pacman_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
                          router_route_name((enum route)route), status, (unsigned long long)n);
        }
    strbuf_printf(&text, "# HELP pacman_http_request_duration_seconds Time from a request's "
                         "first byte to its response.\n"
                         "# TYPE pacman_http_request_duration_seconds histogram\n");
    for (int route = 0; route < ROUTE_COUNT; route++) {
        const struct metrics_route *r = &metrics->routes[route];
        const char *name = router_route_name((enum route)route);
        uint64_t cumulative = 0;
        for (size_t b = 0; b < METRICS_BUCKETS; b++) {
            cumulative += atomic_load(&r->buckets[b]);
            if (b < METRICS_BUCKETS - 1)
                strbuf_printf(&text,
                              "pacman_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"}"
                              " %llu\n",
                              name, (double)metrics_bounds_us[b] / 1e6,
                              (unsigned long long)cumulative);
            else
                strbuf_printf(&text,
                              "pacman_http_request_duration_seconds_bucket{route=\"%s\","
                              "le=\"+Inf\"} %llu\n",
                              name, (unsigned long long)cumulative);
        }
        strbuf_printf(&text, "pacman_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name,
                      (double)atomic_load(&r->duration_sum_us) / 1e6);
        strbuf_printf(&text, "pacman_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                      name, (unsigned long long)cumulative);
    }
    strbuf_printf(
        &text,
        "# TYPE pacman_http_requests_in_flight gauge\npacman_http_requests_in_flight %ld\n"
        "# TYPE pacman_ready gauge\npacman_ready %d\n"
        "# HELP pacman_database_up 1 while the last contact with MongoDB succeeded.\n"
        "# TYPE pacman_database_up gauge\npacman_database_up %d\n"
        "# TYPE pacman_database_operations_total counter\n"
        "pacman_database_operations_total %llu\n"
        "# TYPE pacman_database_failures_total counter\n"
        "pacman_database_failures_total %llu\n"
        "# TYPE pacman_database_pending gauge\npacman_database_pending %u\n"
        "# TYPE pacman_highscores_cache_hits_total counter\n"
        "pacman_highscores_cache_hits_total %llu\n"
        "# TYPE pacman_highscores_cache_misses_total counter\n"
        "pacman_highscores_cache_misses_total %llu\n"
        "# HELP pacman_userstats_cache_hits_total GET /user/stats answered from this "
        "replica's copy.\n"
        "# TYPE pacman_userstats_cache_hits_total counter\n"
        "pacman_userstats_cache_hits_total %llu\n"
        "# HELP pacman_userstats_cache_misses_total GET /user/stats sent to a database "
        "worker.\n"
        "# TYPE pacman_userstats_cache_misses_total counter\n"
        "pacman_userstats_cache_misses_total %llu\n"
        "# HELP pacman_http_slow_requests_closed_total Connections closed because a "
        "request took longer than REQUEST_TIMEOUT_SECONDS to arrive.\n"
        "# TYPE pacman_http_slow_requests_closed_total counter\n"
        "pacman_http_slow_requests_closed_total %llu\n"
        "# HELP pacman_players_expired_total Players deleted by this replica for "
        "not reporting within PLAYER_TTL_SECONDS.\n"
        "# TYPE pacman_players_expired_total counter\n"
        "pacman_players_expired_total %llu\n"
        "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n"
        "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %lld\n",
        metrics_in_flight(metrics), gauges->ready, gauges->database_available,
        (unsigned long long)gauges->database_operations,
        (unsigned long long)gauges->database_failures, gauges->database_pending,
        (unsigned long long)gauges->highscores_cache_hits,
        (unsigned long long)gauges->highscores_cache_misses,
        (unsigned long long)gauges->userstats_cache_hits,
        (unsigned long long)gauges->userstats_cache_misses,
        (unsigned long long)gauges->slow_requests_cut, (unsigned long long)gauges->players_expired,
        gauges->resident_bytes, (long long)metrics->started);
    return strbuf_take(&text, NULL);
}
