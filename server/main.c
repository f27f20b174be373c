/* main: reads the configuration, creates the process-wide objects, serves until SIGTERM or
 * SIGINT, then shuts down in the order Kubernetes needs: /readyz turns 503 at once, the
 * server keeps serving through the drain delay (endpoints are being updated), stops
 * accepting, lets requests in flight finish within the grace period, and exits 0. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "background.h"
#include "cluster.h"
#include "config.h"
#include "dbqueue.h"
#include "footprint.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "node_lookup.h"
#include "ops.h"
#include "player_expiry.h"
#include "receive_deadline.h"
#include "result_cache.h"
#include "routes.h"
#include "static_files.h"
#include "store.h"
#include "topology.h"
#include "web_pods.h"

#ifndef PACMAN_VERSION
#define PACMAN_VERSION "dev"
#endif

/* Tasks that may wait for a database worker, per worker. */
#define MAIN_WAITING_PER_WORKER 64

static const char *main_lookup(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

/* config's file reader (config_read_fn), for MONGO_AUTH_PWD_FILE: a regular file only, so that a
 * mistaken path to a FIFO or a device cannot hang or flood the start. */
static const char *main_read_file(const char *path, char *buffer, size_t size, size_t *length,
                                  void *ctx)
{
    (void)ctx;
    *length = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return strerror(errno);
    const char *why = NULL;
    struct stat status;
    if (fstat(fd, &status) != 0)
        why = strerror(errno);
    else if (!S_ISREG(status.st_mode))
        why = "not a regular file";
    while (!why && *length < size) {
        ssize_t n = read(fd, buffer + *length, size - *length);
        if (n < 0 && errno != EINTR)
            why = strerror(errno);
        else if (n == 0)
            break;
        else if (n > 0)
            *length += (size_t)n;
    }
    close(fd);
    return why;
}

/* Waits up to seconds (fractions allowed) for another signal; true when one came. */
static bool main_wait_signal(const sigset_t *signals, double seconds)
{
    struct timespec timeout = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    return sigtimedwait(signals, NULL, &timeout) > 0;
}

/* Cleanup closes the database pool and joins the database workers; a worker blocked in a
 * driver call on a hung database would hold the exit for the socket timeout. Every request
 * has had its answer by now, so after a short bound the process just ends. */
#define MAIN_EXIT_DEADLINE_SECONDS 2

#define MAIN_TEXT(x) MAIN_TEXT_OF(x)
#define MAIN_TEXT_OF(x) #x

/* The watchdog's one round, MAIN_EXIT_DEADLINE_SECONDS after the cleanup began, unless the
 * cleanup was done first and stopped it. */
static long main_exit_watchdog(void *arg)
{
    (void)arg;
    static const char message[] = "pacman: the database did not let go within " MAIN_TEXT(
        MAIN_EXIT_DEADLINE_SECONDS) " s of closing; exiting anyway\n";
    fflush(stdout);
    if (write(STDERR_FILENO, message, sizeof message - 1) < 0) {
        /* nothing more to do: we are leaving */
    }
    _exit(0);
}

/* Each area writes its own metrics; /metrics lists them in this order. */
static bool main_add_metrics(struct app *app)
{
    return metrics_add_source(app->metrics, ops_metrics, app) &&
           metrics_add_source(app->metrics, store_metrics, app->store) &&
           metrics_add_source(app->metrics, dbqueue_metrics, app->dbqueue) &&
           metrics_add_source(app->metrics, result_cache_metrics, app->highscores_cache) &&
           metrics_add_source(app->metrics, result_cache_metrics, app->players_cache) &&
           metrics_add_source(app->metrics, result_cache_metrics, app->cluster_cache) &&
           metrics_add_source(app->metrics, receive_deadline_metrics, app->receive_deadline) &&
           metrics_add_source(app->metrics, player_expiry_metrics, app->player_expiry) &&
           metrics_add_source(app->metrics, topology_metrics, app->topology) &&
           metrics_add_source(app->metrics, web_pods_metrics, app->web_pods);
}

static int main_fail(const char *what, const char *error)
{
    fprintf(stderr, "pacman: %s%s%s\n", what, error && *error ? ": " : "", error ? error : "");
    return 2;
}

/* The objects every request may use; false when memory or threads ran out. */
static bool main_create(struct app *app, const struct config *config)
{
    app->metrics = metrics_new(routes, routes_count);
    app->highscores_cache =
        result_cache_new(config->highscores_cache_ms, NULL, "highscores", "GET /highscores/list");
    app->players_cache =
        result_cache_new(config->players_cache_ms, NULL, "players", "GET /user/stats");
    app->cluster_cache = result_cache_new(CLUSTER_CACHE_MS, NULL, "cluster", "GET /cluster");
    app->node_lookup = node_lookup_start(config, app->logger);
    struct dbqueue_options queue = {
        config->db_workers, config->db_workers * MAIN_WAITING_PER_WORKER, config->mongo_timeout_ms,
        store_available, store_mark_unavailable};
    app->dbqueue = dbqueue_new(app->store, &queue);
    app->receive_deadline =
        receive_deadline_new(config->request_timeout_seconds * 1000, app->logger);
    if (!app->metrics || !app->highscores_cache || !app->players_cache || !app->cluster_cache ||
        !app->node_lookup || !app->dbqueue || !app->receive_deadline)
        return false;
    if (!receive_deadline_run(app->receive_deadline))
        return false;
    app->player_expiry = player_expiry_start(app->store, app->logger, config->player_ttl_seconds);
    if (!app->player_expiry)
        return false;
    app->web_pods = web_pods_start(app->store, app->node_lookup, app->logger, config->port);
    return app->web_pods && main_add_metrics(app);
}

int main(void)
{
    footprint_limit_arenas();
    char error[512];
    struct config config;
    if (!config_load(&config, main_lookup, main_read_file, NULL, error, sizeof error))
        return main_fail("bad configuration", error);

    /* Signals are taken synchronously by this thread (sigwait); every thread started
     * from here on inherits the mask. A closed client socket must not kill us either. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    store_library_init();
    /* The last moment with one thread: the logger's starts next. */
    size_t released_kib = footprint_release_startup_pages();
    int status = 0;
    struct app app = {.config = &config};
    struct http_server *http = NULL;
    struct background *watchdog = NULL;
    app.logger = log_new(config.log_format);
    if (!app.logger) {
        status = main_fail("cannot start logging", NULL);
        goto done;
    }
    if (!static_files_load(&app.static_files, config.static_dir, error, sizeof error)) {
        status = main_fail("cannot load STATIC_DIR", error);
        goto done;
    }
    app.topology = topology_new();
    app.store =
        app.topology ? store_new(&config, app.logger, app.topology, error, sizeof error) : NULL;
    if (!app.store) {
        status = main_fail("cannot set up MongoDB", error);
        goto done;
    }
    if (!main_create(&app, &config)) {
        status = main_fail("out of memory or threads at start-up", NULL);
        goto done;
    }
    http = http_start(&app, error, sizeof error);
    if (!http) {
        status = main_fail("cannot start HTTP", error);
        goto done;
    }
    log_message(app.logger, LOG_LEVEL_INFO,
                "pacman %s listening on port %u: %zu static files (%zu KiB) from %s, "
                "database %s, %u HTTP threads, %u database workers",
                PACMAN_VERSION, config.port, app.static_files.count,
                app.static_files.total_bytes / 1024, config.static_dir, config.mongo_uri_redacted,
                config.http_threads, config.db_workers);
    log_message(app.logger, LOG_LEVEL_INFO, "released %zu KiB of pages only start-up used",
                released_kib);

    /* While serving, this thread hands the heap's free pages back every few seconds. */
    struct timespec trim_every = {FOOTPRINT_TRIM_SECONDS, 0};
    int signal_number;
    while ((signal_number = sigtimedwait(&signals, NULL, &trim_every)) < 0)
        footprint_trim();
    atomic_store(&app.shutting_down, true);
    web_pods_leave(app.web_pods); /* the other replicas drop this one at their next beat */
    log_message(app.logger, LOG_LEVEL_INFO,
                "%s: not ready any more; serving %u s more before closing (a second signal "
                "skips the wait)",
                signal_number == SIGINT ? "SIGINT" : "SIGTERM", config.drain_seconds);
    bool hurry = main_wait_signal(&signals, config.drain_seconds);
    http_stop_accepting(http);
    /* Done when nothing has been in flight for 200 ms: a request already written to an open
     * keep-alive connection may not have been read yet when the count first touches zero. */
    double idle = 0;
    for (double waited = 0; !hurry && waited < config.grace_seconds && idle < 0.2; waited += 0.01) {
        idle = metrics_in_flight(app.metrics) == 0 ? idle + 0.01 : 0;
        hurry = main_wait_signal(&signals, 0.01);
    }
    long left = metrics_in_flight(app.metrics);
    if (left > 0)
        log_message(app.logger, LOG_LEVEL_WARN, "closing with %ld requests still in flight", left);
    log_message(app.logger, LOG_LEVEL_INFO, "stopped");
    watchdog = background_start(main_exit_watchdog, NULL, MAIN_EXIT_DEADLINE_SECONDS * 1000L);

done:
    dbqueue_free(app.dbqueue); /* answers what is left: suspended requests get their 503 */
    http_stop(http);
    receive_deadline_free(app.receive_deadline); /* after http_stop: every connection closed */
    web_pods_stop(app.web_pods); /* before the node lookup and the store it reads and writes */
    node_lookup_stop(app.node_lookup);
    player_expiry_stop(app.player_expiry); /* before the store it deletes through */
    store_free(app.store);
    topology_free(app.topology); /* after the pool whose monitors report to it */
    result_cache_free(app.highscores_cache);
    result_cache_free(app.players_cache);
    result_cache_free(app.cluster_cache);
    metrics_free(app.metrics);
    static_files_free(&app.static_files);
    log_free(app.logger);
    config_free(&config);
    store_library_cleanup();
    background_stop(watchdog); /* in time: it never fires */
    return status;
}
