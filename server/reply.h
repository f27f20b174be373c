/* reply: a response as plain data, decided by handlers that know nothing about HTTP
 * plumbing. The HTTP layer turns a struct reply into a libmicrohttpd response. */
#ifndef PACMAN_REPLY_H
#define PACMAN_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct reply {
    unsigned status;
    char *body; /* NULL for no body; malloc'd and owned by the reply unless body_static */
    size_t body_length;
    bool body_static;         /* body is a string constant: never freed nor written */
    const char *allow;        /* static string for a 405's Allow header, else NULL */
    const char *content_type; /* static string; NULL means application/json */
};

/* Sets status and a compact JSON body serialized from value, which is consumed (decref'd).
 * Returns false, with a 500 and a constant {"error": ...} body, when value is NULL or cannot
 * be serialized (out of memory). */
bool reply_json(struct reply *reply, unsigned status, json_t *value);

/* Sets {"error": message} with status. message is printf-style. Never fails: when the JSON
 * cannot be made (out of memory) the body is a constant error text, with the same status. */
void reply_error(struct reply *reply, unsigned status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Frees the body and resets the reply to empty. */
void reply_clear(struct reply *reply);

#endif
