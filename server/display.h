/* display: how the API writes a time and names a replica-set member for a person, in one
 * place for every route and every event text. */
#ifndef PACMAN_DISPLAY_H
#define PACMAN_DISPLAY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Room for a time as display_time writes it ("2024-05-01T12:00:00.123Z" and its NUL). */
#define DISPLAY_TIME_SIZE 32

/* Writes a Unix time in milliseconds as ISO 8601 UTC with milliseconds, the API's times
 * ("2024-05-01T12:00:00.123Z"). Needs at least 25 bytes; writes "" when size is too small. */
void display_time(int64_t unix_ms, char *out, size_t size);

/* The time as a JSON string, or JSON null when unix_ms is 0 or less (never known). NULL when
 * out of memory. */
json_t *display_time_json(int64_t unix_ms);

/* The name a person knows a member by: the host's first label when it is a DNS name and the
 * port is MongoDB's default ("mongo-0.mongo.pacman.svc:27017" -> "mongo-0"), else host:port
 * as given ("127.0.0.1:27018"). Writes at most size bytes, NUL-terminated. */
void display_member_name(const char *host, char *out, size_t size);

#endif
