/* Unit tests of metrics: request counters and histograms, and the areas' sources rendered in
 * the order they were added, between the request metrics and the process's. */

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "strbuf.h"

static const struct route table[] = {
    {"", ROUTE_GET, "static", NULL, "static_files"},
    {"/highscores", ROUTE_POST, "highscores", NULL, "highscores"},
};

static void source(void *ctx, struct strbuf *out)
{
    strbuf_printf(out, "# TYPE %s gauge\n%s 1\n", (const char *)ctx, (const char *)ctx);
}

static void test_requests_are_counted_by_route_status_and_duration(void **state)
{
    (void)state;
    struct metrics *metrics = metrics_new(table, 2);
    metrics_request_started(metrics);
    metrics_request_started(metrics);
    assert_int_equal(metrics_in_flight(metrics), 2);
    metrics_request_finished(metrics, &table[1], 200, 700);
    metrics_request_finished(metrics, &table[1], 418, 3000000);
    assert_int_equal(metrics_in_flight(metrics), 0);
    char *text = metrics_render(metrics);
    assert_non_null(
        strstr(text, "pacman_http_requests_total{route=\"highscores\",status=\"200\"} 1\n"));
    assert_non_null(
        strstr(text, "pacman_http_requests_total{route=\"highscores\",status=\"other\"} 1\n"));
    assert_non_null(strstr(
        text,
        "pacman_http_request_duration_seconds_bucket{route=\"highscores\",le=\"0.001\"} 1\n"));
    assert_non_null(strstr(
        text, "pacman_http_request_duration_seconds_bucket{route=\"highscores\",le=\"+Inf\"} 2\n"));
    assert_non_null(strstr(text, "pacman_http_requests_in_flight 0\n"));
    assert_non_null(strstr(text, "process_start_time_seconds "));
    free(text);
    metrics_free(metrics);
}

static void test_every_status_the_server_sends_has_its_label(void **state)
{
    (void)state;
    struct metrics *metrics = metrics_new(table, 2);
    static const unsigned statuses[] = {200, 304, 400, 404, 405, 408, 413, 415, 431, 499, 500, 503};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        metrics_request_started(metrics);
        metrics_request_finished(metrics, &table[0], statuses[i], 10);
    }
    char *text = metrics_render(metrics);
    char line[128];
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        snprintf(line, sizeof line,
                 "pacman_http_requests_total{route=\"static\",status=\"%u\"} 1\n", statuses[i]);
        if (!strstr(text, line))
            fail_msg("no %s", line); /* before: 431 and 499 were counted as "other" */
    }
    assert_null(strstr(text, "status=\"other\""));
    /* the clock starts once the request's headers are whole, not at its first byte */
    assert_non_null(strstr(text, "# HELP pacman_http_request_duration_seconds Time from a "
                                 "request's headers, received whole, to the end of its "
                                 "response.\n"));
    free(text);
    metrics_free(metrics);
}

static void test_sources_render_in_the_order_added(void **state)
{
    (void)state;
    struct metrics *metrics = metrics_new(table, 2);
    assert_true(metrics_add_source(metrics, source, "pacman_first"));
    assert_true(metrics_add_source(metrics, source, "pacman_second"));
    char *text = metrics_render(metrics);
    const char *in_flight = strstr(text, "pacman_http_requests_in_flight ");
    const char *first = strstr(text, "# TYPE pacman_first gauge\npacman_first 1\n");
    const char *second = strstr(text, "# TYPE pacman_second gauge\npacman_second 1\n");
    const char *process = strstr(text, "process_resident_memory_bytes ");
    assert_non_null(in_flight);
    assert_non_null(first);
    assert_non_null(second);
    assert_non_null(process);
    assert_true(in_flight < first && first < second && second < process);
    free(text);
    metrics_free(metrics);
    metrics_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests_are_counted_by_route_status_and_duration),
        cmocka_unit_test(test_every_status_the_server_sends_has_its_label),
        cmocka_unit_test(test_sources_render_in_the_order_added),
    };
    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
