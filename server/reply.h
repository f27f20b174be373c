/* reply: a response as plain data, decided by handlers that know nothing about HTTP
 * plumbing. http.c turns a struct reply into a libmicrohttpd response. */
#ifndef PACMAN_REPLY_H
#define PACMAN_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct reply {
    unsigned status;
    char *body; /* malloc'd; owned by the reply; NULL for no body */
    size_t body_length;
    const char *allow;        /* static string for a 405's Allow header, else NULL */
    const char *content_type; /* static string; NULL means application/json */
};

/* Sets status and a compact JSON body serialized from value, which is consumed (decref'd).
 * Returns false (and sets a 500 error reply) when value is NULL or cannot be serialized. */
bool reply_json(struct reply *reply, unsigned status, json_t *value);

/* Sets {"error": message} with status. message is printf-style. Never fails: on out of
 * memory the body falls back to a static text. */
void reply_error(struct reply *reply, unsigned status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Frees the body and resets the reply to empty. */
void reply_clear(struct reply *reply);

#endif
