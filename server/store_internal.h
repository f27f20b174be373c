/* store_internal: what the store's files share and no other file may see: the pool, the
 * driver's types, and the helpers every collection's room uses (a pooled client and its
 * collection, errors sorted into statuses, fields read back defensively). Included by
 * server/store*.c only (tests/unit/check_layers.py checks). */
#ifndef PACMAN_STORE_INTERNAL_H
#define PACMAN_STORE_INTERNAL_H

#include <mongoc/mongoc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A query's limit on the database (maxTimeMS). */
#define STORE_QUERY_TIME_MS 5000

/* A collection and the index it needs: each collection's room defines its own. */
struct store_collection {
    const char *name;
    const char *index;     /* the index's name; NULL: none */
    const char *fields[2]; /* the index's key fields, NULL after the last */
    int32_t directions[2]; /* 1 ascending, -1 descending */
};

#define STORE_MAX_COLLECTIONS 8

struct store {
    mongoc_client_pool_t *pool;
    struct topology *topology; /* NULL: nobody watches the replica set */
    char *database;
    struct logger *logger;
    atomic_bool available;
    atomic_uint_fast64_t operations;
    atomic_uint_fast64_t failures;
    struct background *monitor;
    bool monitor_was_available; /* the monitor's own, for its log lines */
    bool monitor_first;
    /* The collections opened so far, and whether the monitor has made each one's index:
     * it makes them once the database answers (and again after a restart of this process:
     * createIndexes is idempotent), never on a request's way. */
    pthread_mutex_t collections_lock;
    const struct store_collection *collections[STORE_MAX_COLLECTIONS];
    bool indexed[STORE_MAX_COLLECTIONS];
    size_t collection_count;
    atomic_bool indexes_pending;
};

/* A pooled client and one collection of the database, for one operation. */
struct store_handle {
    mongoc_client_t *client;
    mongoc_collection_t *collection;
};

/* Takes a client from the pool (waits while every one is in use) and opens collection; the
 * first time, asks the monitor for its index. counted: a request's operation
 * (pacman_database_operations_total), not housekeeping. */
struct store_handle store_open(struct store *store, const struct store_collection *collection,
                               bool counted);

/* Gives the handle's client back to the pool. */
void store_close(struct store *store, struct store_handle *handle);

/* Reads the documents of handle's collection that filter matches, found with opts, into rows
 * (max of them, size bytes each): read fills a row from a document and says whether it is one
 * to keep. mode is where to read (MONGOC_READ_PRIMARY, whatever MONGO_URI prefers, or
 * MONGOC_READ_SECONDARY_PREFERRED). *count is how many rows were kept, 0 when the read failed
 * (its error classified). */
enum store_status store_find_rows(struct store *store, struct store_handle *handle,
                                  const bson_t *filter, const bson_t *opts, mongoc_read_mode_t mode,
                                  void *rows, size_t size, size_t max,
                                  bool (*read)(const bson_t *doc, void *row), size_t *count);

/* Sorts a driver error into a status: a duplicate key; the database away or failing over
 * (STORE_UNAVAILABLE, which marks it unavailable); anything else (logged). Counts the
 * failure. */
enum store_status store_classify(struct store *store, const bson_error_t *error);

/* Copies a string field into out (size bytes), or fallback when it is missing, not a string,
 * not UTF-8 or too long (documents written by the old app or by hand may hold anything). */
void store_read_text(const bson_t *doc, const char *key, char *out, size_t size,
                     const char *fallback);

/* Reads a number stored as int32, int64, double or (by the old app) a decimal string; 0 when
 * it is none of those. */
int64_t store_read_int(const bson_t *doc, const char *key);

struct place;

/* The cloud, zone and host fields ("unknown" where missing). */
void store_read_place(const bson_t *doc, struct place *place);
void store_append_place(bson_t *doc, const struct place *place);

#endif
