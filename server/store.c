/* store: MongoDB documents, queries and the connection monitor. */
#include "store.h"

#include <mongoc/mongoc.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "background.h"
#include "strbuf.h"
#include "topology.h"

#define STORE_HIGHSCORES "highscore"
#define STORE_PLAYERS "userstats"
#define STORE_WRITE_TIMEOUT_MS 5000
/* Longer than the write concern timeout, so a slow majority acknowledgement is reported as
 * such rather than as a dropped socket. */
#define STORE_SOCKET_TIMEOUT_MS (STORE_WRITE_TIMEOUT_MS + 5000)
#define STORE_QUERY_TIME_MS 5000

struct store {
    mongoc_client_pool_t *pool;
    struct topology *topology; /* NULL: nobody watches the replica set */
    char *database;
    struct logger *logger;
    atomic_bool available;
    atomic_bool indexes_ready;
    atomic_uint_fast64_t operations;
    atomic_uint_fast64_t failures;
    struct background *monitor;
    bool monitor_was_available; /* the monitor's own, for its log lines */
    bool monitor_first;
};

/* The driver's own messages: warnings and errors go to our log, its chatter is dropped. */
static void store_log_driver(mongoc_log_level_t level, const char *domain, const char *message,
                             void *arg)
{
    if (level > MONGOC_LOG_LEVEL_WARNING)
        return;
    /* At pool shutdown the driver ends its sessions; FerretDB has no endSessions command
     * (MongoDB has), and a warning on every clean exit would only alarm people. */
    if (strstr(message, "endSessions"))
        return;
    log_message(arg, level == MONGOC_LOG_LEVEL_WARNING ? LOG_LEVEL_WARN : LOG_LEVEL_ERROR,
                "mongoc %s: %s", domain, message);
}

static bool store_set_default_int(mongoc_uri_t *uri, const char *option, int32_t value)
{
    return mongoc_uri_has_option(uri, option) || mongoc_uri_set_option_as_int32(uri, option, value);
}

/* Error codes a replica set answers while it fails over or a member is away. */
static bool store_transient_code(uint32_t code)
{
    static const uint32_t codes[] = {6,   7,    50,    64,    89,    91,    189,
                                     262, 9001, 10107, 11600, 11602, 13435, 13436};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i] == code)
            return true;
    return false;
}

static enum store_status store_classify(struct store *store, const bson_error_t *error)
{
    enum store_status status = STORE_ERROR;
    if (error->domain == MONGOC_ERROR_SERVER && error->code == 11000)
        return STORE_DUPLICATE;
    if (error->domain == MONGOC_ERROR_SERVER_SELECTION || error->domain == MONGOC_ERROR_STREAM ||
        error->domain == MONGOC_ERROR_WRITE_CONCERN || error->domain == MONGOC_ERROR_CLIENT ||
        store_transient_code(error->code))
        status = STORE_UNAVAILABLE;
    atomic_fetch_add(&store->failures, 1);
    if (status == STORE_UNAVAILABLE)
        store_mark_unavailable(store);
    else
        log_message(store->logger, LOG_LEVEL_ERROR, "database error %u.%u: %s", error->domain,
                    error->code, error->message);
    return status;
}

static int64_t store_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* A pooled client and one collection of the database, for one operation. */
struct store_handle {
    mongoc_client_t *client;
    mongoc_collection_t *collection;
};

/* Takes a client from the pool (waits while every one is in use) and opens collection.
 * counted: a request's operation (pacman_database_operations_total), not housekeeping. */
static struct store_handle store_open(struct store *store, const char *collection, bool counted)
{
    if (counted)
        atomic_fetch_add(&store->operations, 1);
    mongoc_client_t *client = mongoc_client_pool_pop(store->pool);
    return (struct store_handle){client,
                                 mongoc_client_get_collection(client, store->database, collection)};
}

static void store_close(struct store *store, struct store_handle *handle)
{
    mongoc_collection_destroy(handle->collection);
    mongoc_client_pool_push(store->pool, handle->client);
}

static bool store_ping(struct store *store, bson_error_t *error)
{
    mongoc_client_t *client = mongoc_client_pool_pop(store->pool);
    bson_t command = BSON_INITIALIZER;
    BSON_APPEND_INT32(&command, "ping", 1);
    bool ok = mongoc_client_command_simple(client, "admin", &command, NULL, NULL, error);
    bson_destroy(&command);
    if (store->topology)
        topology_refresh_round_trips(store->topology, client);
    mongoc_client_pool_push(store->pool, client);
    return ok;
}

static bool store_create_index(mongoc_client_t *client, const char *database,
                               const char *collection, const bson_t *keys, const char *name,
                               bson_error_t *error)
{
    bson_t command = BSON_INITIALIZER, indexes, index;
    BSON_APPEND_UTF8(&command, "createIndexes", collection);
    BSON_APPEND_ARRAY_BEGIN(&command, "indexes", &indexes);
    BSON_APPEND_DOCUMENT_BEGIN(&indexes, "0", &index);
    BSON_APPEND_DOCUMENT(&index, "key", keys);
    BSON_APPEND_UTF8(&index, "name", name);
    bson_append_document_end(&indexes, &index);
    bson_append_array_end(&command, &indexes);
    mongoc_database_t *db = mongoc_client_get_database(client, database);
    bool ok = mongoc_database_write_command_with_opts(db, &command, NULL, NULL, error);
    mongoc_database_destroy(db);
    bson_destroy(&command);
    return ok;
}

/* createIndexes is idempotent: an existing index with the same keys and name is a no-op. */
static bool store_ensure_indexes(struct store *store, bson_error_t *error)
{
    mongoc_client_t *client = mongoc_client_pool_pop(store->pool);
    bson_t score_keys = BSON_INITIALIZER, player_keys = BSON_INITIALIZER;
    BSON_APPEND_INT32(&score_keys, "score", -1);
    BSON_APPEND_INT32(&score_keys, "date", 1);
    BSON_APPEND_INT32(&player_keys, "lastUpdate", -1);
    bool ok = store_create_index(client, store->database, STORE_HIGHSCORES, &score_keys,
                                 "score_desc_date_asc", error) &&
              store_create_index(client, store->database, STORE_PLAYERS, &player_keys,
                                 "lastUpdate_desc", error);
    bson_destroy(&score_keys);
    bson_destroy(&player_keys);
    mongoc_client_pool_push(store->pool, client);
    return ok;
}

/* One round of the monitor: pings, so store_available() turns true again within about half a
 * second of the database's return and requests stop being refused without a restart. The
 * next round is 2 s away while the database answers, 0.5 s while it does not, and at once
 * when a request finds it away (store_mark_unavailable). */
static long store_monitor_round(void *arg)
{
    struct store *store = arg;
    bson_error_t error;
    bool ok = store_ping(store, &error);
    if (ok && !atomic_load(&store->indexes_ready)) {
        if (store_ensure_indexes(store, &error))
            atomic_store(&store->indexes_ready, true);
        else
            log_message(store->logger, LOG_LEVEL_WARN, "creating indexes failed (will retry): %s",
                        error.message);
    }
    atomic_store(&store->available, ok);
    if (ok && (!store->monitor_was_available || store->monitor_first))
        log_message(store->logger, LOG_LEVEL_INFO, "database reachable");
    else if (!ok && (store->monitor_was_available || store->monitor_first))
        log_message(store->logger, LOG_LEVEL_WARN, "database unreachable, retrying: %s",
                    error.message);
    store->monitor_was_available = ok;
    store->monitor_first = false;
    return ok ? 2000 : 500;
}

/* Every thread that can hold a client at once gets one: each database worker, the monitor,
 * player expiry and the web pods' heartbeat (store_run). A pool one short would let workers
 * stuck on a hung database and the housekeeping rounds take every client, and the monitor's
 * ping would then wait in mongoc_client_pool_pop instead of telling the database's state. */
static uint32_t store_pool_size(const struct config *config)
{
    return config->db_workers + 3;
}

struct store *store_new(const struct config *config, struct logger *logger,
                        struct topology *topology, char *error, size_t error_size)
{
    bson_error_t uri_error;
    mongoc_uri_t *uri = mongoc_uri_new_with_error(config->mongo_uri, &uri_error);
    if (!uri) {
        snprintf(error, error_size, "the MongoDB connection string is not valid");
        return NULL;
    }
    /* Settings the operator wrote into MONGO_URI win over these defaults. */
    int32_t timeout = (int32_t)config->mongo_timeout_ms;
    store_set_default_int(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, timeout);
    store_set_default_int(uri, MONGOC_URI_CONNECTTIMEOUTMS, timeout);
    store_set_default_int(uri, MONGOC_URI_SOCKETTIMEOUTMS, STORE_SOCKET_TIMEOUT_MS);
    /* The driver checks each member this often: a member that dies shows as unreachable on
     * the page's Database panel within about a second (topology.c). */
    store_set_default_int(uri, MONGOC_URI_HEARTBEATFREQUENCYMS, 1000);
    if (!mongoc_uri_has_option(uri, MONGOC_URI_RETRYWRITES))
        mongoc_uri_set_option_as_bool(uri, MONGOC_URI_RETRYWRITES, true);
    if (!mongoc_uri_has_option(uri, MONGOC_URI_RETRYREADS))
        mongoc_uri_set_option_as_bool(uri, MONGOC_URI_RETRYREADS, true);
    if (!mongoc_uri_has_option(uri, MONGOC_URI_MAXPOOLSIZE))
        store_set_default_int(uri, MONGOC_URI_MAXPOOLSIZE, (int32_t)store_pool_size(config));
    mongoc_write_concern_t *concern = mongoc_write_concern_new();
    mongoc_write_concern_set_wmajority(concern, STORE_WRITE_TIMEOUT_MS);
    mongoc_write_concern_set_journal(concern, true);
    mongoc_uri_set_write_concern(uri, concern);
    mongoc_write_concern_destroy(concern);

    struct store *store = calloc(1, sizeof *store);
    if (!store) {
        mongoc_uri_destroy(uri);
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    store->pool = mongoc_client_pool_new_with_error(uri, &uri_error);
    store->database = strdup(config->mongo_database);
    /* before the monitor pops the first client: the driver allows it only then */
    bool watched = !store->pool || !topology ||
                   topology_watch(topology, store->pool, mongoc_uri_get_replica_set(uri));
    mongoc_uri_destroy(uri);
    if (!store->pool || !store->database || !watched) {
        snprintf(error, error_size, "cannot create the MongoDB client pool: %s",
                 !store->pool ? uri_error.message
                 : !watched   ? "the driver refused the monitoring callbacks"
                              : "out of memory");
        store_free(store);
        return NULL;
    }
    store->topology = topology;
    mongoc_log_set_handler(store_log_driver, logger);
    mongoc_client_pool_set_error_api(store->pool, MONGOC_ERROR_API_VERSION_2);
    mongoc_client_pool_set_appname(store->pool, "pacman");
    mongoc_client_pool_max_size(store->pool, store_pool_size(config));
    store->logger = logger;
    atomic_init(&store->available, true);
    store->monitor_was_available = true;
    store->monitor_first = true;
    store->monitor = background_start(store_monitor_round, store, 0);
    if (!store->monitor) {
        snprintf(error, error_size, "cannot start the database monitor thread");
        store_free(store);
        return NULL;
    }
    return store;
}

void store_free(struct store *store)
{
    if (!store)
        return;
    background_stop(store->monitor);
    if (store->pool)
        mongoc_client_pool_destroy(store->pool);
    mongoc_log_set_handler(NULL, NULL);
    free(store->database);
    free(store);
}

bool store_available(const struct store *store)
{
    return atomic_load(&store->available);
}

void store_mark_unavailable(struct store *store)
{
    if (atomic_exchange(&store->available, false))
        background_wake(store->monitor);
}

void store_metrics(const void *ctx, struct strbuf *out)
{
    const struct store *store = ctx;
    strbuf_printf(out,
                  "# HELP pacman_database_up 1 while the last contact with MongoDB succeeded.\n"
                  "# TYPE pacman_database_up gauge\npacman_database_up %d\n"
                  "# TYPE pacman_database_operations_total counter\n"
                  "pacman_database_operations_total %llu\n"
                  "# TYPE pacman_database_failures_total counter\n"
                  "pacman_database_failures_total %llu\n",
                  atomic_load(&store->available) ? 1 : 0,
                  (unsigned long long)atomic_load(&store->operations),
                  (unsigned long long)atomic_load(&store->failures));
}

enum store_status store_run(struct store *store, store_run_fn fn, void *ctx)
{
    mongoc_client_t *client = mongoc_client_pool_pop(store->pool);
    bson_error_t error = {0};
    enum store_status status = STORE_OK;
    if (!fn(client, store->database, ctx, &error))
        status = store_classify(store, &error);
    mongoc_client_pool_push(store->pool, client);
    return status;
}

/* ---- reading documents back ---- */

/* Copies a string field into out, or fallback when it is missing or not a string (documents
 * written by the old app or by hand may hold anything). */
static void store_read_text(const bson_t *doc, const char *key, char *out, size_t size,
                            const char *fallback)
{
    bson_iter_t iter;
    uint32_t length = 0;
    const char *text = NULL;
    if (bson_iter_init_find(&iter, doc, key) && BSON_ITER_HOLDS_UTF8(&iter))
        text = bson_iter_utf8(&iter, &length);
    if (!text || length >= size || !bson_utf8_validate(text, length, false))
        text = fallback, length = (uint32_t)strlen(fallback);
    memcpy(out, text, length);
    out[length] = '\0';
}

/* Reads a number stored as int32, int64, double or (by the old app) a decimal string. */
static int64_t store_read_int(const bson_t *doc, const char *key)
{
    bson_iter_t iter;
    if (!bson_iter_init_find(&iter, doc, key))
        return 0;
    if (BSON_ITER_HOLDS_UTF8(&iter))
        return strtoll(bson_iter_utf8(&iter, NULL), NULL, 10);
    if (BSON_ITER_HOLDS_NUMBER(&iter))
        return bson_iter_as_int64(&iter);
    return 0;
}

static void store_read_place(const bson_t *doc, struct store_place *place)
{
    store_read_text(doc, "cloud", place->cloud, sizeof place->cloud, "unknown");
    store_read_text(doc, "zone", place->zone, sizeof place->zone, "unknown");
    store_read_text(doc, "host", place->host, sizeof place->host, "unknown");
}

static void store_read_score(const bson_t *doc, struct store_score *score)
{
    memset(score, 0, sizeof *score);
    store_read_text(doc, "name", score->name, sizeof score->name, "");
    store_read_place(doc, &score->place);
    score->score = store_read_int(doc, "score");
    score->level = store_read_int(doc, "level");
    store_read_text(doc, "submissionId", score->submission_id, sizeof score->submission_id, "");
}

static void store_append_place(bson_t *doc, const struct store_place *place)
{
    BSON_APPEND_UTF8(doc, "cloud", place->cloud);
    BSON_APPEND_UTF8(doc, "zone", place->zone);
    BSON_APPEND_UTF8(doc, "host", place->host);
}

/* ---- high scores ---- */

static void store_score_id(const struct store_score *score, char *out, size_t size)
{
    snprintf(out, size, "sub:%s", score->submission_id);
}

static enum store_status store_find_score_by_id(struct store *store,
                                                mongoc_collection_t *collection, const char *id,
                                                struct store_score *out)
{
    bson_t filter = BSON_INITIALIZER;
    BSON_APPEND_UTF8(&filter, "_id", id);
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(collection, &filter, NULL, NULL);
    const bson_t *doc;
    enum store_status status = STORE_ERROR;
    bson_error_t error;
    if (mongoc_cursor_next(cursor, &doc)) {
        store_read_score(doc, out);
        status = STORE_DUPLICATE;
    } else if (mongoc_cursor_error(cursor, &error)) {
        status = store_classify(store, &error);
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(&filter);
    return status;
}

enum store_status store_insert_score(struct store *store, const struct store_score *score,
                                     struct store_score *stored)
{
    struct store_handle handle = store_open(store, STORE_HIGHSCORES, true);
    mongoc_collection_t *collection = handle.collection;
    char id[STORE_SUBMISSION_ID_CHARS + 8];
    bson_t doc = BSON_INITIALIZER;
    if (score->submission_id[0]) {
        store_score_id(score, id, sizeof id);
        BSON_APPEND_UTF8(&doc, "_id", id);
    } else {
        bson_oid_t oid;
        bson_oid_init(&oid, NULL);
        BSON_APPEND_OID(&doc, "_id", &oid);
    }
    BSON_APPEND_UTF8(&doc, "name", score->name);
    store_append_place(&doc, &score->place);
    BSON_APPEND_INT32(&doc, "score", (int32_t)score->score);
    BSON_APPEND_INT32(&doc, "level", (int32_t)score->level);
    BSON_APPEND_DATE_TIME(&doc, "date", store_now_ms());
    if (score->submission_id[0])
        BSON_APPEND_UTF8(&doc, "submissionId", score->submission_id);

    bson_error_t error;
    enum store_status status = STORE_OK;
    if (!mongoc_collection_insert_one(collection, &doc, NULL, NULL, &error))
        status = store_classify(store, &error);
    if (status == STORE_OK)
        *stored = *score;
    else if (status == STORE_DUPLICATE && score->submission_id[0])
        status = store_find_score_by_id(store, collection, id, stored);
    bson_destroy(&doc);
    store_close(store, &handle);
    return status;
}

enum store_status store_list_scores(struct store *store, struct store_score *out, size_t *count)
{
    struct store_handle handle = store_open(store, STORE_HIGHSCORES, true);
    mongoc_collection_t *collection = handle.collection;
    bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, sort, projection;
    BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
    BSON_APPEND_INT32(&sort, "score", -1);
    BSON_APPEND_INT32(&sort, "date", 1);
    BSON_APPEND_INT32(&sort, "_id", 1);
    bson_append_document_end(&opts, &sort);
    BSON_APPEND_DOCUMENT_BEGIN(&opts, "projection", &projection);
    BSON_APPEND_INT32(&projection, "name", 1);
    BSON_APPEND_INT32(&projection, "cloud", 1);
    BSON_APPEND_INT32(&projection, "zone", 1);
    BSON_APPEND_INT32(&projection, "host", 1);
    BSON_APPEND_INT32(&projection, "score", 1);
    BSON_APPEND_INT32(&projection, "level", 1);
    bson_append_document_end(&opts, &projection);
    BSON_APPEND_INT64(&opts, "limit", STORE_TOP_SCORES);
    BSON_APPEND_INT64(&opts, "maxTimeMS", STORE_QUERY_TIME_MS);

    /* The default read preference is the primary: a score acknowledged with w:majority is
     * visible to the next list from any replica of the web tier. */
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(collection, &filter, &opts, NULL);
    const bson_t *doc;
    size_t n = 0;
    while (n < STORE_TOP_SCORES && mongoc_cursor_next(cursor, &doc))
        store_read_score(doc, &out[n++]);
    bson_error_t error;
    enum store_status status = STORE_OK;
    if (mongoc_cursor_error(cursor, &error))
        status = store_classify(store, &error);
    *count = status == STORE_OK ? n : 0;
    mongoc_cursor_destroy(cursor);
    bson_destroy(&filter);
    bson_destroy(&opts);
    store_close(store, &handle);
    return status;
}

/* ---- the fingerprint of the scores ---- */

struct store_field {
    bson_iter_t iter;
    size_t position; /* in the stored document: equal names keep their order */
};

static int store_compare_fields(const void *a, const void *b)
{
    const struct store_field *left = a, *right = b;
    int order = strcmp(bson_iter_key(&left->iter), bson_iter_key(&right->iter));
    if (order)
        return order;
    return left->position < right->position ? -1 : left->position > right->position;
}

static bool store_canonical_value(bson_t *out, const char *key, const bson_iter_t *iter);

/* Appends the fields of the document iter is positioned in to out, sorted by name. */
static bool store_canonical_fields(bson_t *out, bson_iter_t *iter)
{
    size_t count = 0, capacity = 16;
    struct store_field *fields = malloc(capacity * sizeof *fields);
    bool ok = fields != NULL;
    while (ok && bson_iter_next(iter)) {
        if (count == capacity) {
            struct store_field *grown = realloc(fields, 2 * capacity * sizeof *fields);
            if (!grown) {
                ok = false;
                break;
            }
            fields = grown;
            capacity *= 2;
        }
        fields[count] = (struct store_field){*iter, count};
        count++;
    }
    if (ok)
        qsort(fields, count, sizeof *fields, store_compare_fields);
    for (size_t i = 0; ok && i < count; i++)
        ok = store_canonical_value(out, bson_iter_key(&fields[i].iter), &fields[i].iter);
    free(fields);
    return ok;
}

/* Appends one value under key: embedded documents with their fields sorted, arrays with their
 * elements in order (each canonical), anything else as stored. */
static bool store_canonical_value(bson_t *out, const char *key, const bson_iter_t *iter)
{
    bson_iter_t inner;
    bson_t child;
    bool document = BSON_ITER_HOLDS_DOCUMENT(iter);
    if (!document && !BSON_ITER_HOLDS_ARRAY(iter))
        return bson_append_iter(out, key, -1, iter);
    if (!bson_iter_recurse(iter, &inner))
        return false;
    if (!(document ? bson_append_document_begin(out, key, -1, &child)
                   : bson_append_array_begin(out, key, -1, &child)))
        return false;
    bool ok = true;
    if (document)
        ok = store_canonical_fields(&child, &inner);
    else
        while (ok && bson_iter_next(&inner))
            ok = store_canonical_value(&child, bson_iter_key(&inner), &inner);
    return (document ? bson_append_document_end(out, &child)
                     : bson_append_array_end(out, &child)) &&
           ok;
}

/* The time a score was stored: its date, else its ObjectId's (seconds); 0 when neither. */
static int64_t store_score_time(const bson_t *doc)
{
    bson_iter_t iter;
    if (bson_iter_init_find(&iter, doc, "date") && BSON_ITER_HOLDS_DATE_TIME(&iter))
        return bson_iter_date_time(&iter);
    if (bson_iter_init_find(&iter, doc, "_id") && BSON_ITER_HOLDS_OID(&iter))
        return (int64_t)bson_oid_get_time_t(bson_iter_oid(&iter)) * 1000;
    return 0;
}

enum store_status store_fingerprint_scores(struct store *store, struct store_fingerprint *out)
{
    memset(out, 0, sizeof *out);
    EVP_MD_CTX *digest = EVP_MD_CTX_new();
    if (!digest || !EVP_DigestInit_ex(digest, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(digest);
        return STORE_ERROR;
    }
    struct store_handle handle = store_open(store, STORE_HIGHSCORES, true);
    bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, sort;
    BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
    BSON_APPEND_INT32(&sort, "_id", 1); /* the _id index's order: no sort in memory */
    bson_append_document_end(&opts, &sort);
    BSON_APPEND_INT32(&opts, "batchSize", 200); /* what one getMore holds in memory */
    BSON_APPEND_INT64(&opts, "maxTimeMS", STORE_SCAN_TIME_MS);
    /* Majority: what a failover cannot roll back, which is what a backup keeps. FerretDB
     * ignores readConcern (it has one member). The primary even when the connection string
     * prefers secondaries: a restore is checked against what was acknowledged. */
    mongoc_read_concern_t *concern = mongoc_read_concern_new();
    mongoc_read_concern_set_level(concern, MONGOC_READ_CONCERN_LEVEL_MAJORITY);
    mongoc_read_concern_append(concern, &opts);
    mongoc_read_concern_destroy(concern);
    mongoc_read_prefs_t *prefs = mongoc_read_prefs_new(MONGOC_READ_PRIMARY);
    mongoc_cursor_t *cursor =
        mongoc_collection_find_with_opts(handle.collection, &filter, &opts, prefs);
    const bson_t *doc;
    bool hashed = true;
    while (hashed && mongoc_cursor_next(cursor, &doc)) {
        bson_t canonical = BSON_INITIALIZER;
        bson_iter_t iter;
        hashed = bson_iter_init(&iter, doc) && store_canonical_fields(&canonical, &iter) &&
                 EVP_DigestUpdate(digest, bson_get_data(&canonical), canonical.len);
        bson_destroy(&canonical);
        out->count++;
        int64_t at = store_score_time(doc);
        if (at > out->newest_unix_ms)
            out->newest_unix_ms = at;
    }
    bson_error_t error;
    enum store_status status = STORE_OK;
    if (mongoc_cursor_error(cursor, &error))
        status = store_classify(store, &error);
    else if (!hashed || !EVP_DigestFinal_ex(digest, out->sha256, NULL))
        status = STORE_ERROR; /* out of memory */
    mongoc_cursor_destroy(cursor);
    mongoc_read_prefs_destroy(prefs);
    bson_destroy(&filter);
    bson_destroy(&opts);
    store_close(store, &handle);
    EVP_MD_CTX_free(digest);
    if (status != STORE_OK)
        memset(out, 0, sizeof *out);
    return status;
}

/* ---- players ---- */

enum store_status store_create_player(struct store *store, char id[25])
{
    struct store_handle handle = store_open(store, STORE_PLAYERS, true);
    mongoc_collection_t *collection = handle.collection;
    bson_oid_t oid;
    bson_oid_init(&oid, NULL);
    bson_t doc = BSON_INITIALIZER;
    BSON_APPEND_OID(&doc, "_id", &oid);
    int64_t now = store_now_ms();
    BSON_APPEND_DATE_TIME(&doc, "date", now);
    /* A player who never reports expires like one who stopped (PLAYER_TTL_SECONDS). */
    BSON_APPEND_DATE_TIME(&doc, "lastUpdate", now);
    bson_error_t error;
    enum store_status status = STORE_OK;
    if (!mongoc_collection_insert_one(collection, &doc, NULL, NULL, &error))
        status = store_classify(store, &error);
    else
        bson_oid_to_string(&oid, id);
    bson_destroy(&doc);
    store_close(store, &handle);
    return status;
}

enum store_status store_update_player_stats(struct store *store,
                                            const struct store_player_stats *stats)
{
    if (!bson_oid_is_valid(stats->player_id, strlen(stats->player_id)))
        return STORE_NOT_FOUND;
    struct store_handle handle = store_open(store, STORE_PLAYERS, true);
    mongoc_collection_t *collection = handle.collection;
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, stats->player_id);
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set, inc, reply;
    BSON_APPEND_OID(&filter, "_id", &oid);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    store_append_place(&set, &stats->place);
    BSON_APPEND_INT32(&set, "score", (int32_t)stats->score);
    BSON_APPEND_INT32(&set, "level", (int32_t)stats->level);
    BSON_APPEND_INT32(&set, "lives", (int32_t)stats->lives);
    BSON_APPEND_INT32(&set, "elapsedTime", (int32_t)stats->elapsed_time);
    BSON_APPEND_DATE_TIME(&set, "lastUpdate", store_now_ms());
    bson_append_document_end(&update, &set);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$inc", &inc);
    BSON_APPEND_INT32(&inc, "updateCounter", 1);
    bson_append_document_end(&update, &inc);

    bson_error_t error;
    enum store_status status = STORE_OK;
    if (!mongoc_collection_update_one(collection, &filter, &update, NULL, &reply, &error)) {
        status = store_classify(store, &error);
    } else {
        bson_iter_t iter;
        if (bson_iter_init_find(&iter, &reply, "matchedCount") && bson_iter_as_int64(&iter) == 0)
            status = STORE_NOT_FOUND;
    }
    bson_destroy(&reply);
    bson_destroy(&filter);
    bson_destroy(&update);
    store_close(store, &handle);
    return status;
}

enum store_status store_list_player_stats(struct store *store, struct store_player_stats *out,
                                          size_t *count)
{
    struct store_handle handle = store_open(store, STORE_PLAYERS, true);
    mongoc_collection_t *collection = handle.collection;
    /* Players who reported stats have an updateCounter, whichever server wrote them; the old
     * Node.js server wrote no lastUpdate, so its players sort after ours, newest id first. */
    bson_t filter = BSON_INITIALIZER, exists, opts = BSON_INITIALIZER, sort;
    BSON_APPEND_DOCUMENT_BEGIN(&filter, "updateCounter", &exists);
    BSON_APPEND_BOOL(&exists, "$exists", true);
    bson_append_document_end(&filter, &exists);
    BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
    BSON_APPEND_INT32(&sort, "lastUpdate", -1);
    BSON_APPEND_INT32(&sort, "_id", -1);
    bson_append_document_end(&opts, &sort);
    BSON_APPEND_INT64(&opts, "limit", STORE_PLAYER_ROWS);
    BSON_APPEND_INT64(&opts, "maxTimeMS", STORE_QUERY_TIME_MS);
    /* A live-players view may lag a little: let a secondary answer and spare the primary. */
    mongoc_read_prefs_t *prefs = mongoc_read_prefs_new(MONGOC_READ_SECONDARY_PREFERRED);
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(collection, &filter, &opts, prefs);
    const bson_t *doc;
    size_t n = 0;
    while (n < STORE_PLAYER_ROWS && mongoc_cursor_next(cursor, &doc)) {
        struct store_player_stats *row = &out[n++];
        memset(row, 0, sizeof *row);
        store_read_place(doc, &row->place);
        row->score = store_read_int(doc, "score");
        row->level = store_read_int(doc, "level");
        row->lives = store_read_int(doc, "lives");
        row->elapsed_time = store_read_int(doc, "elapsedTime");
        row->update_counter = store_read_int(doc, "updateCounter");
    }
    bson_error_t error;
    enum store_status status = STORE_OK;
    if (mongoc_cursor_error(cursor, &error))
        status = store_classify(store, &error);
    *count = status == STORE_OK ? n : 0;
    mongoc_cursor_destroy(cursor);
    mongoc_read_prefs_destroy(prefs);
    bson_destroy(&filter);
    bson_destroy(&opts);
    store_close(store, &handle);
    return status;
}

enum store_status store_expire_players(struct store *store, unsigned ttl_seconds, int64_t *deleted)
{
    *deleted = 0;
    /* Not counted in store->operations: those are the requests' database calls. */
    struct store_handle handle = store_open(store, STORE_PLAYERS, false);
    mongoc_collection_t *collection = handle.collection;
    /* lastUpdate is indexed (lastUpdate_desc). Documents the old Node.js server wrote have no
     * lastUpdate date, so they are never matched: nothing says when they were last used. */
    bson_t filter = BSON_INITIALIZER, older, reply;
    BSON_APPEND_DOCUMENT_BEGIN(&filter, "lastUpdate", &older);
    BSON_APPEND_DATE_TIME(&older, "$lt", store_now_ms() - (int64_t)ttl_seconds * 1000);
    bson_append_document_end(&filter, &older);
    bson_error_t error;
    enum store_status status = STORE_OK;
    if (!mongoc_collection_delete_many(collection, &filter, NULL, &reply, &error)) {
        status = store_classify(store, &error);
    } else {
        bson_iter_t iter;
        if (bson_iter_init_find(&iter, &reply, "deletedCount"))
            *deleted = bson_iter_as_int64(&iter);
    }
    bson_destroy(&reply);
    bson_destroy(&filter);
    store_close(store, &handle);
    return status;
}
