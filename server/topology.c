/* topology: the replica set as the driver's monitoring reports it. */
#include "topology.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "replset.h"
#include "strbuf.h"
#include "timing.h"

/* A check's own round-trip time is fresher than the driver's average; the average is used
 * when no check has measured one for this long (MongoDB 4.4+ measures out of band). */
#define TOPOLOGY_SAMPLE_FRESH_MS 5000
#define TOPOLOGY_SET_NAME_SIZE 128
/* The most events one change can make: one per member and one about the primary. */
#define TOPOLOGY_EVENTS_PER_CHANGE (TOPOLOGY_MAX_MEMBERS + 1)

struct topology_member {
    struct replset_member view; /* host, state, and what the rule filled in */
    bool check_failed;          /* the last check failed */
    double rtt_ms;              /* < 0: not known */
    int64_t rtt_sampled_ms;     /* monotonic, when a check measured rtt_ms */
    int64_t since_unix_ms;      /* when it entered its state */
};

struct topology_event {
    struct replset_event event;
    int64_t at_unix_ms;
};

struct topology {
    pthread_mutex_t lock;
    struct topology_member members[TOPOLOGY_MAX_MEMBERS]; /* sorted by host */
    size_t count;
    struct replset_member committed[TOPOLOGY_MAX_MEMBERS]; /* as the rule last saw them */
    size_t committed_count;
    struct replset_history history;
    struct topology_event events[TOPOLOGY_EVENTS]; /* a ring: the newest at head - 1 */
    size_t event_head, event_count;
    struct replset_event scratch[TOPOLOGY_EVENTS_PER_CHANGE];
    char set_name[TOPOLOGY_SET_NAME_SIZE];
    atomic_uint_fast64_t changes;
};

static int64_t topology_monotonic_ms(void)
{
    return timing_now_us() / 1000;
}

struct topology *topology_new(void)
{
    struct topology *topology = calloc(1, sizeof *topology);
    if (topology)
        pthread_mutex_init(&topology->lock, NULL);
    return topology;
}

void topology_free(struct topology *topology)
{
    if (!topology)
        return;
    pthread_mutex_destroy(&topology->lock);
    free(topology);
}

/* ---- the member list (lock held) ---- */

static void topology_changed(struct topology *topology)
{
    atomic_fetch_add_explicit(&topology->changes, 1, memory_order_relaxed);
}

static struct topology_member *topology_find(struct topology *topology, const char *host)
{
    for (size_t i = 0; i < topology->count; i++)
        if (strcmp(topology->members[i].view.host, host) == 0)
            return &topology->members[i];
    return NULL;
}

static struct topology_member *topology_add(struct topology *topology, const char *host)
{
    struct topology_member *member = topology_find(topology, host);
    if (member || topology->count == TOPOLOGY_MAX_MEMBERS)
        return member;
    size_t at = 0;
    while (at < topology->count && strcmp(topology->members[at].view.host, host) < 0)
        at++;
    memmove(&topology->members[at + 1], &topology->members[at],
            (topology->count - at) * sizeof topology->members[0]);
    topology->count++;
    member = &topology->members[at];
    memset(member, 0, sizeof *member);
    snprintf(member->view.host, sizeof member->view.host, "%s", host);
    member->view.state = REPLSET_UNKNOWN;
    member->rtt_ms = -1;
    member->since_unix_ms = timing_unix_ms();
    topology_changed(topology);
    return member;
}

static void topology_remove(struct topology *topology, const char *host)
{
    struct topology_member *member = topology_find(topology, host);
    if (!member)
        return;
    size_t at = (size_t)(member - topology->members);
    memmove(member, member + 1, (topology->count - at - 1) * sizeof *member);
    topology->count--;
    topology_changed(topology);
}

static void topology_set_state(struct topology *topology, struct topology_member *member,
                               enum replset_state state)
{
    if (member->view.state == state)
        return;
    member->view.state = state;
    member->since_unix_ms = timing_unix_ms();
    if (state == REPLSET_UNREACHABLE || state == REPLSET_UNKNOWN)
        member->rtt_ms = -1;
    topology_changed(topology);
}

/* Runs the rule over what changed since the last commit and keeps its events. */
static void topology_commit(struct topology *topology)
{
    struct replset_member after[TOPOLOGY_MAX_MEMBERS];
    for (size_t i = 0; i < topology->count; i++)
        after[i] = topology->members[i].view;
    size_t n = replset_diff(topology->committed, topology->committed_count, after, topology->count,
                            &topology->history, topology_monotonic_ms(), topology->scratch,
                            TOPOLOGY_EVENTS_PER_CHANGE);
    for (size_t i = 0; i < topology->count; i++)
        topology->members[i].view = after[i]; /* settled, joined_later */
    memcpy(topology->committed, after, topology->count * sizeof after[0]);
    topology->committed_count = topology->count;
    int64_t now = timing_unix_ms();
    for (size_t i = 0; i < n; i++) {
        topology->events[topology->event_head] =
            (struct topology_event){.event = topology->scratch[i], .at_unix_ms = now};
        topology->event_head = (topology->event_head + 1) % TOPOLOGY_EVENTS;
        if (topology->event_count < TOPOLOGY_EVENTS)
            topology->event_count++;
    }
    if (n)
        topology_changed(topology);
}

/* lock held: a round-trip time from the driver's average, unless a check measured one lately */
static void topology_take_average(struct topology_member *member, int64_t rtt_ms, int64_t now_ms)
{
    bool sampled =
        member->rtt_sampled_ms > 0 && now_ms - member->rtt_sampled_ms < TOPOLOGY_SAMPLE_FRESH_MS;
    if (rtt_ms >= 0 && !sampled && member->view.state != REPLSET_UNREACHABLE &&
        member->view.state != REPLSET_UNKNOWN)
        member->rtt_ms = (double)rtt_ms;
}

/* ---- what the driver reports (on its monitor threads) ---- */

/* lock held */
static void topology_name_set(struct topology *topology, const char *name)
{
    if (name && strlen(name) < sizeof topology->set_name && strcmp(name, topology->set_name)) {
        snprintf(topology->set_name, sizeof topology->set_name, "%s", name);
        topology_changed(topology);
    }
}

void topology_expect_set(struct topology *topology, const char *replica_set)
{
    pthread_mutex_lock(&topology->lock);
    topology_name_set(topology, replica_set);
    pthread_mutex_unlock(&topology->lock);
}

void topology_server_opened(struct topology *topology, const char *host)
{
    pthread_mutex_lock(&topology->lock);
    topology_add(topology, host);
    pthread_mutex_unlock(&topology->lock);
}

void topology_server_closed(struct topology *topology, const char *host)
{
    pthread_mutex_lock(&topology->lock);
    topology_remove(topology, host);
    pthread_mutex_unlock(&topology->lock);
}

void topology_server_changed(struct topology *topology, const char *host, const char *type,
                             int64_t rtt_ms, const char *set_name)
{
    int64_t now = topology_monotonic_ms();
    pthread_mutex_lock(&topology->lock);
    struct topology_member *member = topology_add(topology, host);
    if (member) {
        topology_set_state(topology, member, replset_state_from_driver(type, member->check_failed));
        topology_take_average(member, rtt_ms, now);
    }
    topology_name_set(topology, set_name);
    pthread_mutex_unlock(&topology->lock);
}

void topology_set_changed(struct topology *topology)
{
    pthread_mutex_lock(&topology->lock);
    topology_commit(topology);
    pthread_mutex_unlock(&topology->lock);
}

void topology_check_succeeded(struct topology *topology, const char *host, int64_t duration_us)
{
    int64_t now = topology_monotonic_ms();
    pthread_mutex_lock(&topology->lock);
    struct topology_member *member = topology_find(topology, host);
    if (member) {
        member->check_failed = false;
        if (duration_us >= 0) {
            member->rtt_ms = (double)duration_us / 1000.0;
            member->rtt_sampled_ms = now;
        }
    }
    pthread_mutex_unlock(&topology->lock);
}

void topology_check_failed(struct topology *topology, const char *host)
{
    pthread_mutex_lock(&topology->lock);
    struct topology_member *member = topology_find(topology, host);
    if (member) {
        member->check_failed = true;
        /* A server the driver had marked unknown after a failed operation sends no new
         * description when the check confirms it: the failed check is the news. A known one
         * is described as unknown right after this, and that change commits. */
        if (member->view.state == REPLSET_UNKNOWN) {
            topology_set_state(topology, member, REPLSET_UNREACHABLE);
            topology_commit(topology);
        }
    }
    pthread_mutex_unlock(&topology->lock);
}

void topology_command_failed(struct topology *topology, const char *host)
{
    pthread_mutex_lock(&topology->lock);
    struct topology_member *member = topology_find(topology, host);
    if (member)
        member->check_failed = true;
    pthread_mutex_unlock(&topology->lock);
}

void topology_round_trip(struct topology *topology, const char *host, int64_t rtt_ms)
{
    int64_t now = topology_monotonic_ms();
    pthread_mutex_lock(&topology->lock);
    struct topology_member *member = topology_find(topology, host);
    if (member)
        topology_take_average(member, rtt_ms, now);
    pthread_mutex_unlock(&topology->lock);
}

/* ---- reading the view ---- */

/* lock held */
static const struct topology_member *topology_current_primary(const struct topology *topology)
{
    for (size_t i = 0; i < topology->count; i++)
        if (topology->members[i].view.state == REPLSET_PRIMARY)
            return &topology->members[i];
    return NULL;
}

/* lock held */
static json_t *topology_members_json(const struct topology *topology)
{
    json_t *members = json_array();
    char name[REPLSET_HOST_SIZE];
    for (size_t i = 0; members && i < topology->count; i++) {
        const struct topology_member *member = &topology->members[i];
        display_member_name(member->view.host, name, sizeof name);
        json_t *rtt = member->rtt_ms >= 0
                          ? json_real((double)(int64_t)(member->rtt_ms * 1000 + 0.5) / 1000.0)
                          : json_null();
        json_t *entry = json_pack("{s:s, s:s, s:s, s:o, s:o}", "host", member->view.host, "name",
                                  name, "state", replset_state_name(member->view.state), "rttMs",
                                  rtt, "since", display_time_json(member->since_unix_ms));
        if (json_array_append_new(members, entry) != 0) {
            json_decref(members);
            return NULL;
        }
    }
    return members;
}

/* lock held */
static json_t *topology_events_json(const struct topology *topology)
{
    json_t *events = json_array();
    for (size_t i = 0; events && i < topology->event_count; i++) {
        size_t at = (topology->event_head + TOPOLOGY_EVENTS - 1 - i) % TOPOLOGY_EVENTS;
        const struct topology_event *event = &topology->events[at];
        json_t *entry =
            json_pack("{s:o, s:s, s:s, s:s}", "at", display_time_json(event->at_unix_ms), "kind",
                      replset_event_kind_name(event->event.kind), "text", event->event.text,
                      "member", event->event.host);
        if (json_array_append_new(events, entry) != 0) {
            json_decref(events);
            return NULL;
        }
    }
    return events;
}

json_t *topology_to_json(struct topology *topology)
{
    pthread_mutex_lock(&topology->lock);
    const struct topology_member *primary = topology_current_primary(topology);
    json_t *without = json_null();
    if (topology->history.without_primary)
        without = json_real(
            (double)(topology_monotonic_ms() - topology->history.no_primary_since_ms) / 1000.0);
    json_t *database = json_pack(
        "{s:o, s:o, s:o, s:o, s:o}", "replicaSet",
        topology->set_name[0] ? json_string(topology->set_name) : json_null(), "primary",
        primary ? json_string(primary->view.host) : json_null(), "noPrimarySeconds", without,
        "members", topology_members_json(topology), "events", topology_events_json(topology));
    pthread_mutex_unlock(&topology->lock);
    return database;
}

uint64_t topology_changes(struct topology *topology)
{
    return atomic_load_explicit(&topology->changes, memory_order_relaxed);
}

/* Prometheus label values escape \, " and newlines; hosts hold none, but a label is a label. */
static void topology_write_label(struct strbuf *out, const char *value)
{
    for (const char *c = value; *c; c++) {
        if (*c == '\\' || *c == '"')
            strbuf_append(out, "\\", 1);
        if (*c == '\n')
            strbuf_append(out, "\\n", 2);
        else
            strbuf_append(out, c, 1);
    }
}

void topology_metrics(void *ctx, struct strbuf *out)
{
    struct topology *topology = ctx;
    pthread_mutex_lock(&topology->lock);
    strbuf_printf(out, "# HELP pacman_database_member_state The state this replica's driver sees "
                       "each replica-set member in: 1 for its state, 0 for the others.\n"
                       "# TYPE pacman_database_member_state gauge\n");
    for (size_t i = 0; i < topology->count; i++)
        for (int s = 0; s < REPLSET_STATE_COUNT; s++) {
            strbuf_printf(out, "pacman_database_member_state{member=\"");
            topology_write_label(out, topology->members[i].view.host);
            strbuf_printf(out, "\",state=\"%s\"} %d\n", replset_state_name((enum replset_state)s),
                          topology->members[i].view.state == (enum replset_state)s);
        }
    int64_t gap = topology->history.last_gap_ms;
    if (topology->history.without_primary)
        gap = topology_monotonic_ms() - topology->history.no_primary_since_ms;
    strbuf_printf(out,
                  "# HELP pacman_database_primary_changes_total Times this replica saw a primary "
                  "after none, or instead of another (the first one found at start-up not "
                  "counted).\n"
                  "# TYPE pacman_database_primary_changes_total counter\n"
                  "pacman_database_primary_changes_total %llu\n"
                  "# HELP pacman_database_no_primary_seconds The stretch without a primary going "
                  "on now, else the last one that ended (0: none yet).\n"
                  "# TYPE pacman_database_no_primary_seconds gauge\n"
                  "pacman_database_no_primary_seconds %.3f\n",
                  (unsigned long long)topology->history.primary_changes, (double)gap / 1000.0);
    pthread_mutex_unlock(&topology->lock);
}
