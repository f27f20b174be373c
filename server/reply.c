/* reply: JSON bodies and error bodies for struct reply. */
#include "reply.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char reply_fallback[] = "{\"error\":\"internal error\"}";

/* The answer when memory has run out: a constant body, nothing to allocate. */
static void reply_set_fallback(struct reply *reply, unsigned status)
{
    reply_clear(reply);
    reply->status = status;
    reply->body = (char *)(uintptr_t)reply_fallback;
    reply->body_length = sizeof reply_fallback - 1;
    reply->body_static = true;
}

bool reply_json(struct reply *reply, unsigned status, json_t *value)
{
    reply_clear(reply);
    char *text = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(value);
    if (!text) {
        reply_set_fallback(reply, 500);
        return false;
    }
    reply->status = status;
    reply->body = text;
    reply->body_length = strlen(text);
    return true;
}

void reply_error(struct reply *reply, unsigned status, const char *format, ...)
{
    char message[256];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(message, sizeof message, format, args);
    va_end(args);
    if (length >= (int)sizeof message) {
        /* cut short: drop a character the cut split, or the JSON would refuse the text */
        size_t end = sizeof message - 1;
        size_t start = end;
        while (start > 0 && ((unsigned char)message[start - 1] & 0xc0) == 0x80)
            start--;
        if (start > 0 && (unsigned char)message[start - 1] >= 0xc0)
            message[start - 1] = '\0';
    }
    if (!reply_json(reply, status, json_pack("{s:s}", "error", message)))
        reply_set_fallback(reply, status);
}

void reply_clear(struct reply *reply)
{
    if (!reply->body_static)
        free(reply->body);
    reply->body = NULL;
    reply->body_length = 0;
    reply->body_static = false;
    reply->allow = NULL;
    reply->content_type = NULL;
}
