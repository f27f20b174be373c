/* reply: JSON bodies and error bodies for struct reply. */
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char fallback_error[] = "{\"error\":\"internal error\"}";

static void reply_set_static_fallback(struct reply *reply, unsigned status)
{
    reply->status = status;
    reply->body = strdup(fallback_error);
    reply->body_length = reply->body ? strlen(reply->body) : 0;
}

bool reply_json(struct reply *reply, unsigned status, json_t *value)
{
    reply_clear(reply);
    char *text = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(value);
    if (!text) {
        reply_set_static_fallback(reply, 500);
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
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    json_t *body = json_pack("{s:s}", "error", message);
    if (!reply_json(reply, status, body))
        reply->status = status;
}

void reply_clear(struct reply *reply)
{
    free(reply->body);
    reply->body = NULL;
    reply->body_length = 0;
    reply->allow = NULL;
    reply->content_type = NULL;
}
