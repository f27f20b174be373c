/* replset: members before and after -> events. */
#include "replset.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "display.h"

static const char *const replset_state_names[REPLSET_STATE_COUNT] = {
    [REPLSET_UNKNOWN] = "UNKNOWN",
    [REPLSET_PRIMARY] = "PRIMARY",
    [REPLSET_SECONDARY] = "SECONDARY",
    [REPLSET_ARBITER] = "ARBITER",
    [REPLSET_OTHER] = "OTHER",
    [REPLSET_STARTUP] = "STARTUP",
    [REPLSET_STANDALONE] = "STANDALONE",
    [REPLSET_MONGOS] = "MONGOS",
    [REPLSET_UNREACHABLE] = "UNREACHABLE",
};

const char *replset_state_name(enum replset_state state)
{
    return state < REPLSET_STATE_COUNT ? replset_state_names[state] : "UNKNOWN";
}

enum replset_state replset_state_from_driver(const char *type, bool unreachable)
{
    static const struct {
        const char *type;
        enum replset_state state;
    } types[] = {
        {"RSPrimary", REPLSET_PRIMARY}, {"RSSecondary", REPLSET_SECONDARY},
        {"RSArbiter", REPLSET_ARBITER}, {"RSOther", REPLSET_OTHER},
        {"RSGhost", REPLSET_STARTUP},   {"Standalone", REPLSET_STANDALONE},
        {"Mongos", REPLSET_MONGOS},     {"LoadBalancer", REPLSET_MONGOS},
    };
    for (size_t i = 0; type && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].type, type) == 0)
            return types[i].state;
    /* "Unknown" and "PossiblePrimary" (a type the driver never assigns any more) */
    return unreachable ? REPLSET_UNREACHABLE : REPLSET_UNKNOWN;
}

const char *replset_event_kind_name(enum replset_event_kind kind)
{
    switch (kind) {
    case REPLSET_EVENT_MEMBER_FOUND:
        return "member_found";
    case REPLSET_EVENT_MEMBER_JOINED:
        return "member_joined";
    case REPLSET_EVENT_MEMBER_LEFT:
        return "member_left";
    case REPLSET_EVENT_MEMBER_UNREACHABLE:
        return "member_unreachable";
    case REPLSET_EVENT_MEMBER_BACK:
        return "member_back";
    case REPLSET_EVENT_MEMBER_STATE:
        return "member_state";
    case REPLSET_EVENT_PRIMARY_FOUND:
        return "primary_found";
    case REPLSET_EVENT_NO_PRIMARY:
        return "no_primary";
    case REPLSET_EVENT_NEW_PRIMARY:
        return "new_primary";
    case REPLSET_EVENT_PRIMARY_CHANGED:
        return "primary_changed";
    }
    return "unknown";
}

static const struct replset_member *replset_find(const struct replset_member *members, size_t count,
                                                 const char *host)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(members[i].host, host) == 0)
            return &members[i];
    return NULL;
}

static const struct replset_member *replset_primary(const struct replset_member *members,
                                                    size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (members[i].state == REPLSET_PRIMARY)
            return &members[i];
    return NULL;
}

struct replset_out {
    struct replset_event *events;
    size_t count, size;
};

static void replset_emit(struct replset_out *out, enum replset_event_kind kind, const char *host,
                         int64_t gap_ms, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

static void replset_emit(struct replset_out *out, enum replset_event_kind kind, const char *host,
                         int64_t gap_ms, const char *format, ...)
{
    if (out->count >= out->size)
        return;
    struct replset_event *event = &out->events[out->count++];
    event->kind = kind;
    event->gap_ms = gap_ms;
    snprintf(event->host, sizeof event->host, "%s", host);
    va_list args;
    va_start(args, format);
    vsnprintf(event->text, sizeof event->text, format, args);
    va_end(args);
}

/* The events of one member whose settled state went from `was` to `now` (now is not UNKNOWN). */
static void replset_member_events(struct replset_out *out, const struct replset_member *member,
                                  enum replset_state was, const char *name)
{
    enum replset_state now = member->state;
    const char *state = replset_state_name(now);
    if (now == was)
        return;
    if (now == REPLSET_UNREACHABLE)
        replset_emit(out, REPLSET_EVENT_MEMBER_UNREACHABLE, member->host, 0, "%s unreachable%s",
                     name, was == REPLSET_PRIMARY ? " (it was the primary)" : "");
    else if (was == REPLSET_UNREACHABLE)
        replset_emit(out, REPLSET_EVENT_MEMBER_BACK, member->host, 0, "%s back as %s", name, state);
    else if (was == REPLSET_UNKNOWN && member->joined_later)
        replset_emit(out, REPLSET_EVENT_MEMBER_JOINED, member->host, 0, "%s joined as %s", name,
                     state);
    else if (was == REPLSET_UNKNOWN && now != REPLSET_PRIMARY)
        replset_emit(out, REPLSET_EVENT_MEMBER_FOUND, member->host, 0, "%s is %s", name, state);
    else if (was != REPLSET_UNKNOWN && now != REPLSET_PRIMARY)
        /* becoming primary is told by the primary's own event below */
        replset_emit(out, REPLSET_EVENT_MEMBER_STATE, member->host, 0, "%s is now %s (was %s)",
                     name, state, replset_state_name(was));
}

size_t replset_diff(const struct replset_member *before, size_t before_count,
                    struct replset_member *after, size_t after_count,
                    struct replset_history *history, int64_t now_ms, struct replset_event *out,
                    size_t out_size)
{
    struct replset_out events = {out, 0, out_size};
    char name[REPLSET_HOST_SIZE];

    for (size_t i = 0; i < after_count; i++) {
        struct replset_member *member = &after[i];
        const struct replset_member *old = replset_find(before, before_count, member->host);
        enum replset_state was = old ? old->settled : REPLSET_UNKNOWN;
        member->joined_later = old ? old->joined_later : history->had_primary;
        member->settled = member->state == REPLSET_UNKNOWN ? was : member->state;
        if (member->state == REPLSET_UNKNOWN)
            continue; /* being checked: wait for the answer */
        display_member_name(member->host, name, sizeof name);
        replset_member_events(&events, member, was, name);
    }
    for (size_t i = 0; i < before_count; i++) {
        const struct replset_member *old = &before[i];
        /* a seed the driver replaced by the set's own name for it was never settled */
        if (old->settled == REPLSET_UNKNOWN || replset_find(after, after_count, old->host))
            continue;
        display_member_name(old->host, name, sizeof name);
        replset_emit(&events, REPLSET_EVENT_MEMBER_LEFT, old->host, 0, "%s left the replica set",
                     name);
    }

    const struct replset_member *primary_before = replset_primary(before, before_count);
    const struct replset_member *primary_after = replset_primary(after, after_count);
    if (primary_before && !primary_after) {
        history->without_primary = true;
        history->no_primary_since_ms = now_ms;
        replset_emit(&events, REPLSET_EVENT_NO_PRIMARY, primary_before->host, 0,
                     "no primary: writes wait until the set elects one");
    } else if (primary_after &&
               (!primary_before || strcmp(primary_before->host, primary_after->host) != 0)) {
        display_member_name(primary_after->host, name, sizeof name);
        if (!history->had_primary) {
            replset_emit(&events, REPLSET_EVENT_PRIMARY_FOUND, primary_after->host, 0,
                         "%s is primary", name);
        } else if (history->without_primary) {
            int64_t gap = now_ms - history->no_primary_since_ms;
            history->last_gap_ms = gap > 0 ? gap : 0;
            history->primary_changes++;
            replset_emit(&events, REPLSET_EVENT_NEW_PRIMARY, primary_after->host,
                         history->last_gap_ms, "%s is primary after %.1f s without one", name,
                         (double)history->last_gap_ms / 1000.0);
        } else {
            char previous[REPLSET_HOST_SIZE];
            display_member_name(primary_before->host, previous, sizeof previous);
            history->primary_changes++;
            replset_emit(&events, REPLSET_EVENT_PRIMARY_CHANGED, primary_after->host, 0,
                         "%s is primary (was %s)", name, previous);
        }
        history->had_primary = true;
        history->without_primary = false;
    }
    return events.count;
}
