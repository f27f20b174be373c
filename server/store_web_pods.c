/* store_web_pods: the rows of "webpods". */
#include "store_web_pods.h"

#include <string.h>

#include "input.h"
#include "store_internal.h"

/* Few rows, read by lastSeen and sorted by _id: no index but _id's. */
static const struct store_collection store_web_pods_collection = {"webpods", NULL, {NULL}, {0}};
#define STORE_WEB_PODS_QUERY_TIME_MS 2000

/* A text field of a row another replica wrote; "" when it is missing, longer than max_chars
 * or not printable UTF-8 (a row written by hand may hold anything). */
static void store_web_pods_read_text(const bson_t *doc, const char *key, size_t max_chars,
                                     char *out, size_t size)
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

static int64_t store_web_pods_read_date(const bson_t *doc, const char *key)
{
    bson_iter_t iter;
    if (bson_iter_init_find(&iter, doc, key) && BSON_ITER_HOLDS_DATE_TIME(&iter))
        return bson_iter_date_time(&iter);
    return 0;
}

/* A row as another replica wrote it; false when it does not read as one. */
static bool store_web_pods_read_row(const bson_t *doc, void *row)
{
    struct web_pod *pod = row;
    memset(pod, 0, sizeof *pod);
    store_web_pods_read_text(doc, "_id", WEB_POD_ID_CHARS, pod->id, sizeof pod->id);
    store_web_pods_read_text(doc, "host", PLACE_CHARS, pod->host, sizeof pod->host);
    store_web_pods_read_text(doc, "zone", PLACE_CHARS, pod->zone, sizeof pod->zone);
    bson_iter_t iter;
    if (bson_iter_init_find(&iter, doc, "port") && BSON_ITER_HOLDS_INT32(&iter))
        pod->port = bson_iter_int32(&iter);
    pod->started_ms = store_web_pods_read_date(doc, "started");
    pod->last_seen_ms = store_web_pods_read_date(doc, "lastSeen");
    return pod->id[0] && pod->host[0] && pod->last_seen_ms > 0;
}

/* A beat needs no majority: a row lost in a failover is written again at the next beat, and
 * it must not wait for a secondary that is away. */
static void store_web_pods_append_fast_write(bson_t *opts)
{
    mongoc_write_concern_t *concern = mongoc_write_concern_new();
    mongoc_write_concern_set_w(concern, 1);
    mongoc_write_concern_append(concern, opts);
    mongoc_write_concern_destroy(concern);
}

static bool store_web_pods_record(mongoc_collection_t *collection, const struct web_pod *self,
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
    store_web_pods_append_fast_write(&opts);
    bool ok = mongoc_collection_update_one(collection, &filter, &update, &opts, NULL, error);
    bson_destroy(&filter);
    bson_destroy(&update);
    bson_destroy(&opts);
    return ok;
}

static bool store_web_pods_forget(mongoc_collection_t *collection, int64_t before,
                                  bson_error_t *error)
{
    bson_t filter = BSON_INITIALIZER, older, opts = BSON_INITIALIZER;
    BSON_APPEND_DOCUMENT_BEGIN(&filter, "lastSeen", &older);
    BSON_APPEND_DATE_TIME(&older, "$lt", before);
    bson_append_document_end(&filter, &older);
    store_web_pods_append_fast_write(&opts);
    bool ok = mongoc_collection_delete_many(collection, &filter, &opts, NULL, error);
    bson_destroy(&filter);
    bson_destroy(&opts);
    return ok;
}

enum store_status store_web_pods_beat(struct store *store, const struct web_pod *self,
                                      int64_t now_ms, int64_t live_ms, int64_t forget_ms,
                                      struct web_pod *rows, size_t max, size_t *count)
{
    *count = 0;
    /* Not counted in the requests' operations: housekeeping. */
    struct store_handle handle = store_open(store, &store_web_pods_collection, false);
    bson_error_t error = {0};
    enum store_status status = STORE_OK;
    if (!store_web_pods_record(handle.collection, self, now_ms, &error) ||
        !store_web_pods_forget(handle.collection, now_ms - forget_ms, &error))
        status = store_classify(store, &error);
    if (status == STORE_OK) {
        bson_t filter = BSON_INITIALIZER, recent, opts = BSON_INITIALIZER, sort;
        BSON_APPEND_DOCUMENT_BEGIN(&filter, "lastSeen", &recent);
        BSON_APPEND_DATE_TIME(&recent, "$gte", now_ms - live_ms);
        bson_append_document_end(&filter, &recent);
        BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
        BSON_APPEND_INT32(&sort, "_id", 1);
        bson_append_document_end(&opts, &sort);
        BSON_APPEND_INT64(&opts, "limit", (int64_t)max);
        BSON_APPEND_INT64(&opts, "maxTimeMS", STORE_WEB_PODS_QUERY_TIME_MS);
        /* The primary, which has every beat written so far. */
        status = store_find_rows(store, &handle, &filter, &opts, MONGOC_READ_PRIMARY, rows,
                                 sizeof *rows, max, store_web_pods_read_row, count);
        bson_destroy(&filter);
        bson_destroy(&opts);
    }
    store_close(store, &handle);
    return status;
}

enum store_status store_web_pods_remove(struct store *store, const char *id)
{
    struct store_handle handle = store_open(store, &store_web_pods_collection, false);
    bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER;
    BSON_APPEND_UTF8(&filter, "_id", id);
    store_web_pods_append_fast_write(&opts);
    bson_error_t error = {0};
    bool ok = mongoc_collection_delete_one(handle.collection, &filter, &opts, NULL, &error);
    bson_destroy(&filter);
    bson_destroy(&opts);
    store_close(store, &handle);
    return ok ? STORE_OK : store_classify(store, &error);
}
