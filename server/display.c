/* display: times and member names as the API writes them. */
#include "display.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void display_time(int64_t unix_ms, char *out, size_t size)
{
    if (size == 0)
        return;
    out[0] = '\0';
    int64_t millis = unix_ms % 1000;
    time_t seconds = (time_t)(unix_ms / 1000);
    if (millis < 0) { /* before 1970: floor, not truncation */
        millis += 1000;
        seconds--;
    }
    struct tm utc;
    char date[24];
    if (size < 25 || !gmtime_r(&seconds, &utc) ||
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc) == 0)
        return;
    snprintf(out, size, "%s.%03dZ", date, (int)millis);
}

json_t *display_time_json(int64_t unix_ms)
{
    if (unix_ms <= 0)
        return json_null();
    char text[DISPLAY_TIME_SIZE];
    display_time(unix_ms, text, sizeof text);
    return json_string(text);
}

/* True for an IP address (v4 digits and dots, or v6 in brackets): its first "label" means
 * nothing to a person. */
static bool display_is_address(const char *host, size_t length)
{
    if (length > 0 && host[0] == '[')
        return true;
    return strspn(host, "0123456789.") >= length;
}

void display_member_name(const char *host, char *out, size_t size)
{
    if (size == 0)
        return;
    const char *colon = strrchr(host, ':');
    size_t host_length = colon ? (size_t)(colon - host) : strlen(host);
    const char *port = colon ? colon + 1 : "27017";
    if (host_length == 0 || display_is_address(host, host_length) || host[host_length - 1] == ']') {
        snprintf(out, size, "%s", host);
        return;
    }
    size_t label = strcspn(host, ".");
    if (label > host_length)
        label = host_length;
    if (strcmp(port, "27017") == 0)
        snprintf(out, size, "%.*s", (int)label, host);
    else
        snprintf(out, size, "%.*s:%s", (int)label, host, port);
}
