/* store: the pool, the monitor, the driver's monitoring passed on to topology, and the helpers
 * the collections' rooms share (store_internal.h). */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "background.h"
#include "place.h"
#include "store_internal.h"
#include "strbuf.h"
#include "topology.h"

#define STORE_WRITE_TIMEOUT_MS 5000
/* Longer than the write concern timeout, so a slow majority acknowledgement is reported as
 * such rather than as a dropped socket. */
#define STORE_SOCKET_TIMEOUT_MS (STORE_WRITE_TIMEOUT_MS + 5000)
/* How often the driver checks each member: a member that dies shows as unreachable on the
 * page's Database panel within about a second (topology.h). */
#define STORE_HEARTBEAT_MS 1000

void store_library_init(void)
{
    mongoc_init();
}

void store_library_cleanup(void)
{
    mongoc_cleanup();
}

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

/* ---- what the rooms share ---- */

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

enum store_status store_classify(struct store *store, const bson_error_t *error)
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

/* Asks the monitor for collection's index the first time collection is opened. */
static void store_register(struct store *store, const struct store_collection *collection)
{
    bool added = false;
    pthread_mutex_lock(&store->collections_lock);
    size_t i = 0;
    while (i < store->collection_count && store->collections[i] != collection)
        i++;
    if (i == store->collection_count && i < STORE_MAX_COLLECTIONS) {
        store->collections[store->collection_count++] = collection;
        added = true;
    }
    pthread_mutex_unlock(&store->collections_lock);
    if (added) {
        atomic_store(&store->indexes_pending, true);
        background_wake(store->monitor);
    }
}

struct store_handle store_open(struct store *store, const struct store_collection *collection,
                               bool counted)
{
    if (collection->index)
        store_register(store, collection);
    if (counted)
        atomic_fetch_add(&store->operations, 1);
    mongoc_client_t *client = mongoc_client_pool_pop(store->pool);
    return (struct store_handle){
        client, mongoc_client_get_collection(client, store->database, collection->name)};
}

void store_close(struct store *store, struct store_handle *handle)
{
    mongoc_collection_destroy(handle->collection);
    mongoc_client_pool_push(store->pool, handle->client);
}

enum store_status store_find_rows(struct store *store, struct store_handle *handle,
                                  const bson_t *filter, const bson_t *opts, mongoc_read_mode_t mode,
                                  void *rows, size_t size, size_t max,
                                  bool (*read)(const bson_t *doc, void *row), size_t *count)
{
    mongoc_read_prefs_t *prefs = mongoc_read_prefs_new(mode);
    mongoc_cursor_t *cursor =
        mongoc_collection_find_with_opts(handle->collection, filter, opts, prefs);
    const bson_t *doc;
    size_t n = 0;
    while (n < max && mongoc_cursor_next(cursor, &doc))
        if (read(doc, (char *)rows + n * size))
            n++;
    bson_error_t error;
    enum store_status status = STORE_OK;
    if (mongoc_cursor_error(cursor, &error))
        status = store_classify(store, &error);
    *count = status == STORE_OK ? n : 0;
    mongoc_cursor_destroy(cursor);
    mongoc_read_prefs_destroy(prefs);
    return status;
}

void store_read_text(const bson_t *doc, const char *key, char *out, size_t size,
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

int64_t store_read_int(const bson_t *doc, const char *key)
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

void store_read_place(const bson_t *doc, struct place *place)
{
    store_read_text(doc, "cloud", place->cloud, sizeof place->cloud, "unknown");
    store_read_text(doc, "zone", place->zone, sizeof place->zone, "unknown");
    store_read_text(doc, "host", place->host, sizeof place->host, "unknown");
}

void store_append_place(bson_t *doc, const struct place *place)
{
    BSON_APPEND_UTF8(doc, "cloud", place->cloud);
    BSON_APPEND_UTF8(doc, "zone", place->zone);
    BSON_APPEND_UTF8(doc, "host", place->host);
}

/* ---- the replica set, as the driver's monitoring reports it (on its monitor threads) ---- */

static void store_on_server_opening(const mongoc_apm_server_opening_t *event)
{
    topology_server_opened(mongoc_apm_server_opening_get_context(event),
                           mongoc_apm_server_opening_get_host(event)->host_and_port);
}

static void store_on_server_closed(const mongoc_apm_server_closed_t *event)
{
    topology_server_closed(mongoc_apm_server_closed_get_context(event),
                           mongoc_apm_server_closed_get_host(event)->host_and_port);
}

static void store_on_server_changed(const mongoc_apm_server_changed_t *event)
{
    const mongoc_server_description_t *description =
        mongoc_apm_server_changed_get_new_description(event);
    bson_iter_t iter;
    const bson_t *hello = mongoc_server_description_hello_response(description);
    const char *set_name = NULL;
    if (hello && bson_iter_init_find(&iter, hello, "setName") && BSON_ITER_HOLDS_UTF8(&iter))
        set_name = bson_iter_utf8(&iter, NULL);
    topology_server_changed(mongoc_apm_server_changed_get_context(event),
                            mongoc_apm_server_changed_get_host(event)->host_and_port,
                            mongoc_server_description_type(description),
                            mongoc_server_description_round_trip_time(description), set_name);
}

static void store_on_topology_changed(const mongoc_apm_topology_changed_t *event)
{
    topology_set_changed(mongoc_apm_topology_changed_get_context(event));
}

static void store_on_heartbeat_succeeded(const mongoc_apm_server_heartbeat_succeeded_t *event)
{
    /* An awaited heartbeat (the streaming protocol, MongoDB 4.4+) waits for news on the
     * server: its duration is not a round trip. */
    bool awaited = mongoc_apm_server_heartbeat_succeeded_get_awaited(event);
    topology_check_succeeded(mongoc_apm_server_heartbeat_succeeded_get_context(event),
                             mongoc_apm_server_heartbeat_succeeded_get_host(event)->host_and_port,
                             awaited ? -1
                                     : mongoc_apm_server_heartbeat_succeeded_get_duration(event));
}

static void store_on_heartbeat_failed(const mongoc_apm_server_heartbeat_failed_t *event)
{
    topology_check_failed(mongoc_apm_server_heartbeat_failed_get_context(event),
                          mongoc_apm_server_heartbeat_failed_get_host(event)->host_and_port);
}

/* A command that failed on the network (the connection reset, refused, timed out) tells the
 * same as a failed heartbeat, and often first: the monitor's ping runs every 2 s,
 * independently of the heartbeats. Errors the server answered ("not primary") are not network
 * errors: the recheck says what it is then. */
static void store_on_command_failed(const mongoc_apm_command_failed_t *event)
{
    bson_error_t error;
    mongoc_apm_command_failed_get_error(event, &error);
    if (error.domain == MONGOC_ERROR_STREAM)
        topology_command_failed(mongoc_apm_command_failed_get_context(event),
                                mongoc_apm_command_failed_get_host(event)->host_and_port);
}

/* Registers the callbacks that feed topology; libmongoc allows this once per pool, before the
 * first client is popped. */
static bool store_watch(mongoc_client_pool_t *pool, struct topology *topology)
{
    mongoc_apm_callbacks_t *callbacks = mongoc_apm_callbacks_new();
    if (!callbacks)
        return false;
    mongoc_apm_set_server_opening_cb(callbacks, store_on_server_opening);
    mongoc_apm_set_server_closed_cb(callbacks, store_on_server_closed);
    mongoc_apm_set_server_changed_cb(callbacks, store_on_server_changed);
    mongoc_apm_set_topology_changed_cb(callbacks, store_on_topology_changed);
    mongoc_apm_set_server_heartbeat_succeeded_cb(callbacks, store_on_heartbeat_succeeded);
    mongoc_apm_set_server_heartbeat_failed_cb(callbacks, store_on_heartbeat_failed);
    mongoc_apm_set_command_failed_cb(callbacks, store_on_command_failed);
    bool ok = mongoc_client_pool_set_apm_callbacks(pool, callbacks, topology);
    mongoc_apm_callbacks_destroy(callbacks);
    return ok;
}

/* The members' round-trip times from client's view of the set. With MongoDB 4.4 and later the
 * driver measures them on a connection of its own, which reports no heartbeat, and a
 * description that changes only by its round-trip time reports no change either. No I/O. */
static void store_report_round_trips(struct topology *topology, mongoc_client_t *client)
{
    size_t n = 0;
    mongoc_server_description_t **servers = mongoc_client_get_server_descriptions(client, &n);
    for (size_t i = 0; servers && i < n; i++)
        topology_round_trip(topology, mongoc_server_description_host(servers[i])->host_and_port,
                            mongoc_server_description_round_trip_time(servers[i]));
    mongoc_server_descriptions_destroy_all(servers, n);
}

/* ---- the monitor ---- */

static bool store_ping(struct store *store, bson_error_t *error)
{
    mongoc_client_t *client = mongoc_client_pool_pop(store->pool);
    bson_t command = BSON_INITIALIZER;
    BSON_APPEND_INT32(&command, "ping", 1);
    bool ok = mongoc_client_command_simple(client, "admin", &command, NULL, NULL, error);
    bson_destroy(&command);
    if (store->topology)
        store_report_round_trips(store->topology, client);
    mongoc_client_pool_push(store->pool, client);
    return ok;
}

static bool store_create_index(mongoc_client_t *client, const char *database,
                               const struct store_collection *collection, bson_error_t *error)
{
    bson_t command = BSON_INITIALIZER, indexes, index, keys;
    BSON_APPEND_UTF8(&command, "createIndexes", collection->name);
    BSON_APPEND_ARRAY_BEGIN(&command, "indexes", &indexes);
    BSON_APPEND_DOCUMENT_BEGIN(&indexes, "0", &index);
    BSON_APPEND_DOCUMENT_BEGIN(&index, "key", &keys);
    for (size_t i = 0; i < 2 && collection->fields[i]; i++)
        BSON_APPEND_INT32(&keys, collection->fields[i], collection->directions[i]);
    bson_append_document_end(&index, &keys);
    BSON_APPEND_UTF8(&index, "name", collection->index);
    bson_append_document_end(&indexes, &index);
    bson_append_array_end(&command, &indexes);
    mongoc_database_t *db = mongoc_client_get_database(client, database);
    bool ok = mongoc_database_write_command_with_opts(db, &command, NULL, NULL, error);
    mongoc_database_destroy(db);
    bson_destroy(&command);
    return ok;
}

/* Makes the indexes of the collections opened so far that do not have theirs yet.
 * createIndexes is idempotent: an existing index with the same keys and name is a no-op. */
static bool store_ensure_indexes(struct store *store, bson_error_t *error)
{
    atomic_store(&store->indexes_pending, false);
    mongoc_client_t *client = mongoc_client_pool_pop(store->pool);
    bool ok = true;
    for (size_t i = 0; ok; i++) {
        pthread_mutex_lock(&store->collections_lock);
        const struct store_collection *collection =
            i < store->collection_count && !store->indexed[i] ? store->collections[i] : NULL;
        bool more = i < store->collection_count;
        pthread_mutex_unlock(&store->collections_lock);
        if (!more)
            break;
        if (!collection)
            continue;
        ok = store_create_index(client, store->database, collection, error);
        pthread_mutex_lock(&store->collections_lock);
        store->indexed[i] = ok;
        pthread_mutex_unlock(&store->collections_lock);
    }
    mongoc_client_pool_push(store->pool, client);
    if (!ok)
        atomic_store(&store->indexes_pending, true);
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
    if (ok && atomic_load(&store->indexes_pending) && !store_ensure_indexes(store, &error))
        log_message(store->logger, LOG_LEVEL_WARN, "creating indexes failed (will retry): %s",
                    error.message);
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

/* ---- the pool ---- */

/* Every thread that can hold a client at once gets one: each database worker, the monitor,
 * player expiry and the web pods' heartbeat. A pool one short would let workers stuck on a
 * hung database and the housekeeping rounds take every client, and the monitor's ping would
 * then wait in mongoc_client_pool_pop instead of telling the database's state. */
static int32_t store_pool_size(const struct config *config)
{
    return (int32_t)config->db_workers + 3;
}

static void store_set_default_int(mongoc_uri_t *uri, const char *option, int32_t value)
{
    if (!mongoc_uri_has_option(uri, option))
        mongoc_uri_set_option_as_int32(uri, option, value);
}

static void store_set_default_bool(mongoc_uri_t *uri, const char *option, bool value)
{
    if (!mongoc_uri_has_option(uri, option))
        mongoc_uri_set_option_as_bool(uri, option, value);
}

/* Settings the operator wrote into MONGO_URI win over these defaults. */
static void store_set_defaults(mongoc_uri_t *uri, const struct config *config,
                               struct logger *logger)
{
    int32_t timeout = (int32_t)config->mongo_timeout_ms;
    store_set_default_int(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, timeout);
    store_set_default_int(uri, MONGOC_URI_CONNECTTIMEOUTMS, timeout);
    store_set_default_int(uri, MONGOC_URI_SOCKETTIMEOUTMS, STORE_SOCKET_TIMEOUT_MS);
    store_set_default_int(uri, MONGOC_URI_HEARTBEATFREQUENCYMS, STORE_HEARTBEAT_MS);
    store_set_default_bool(uri, MONGOC_URI_RETRYWRITES, true);
    store_set_default_bool(uri, MONGOC_URI_RETRYREADS, true);
    int32_t needed = store_pool_size(config);
    int32_t pool = mongoc_uri_get_option_as_int32(uri, MONGOC_URI_MAXPOOLSIZE, needed);
    if (pool < needed)
        log_message(logger, LOG_LEVEL_WARN,
                    "MONGO_URI sets maxPoolSize=%d, fewer than the %d connections the %u database "
                    "workers and the monitor may hold at once: while the database hangs, the "
                    "monitor may wait for a connection before it can tell",
                    pool, needed, config->db_workers);
    store_set_default_int(uri, MONGOC_URI_MAXPOOLSIZE, needed);
    /* What the old app wrote with: acknowledged by a majority, journaled. */
    if (mongoc_write_concern_is_default(mongoc_uri_get_write_concern(uri))) {
        mongoc_write_concern_t *concern = mongoc_write_concern_new();
        mongoc_write_concern_set_wmajority(concern, STORE_WRITE_TIMEOUT_MS);
        mongoc_write_concern_set_journal(concern, true);
        mongoc_uri_set_write_concern(uri, concern);
        mongoc_write_concern_destroy(concern);
    }
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
    store_set_defaults(uri, config, logger);

    struct store *store = calloc(1, sizeof *store);
    if (!store) {
        mongoc_uri_destroy(uri);
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&store->collections_lock, NULL);
    store->pool = mongoc_client_pool_new_with_error(uri, &uri_error);
    store->database = strdup(config->mongo_database);
    if (topology)
        topology_expect_set(topology, mongoc_uri_get_replica_set(uri));
    mongoc_uri_destroy(uri);
    /* before the monitor pops the first client: the driver allows it only then */
    bool watched = !store->pool || !topology || store_watch(store->pool, topology);
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
    pthread_mutex_destroy(&store->collections_lock);
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

void store_metrics(void *ctx, struct strbuf *out)
{
    struct store *store = ctx;
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
