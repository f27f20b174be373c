/* strbuf: a growable byte buffer with a limit. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *buffer, size_t limit)
{
    *buffer = (struct strbuf){.limit = limit ? limit : SIZE_MAX - 1};
}

/* Makes room for extra more bytes and the NUL; false (failed) when it cannot. */
static bool strbuf_reserve(struct strbuf *buffer, size_t extra)
{
    if (buffer->failed)
        return false;
    if (extra > buffer->limit - buffer->length) {
        buffer->failed = true;
        return false;
    }
    size_t needed = buffer->length + extra + 1; /* cannot overflow: limit < SIZE_MAX */
    if (needed <= buffer->capacity)
        return true;
    size_t capacity = buffer->capacity ? buffer->capacity : 64;
    while (capacity < needed)
        capacity = capacity > SIZE_MAX / 2 ? needed : capacity * 2;
    char *grown = realloc(buffer->data, capacity);
    if (!grown) {
        buffer->failed = true;
        return false;
    }
    buffer->data = grown;
    buffer->capacity = capacity;
    return true;
}

bool strbuf_append(struct strbuf *buffer, const char *data, size_t length)
{
    if (!strbuf_reserve(buffer, length))
        return false;
    if (length)
        memcpy(buffer->data + buffer->length, data, length);
    buffer->length += length;
    buffer->data[buffer->length] = '\0';
    return true;
}

bool strbuf_printf(struct strbuf *buffer, const char *format, ...)
{
    if (buffer->failed)
        return false;
    /* Most texts fit the room already there: one formatting pass then. */
    size_t room = buffer->data ? buffer->capacity - buffer->length : 0;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(room ? buffer->data + buffer->length : NULL, room, format, args);
    va_end(args);
    if (n < 0 || (size_t)n > buffer->limit - buffer->length) {
        if (buffer->data)
            buffer->data[buffer->length] = '\0';
        buffer->failed = true;
        return false;
    }
    if ((size_t)n >= room) {
        if (!strbuf_reserve(buffer, (size_t)n)) {
            /* the first pass may have written a cut copy past length: end the text at length */
            if (buffer->data)
                buffer->data[buffer->length] = '\0';
            return false;
        }
        va_start(args, format);
        vsnprintf(buffer->data + buffer->length, (size_t)n + 1, format, args);
        va_end(args);
    }
    buffer->length += (size_t)n;
    return true;
}

char *strbuf_take(struct strbuf *buffer, size_t *length)
{
    if (!buffer->failed && !buffer->data)
        strbuf_append(buffer, "", 0);
    if (buffer->failed) {
        strbuf_free(buffer);
        return NULL;
    }
    char *text = buffer->data;
    if (length)
        *length = buffer->length;
    size_t limit = buffer->limit;
    *buffer = (struct strbuf){.limit = limit};
    return text;
}

void strbuf_free(struct strbuf *buffer)
{
    free(buffer->data);
    size_t limit = buffer->limit;
    *buffer = (struct strbuf){.limit = limit};
}
