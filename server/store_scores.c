/* store_scores: high-score documents, the top 10 and the fingerprint. */
#include "store_scores.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "timing.h"

/* The old app's name; its index is the top 10's sort, so that the list reads the index
 * instead of sorting the collection. */
static const struct store_collection store_scores_collection = {
    "highscore", "score_desc_date_asc", {"score", "date"}, {-1, 1}};

static bool store_scores_read(const bson_t *doc, void *row)
{
    struct store_score *score = row;
    memset(score, 0, sizeof *score);
    store_read_text(doc, "name", score->name, sizeof score->name, "");
    store_read_place(doc, &score->place);
    score->score = store_read_int(doc, "score");
    score->level = store_read_int(doc, "level");
    store_read_text(doc, "submissionId", score->submission_id, sizeof score->submission_id, "");
    return true;
}

static void store_scores_id(const struct store_score *score, char *out, size_t size)
{
    snprintf(out, size, "sub:%s", score->submission_id);
}

static enum store_status store_scores_find_by_id(struct store *store,
                                                 mongoc_collection_t *collection, const char *id,
                                                 struct store_score *out)
{
    bson_t filter = BSON_INITIALIZER;
    BSON_APPEND_UTF8(&filter, "_id", id);
    /* where the insert just found it */
    mongoc_read_prefs_t *prefs = mongoc_read_prefs_new(MONGOC_READ_PRIMARY);
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(collection, &filter, NULL, prefs);
    const bson_t *doc;
    enum store_status status = STORE_ERROR;
    bson_error_t error;
    if (mongoc_cursor_next(cursor, &doc)) {
        store_scores_read(doc, out);
        status = STORE_DUPLICATE;
    } else if (mongoc_cursor_error(cursor, &error)) {
        status = store_classify(store, &error);
    }
    mongoc_cursor_destroy(cursor);
    mongoc_read_prefs_destroy(prefs);
    bson_destroy(&filter);
    return status;
}

enum store_status store_scores_insert(struct store *store, const struct store_score *score,
                                      struct store_score *stored)
{
    struct store_handle handle = store_open(store, &store_scores_collection, true);
    mongoc_collection_t *collection = handle.collection;
    char id[STORE_SUBMISSION_ID_CHARS + 8];
    bson_t doc = BSON_INITIALIZER;
    if (score->submission_id[0]) {
        store_scores_id(score, id, sizeof id);
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
    BSON_APPEND_DATE_TIME(&doc, "date", timing_unix_ms());
    if (score->submission_id[0])
        BSON_APPEND_UTF8(&doc, "submissionId", score->submission_id);

    bson_error_t error;
    enum store_status status = STORE_OK;
    if (!mongoc_collection_insert_one(collection, &doc, NULL, NULL, &error))
        status = store_classify(store, &error);
    if (status == STORE_OK)
        *stored = *score;
    else if (status == STORE_DUPLICATE && score->submission_id[0])
        status = store_scores_find_by_id(store, collection, id, stored);
    bson_destroy(&doc);
    store_close(store, &handle);
    return status;
}

enum store_status store_scores_list(struct store *store, struct store_score *out, size_t *count)
{
    struct store_handle handle = store_open(store, &store_scores_collection, true);
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

    /* The primary, whatever MONGO_URI prefers: a score acknowledged with w:majority is then
     * visible to the next list from any replica of the web tier. */
    enum store_status status =
        store_find_rows(store, &handle, &filter, &opts, MONGOC_READ_PRIMARY, out, sizeof *out,
                        STORE_TOP_SCORES, store_scores_read, count);
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

static int store_scores_compare_fields(const void *a, const void *b)
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
        qsort(fields, count, sizeof *fields, store_scores_compare_fields);
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

enum store_status store_scores_fingerprint(struct store *store, struct store_fingerprint *out)
{
    memset(out, 0, sizeof *out);
    EVP_MD_CTX *digest = EVP_MD_CTX_new();
    if (!digest || !EVP_DigestInit_ex(digest, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(digest);
        return STORE_ERROR;
    }
    struct store_handle handle = store_open(store, &store_scores_collection, true);
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
