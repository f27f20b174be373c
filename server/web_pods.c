/* web_pods: this replica's beats, and the other live replicas as last read back. */
#include "web_pods.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "background.h"
#include "display.h"
#include "log.h"
#include "node_lookup.h"
#include "place.h"
#include "store_web_pods.h"
#include "strbuf.h"
#include "timing.h"

struct web_pods {
    struct store *store;
    struct node_lookup *node;
    struct logger *logger;
    struct web_pod *read; /* the thread's: what one beat read */
    bool failing;         /* the thread's: the last beat failed (said once) */
    struct background *thread;

    pthread_mutex_t lock; /* guards everything below */
    struct web_pod self;  /* the thread writes its zone */
    bool leaving;
    struct web_pod pods[WEB_PODS_MAX]; /* as last read, sorted by id */
    size_t count;
    int64_t read_at_ms; /* 0: never read */
    atomic_uint_fast64_t changes;
};

/* ---- the thread ---- */

static void web_pods_update_self(struct web_pods *pods)
{
    struct place place;
    node_lookup_place(pods->node, &place); /* the zone arrives once the node is read */
    pthread_mutex_lock(&pods->lock);
    if (strcmp(pods->self.zone, place.zone) != 0) {
        snprintf(pods->self.zone, sizeof pods->self.zone, "%s", place.zone);
        atomic_fetch_add(&pods->changes, 1);
    }
    pthread_mutex_unlock(&pods->lock);
}

/* Whether two lists as read name the same pods with the same zones and start times. */
static bool web_pods_same(const struct web_pod *a, const struct web_pod *b, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(a[i].id, b[i].id) != 0 || strcmp(a[i].host, b[i].host) != 0 ||
            strcmp(a[i].zone, b[i].zone) != 0 || a[i].port != b[i].port ||
            a[i].started_ms != b[i].started_ms)
            return false;
    return true;
}

/* One round: a beat every WEB_PODS_BEAT_MS, or, once leaving, the row's deletion and no more. */
static long web_pods_round(void *arg)
{
    struct web_pods *pods = arg;
    pthread_mutex_lock(&pods->lock);
    bool leaving = pods->leaving;
    pthread_mutex_unlock(&pods->lock);
    if (leaving) {
        if (store_web_pods_remove(pods->store, pods->self.id) != STORE_OK)
            log_message(pods->logger, LOG_LEVEL_WARN,
                        "web pods: could not remove this pod's row; the others drop it within "
                        "%d s",
                        WEB_PODS_LIVE_MS / 1000);
        return BACKGROUND_DONE;
    }
    if (!store_available(pods->store))
        return WEB_PODS_BEAT_MS; /* the requests' 503s tell already; the list stays as read */
    web_pods_update_self(pods);
    pthread_mutex_lock(&pods->lock);
    struct web_pod self = pods->self;
    pthread_mutex_unlock(&pods->lock);
    size_t count = 0;
    if (store_web_pods_beat(pods->store, &self, timing_unix_ms(), WEB_PODS_LIVE_MS,
                            WEB_PODS_FORGET_MS, pods->read, WEB_PODS_MAX, &count) != STORE_OK) {
        if (!pods->failing)
            log_message(pods->logger, LOG_LEVEL_WARN,
                        "web pods: recording this pod failed (will retry every %d s)",
                        WEB_PODS_BEAT_MS / 1000);
        pods->failing = true;
        return WEB_PODS_BEAT_MS;
    }
    pods->failing = false;
    pthread_mutex_lock(&pods->lock);
    if (count != pods->count || !pods->read_at_ms || !web_pods_same(pods->pods, pods->read, count))
        atomic_fetch_add(&pods->changes, 1);
    memcpy(pods->pods, pods->read, count * sizeof pods->read[0]);
    pods->count = count;
    pods->read_at_ms = timing_unix_ms();
    pthread_mutex_unlock(&pods->lock);
    return WEB_PODS_BEAT_MS;
}

struct web_pods *web_pods_start(struct store *store, struct node_lookup *node,
                                struct logger *logger, unsigned port)
{
    struct web_pods *pods = calloc(1, sizeof *pods);
    if (!pods)
        return NULL;
    pods->read = calloc(WEB_PODS_MAX, sizeof *pods->read);
    if (!pods->read) {
        free(pods);
        return NULL;
    }
    pods->store = store;
    pods->node = node;
    pods->logger = logger;
    struct place where;
    node_lookup_place(node, &where);
    snprintf(pods->self.host, sizeof pods->self.host, "%s", where.host);
    snprintf(pods->self.zone, sizeof pods->self.zone, "%s", where.zone);
    snprintf(pods->self.id, sizeof pods->self.id, "%s:%u", where.host, port);
    pods->self.port = (int32_t)port;
    pods->self.started_ms = timing_unix_ms();
    pthread_mutex_init(&pods->lock, NULL);
    pods->thread = background_start(web_pods_round, pods, 0);
    if (!pods->thread) {
        pthread_mutex_destroy(&pods->lock);
        free(pods->read);
        free(pods);
        return NULL;
    }
    return pods;
}

void web_pods_leave(struct web_pods *pods)
{
    pthread_mutex_lock(&pods->lock);
    pods->leaving = true;
    pthread_mutex_unlock(&pods->lock);
    background_wake(pods->thread);
}

void web_pods_stop(struct web_pods *pods)
{
    if (!pods)
        return;
    background_stop(pods->thread);
    pthread_mutex_destroy(&pods->lock);
    free(pods->read);
    free(pods);
}

/* ---- reading the list ---- */

static json_t *web_pods_row_json(const struct web_pod *pod)
{
    return json_pack("{s:s, s:s, s:i, s:s, s:o, s:o}", "id", pod->id, "host", pod->host, "port",
                     (int)pod->port, "zone", pod->zone, "started",
                     display_time_json(pod->started_ms), "lastSeen",
                     display_time_json(pod->last_seen_ms));
}

/* lock held: whether the list as read has this replica's row */
static bool web_pods_lists_self(const struct web_pods *pods)
{
    for (size_t i = 0; i < pods->count; i++)
        if (strcmp(pods->pods[i].id, pods->self.id) == 0)
            return true;
    return false;
}

json_t *web_pods_to_json(struct web_pods *pods)
{
    /* This replica is alive (it is answering): its own entry is always there and seen now,
     * whatever the database last said. */
    json_t *list = json_array();
    pthread_mutex_lock(&pods->lock);
    struct web_pod self = pods->self;
    self.last_seen_ms = timing_unix_ms();
    bool placed = false;
    for (size_t i = 0; list && i <= pods->count; i++) {
        const struct web_pod *pod = i < pods->count ? &pods->pods[i] : NULL;
        int order = pod ? strcmp(pod->id, self.id) : 1;
        if (order >= 0 && !placed) {
            placed = true;
            if (json_array_append_new(list, web_pods_row_json(&self)) != 0)
                break;
        }
        if (pod && order != 0 && json_array_append_new(list, web_pods_row_json(pod)) != 0)
            break;
    }
    int64_t read_at = pods->read_at_ms;
    pthread_mutex_unlock(&pods->lock);
    return json_pack("{s:s, s:s, s:o, s:o}", "self", self.host, "selfId", self.id, "asOf",
                     display_time_json(read_at), "pods", list);
}

uint64_t web_pods_changes(struct web_pods *pods)
{
    return atomic_load(&pods->changes);
}

size_t web_pods_count(struct web_pods *pods)
{
    pthread_mutex_lock(&pods->lock);
    size_t n = pods->count + (web_pods_lists_self(pods) ? 0 : 1);
    pthread_mutex_unlock(&pods->lock);
    return n;
}

void web_pods_metrics(void *ctx, struct strbuf *out)
{
    strbuf_printf(out,
                  "# HELP pacman_web_pods Web replicas alive now, as this replica reads the "
                  "registry (itself included).\n"
                  "# TYPE pacman_web_pods gauge\npacman_web_pods %zu\n",
                  web_pods_count(ctx));
}
