/* replset: the rule that turns what the driver knew of the replica set a moment ago and
 * what it knows now into events a person can read ("mongo-0 unreachable", "mongo-1 is primary
 * after 6.1 s without one", "mongo-0 back as SECONDARY"). Pure: no clock, no lock, no driver;
 * the caller passes the time and keeps the history between calls (topology.c does, from the
 * driver's monitoring as the store reports it). Unit-tested in tests/unit/test_replset.c. */
#ifndef PACMAN_REPLSET_H
#define PACMAN_REPLSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "host:port" as the driver writes it: a host name of up to 255 bytes, a colon, a port. */
#define REPLSET_HOST_SIZE 272
#define REPLSET_TEXT_SIZE 320

/* What a member is, as far as this replica's driver knows. UNKNOWN: not checked yet (or being
 * checked again after an error a check has not confirmed); UNREACHABLE: the last check failed.
 * The other values are the driver's server types (SDAM): OTHER is a member that answers but is
 * neither primary nor secondary (starting up, recovering, hidden), STARTUP one that has no
 * replica-set configuration yet (a "ghost"). */
enum replset_state {
    REPLSET_UNKNOWN,
    REPLSET_PRIMARY,
    REPLSET_SECONDARY,
    REPLSET_ARBITER,
    REPLSET_OTHER,
    REPLSET_STARTUP,
    REPLSET_STANDALONE,
    REPLSET_MONGOS,
    REPLSET_UNREACHABLE,
    REPLSET_STATE_COUNT
};

/* The state as the API writes it: "PRIMARY", "UNREACHABLE", ... */
const char *replset_state_name(enum replset_state state);

/* Maps a libmongoc server type ("RSPrimary", "RSSecondary", "Unknown", ...) to a state;
 * unreachable says whether the driver's last check of the server failed (it then describes the
 * server as "Unknown" too). */
enum replset_state replset_state_from_driver(const char *type, bool unreachable);

struct replset_member {
    char host[REPLSET_HOST_SIZE];
    enum replset_state state;
    /* Filled by replset_diff: the last state other than UNKNOWN, so that a member
     * rechecked after an error and found SECONDARY again makes no event, and one that went from
     * PRIMARY through UNKNOWN to SECONDARY does. UNKNOWN while never settled. */
    enum replset_state settled;
    /* Filled by replset_diff: the member appeared after a primary had been seen (a
     * member added to the set, not one found at start-up). */
    bool joined_later;
};

/* What the rule remembers between calls. Zero it once (start-up); then pass it to every call. */
struct replset_history {
    bool had_primary;            /* a primary has been seen since start-up */
    bool without_primary;        /* there was one, and none now */
    int64_t no_primary_since_ms; /* when the last one was lost, on the caller's clock */
    int64_t last_gap_ms;         /* the last stretch without a primary that has ended */
    uint64_t primary_changes;    /* primaries found after none or instead of another */
};

enum replset_event_kind {
    REPLSET_EVENT_MEMBER_FOUND,       /* first seen at start-up: "mongo-1 is SECONDARY" */
    REPLSET_EVENT_MEMBER_JOINED,      /* added to the set later: "mongo-3 joined as SECONDARY" */
    REPLSET_EVENT_MEMBER_LEFT,        /* no longer in the set's configuration */
    REPLSET_EVENT_MEMBER_UNREACHABLE, /* "mongo-0 unreachable" */
    REPLSET_EVENT_MEMBER_BACK,        /* "mongo-0 back as SECONDARY" */
    REPLSET_EVENT_MEMBER_STATE,       /* "mongo-0 is now SECONDARY (was PRIMARY)" */
    REPLSET_EVENT_PRIMARY_FOUND,      /* the first primary since start-up */
    REPLSET_EVENT_NO_PRIMARY,         /* the primary is gone and no member has taken over */
    REPLSET_EVENT_NEW_PRIMARY,        /* a primary after a stretch without one */
    REPLSET_EVENT_PRIMARY_CHANGED,    /* another member is primary, with no stretch between */
};

/* The kind as the API writes it: "member_unreachable", "new_primary", ... */
const char *replset_event_kind_name(enum replset_event_kind kind);

struct replset_event {
    enum replset_event_kind kind;
    char host[REPLSET_HOST_SIZE]; /* the member it is about; the new primary for NEW_PRIMARY */
    char text[REPLSET_TEXT_SIZE];
    int64_t gap_ms; /* NEW_PRIMARY: how long there was no primary; else 0 */
};

/* Compares before (the members at the last call) with after (the members now, state set,
 * settled and joined_later filled by this call), updates history and writes the events, oldest
 * first, to out (at most out_size; the rest are dropped). Returns how many were written.
 * Hosts are compared exactly; each array holds a host at most once. now_ms is any clock that
 * does not jump (it only measures the stretch without a primary). */
size_t replset_diff(const struct replset_member *before, size_t before_count,
                    struct replset_member *after, size_t after_count,
                    struct replset_history *history, int64_t now_ms, struct replset_event *out,
                    size_t out_size);

#endif
