/* store: the MongoDB high-score and player store, through one mongoc_client_pool_t.
 * Callers pass typed, validated structs; documents are built from those values only.
 * Every call blocks on the database, so it runs on a database worker (dbqueue), never on
 * an HTTP thread. A monitor thread pings the database and keeps store_available() current,
 * so requests can be refused at once while the database is away. */
#ifndef PACMAN_STORE_H
#define PACMAN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "log.h"

#define STORE_NAME_CHARS 32
#define STORE_PLACE_CHARS 64
#define STORE_SUBMISSION_ID_CHARS 64
#define STORE_TOP_SCORES 10
#define STORE_PLAYER_ROWS 100

/* Sizes in bytes: a character is at most 4 bytes of UTF-8. */
#define STORE_NAME_SIZE (STORE_NAME_CHARS * 4 + 1)
#define STORE_PLACE_SIZE (STORE_PLACE_CHARS * 4 + 1)

struct store_place {
    char cloud[STORE_PLACE_SIZE];
    char zone[STORE_PLACE_SIZE];
    char host[STORE_PLACE_SIZE];
};

struct store_score {
    char name[STORE_NAME_SIZE];
    struct store_place place;
    int64_t score;
    int64_t level;
    char submission_id[STORE_SUBMISSION_ID_CHARS + 1]; /* "" when the client sent none */
};

struct store_player_stats {
    char player_id[25]; /* 24 hex digits (the API calls it userId) */
    struct store_place place;
    int64_t score;
    int64_t level;
    int64_t lives;
    int64_t elapsed_time;
    int64_t update_counter; /* read back only */
};

enum store_status {
    STORE_OK,
    STORE_DUPLICATE,   /* store_insert_score: the submissionId was stored before */
    STORE_NOT_FOUND,   /* store_update_player_stats: no such player */
    STORE_UNAVAILABLE, /* no primary reachable, timed out, failing over: 503 */
    STORE_ERROR,       /* anything else the database refused: 500 */
};

struct store;
struct topology;

/* Creates the pool from config (URI, timeouts, write concern majority+journal) and starts
 * the monitor. Does not wait for the database: it may be down. topology (may be NULL) gets
 * the driver's monitoring of the replica set (topology_watch). NULL with error set when the
 * connection string is unusable. */
struct store *store_new(const struct config *config, struct logger *logger,
                        struct topology *topology, char *error, size_t error_size);

/* Stops the monitor and destroys the pool. Call after every worker has finished. */
void store_free(struct store *store);

/* False while the last contact with the database failed; the monitor flips it back. */
bool store_available(const struct store *store);

/* Called by operations that found the database unreachable; wakes the monitor. */
void store_mark_unavailable(struct store *store);

/* Inserts a score. With a submission id the id keys the document, so a retry cannot store
 * it twice: STORE_DUPLICATE then, with *stored filled from the first submission. Otherwise
 * *stored is a copy of score. */
enum store_status store_insert_score(struct store *store, const struct store_score *score,
                                     struct store_score *stored);

/* Fills out with up to STORE_TOP_SCORES best scores, highest first, earlier first on ties,
 * read from the primary so a writer sees its own write. */
enum store_status store_list_scores(struct store *store, struct store_score *out, size_t *count);

/* What GET /highscores/fingerprint reports of the stored scores. */
struct store_fingerprint {
    uint64_t count;
    unsigned char sha256[32];
    int64_t newest_unix_ms; /* the latest score's time; 0 when there is none */
};

/* How long a read of a whole collection may take on the database (its maxTimeMS). */
#define STORE_SCAN_TIME_MS 30000

/* Reads every stored score, from the primary, through one cursor (a batch at a time, never
 * the whole collection), and fills out: how many, their SHA-256 and the newest one's time.
 * The hash is over the documents in ascending _id order, each one its BSON with the fields
 * sorted by name (bytewise, in embedded documents too; array elements keep their order), so
 * equal data give an equal hash whatever order fields were written in, and any score added,
 * removed or changed in any field or type changes it. A score's time is its "date" (a BSON
 * date), else its ObjectId's creation time (documents the old app wrote). */
enum store_status store_fingerprint_scores(struct store *store, struct store_fingerprint *out);

/* Inserts a new player document; writes its id (24 hex digits) to id. */
enum store_status store_create_player(struct store *store, char id[25]);

/* Sets the player's stats and increments its updateCounter. STORE_NOT_FOUND when no player
 * has that id. */
enum store_status store_update_player_stats(struct store *store,
                                            const struct store_player_stats *stats);

/* Fills out with up to STORE_PLAYER_ROWS players that reported stats, most recent first
 * (a secondary may answer). */
enum store_status store_list_player_stats(struct store *store, struct store_player_stats *out,
                                          size_t *count);

/* Deletes the players whose last report (or creation, for those who never reported) is older
 * than ttl_seconds; *deleted is how many. Not counted as a request's operation. */
enum store_status store_expire_players(struct store *store, unsigned ttl_seconds, int64_t *deleted);

/* The driver's types, for store_run's callback, named without its headers. */
struct _mongoc_client_t;
struct _bson_error_t;

/* Does the database work of a module that owns its own collection (web_pods) with client;
 * returns false with error filled when the database refused. */
typedef bool (*store_run_fn)(struct _mongoc_client_t *client, const char *database, void *ctx,
                             struct _bson_error_t *error);

/* Runs fn with a client from the pool and maps a failure as every store call does
 * (STORE_UNAVAILABLE marks the database away). Blocks on the database. Not counted as a
 * request's operation. */
enum store_status store_run(struct store *store, store_run_fn fn, void *ctx);

struct strbuf;

/* The store's metrics (a metrics_source_fn; ctx is the store): database up, operations and
 * failures. */
void store_metrics(const void *store, struct strbuf *out);

#endif
