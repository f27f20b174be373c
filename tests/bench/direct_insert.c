/* direct_insert: the reference for "what does the server add to a write?". Times
 * mongoc_collection_insert_one of the same document POST /highscores stores, into the same
 * collection (same indexes), with the same libmongoc and the same write concern (w:majority,
 * j:true, wtimeout 5 s), over one connection (a database worker holds one pooled connection
 * per call), one insert at a time for the given number of seconds. Prints one JSON line: count, p50, p99 and
 * mean in microseconds.
 *
 * Usage: direct_insert MONGO_URI DATABASE SECONDS
 * Built by tests/bench/run.sh into build/bench/direct_insert. */
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DIRECT_MAX_SAMPLES 1000000

static int64_t direct_now_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

static int direct_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The value at percentile p of sorted samples (nearest rank). */
static int64_t direct_percentile(const int64_t *sorted, size_t count, double p)
{
    size_t rank = (size_t)(p / 100.0 * (double)count + 0.5);
    if (rank < 1)
        rank = 1;
    if (rank > count)
        rank = count;
    return sorted[rank - 1];
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s MONGO_URI DATABASE SECONDS\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[3]);
    mongoc_init();
    bson_error_t error;
    mongoc_uri_t *uri = mongoc_uri_new_with_error(argv[1], &error);
    if (!uri) {
        fprintf(stderr, "direct_insert: bad URI: %s\n", error.message);
        return 2;
    }
    mongoc_write_concern_t *concern = mongoc_write_concern_new();
    mongoc_write_concern_set_wmajority(concern, 5000);
    mongoc_write_concern_set_journal(concern, true);
    mongoc_uri_set_write_concern(uri, concern);
    mongoc_write_concern_destroy(concern);
    mongoc_client_t *client = mongoc_client_new_from_uri(uri);
    mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
    mongoc_collection_t *collection = mongoc_client_get_collection(client, argv[2], "highscore");

    int64_t *samples = malloc(DIRECT_MAX_SAMPLES * sizeof *samples);
    size_t count = 0, failures = 0;
    int64_t total = 0, end = direct_now_us() + (int64_t)(seconds * 1e6);
    while (samples && count < DIRECT_MAX_SAMPLES && direct_now_us() < end) {
        /* The document store_scores_insert builds for a submission without submissionId. */
        bson_t doc = BSON_INITIALIZER;
        bson_oid_t oid;
        int64_t started = direct_now_us();
        bson_oid_init(&oid, NULL);
        BSON_APPEND_OID(&doc, "_id", &oid);
        BSON_APPEND_UTF8(&doc, "name", "bench");
        BSON_APPEND_UTF8(&doc, "cloud", "local");
        BSON_APPEND_UTF8(&doc, "zone", "bench");
        BSON_APPEND_UTF8(&doc, "host", "bench");
        BSON_APPEND_INT32(&doc, "score", 100 + (int32_t)(count % 1000));
        BSON_APPEND_INT32(&doc, "level", 1);
        BSON_APPEND_DATE_TIME(&doc, "date", (int64_t)time(NULL) * 1000);
        bool ok = mongoc_collection_insert_one(collection, &doc, NULL, NULL, &error);
        int64_t took = direct_now_us() - started;
        bson_destroy(&doc);
        if (!ok) {
            if (failures++ == 0)
                fprintf(stderr, "direct_insert: %s\n", error.message);
            continue;
        }
        samples[count++] = took;
        total += took;
    }
    if (count == 0) {
        fprintf(stderr, "direct_insert: no insert succeeded\n");
        return 1;
    }
    qsort(samples, count, sizeof *samples, direct_compare);
    printf("{\"count\":%zu,\"failures\":%zu,\"p50_us\":%lld,\"p99_us\":%lld,\"mean_us\":%.1f}\n",
           count, failures, (long long)direct_percentile(samples, count, 50),
           (long long)direct_percentile(samples, count, 99), (double)total / (double)count);
    free(samples);
    mongoc_collection_destroy(collection);
    mongoc_client_destroy(client);
    mongoc_uri_destroy(uri);
    mongoc_cleanup();
    return failures ? 1 : 0;
}
