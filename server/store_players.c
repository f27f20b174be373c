/* store_players: player documents, their stats, the live list and expiry. */
#include "store_players.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "timing.h"

/* The old app's name; its index is the live list's sort and the expiry's filter. */
static const struct store_collection store_players_collection = {
    "userstats", "lastUpdate_desc", {"lastUpdate", NULL}, {-1, 0}};

enum store_status store_players_create(struct store *store, char id[25])
{
    struct store_handle handle = store_open(store, &store_players_collection, true);
    mongoc_collection_t *collection = handle.collection;
    bson_oid_t oid;
    bson_oid_init(&oid, NULL);
    bson_t doc = BSON_INITIALIZER;
    BSON_APPEND_OID(&doc, "_id", &oid);
    int64_t now = timing_unix_ms();
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

enum store_status store_players_update(struct store *store, const struct store_player *player)
{
    if (!bson_oid_is_valid(player->id, strlen(player->id)))
        return STORE_NOT_FOUND;
    struct store_handle handle = store_open(store, &store_players_collection, true);
    mongoc_collection_t *collection = handle.collection;
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, player->id);
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set, inc, reply;
    BSON_APPEND_OID(&filter, "_id", &oid);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    store_append_place(&set, &player->place);
    BSON_APPEND_INT32(&set, "score", (int32_t)player->score);
    BSON_APPEND_INT32(&set, "level", (int32_t)player->level);
    BSON_APPEND_INT32(&set, "lives", (int32_t)player->lives);
    BSON_APPEND_INT32(&set, "elapsedTime", (int32_t)player->elapsed_time);
    BSON_APPEND_DATE_TIME(&set, "lastUpdate", timing_unix_ms());
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

static bool store_players_read(const bson_t *doc, void *row)
{
    struct store_player *player = row;
    memset(player, 0, sizeof *player);
    store_read_place(doc, &player->place);
    player->score = store_read_int(doc, "score");
    player->level = store_read_int(doc, "level");
    player->lives = store_read_int(doc, "lives");
    player->elapsed_time = store_read_int(doc, "elapsedTime");
    player->update_counter = store_read_int(doc, "updateCounter");
    return true;
}

enum store_status store_players_list(struct store *store, struct store_player *out, size_t *count)
{
    struct store_handle handle = store_open(store, &store_players_collection, true);
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
    BSON_APPEND_INT64(&opts, "limit", STORE_PLAYERS_ROWS);
    BSON_APPEND_INT64(&opts, "maxTimeMS", STORE_QUERY_TIME_MS);
    /* A live-players view may lag a little: let a secondary answer and spare the primary. */
    enum store_status status =
        store_find_rows(store, &handle, &filter, &opts, MONGOC_READ_SECONDARY_PREFERRED, out,
                        sizeof *out, STORE_PLAYERS_ROWS, store_players_read, count);
    bson_destroy(&filter);
    bson_destroy(&opts);
    store_close(store, &handle);
    return status;
}

enum store_status store_players_expire(struct store *store, unsigned ttl_seconds, int64_t *deleted)
{
    *deleted = 0;
    /* Not counted in store->operations: those are the requests' database calls. */
    struct store_handle handle = store_open(store, &store_players_collection, false);
    mongoc_collection_t *collection = handle.collection;
    /* lastUpdate is indexed (lastUpdate_desc). Documents the old Node.js server wrote have no
     * lastUpdate date, so they are never matched: nothing says when they were last used. */
    bson_t filter = BSON_INITIALIZER, older, reply;
    BSON_APPEND_DOCUMENT_BEGIN(&filter, "lastUpdate", &older);
    BSON_APPEND_DATE_TIME(&older, "$lt", timing_unix_ms() - (int64_t)ttl_seconds * 1000);
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
