/* cluster_events: members before and after -> events. */
#include "cluster_events.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const cluster_state_names[CLUSTER_STATE_COUNT] = {
    [CLUSTER_UNKNOWN] = "UNKNOWN",
    [CLUSTER_PRIMARY] = "PRIMARY",
    [CLUSTER_SECONDARY] = "SECONDARY",
    [CLUSTER_ARBITER] = "ARBITER",
    [CLUSTER_OTHER] = "OTHER",
    [CLUSTER_STARTUP] = "STARTUP",
    [CLUSTER_STANDALONE] = "STANDALONE",
    [CLUSTER_MONGOS] = "MONGOS",
    [CLUSTER_UNREACHABLE] = "UNREACHABLE",
};

const char *cluster_state_name(enum cluster_state state)
{
    return state < CLUSTER_STATE_COUNT ? cluster_state_names[state] : "UNKNOWN";
}

enum cluster_state cluster_state_from_driver(const char *type, bool unreachable)
{
    static const struct {
        const char *type;
        enum cluster_state state;
    } types[] = {
        {"RSPrimary", CLUSTER_PRIMARY}, {"RSSecondary", CLUSTER_SECONDARY},
        {"RSArbiter", CLUSTER_ARBITER}, {"RSOther", CLUSTER_OTHER},
        {"RSGhost", CLUSTER_STARTUP},   {"Standalone", CLUSTER_STANDALONE},
        {"Mongos", CLUSTER_MONGOS},     {"LoadBalancer", CLUSTER_MONGOS},
    };
    for (size_t i = 0; type && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].type, type) == 0)
            return types[i].state;
    /* "Unknown" and "PossiblePrimary" (a type the driver never assigns any more) */
    return unreachable ? CLUSTER_UNREACHABLE : CLUSTER_UNKNOWN;
}

const char *cluster_event_kind_name(enum cluster_event_kind kind)
{
    switch (kind) {
    case CLUSTER_EVENT_MEMBER_FOUND:
        return "member_found";
    case CLUSTER_EVENT_MEMBER_JOINED:
        return "member_joined";
    case CLUSTER_EVENT_MEMBER_LEFT:
        return "member_left";
    case CLUSTER_EVENT_MEMBER_UNREACHABLE:
        return "member_unreachable";
    case CLUSTER_EVENT_MEMBER_BACK:
        return "member_back";
    case CLUSTER_EVENT_MEMBER_STATE:
        return "member_state";
    case CLUSTER_EVENT_PRIMARY_FOUND:
        return "primary_found";
    case CLUSTER_EVENT_NO_PRIMARY:
        return "no_primary";
    case CLUSTER_EVENT_NEW_PRIMARY:
        return "new_primary";
    case CLUSTER_EVENT_PRIMARY_CHANGED:
        return "primary_changed";
    }
    return "unknown";
}

/* True for an IP address (v4 digits and dots, or v6 in brackets): its first "label" means
 * nothing to a person. */
static bool cluster_is_address(const char *host, size_t length)
{
    if (length > 0 && host[0] == '[')
        return true;
    return strspn(host, "0123456789.") >= length;
}

void cluster_member_name(const char *host, char *out, size_t size)
{
    if (size == 0)
        return;
    const char *colon = strrchr(host, ':');
    size_t host_length = colon ? (size_t)(colon - host) : strlen(host);
    const char *port = colon ? colon + 1 : "27017";
    if (host_length == 0 || cluster_is_address(host, host_length) || host[host_length - 1] == ']') {
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

void cluster_format_time(int64_t unix_ms, char *out, size_t size)
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

static const struct cluster_member *cluster_find(const struct cluster_member *members, size_t count,
                                                 const char *host)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(members[i].host, host) == 0)
            return &members[i];
    return NULL;
}

static const struct cluster_member *cluster_primary(const struct cluster_member *members,
                                                    size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (members[i].state == CLUSTER_PRIMARY)
            return &members[i];
    return NULL;
}

struct cluster_out {
    struct cluster_event *events;
    size_t count, size;
};

static void cluster_emit(struct cluster_out *out, enum cluster_event_kind kind, const char *host,
                         int64_t gap_ms, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

static void cluster_emit(struct cluster_out *out, enum cluster_event_kind kind, const char *host,
                         int64_t gap_ms, const char *format, ...)
{
    if (out->count >= out->size)
        return;
    struct cluster_event *event = &out->events[out->count++];
    event->kind = kind;
    event->gap_ms = gap_ms;
    snprintf(event->host, sizeof event->host, "%s", host);
    va_list args;
    va_start(args, format);
    vsnprintf(event->text, sizeof event->text, format, args);
    va_end(args);
}

/* The events of one member whose settled state went from `was` to `now` (now is not UNKNOWN). */
static void cluster_member_events(struct cluster_out *out, const struct cluster_member *member,
                                  enum cluster_state was, const char *name)
{
    enum cluster_state now = member->state;
    const char *state = cluster_state_name(now);
    if (now == was)
        return;
    if (now == CLUSTER_UNREACHABLE)
        cluster_emit(out, CLUSTER_EVENT_MEMBER_UNREACHABLE, member->host, 0, "%s unreachable%s",
                     name, was == CLUSTER_PRIMARY ? " (it was the primary)" : "");
    else if (was == CLUSTER_UNREACHABLE)
        cluster_emit(out, CLUSTER_EVENT_MEMBER_BACK, member->host, 0, "%s back as %s", name, state);
    else if (was == CLUSTER_UNKNOWN && member->joined_later)
        cluster_emit(out, CLUSTER_EVENT_MEMBER_JOINED, member->host, 0, "%s joined as %s", name,
                     state);
    else if (was == CLUSTER_UNKNOWN && now != CLUSTER_PRIMARY)
        cluster_emit(out, CLUSTER_EVENT_MEMBER_FOUND, member->host, 0, "%s is %s", name, state);
    else if (was != CLUSTER_UNKNOWN && now != CLUSTER_PRIMARY)
        /* becoming primary is told by the primary's own event below */
        cluster_emit(out, CLUSTER_EVENT_MEMBER_STATE, member->host, 0, "%s is now %s (was %s)",
                     name, state, cluster_state_name(was));
}

size_t cluster_events_diff(const struct cluster_member *before, size_t before_count,
                           struct cluster_member *after, size_t after_count,
                           struct cluster_history *history, int64_t now_ms,
                           struct cluster_event *out, size_t out_size)
{
    struct cluster_out events = {out, 0, out_size};
    char name[CLUSTER_HOST_SIZE];

    for (size_t i = 0; i < after_count; i++) {
        struct cluster_member *member = &after[i];
        const struct cluster_member *old = cluster_find(before, before_count, member->host);
        enum cluster_state was = old ? old->settled : CLUSTER_UNKNOWN;
        member->joined_later = old ? old->joined_later : history->had_primary;
        member->settled = member->state == CLUSTER_UNKNOWN ? was : member->state;
        if (member->state == CLUSTER_UNKNOWN)
            continue; /* being checked: wait for the answer */
        cluster_member_name(member->host, name, sizeof name);
        cluster_member_events(&events, member, was, name);
    }
    for (size_t i = 0; i < before_count; i++) {
        const struct cluster_member *old = &before[i];
        /* a seed the driver replaced by the set's own name for it was never settled */
        if (old->settled == CLUSTER_UNKNOWN || cluster_find(after, after_count, old->host))
            continue;
        cluster_member_name(old->host, name, sizeof name);
        cluster_emit(&events, CLUSTER_EVENT_MEMBER_LEFT, old->host, 0, "%s left the replica set",
                     name);
    }

    const struct cluster_member *primary_before = cluster_primary(before, before_count);
    const struct cluster_member *primary_after = cluster_primary(after, after_count);
    if (primary_before && !primary_after) {
        history->without_primary = true;
        history->no_primary_since_ms = now_ms;
        cluster_emit(&events, CLUSTER_EVENT_NO_PRIMARY, primary_before->host, 0,
                     "no primary: writes wait until the set elects one");
    } else if (primary_after &&
               (!primary_before || strcmp(primary_before->host, primary_after->host) != 0)) {
        cluster_member_name(primary_after->host, name, sizeof name);
        if (!history->had_primary) {
            cluster_emit(&events, CLUSTER_EVENT_PRIMARY_FOUND, primary_after->host, 0,
                         "%s is primary", name);
        } else if (history->without_primary) {
            int64_t gap = now_ms - history->no_primary_since_ms;
            history->last_gap_ms = gap > 0 ? gap : 0;
            history->primary_changes++;
            cluster_emit(&events, CLUSTER_EVENT_NEW_PRIMARY, primary_after->host,
                         history->last_gap_ms, "%s is primary after %.1f s without one", name,
                         (double)history->last_gap_ms / 1000.0);
        } else {
            char previous[CLUSTER_HOST_SIZE];
            cluster_member_name(primary_before->host, previous, sizeof previous);
            history->primary_changes++;
            cluster_emit(&events, CLUSTER_EVENT_PRIMARY_CHANGED, primary_after->host, 0,
                         "%s is primary (was %s)", name, previous);
        }
        history->had_primary = true;
        history->without_primary = false;
    }
    return events.count;
}
