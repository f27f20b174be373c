/* metrics: counters and the Prometheus text exposition. */
#include "metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "timing.h"

/* Every status the server sends (499: the client went away before its answer), and "other". */
static const unsigned metrics_statuses[] = {200, 204, 304, 400, 404, 405, 408, 413,
                                            415, 429, 431, 499, 500, 503, 0 /* other */};
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

struct metrics_source {
    metrics_source_fn render;
    void *ctx;
};

struct metrics {
    const struct route *table;
    size_t route_count;
    struct metrics_route *routes; /* one per row of table */
    atomic_long in_flight;
    int64_t started_unix_ms;
    struct metrics_source *sources;
    size_t source_count;
};

struct metrics *metrics_new(const struct route *routes, size_t count)
{
    struct metrics *metrics = calloc(1, sizeof *metrics);
    if (!metrics)
        return NULL;
    metrics->routes = calloc(count ? count : 1, sizeof *metrics->routes);
    if (!metrics->routes) {
        free(metrics);
        return NULL;
    }
    metrics->table = routes;
    metrics->route_count = count;
    metrics->started_unix_ms = timing_unix_ms();
    return metrics;
}

void metrics_free(struct metrics *metrics)
{
    if (!metrics)
        return;
    free(metrics->sources);
    free(metrics->routes);
    free(metrics);
}

bool metrics_add_source(struct metrics *metrics, metrics_source_fn source, void *ctx)
{
    struct metrics_source *grown =
        realloc(metrics->sources, (metrics->source_count + 1) * sizeof *grown);
    if (!grown)
        return false;
    grown[metrics->source_count++] = (struct metrics_source){source, ctx};
    metrics->sources = grown;
    return true;
}

static long metrics_resident_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (!statm)
        return 0;
    if (fscanf(statm, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(statm);
    return resident * sysconf(_SC_PAGESIZE);
}

void metrics_request_started(struct metrics *metrics)
{
    atomic_fetch_add_explicit(&metrics->in_flight, 1, memory_order_relaxed);
}

long metrics_in_flight(const struct metrics *metrics)
{
    return atomic_load(&metrics->in_flight);
}

void metrics_request_finished(struct metrics *metrics, const struct route *route, unsigned status,
                              int64_t duration_us)
{
    size_t index = (size_t)(route - metrics->table);
    struct metrics_route *r = &metrics->routes[index < metrics->route_count ? index : 0];
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

char *metrics_render(const struct metrics *metrics)
{
    struct strbuf text;
    strbuf_init(&text, 0);
    strbuf_printf(&text, "# HELP pacman_http_requests_total HTTP requests answered, by route "
                         "and status.\n# TYPE pacman_http_requests_total counter\n");
    for (size_t route = 0; route < metrics->route_count; route++)
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
                          metrics->table[route].name, status, (unsigned long long)n);
        }
    strbuf_printf(&text, "# HELP pacman_http_request_duration_seconds Time from a request's "
                         "headers, received whole, to the end of its response.\n"
                         "# TYPE pacman_http_request_duration_seconds histogram\n");
    for (size_t route = 0; route < metrics->route_count; route++) {
        const struct metrics_route *r = &metrics->routes[route];
        const char *name = metrics->table[route].name;
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
        &text, "# TYPE pacman_http_requests_in_flight gauge\npacman_http_requests_in_flight %ld\n",
        metrics_in_flight(metrics));
    for (size_t i = 0; i < metrics->source_count; i++)
        metrics->sources[i].render(metrics->sources[i].ctx, &text);
    strbuf_printf(&text,
                  "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n"
                  "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %lld\n",
                  metrics_resident_bytes(), (long long)(metrics->started_unix_ms / 1000));
    return strbuf_take(&text, NULL);
}
