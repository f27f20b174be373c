/* topology: the replica set as the driver's monitoring callbacks report it. */
#include "topology.h"

#include <mongoc/mongoc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster_events.h"
#include "strbuf.h"

/* A heartbeat's own round-trip time is fresher than the driver's average; the average is used
 * when no heartbeat has measured one for this long (MongoDB 4.4+ measures out of band). */
#define TOPOLOGY_SAMPLE_FRESH_MS 5000
#define TOPOLOGY_SET_NAME_SIZE 128
/* The most events one change can make: one per member and one about the primary. */
#define TOPOLOGY_EVENTS_PER_CHANGE (TOPOLOGY_MAX_MEMBERS + 1)

struct topology_member {
    struct cluster_member view; /* host, state, and what the rule filled in */
    bool check_failed;          /* the last heartbeat failed */
    double rtt_ms;              /* < 0: not known */
    int64_t rtt_sampled_ms;     /* monotonic, when a heartbeat measured rtt_ms */
    int64_t since_unix_ms;      /* when it entered its state */
};

struct topology_event {
    struct cluster_event event;
    int64_t at_unix_ms;
};

struct topology {
    pthread_mutex_t lock;
    struct topology_member members[TOPOLOGY_MAX_MEMBERS]; /* sorted by host */
    size_t count;
    struct cluster_member committed[TOPOLOGY_MAX_MEMBERS]; /* as the rule last saw them */
    size_t committed_count;
    struct cluster_history history;
    struct topology_event events[TOPOLOGY_EVENTS]; /* a ring: the newest at head - 1 */
    size_t event_head, event_count;
    struct cluster_event scratch[TOPOLOGY_EVENTS_PER_CHANGE];
    char set_name[TOPOLOGY_SET_NAME_SIZE];
};

static int64_t topology_unix_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int64_t topology_monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
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
    member->view.state = CLUSTER_UNKNOWN;
    member->rtt_ms = -1;
    member->since_unix_ms = topology_unix_ms();
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
}

static void topology_set_state(struct topology_member *member, enum cluster_state state)
{
    if (member->view.state == state)
        return;
    member->view.state = state;
    member->since_unix_ms = topology_unix_ms();
    if (state == CLUSTER_UNREACHABLE || state == CLUSTER_UNKNOWN)
        member->rtt_ms = -1;
}

/* Runs the rule over what changed since the last commit and keeps its events. */
static void topology_commit(struct topology *topology)
{
    struct cluster_member after[TOPOLOGY_MAX_MEMBERS];
    for (size_t i = 0; i < topology->count; i++)
        after[i] = topology->members[i].view;
    size_t n = cluster_events_diff(topology->committed, topology->committed_count, after,
                                   topology->count, &topology->history, topology_monotonic_ms(),
                                   topology->scratch, TOPOLOGY_EVENTS_PER_CHANGE);
    for (size_t i = 0; i < topology->count; i++)
        topology->members[i].view = after[i]; /* settled, joined_later */
    memcpy(topology->committed, after, topology->count * sizeof after[0]);
    topology->committed_count = topology->count;
    int64_t now = topology_unix_ms();
    for (size_t i = 0; i < n; i++) {
        topology->events[topology->event_head] =
            (struct topology_event){.event = topology->scratch[i], .at_unix_ms = now};
        topology->event_head = (topology->event_head + 1) % TOPOLOGY_EVENTS;
        if (topology->event_count < TOPOLOGY_EVENTS)
            topology->event_count++;
    }
}

/* ---- the driver's callbacks (on its monitor threads) ---- */

static void topology_on_server_opening(const mongoc_apm_server_opening_t *event)
{
    struct topology *topology = mongoc_apm_server_opening_get_context(event);
    pthread_mutex_lock(&topology->lock);
    topology_add(topology, mongoc_apm_server_opening_get_host(event)->host_and_port);
    pthread_mutex_unlock(&topology->lock);
}

static void topology_on_server_closed(const mongoc_apm_server_closed_t *event)
{
    struct topology *topology = mongoc_apm_server_closed_get_context(event);
    pthread_mutex_lock(&topology->lock);
    topology_remove(topology, mongoc_apm_server_closed_get_host(event)->host_and_port);
    pthread_mutex_unlock(&topology->lock);
}

static void topology_on_server_changed(const mongoc_apm_server_changed_t *event)
{
    struct topology *topology = mongoc_apm_server_changed_get_context(event);
    const mongoc_server_description_t *description =
        mongoc_apm_server_changed_get_new_description(event);
    const char *host = mongoc_apm_server_changed_get_host(event)->host_and_port;
    bson_iter_t iter;
    const bson_t *hello = mongoc_server_description_hello_response(description);
    const char *set_name = NULL;
    if (hello && bson_iter_init_find(&iter, hello, "setName") && BSON_ITER_HOLDS_UTF8(&iter))
        set_name = bson_iter_utf8(&iter, NULL);
    int64_t rtt = mongoc_server_description_round_trip_time(description);

    pthread_mutex_lock(&topology->lock);
    struct topology_member *member = topology_add(topology, host);
    if (member) {
        topology_set_state(member,
                           cluster_state_from_driver(mongoc_server_description_type(description),
                                                     member->check_failed));
        bool sampled = member->rtt_sampled_ms > 0 &&
                       topology_monotonic_ms() - member->rtt_sampled_ms < TOPOLOGY_SAMPLE_FRESH_MS;
        if (rtt >= 0 && !sampled && member->view.state != CLUSTER_UNREACHABLE)
            member->rtt_ms = (double)rtt;
    }
    if (set_name && strlen(set_name) < sizeof topology->set_name)
        snprintf(topology->set_name, sizeof topology->set_name, "%s", set_name);
    pthread_mutex_unlock(&topology->lock);
}

static void topology_on_topology_changed(const mongoc_apm_topology_changed_t *event)
{
    struct topology *topology = mongoc_apm_topology_changed_get_context(event);
    pthread_mutex_lock(&topology->lock);
    topology_commit(topology);
    pthread_mutex_unlock(&topology->lock);
}

static void topology_on_heartbeat_succeeded(const mongoc_apm_server_heartbeat_succeeded_t *event)
{
    struct topology *topology = mongoc_apm_server_heartbeat_succeeded_get_context(event);
    /* An awaited heartbeat (the streaming protocol, MongoDB 4.4+) waits for news on the
     * server: its duration is not a round trip. */
    bool awaited = mongoc_apm_server_heartbeat_succeeded_get_awaited(event);
    int64_t duration_us = mongoc_apm_server_heartbeat_succeeded_get_duration(event);
    pthread_mutex_lock(&topology->lock);
    struct topology_member *member = topology_find(
        topology, mongoc_apm_server_heartbeat_succeeded_get_host(event)->host_and_port);
    if (member) {
        member->check_failed = false;
        if (!awaited && duration_us >= 0) {
            member->rtt_ms = (double)duration_us / 1000.0;
            member->rtt_sampled_ms = topology_monotonic_ms();
        }
    }
    pthread_mutex_unlock(&topology->lock);
}

static void topology_on_heartbeat_failed(const mongoc_apm_server_heartbeat_failed_t *event)
{
    struct topology *topology = mongoc_apm_server_heartbeat_failed_get_context(event);
    pthread_mutex_lock(&topology->lock);
    struct topology_member *member =
        topology_find(topology, mongoc_apm_server_heartbeat_failed_get_host(event)->host_and_port);
    if (member) {
        member->check_failed = true;
        /* A server the driver had marked unknown after a failed operation sends no new
         * description when the check confirms it: the failed check is the news. A known one
         * is described as unknown right after this, and that change commits. */
        if (member->view.state == CLUSTER_UNKNOWN) {
            topology_set_state(member, CLUSTER_UNREACHABLE);
            topology_commit(topology);
        }
    }
    pthread_mutex_unlock(&topology->lock);
}

/* A command that failed on the network (the connection reset, refused, timed out) tells the
 * same as a failed heartbeat, and often first: the store's ping runs every 2 s, independently
 * of the heartbeats. The driver describes the server as unknown right after; this makes that
 * "unreachable" at once instead of at the recheck half a second later. Errors the server
 * answered ("not primary") are not network errors: the recheck says what it is then. */
static void topology_on_command_failed(const mongoc_apm_command_failed_t *event)
{
    bson_error_t error;
    mongoc_apm_command_failed_get_error(event, &error);
    if (error.domain != MONGOC_ERROR_STREAM)
        return;
    struct topology *topology = mongoc_apm_command_failed_get_context(event);
    pthread_mutex_lock(&topology->lock);
    struct topology_member *member =
        topology_find(topology, mongoc_apm_command_failed_get_host(event)->host_and_port);
    if (member)
        member->check_failed = true;
    pthread_mutex_unlock(&topology->lock);
}

bool topology_watch(struct topology *topology, mongoc_client_pool_t *pool, const char *replica_set)
{
    if (replica_set && strlen(replica_set) < sizeof topology->set_name)
        snprintf(topology->set_name, sizeof topology->set_name, "%s", replica_set);
    mongoc_apm_callbacks_t *callbacks = mongoc_apm_callbacks_new();
    if (!callbacks)
        return false;
    mongoc_apm_set_server_opening_cb(callbacks, topology_on_server_opening);
    mongoc_apm_set_server_closed_cb(callbacks, topology_on_server_closed);
    mongoc_apm_set_server_changed_cb(callbacks, topology_on_server_changed);
    mongoc_apm_set_topology_changed_cb(callbacks, topology_on_topology_changed);
    mongoc_apm_set_server_heartbeat_succeeded_cb(callbacks, topology_on_heartbeat_succeeded);
    mongoc_apm_set_server_heartbeat_failed_cb(callbacks, topology_on_heartbeat_failed);
    mongoc_apm_set_command_failed_cb(callbacks, topology_on_command_failed);
    bool ok = mongoc_client_pool_set_apm_callbacks(pool, callbacks, topology);
    mongoc_apm_callbacks_destroy(callbacks);
    return ok;
}

void topology_refresh_round_trips(struct topology *topology, mongoc_client_t *client)
{
    size_t n = 0;
    mongoc_server_description_t **servers = mongoc_client_get_server_descriptions(client, &n);
    int64_t now = topology_monotonic_ms();
    pthread_mutex_lock(&topology->lock);
    for (size_t i = 0; servers && i < n; i++) {
        int64_t rtt = mongoc_server_description_round_trip_time(servers[i]);
        struct topology_member *member =
            topology_find(topology, mongoc_server_description_host(servers[i])->host_and_port);
        if (member && rtt >= 0 && member->view.state != CLUSTER_UNREACHABLE &&
            member->view.state != CLUSTER_UNKNOWN &&
            !(member->rtt_sampled_ms > 0 &&
              now - member->rtt_sampled_ms < TOPOLOGY_SAMPLE_FRESH_MS))
            member->rtt_ms = (double)rtt;
    }
    pthread_mutex_unlock(&topology->lock);
    mongoc_server_descriptions_destroy_all(servers, n);
}

/* ---- reading the view ---- */

static json_t *topology_time_json(int64_t unix_ms)
{
    char text[CLUSTER_TIME_SIZE];
    cluster_format_time(unix_ms, text, sizeof text);
    return json_string(text);
}

/* lock held */
static const struct topology_member *topology_current_primary(const struct topology *topology)
{
    for (size_t i = 0; i < topology->count; i++)
        if (topology->members[i].view.state == CLUSTER_PRIMARY)
            return &topology->members[i];
    return NULL;
}

void topology_primary(struct topology *topology, char *out, size_t size)
{
    pthread_mutex_lock(&topology->lock);
    const struct topology_member *primary = topology_current_primary(topology);
    snprintf(out, size, "%s", primary ? primary->view.host : "");
    pthread_mutex_unlock(&topology->lock);
}

/* lock held */
static json_t *topology_members_json(const struct topology *topology)
{
    json_t *members = json_array();
    char name[CLUSTER_HOST_SIZE];
    for (size_t i = 0; members && i < topology->count; i++) {
        const struct topology_member *member = &topology->members[i];
        cluster_member_name(member->view.host, name, sizeof name);
        json_t *rtt = member->rtt_ms >= 0
                          ? json_real((double)(int64_t)(member->rtt_ms * 1000 + 0.5) / 1000.0)
                          : json_null();
        json_t *entry = json_pack("{s:s, s:s, s:s, s:o, s:o}", "host", member->view.host, "name",
                                  name, "state", cluster_state_name(member->view.state), "rttMs",
                                  rtt, "since", topology_time_json(member->since_unix_ms));
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
            json_pack("{s:o, s:s, s:s, s:s}", "at", topology_time_json(event->at_unix_ms), "kind",
                      cluster_event_kind_name(event->event.kind), "text", event->event.text,
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

void topology_metrics(const void *ctx, struct strbuf *out)
{
    /* metrics sources get their object as const; reading this one takes its lock */
    struct topology *topology = (struct topology *)(uintptr_t)ctx;
    pthread_mutex_lock(&topology->lock);
    strbuf_printf(out, "# HELP pacman_database_member_state The state this replica's driver sees "
                       "each replica-set member in: 1 for its state, 0 for the others.\n"
                       "# TYPE pacman_database_member_state gauge\n");
    for (size_t i = 0; i < topology->count; i++)
        for (int s = 0; s < CLUSTER_STATE_COUNT; s++) {
            strbuf_printf(out, "pacman_database_member_state{member=\"");
            topology_write_label(out, topology->members[i].view.host);
            strbuf_printf(out, "\",state=\"%s\"} %d\n", cluster_state_name((enum cluster_state)s),
                          topology->members[i].view.state == (enum cluster_state)s);
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
