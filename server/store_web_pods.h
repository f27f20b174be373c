/* store_web_pods: the web tier's registry, in the "webpods" collection: each replica's row
 * (written at every beat), the rows read back, and the rows deleted (a replica leaving, or
 * gone for long). The rows' shape is here, where both this room and the registry's thread
 * (web_pods.c) see it; when to beat and for how long a row counts is the registry's. */
#ifndef PACMAN_STORE_WEB_PODS_H
#define PACMAN_STORE_WEB_PODS_H

#include <stddef.h>
#include <stdint.h>

#include "place.h"
#include "store.h"

#define WEB_PODS_MAX 100                   /* rows read back at most */
#define WEB_POD_ID_CHARS (PLACE_CHARS + 6) /* host:port */
#define WEB_POD_ID_SIZE (PLACE_SIZE + 8)

struct web_pod {
    char id[WEB_POD_ID_SIZE]; /* host:port */
    char host[PLACE_SIZE];
    char zone[PLACE_SIZE];
    int32_t port;
    int64_t started_ms, last_seen_ms; /* Unix time */
};

/* One beat of self at now_ms: its row written (lastSeen now_ms), the rows not seen for
 * forget_ms deleted, and the rows seen within live_ms read back from the primary, sorted by
 * id, at most max of them, into rows (*count of them). A row another replica (or a person)
 * wrote that does not read as one is left out. */
enum store_status store_web_pods_beat(struct store *store, const struct web_pod *self,
                                      int64_t now_ms, int64_t live_ms, int64_t forget_ms,
                                      struct web_pod *rows, size_t max, size_t *count);

/* Deletes the row whose id is id. */
enum store_status store_web_pods_remove(struct store *store, const char *id);

#endif
