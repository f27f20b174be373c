/* cluster_events: the rule that turns what the driver knew of the replica set a moment ago and
 * what it knows now into events a person can read ("mongo-0 unreachable", "mongo-1 is primary
 * after 6.1 s without one", "mongo-0 back as SECONDARY"). Pure: no clock, no lock, no driver;
 * the caller passes the time and keeps the history between calls (topology.c does, from the
 * driver's monitoring callbacks). Unit-tested in tests/unit/test_cluster_events.c. */
#ifndef PACMAN_CLUSTER_EVENTS_H
#define PACMAN_CLUSTER_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "host:port" as the driver writes it: a host name of up to 255 bytes, a colon, a port. */
#define CLUSTER_HOST_SIZE 272
#define CLUSTER_TEXT_SIZE 320

/* What a member is, as far as this replica's driver knows. UNKNOWN: not checked yet (or being
 * checked again after an error a check has not confirmed); UNREACHABLE: the last check failed.
 * The other values are the driver's server types (SDAM): OTHER is a member that answers but is
 * neither primary nor secondary (starting up, recovering, hidden), STARTUP one that has no
 * replica-set configuration yet (a "ghost"). */
enum cluster_state {
    CLUSTER_UNKNOWN,
    CLUSTER_PRIMARY,
    CLUSTER_SECONDARY,
    CLUSTER_ARBITER,
    CLUSTER_OTHER,
    CLUSTER_STARTUP,
    CLUSTER_STANDALONE,
    CLUSTER_MONGOS,
    CLUSTER_UNREACHABLE,
    CLUSTER_STATE_COUNT
};

/* The state as the API writes it: "PRIMARY", "UNREACHABLE", ... */
const char *cluster_state_name(enum cluster_state state);

/* Maps a libmongoc server type ("RSPrimary", "RSSecondary", "Unknown", ...) to a state;
 * unreachable says whether the driver's last check of the server failed (it then describes the
 * server as "Unknown" too). */
enum cluster_state cluster_state_from_driver(const char *type, bool unreachable);

struct cluster_member {
    char host[CLUSTER_HOST_SIZE];
    enum cluster_state state;
    /* Filled by cluster_events_diff: the last state other than UNKNOWN, so that a member
     * rechecked after an error and found SECONDARY again makes no event, and one that went from
     * PRIMARY through UNKNOWN to SECONDARY does. UNKNOWN while never settled. */
    enum cluster_state settled;
    /* Filled by cluster_events_diff: the member appeared after a primary had been seen (a
     * member added to the set, not one found at start-up). */
    bool joined_later;
};

/* What the rule remembers between calls. Zero it once (start-up); then pass it to every call. */
struct cluster_history {
    bool had_primary;            /* a primary has been seen since start-up */
    bool without_primary;        /* there was one, and none now */
    int64_t no_primary_since_ms; /* when the last one was lost, on the caller's clock */
    int64_t last_gap_ms;         /* the last stretch without a primary that has ended */
    uint64_t primary_changes;    /* primaries found after none or instead of another */
};

enum cluster_event_kind {
    CLUSTER_EVENT_MEMBER_FOUND,       /* first seen at start-up: "mongo-1 is SECONDARY" */
    CLUSTER_EVENT_MEMBER_JOINED,      /* added to the set later: "mongo-3 joined as SECONDARY" */
    CLUSTER_EVENT_MEMBER_LEFT,        /* no longer in the set's configuration */
    CLUSTER_EVENT_MEMBER_UNREACHABLE, /* "mongo-0 unreachable" */
    CLUSTER_EVENT_MEMBER_BACK,        /* "mongo-0 back as SECONDARY" */
    CLUSTER_EVENT_MEMBER_STATE,       /* "mongo-0 is now SECONDARY (was PRIMARY)" */
    CLUSTER_EVENT_PRIMARY_FOUND,      /* the first primary since start-up */
    CLUSTER_EVENT_NO_PRIMARY,         /* the primary is gone and no member has taken over */
    CLUSTER_EVENT_NEW_PRIMARY,        /* a primary after a stretch without one */
    CLUSTER_EVENT_PRIMARY_CHANGED,    /* another member is primary, with no stretch between */
};

/* The kind as the API writes it: "member_unreachable", "new_primary", ... */
const char *cluster_event_kind_name(enum cluster_event_kind kind);

struct cluster_event {
    enum cluster_event_kind kind;
    char host[CLUSTER_HOST_SIZE]; /* the member it is about; the new primary for NEW_PRIMARY */
    char text[CLUSTER_TEXT_SIZE];
    int64_t gap_ms; /* NEW_PRIMARY: how long there was no primary; else 0 */
};

/* Compares before (the members at the last call) with after (the members now, state set,
 * settled and joined_later filled by this call), updates history and writes the events, oldest
 * first, to out (at most out_size; the rest are dropped). Returns how many were written.
 * Hosts are compared exactly; each array holds a host at most once. now_ms is any clock that
 * does not jump (it only measures the stretch without a primary). */
size_t cluster_events_diff(const struct cluster_member *before, size_t before_count,
                           struct cluster_member *after, size_t after_count,
                           struct cluster_history *history, int64_t now_ms,
                           struct cluster_event *out, size_t out_size);

/* The name a person knows a member by: the host's first label when it is a DNS name and the
 * port is MongoDB's default ("mongo-0.mongo.pacman.svc:27017" -> "mongo-0"), else host:port
 * as given ("127.0.0.1:27018"). Writes at most size bytes, NUL-terminated. */
void cluster_member_name(const char *host, char *out, size_t size);

/* Writes a Unix time in milliseconds as ISO 8601 UTC with milliseconds, the API's times
 * ("2024-05-01T12:00:00.123Z"). Needs at least 25 bytes; writes "" when size is too small. */
#define CLUSTER_TIME_SIZE 32
void cluster_format_time(int64_t unix_ms, char *out, size_t size);

#endif
