/* store_scores: the high scores, in the "highscore" collection (the old app's name): how a
 * score is written, read back and indexed, the top 10, and the fingerprint of them all. A
 * change to how scores are stored is made here and in highscores.c (what the API reads into
 * and writes out of a struct store_score). */
#ifndef PACMAN_STORE_SCORES_H
#define PACMAN_STORE_SCORES_H

#include <stdint.h>

#include "place.h"
#include "store.h"

#define STORE_NAME_CHARS 32
#define STORE_NAME_SIZE (STORE_NAME_CHARS * 4 + 1) /* a character is at most 4 bytes of UTF-8 */
#define STORE_SUBMISSION_ID_CHARS 64
#define STORE_TOP_SCORES 10
/* How long a read of every score may take on the database (its maxTimeMS). */
#define STORE_SCAN_TIME_MS 30000

struct store_score {
    char name[STORE_NAME_SIZE];
    struct place place;
    int64_t score;
    int64_t level;
    char submission_id[STORE_SUBMISSION_ID_CHARS + 1]; /* "" when the client sent none */
};

/* Inserts a score. With a submission id the id keys the document, so a retry cannot store
 * it twice: STORE_DUPLICATE then, with *stored filled from the first submission. Otherwise
 * *stored is a copy of score. */
enum store_status store_scores_insert(struct store *store, const struct store_score *score,
                                      struct store_score *stored);

/* Fills out with up to STORE_TOP_SCORES best scores, highest first, earlier first on ties,
 * read from the primary so a writer sees its own write. */
enum store_status store_scores_list(struct store *store, struct store_score *out, size_t *count);

/* What GET /highscores/fingerprint reports of the stored scores. */
struct store_fingerprint {
    uint64_t count;
    unsigned char sha256[32];
    int64_t newest_unix_ms; /* the latest score's time; 0 when there is none */
};

/* Reads every stored score, from the primary, through one cursor (a batch at a time, never
 * the whole collection), and fills out: how many, their SHA-256 and the newest one's time.
 * The hash is over the documents in ascending _id order, each one its BSON with the fields
 * sorted by name (bytewise, in embedded documents too; array elements keep their order), so
 * equal data give an equal hash whatever order fields were written in, and any score added,
 * removed or changed in any field or type changes it. A score's time is its "date" (a BSON
 * date), else its ObjectId's creation time (documents the old app wrote). May take up to
 * STORE_SCAN_TIME_MS. */
enum store_status store_scores_fingerprint(struct store *store, struct store_fingerprint *out);

#endif
