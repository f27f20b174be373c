/* strbuf: one growable, NUL-terminated byte buffer with a size limit and overflow-checked
 * growth (after lwan's lwan_strbuf): request bodies, the Kubernetes API's answer, the metrics
 * text. Once an append fails (the limit, size overflow, out of memory) the buffer is failed:
 * later appends do nothing and strbuf_take returns NULL, so a caller checks once at the end.
 *
 * Not thread-safe: one owner at a time. */
#ifndef PACMAN_STRBUF_H
#define PACMAN_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
    char *data;    /* NULL until the first append; always NUL-terminated after it */
    size_t length; /* bytes held, not counting the NUL */
    size_t capacity;
    size_t limit; /* the most bytes it may hold */
    bool failed;
};

/* An empty buffer that may hold up to limit bytes (0: no limit but size_t's). Allocates
 * nothing yet. */
void strbuf_init(struct strbuf *buffer, size_t limit);

/* Appends length bytes of data. False (and the buffer failed) when that would pass the limit
 * or memory runs out; the bytes held so far are kept until strbuf_free. */
bool strbuf_append(struct strbuf *buffer, const char *data, size_t length);

/* Appends printf-style text; false as strbuf_append. */
bool strbuf_printf(struct strbuf *buffer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Hands the malloc'd text over (NUL-terminated; "" for an empty buffer) with its length in
 * *length (may be NULL) and leaves the buffer empty. NULL when the buffer failed or memory
 * ran out: the buffer is then freed. */
char *strbuf_take(struct strbuf *buffer, size_t *length);

/* Frees what the buffer holds and leaves it empty (and no longer failed). */
void strbuf_free(struct strbuf *buffer);

#endif
