/* web_pods: this replica's row in "webpods", and the other live replicas read back. */
#include "web_pods.h"

#include <mongoc/mongoc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "background.h"
#include "cluster_events.h"
#include "input.h"
#include "log.h"
#include "store.h"
#include "strbuf.h"

#define WEB_PODS_COLLECTION "webpods"
#define WEB_PODS_QUERY_TIME_MS 2000
#define WEB_PODS_TEXT_SIZE STORE_PLACE_SIZE
#define WEB_PODS_ID_CHARS (STORE_PLACE_CHARS + 6) /* host:port */
#define WEB_PODS_ID_SIZE (WEB_PODS_TEXT_SIZE + 8)

struct web_pod {
    char id[WEB_PODS_ID_SIZE]; /* host:port */
    char host[WEB_PODS_TEXT_SIZE];
    char zone[WEB_PODS_TEXT_SIZE];
    int32_t port;
    int64_t started_ms, last_seen_ms; /* Unix time */
};

struct web_pods_beat {
    struct web_pods *pods;
    struct web_pod rows[WEB_PODS_MAX];
    size_t count;
};

struct web_pods {
    struct store *store;
    web_pods_place_fn place;
    void *place_ctx;
    struct logger *logger;
    struct web_pods_beat *beat; /* the thread's: what one beat read */
    bool failing;               /* the thread's: the last beat failed (said once) */
    struct background *thread;

    pthread_mutex_t lock; /* guards everything below */
    struct web_pod self;  /* the thread writes its zone */
    bool leaving;
    struct web_pod pods[WEB_PODS_MAX]; /* as last read, sorted by id */
    size_t count;
    int64_t read_at_ms; /* 0: never read */
};

static int64_t web_pods_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* ---- documents ---- */

/* A text field of a row another replica wrote; "" when it is missing, longer than max_chars
 * or not printable UTF-8 (a row written by hand may hold anything). */
static void web_pods_read_text(const bson_t *doc, const char *key, size_t max_chars, char *out,
                               size_t size)
{
    bson_iter_t iter;
    uint32_t length = 0;
    const char *text = NULL;
    out[0] = '\0';
    if (bson_iter_init_find(&iter, doc, key) && BSON_ITER_HOLDS_UTF8(&iter))
        text = bson_iter_utf8(&iter, &length);
    if (!text || length >= size)
        return;
    long chars = input_printable_chars(text, length);
    if (chars < 0 || (size_t)chars > max_chars)
        return;
    memcpy(out, text, length);
    out[length] = '\0';
}

static int64_t web_pods_read_date(const bson_t *doc, const char *key)
{
    bson_iter_t iter;
    if (bson_iter_init_find(&iter, doc, key) && BSON_ITER_HOLDS_DATE_TIME(&iter))
        return bson_iter_date_time(&iter);
    return 0;
}

static bool web_pods_read_row(const bson_t *doc, struct web_pod *pod)
{
    memset(pod, 0, sizeof *pod);
    web_pods_read_text(doc, "_id", WEB_PODS_ID_CHARS, pod->id, sizeof pod->id);
    web_pods_read_text(doc, "host", STORE_PLACE_CHARS, pod->host, sizeof pod->host);
    web_pods_read_text(doc, "zone", STORE_PLACE_CHARS, pod->zone, sizeof pod->zone);
    bson_iter_t iter;
    if (bson_iter_init_find(&iter, doc, "port") && BSON_ITER_HOLDS_INT32(&iter))
        pod->port = bson_iter_int32(&iter);
    pod->started_ms = web_pods_read_date(doc, "started");
    pod->last_seen_ms = web_pods_read_date(doc, "lastSeen");
    return pod->id[0] && pod->host[0] && pod->last_seen_ms > 0;
}

/* A heartbeat needs no majority: a row lost in a failover is written again two seconds later,
 * and it must not wait for a secondary that is away. */
static void web_pods_append_fast_write(bson_t *opts)
{
    mongoc_write_concern_t *concern = mongoc_write_concern_new();
    mongoc_write_concern_set_w(concern, 1);
    mongoc_write_concern_append(concern, opts);
    mongoc_write_concern_destroy(concern);
}

/* ---- the database calls (store_run callbacks, on the thread) ---- */

static bool web_pods_record(mongoc_collection_t *collection, const struct web_pod *self,
                            int64_t now, bson_error_t *error)
{
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set, opts = BSON_INITIALIZER;
    BSON_APPEND_UTF8(&filter, "_id", self->id);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    BSON_APPEND_UTF8(&set, "host", self->host);
    BSON_APPEND_INT32(&set, "port", self->port);
    BSON_APPEND_UTF8(&set, "zone", self->zone);
    BSON_APPEND_DATE_TIME(&set, "started", self->started_ms);
    BSON_APPEND_DATE_TIME(&set, "lastSeen", now);
    bson_append_document_end(&update, &set);
    BSON_APPEND_BOOL(&opts, "upsert", true);
    web_pods_append_fast_write(&opts);
    bool ok = mongoc_collection_update_one(collection, &filter, &update, &opts, NULL, error);
    bson_destroy(&filter);
    bson_destroy(&update);
    bson_destroy(&opts);
    return ok;
}

static bool web_pods_forget_stale(mongoc_collection_t *collection, int64_t now, bson_error_t *error)
{
    bson_t filter = BSON_INITIALIZER, older, opts = BSON_INITIALIZER;
    BSON_APPEND_DOCUMENT_BEGIN(&filter, "lastSeen", &older);
    BSON_APPEND_DATE_TIME(&older, "$lt", now - WEB_PODS_FORGET_MS);
    bson_append_document_end(&filter, &older);
    web_pods_append_fast_write(&opts);
    bool ok = mongoc_collection_delete_many(collection, &filter, &opts, NULL, error);
    bson_destroy(&filter);
    bson_destroy(&opts);
    return ok;
}

/* The default read preference, the primary: it has every heartbeat written so far. */
static bool web_pods_read_live(mongoc_collection_t *collection, int64_t now,
                               struct web_pods_beat *beat, bson_error_t *error)
{
    bson_t filter = BSON_INITIALIZER, recent, opts = BSON_INITIALIZER, sort;
    BSON_APPEND_DOCUMENT_BEGIN(&filter, "lastSeen", &recent);
    BSON_APPEND_DATE_TIME(&recent, "$gte", now - WEB_PODS_LIVE_MS);
    bson_append_document_end(&filter, &recent);
    BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
    BSON_APPEND_INT32(&sort, "_id", 1);
    bson_append_document_end(&opts, &sort);
    BSON_APPEND_INT64(&opts, "limit", WEB_PODS_MAX);
    BSON_APPEND_INT64(&opts, "maxTimeMS", WEB_PODS_QUERY_TIME_MS);
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(collection, &filter, &opts, NULL);
    const bson_t *doc;
    beat->count = 0;
    while (beat->count < WEB_PODS_MAX && mongoc_cursor_next(cursor, &doc))
        if (web_pods_read_row(doc, &beat->rows[beat->count]))
            beat->count++;
    bool ok = !mongoc_cursor_error(cursor, error);
    mongoc_cursor_destroy(cursor);
    bson_destroy(&filter);
    bson_destroy(&opts);
    return ok;
}

static bool web_pods_beat_run(mongoc_client_t *client, const char *database, void *ctx,
                              bson_error_t *error)
{
    struct web_pods_beat *beat = ctx;
    mongoc_collection_t *collection =
        mongoc_client_get_collection(client, database, WEB_PODS_COLLECTION);
    int64_t now = web_pods_now_ms();
    bool ok = web_pods_record(collection, &beat->pods->self, now, error) &&
              web_pods_forget_stale(collection, now, error) &&
              web_pods_read_live(collection, now, beat, error);
    mongoc_collection_destroy(collection);
    return ok;
}

static bool web_pods_remove_run(mongoc_client_t *client, const char *database, void *ctx,
                                bson_error_t *error)
{
    const struct web_pod *self = ctx;
    mongoc_collection_t *collection =
        mongoc_client_get_collection(client, database, WEB_PODS_COLLECTION);
    bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER;
    BSON_APPEND_UTF8(&filter, "_id", self->id);
    web_pods_append_fast_write(&opts);
    bool ok = mongoc_collection_delete_one(collection, &filter, &opts, NULL, error);
    bson_destroy(&filter);
    bson_destroy(&opts);
    mongoc_collection_destroy(collection);
    return ok;
}

/* ---- the thread ---- */

static void web_pods_update_self(struct web_pods *pods)
{
    struct store_place place;
    pods->place(pods->place_ctx, &place); /* the zone arrives once the node is read */
    pthread_mutex_lock(&pods->lock);
    snprintf(pods->self.zone, sizeof pods->self.zone, "%s", place.zone);
    pthread_mutex_unlock(&pods->lock);
}

/* One round: a beat every WEB_PODS_BEAT_MS, or, once leaving, the row's deletion and no more. */
static long web_pods_round(void *arg)
{
    struct web_pods *pods = arg;
    pthread_mutex_lock(&pods->lock);
    bool leaving = pods->leaving;
    pthread_mutex_unlock(&pods->lock);
    if (leaving) {
        if (store_run(pods->store, web_pods_remove_run, &pods->self) != STORE_OK)
            log_message(pods->logger, LOG_LEVEL_WARN,
                        "web pods: could not remove this pod's row; the others drop it within "
                        "%d s",
                        WEB_PODS_LIVE_MS / 1000);
        return BACKGROUND_DONE;
    }
    if (!store_available(pods->store))
        return WEB_PODS_BEAT_MS; /* the requests' 503s tell already; the list stays as read */
    web_pods_update_self(pods);
    struct web_pods_beat *beat = pods->beat;
    beat->pods = pods;
    if (store_run(pods->store, web_pods_beat_run, beat) != STORE_OK) {
        if (!pods->failing)
            log_message(pods->logger, LOG_LEVEL_WARN,
                        "web pods: recording this pod failed (will retry every %d s)",
                        WEB_PODS_BEAT_MS / 1000);
        pods->failing = true;
        return WEB_PODS_BEAT_MS;
    }
    pods->failing = false;
    pthread_mutex_lock(&pods->lock);
    memcpy(pods->pods, beat->rows, beat->count * sizeof beat->rows[0]);
    pods->count = beat->count;
    pods->read_at_ms = web_pods_now_ms();
    pthread_mutex_unlock(&pods->lock);
    return WEB_PODS_BEAT_MS;
}

struct web_pods *web_pods_start(struct store *store, web_pods_place_fn place, void *place_ctx,
                                struct logger *logger, unsigned port)
{
    struct web_pods *pods = calloc(1, sizeof *pods);
    if (!pods)
        return NULL;
    pods->beat = calloc(1, sizeof *pods->beat);
    if (!pods->beat) {
        free(pods);
        return NULL;
    }
    pods->store = store;
    pods->place = place;
    pods->place_ctx = place_ctx;
    pods->logger = logger;
    struct store_place where;
    place(place_ctx, &where);
    snprintf(pods->self.host, sizeof pods->self.host, "%s", where.host);
    snprintf(pods->self.zone, sizeof pods->self.zone, "%s", where.zone);
    snprintf(pods->self.id, sizeof pods->self.id, "%s:%u", where.host, port);
    pods->self.port = (int32_t)port;
    pods->self.started_ms = web_pods_now_ms();
    pthread_mutex_init(&pods->lock, NULL);
    pods->thread = background_start(web_pods_round, pods, 0);
    if (!pods->thread) {
        pthread_mutex_destroy(&pods->lock);
        free(pods->beat);
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
    free(pods->beat);
    free(pods);
}

/* ---- reading the list ---- */

static json_t *web_pods_time_json(int64_t unix_ms)
{
    if (unix_ms <= 0)
        return json_null();
    char text[CLUSTER_TIME_SIZE];
    cluster_format_time(unix_ms, text, sizeof text);
    return json_string(text);
}

static json_t *web_pods_row_json(const struct web_pod *pod)
{
    return json_pack("{s:s, s:s, s:i, s:s, s:o, s:o}", "id", pod->id, "host", pod->host, "port",
                     (int)pod->port, "zone", pod->zone, "started",
                     web_pods_time_json(pod->started_ms), "lastSeen",
                     web_pods_time_json(pod->last_seen_ms));
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
    self.last_seen_ms = web_pods_now_ms();
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
                     web_pods_time_json(read_at), "pods", list);
}

void web_pods_metrics(const void *ctx, struct strbuf *out)
{
    /* metrics sources get their object as const; counting takes its lock */
    struct web_pods *pods = (struct web_pods *)(uintptr_t)ctx;
    strbuf_printf(out,
                  "# HELP pacman_web_pods Web replicas alive now, as this replica reads the "
                  "registry (itself included).\n"
                  "# TYPE pacman_web_pods gauge\npacman_web_pods %zu\n",
                  web_pods_count(pods));
}

size_t web_pods_count(struct web_pods *pods)
{
    pthread_mutex_lock(&pods->lock);
    size_t n = pods->count + (web_pods_lists_self(pods) ? 0 : 1);
    pthread_mutex_unlock(&pods->lock);
    return n;
}
