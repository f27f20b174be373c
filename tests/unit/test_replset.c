/* Unit tests of the event rule (replset) over synthetic topologies: start-up, an
 * election, a member lost and back, a new member, a set that never had a primary, a recheck
 * after an error, a direct hand-over. */

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "replset.h"

#define M0 "mongo-0.mongo.pacman.svc:27017"
#define M1 "mongo-1.mongo.pacman.svc:27017"
#define M2 "mongo-2.mongo.pacman.svc:27017"
#define M3 "mongo-3.mongo.pacman.svc:27017"
#define MAX 8

/* The members the driver knows, as the test writes them, and the rule's memory. */
struct world {
    struct replset_member members[MAX];
    size_t count;
    struct replset_history history;
    struct replset_event events[16];
    size_t event_count;
};

/* Sets the members to `count` (host, state) pairs and runs the rule at now_ms. */
static void step(struct world *world, int64_t now_ms, size_t count, ...)
{
    struct replset_member after[MAX];
    memset(after, 0, sizeof after);
    va_list args;
    va_start(args, count);
    for (size_t i = 0; i < count; i++) {
        snprintf(after[i].host, sizeof after[i].host, "%s", va_arg(args, const char *));
        after[i].state = (enum replset_state)va_arg(args, int);
    }
    va_end(args);
    world->event_count = replset_diff(world->members, world->count, after, count, &world->history,
                                      now_ms, world->events, 16);
    memcpy(world->members, after, sizeof after);
    world->count = count;
}

static void expect_event(const struct world *world, size_t index, enum replset_event_kind kind,
                         const char *host, const char *text)
{
    assert_true(index < world->event_count);
    const struct replset_event *event = &world->events[index];
    if (event->kind != kind || strcmp(event->text, text) != 0)
        fail_msg("event %zu: got %s \"%s\", wanted %s \"%s\"", index,
                 replset_event_kind_name(event->kind), event->text, replset_event_kind_name(kind),
                 text);
    assert_string_equal(event->host, host);
}

/* mongo-0 primary, the two others secondaries, as a web pod sees them once started. */
static void healthy_set(struct world *world)
{
    memset(world, 0, sizeof *world);
    step(world, 0, 3, M0, REPLSET_UNKNOWN, M1, REPLSET_UNKNOWN, M2, REPLSET_UNKNOWN);
    step(world, 10, 3, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY);
}

static void test_start_up_names_the_primary_and_each_member_once(void **state)
{
    (void)state;
    struct world world = {0};
    /* The seeds of the connection string, not checked yet: nothing to tell. */
    step(&world, 0, 3, "mongo-0.mongo:27017", REPLSET_UNKNOWN, "mongo-1.mongo:27017",
         REPLSET_UNKNOWN, "mongo-2.mongo:27017", REPLSET_UNKNOWN);
    assert_int_equal(world.event_count, 0);
    /* The primary answered with the set's own names for its members: the driver replaced the
     * seeds. A seed that never settled leaves without an event. */
    step(&world, 5, 3, M0, REPLSET_PRIMARY, M1, REPLSET_UNKNOWN, M2, REPLSET_UNKNOWN);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_PRIMARY_FOUND, M0, "mongo-0 is primary");
    step(&world, 8, 3, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 2);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_FOUND, M1, "mongo-1 is SECONDARY");
    expect_event(&world, 1, REPLSET_EVENT_MEMBER_FOUND, M2, "mongo-2 is SECONDARY");
    /* Nothing changed: nothing to tell. Finding the first primary is not a change. */
    step(&world, 2000, 3, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 0);
    assert_int_equal(world.history.primary_changes, 0);
    assert_true(world.history.had_primary);
}

static void test_an_election_after_the_primary_is_deleted(void **state)
{
    (void)state;
    struct world world;
    healthy_set(&world);
    /* kubectl delete pod mongo-0: its check fails. */
    step(&world, 10000, 3, M0, REPLSET_UNREACHABLE, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 2);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_UNREACHABLE, M0,
                 "mongo-0 unreachable (it was the primary)");
    expect_event(&world, 1, REPLSET_EVENT_NO_PRIMARY, M0,
                 "no primary: writes wait until the set elects one");
    assert_true(world.history.without_primary);
    /* The two others elect mongo-1, 6.1 s later. */
    step(&world, 16100, 3, M0, REPLSET_UNREACHABLE, M1, REPLSET_PRIMARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_NEW_PRIMARY, M1,
                 "mongo-1 is primary after 6.1 s without one");
    assert_int_equal(world.events[0].gap_ms, 6100);
    assert_int_equal(world.history.last_gap_ms, 6100);
    assert_int_equal(world.history.primary_changes, 1);
    assert_false(world.history.without_primary);
    /* The StatefulSet recreates mongo-0 on its volume: it rejoins as a secondary. */
    step(&world, 40000, 3, M0, REPLSET_SECONDARY, M1, REPLSET_PRIMARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_BACK, M0, "mongo-0 back as SECONDARY");
    assert_int_equal(world.history.primary_changes, 1);
}

static void test_a_secondary_lost_and_back(void **state)
{
    (void)state;
    struct world world;
    healthy_set(&world);
    step(&world, 3000, 3, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_UNREACHABLE);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_UNREACHABLE, M2, "mongo-2 unreachable");
    /* still unreachable at the next check: no repeat */
    step(&world, 5000, 3, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_UNREACHABLE);
    assert_int_equal(world.event_count, 0);
    step(&world, 9000, 3, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_OTHER);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_BACK, M2, "mongo-2 back as OTHER");
    step(&world, 12000, 3, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_STATE, M2, "mongo-2 is now SECONDARY (was OTHER)");
    assert_false(world.history.without_primary);
    assert_int_equal(world.history.primary_changes, 0);
}

static void test_a_new_member_joins_and_a_member_leaves(void **state)
{
    (void)state;
    struct world world;
    healthy_set(&world);
    /* rs.add(): the primary lists a fourth host; the driver checks it. */
    step(&world, 20000, 4, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY, M3,
         REPLSET_UNKNOWN);
    assert_int_equal(world.event_count, 0);
    step(&world, 20500, 4, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY, M3,
         REPLSET_OTHER);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_JOINED, M3, "mongo-3 joined as OTHER");
    step(&world, 30000, 4, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY, M3,
         REPLSET_SECONDARY);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_STATE, M3, "mongo-3 is now SECONDARY (was OTHER)");
    /* rs.remove(): the primary no longer lists it. */
    step(&world, 40000, 3, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_LEFT, M3, "mongo-3 left the replica set");
}

static void test_no_primary_at_all(void **state)
{
    (void)state;
    struct world world = {0};
    /* Started while the whole set is down. */
    step(&world, 0, 2, M0, REPLSET_UNKNOWN, M1, REPLSET_UNKNOWN);
    step(&world, 400, 2, M0, REPLSET_UNREACHABLE, M1, REPLSET_UNREACHABLE);
    assert_int_equal(world.event_count, 2);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_UNREACHABLE, M0, "mongo-0 unreachable");
    expect_event(&world, 1, REPLSET_EVENT_MEMBER_UNREACHABLE, M1, "mongo-1 unreachable");
    /* Members that answer but hold no election yet (no configuration). */
    step(&world, 5000, 2, M0, REPLSET_STARTUP, M1, REPLSET_STARTUP);
    assert_int_equal(world.event_count, 2);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_BACK, M0, "mongo-0 back as STARTUP");
    assert_false(world.history.had_primary);
    assert_false(world.history.without_primary); /* never had one: nothing was lost */
    /* The first primary after start-up is found, not elected after a stretch. */
    step(&world, 60000, 2, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 2);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_STATE, M1,
                 "mongo-1 is now SECONDARY (was STARTUP)");
    expect_event(&world, 1, REPLSET_EVENT_PRIMARY_FOUND, M0, "mongo-0 is primary");
    assert_int_equal(world.history.primary_changes, 0);
    assert_int_equal(world.history.last_gap_ms, 0);
}

static void test_a_recheck_after_an_error_tells_only_what_changed(void **state)
{
    (void)state;
    struct world world;
    healthy_set(&world);
    /* An operation on mongo-1 failed; the driver rechecks it and finds it as it was. */
    step(&world, 1000, 3, M0, REPLSET_PRIMARY, M1, REPLSET_UNKNOWN, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 0);
    assert_int_equal(world.members[1].settled, REPLSET_SECONDARY);
    step(&world, 1500, 3, M0, REPLSET_PRIMARY, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 0);
    /* The primary answered "not primary" (it stepped down): the set has none for a moment. */
    step(&world, 2000, 3, M0, REPLSET_UNKNOWN, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_NO_PRIMARY, M0,
                 "no primary: writes wait until the set elects one");
    step(&world, 2300, 3, M0, REPLSET_SECONDARY, M1, REPLSET_SECONDARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_STATE, M0,
                 "mongo-0 is now SECONDARY (was PRIMARY)");
    step(&world, 12300, 3, M0, REPLSET_SECONDARY, M1, REPLSET_SECONDARY, M2, REPLSET_PRIMARY);
    assert_int_equal(world.event_count, 1);
    expect_event(&world, 0, REPLSET_EVENT_NEW_PRIMARY, M2,
                 "mongo-2 is primary after 10.3 s without one");
}

static void test_a_hand_over_seen_at_once(void **state)
{
    (void)state;
    struct world world;
    healthy_set(&world);
    /* rs.stepDown() seen in one update: mongo-0 steps down, mongo-1 takes over. */
    step(&world, 5000, 3, M0, REPLSET_SECONDARY, M1, REPLSET_PRIMARY, M2, REPLSET_SECONDARY);
    assert_int_equal(world.event_count, 2);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_STATE, M0,
                 "mongo-0 is now SECONDARY (was PRIMARY)");
    expect_event(&world, 1, REPLSET_EVENT_PRIMARY_CHANGED, M1, "mongo-1 is primary (was mongo-0)");
    assert_int_equal(world.history.primary_changes, 1);
    assert_int_equal(world.history.last_gap_ms, 0);
}

/* FerretDB locally: one member, killed and started again on the same port. */
static void test_the_local_single_member_killed_and_restarted(void **state)
{
    (void)state;
    struct world world = {0};
    step(&world, 0, 1, "127.0.0.1:40123", REPLSET_UNKNOWN);
    step(&world, 10, 1, "127.0.0.1:40123", REPLSET_PRIMARY);
    expect_event(&world, 0, REPLSET_EVENT_PRIMARY_FOUND, "127.0.0.1:40123",
                 "127.0.0.1:40123 is primary");
    step(&world, 4010, 1, "127.0.0.1:40123", REPLSET_UNREACHABLE);
    assert_int_equal(world.event_count, 2);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_UNREACHABLE, "127.0.0.1:40123",
                 "127.0.0.1:40123 unreachable (it was the primary)");
    expect_event(&world, 1, REPLSET_EVENT_NO_PRIMARY, "127.0.0.1:40123",
                 "no primary: writes wait until the set elects one");
    step(&world, 9310, 1, "127.0.0.1:40123", REPLSET_PRIMARY);
    assert_int_equal(world.event_count, 2);
    expect_event(&world, 0, REPLSET_EVENT_MEMBER_BACK, "127.0.0.1:40123",
                 "127.0.0.1:40123 back as PRIMARY");
    expect_event(&world, 1, REPLSET_EVENT_NEW_PRIMARY, "127.0.0.1:40123",
                 "127.0.0.1:40123 is primary after 5.3 s without one");
    assert_int_equal(world.history.primary_changes, 1);
    assert_int_equal(world.history.last_gap_ms, 5300);
}

static void test_events_beyond_the_room_given_are_dropped(void **state)
{
    (void)state;
    struct replset_member before[3] = {{M0, REPLSET_PRIMARY, REPLSET_PRIMARY, false},
                                       {M1, REPLSET_SECONDARY, REPLSET_SECONDARY, false},
                                       {M2, REPLSET_SECONDARY, REPLSET_SECONDARY, false}};
    struct replset_member after[3] = {{M0, REPLSET_UNREACHABLE, REPLSET_UNKNOWN, false},
                                      {M1, REPLSET_UNREACHABLE, REPLSET_UNKNOWN, false},
                                      {M2, REPLSET_UNREACHABLE, REPLSET_UNKNOWN, false}};
    struct replset_history history = {.had_primary = true};
    struct replset_event events[2];
    assert_int_equal(replset_diff(before, 3, after, 3, &history, 100, events, 2), 2);
    assert_string_equal(events[1].text, "mongo-1 unreachable");
    /* the history still moved on: the primary is gone */
    assert_true(history.without_primary);
    assert_int_equal(history.no_primary_since_ms, 100);
}

static void test_driver_types_and_state_names(void **state)
{
    (void)state;
    assert_int_equal(replset_state_from_driver("RSPrimary", false), REPLSET_PRIMARY);
    assert_int_equal(replset_state_from_driver("RSSecondary", true), REPLSET_SECONDARY);
    assert_int_equal(replset_state_from_driver("RSArbiter", false), REPLSET_ARBITER);
    assert_int_equal(replset_state_from_driver("RSGhost", false), REPLSET_STARTUP);
    assert_int_equal(replset_state_from_driver("RSOther", false), REPLSET_OTHER);
    assert_int_equal(replset_state_from_driver("Unknown", false), REPLSET_UNKNOWN);
    assert_int_equal(replset_state_from_driver("Unknown", true), REPLSET_UNREACHABLE);
    assert_int_equal(replset_state_from_driver("PossiblePrimary", false), REPLSET_UNKNOWN);
    assert_int_equal(replset_state_from_driver(NULL, true), REPLSET_UNREACHABLE);
    assert_string_equal(replset_state_name(REPLSET_UNREACHABLE), "UNREACHABLE");
    assert_string_equal(replset_state_name(REPLSET_STATE_COUNT), "UNKNOWN");
    assert_string_equal(replset_event_kind_name(REPLSET_EVENT_NEW_PRIMARY), "new_primary");
    for (int s = 0; s < REPLSET_STATE_COUNT; s++)
        assert_non_null(replset_state_name((enum replset_state)s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_up_names_the_primary_and_each_member_once),
        cmocka_unit_test(test_an_election_after_the_primary_is_deleted),
        cmocka_unit_test(test_a_secondary_lost_and_back),
        cmocka_unit_test(test_a_new_member_joins_and_a_member_leaves),
        cmocka_unit_test(test_no_primary_at_all),
        cmocka_unit_test(test_a_recheck_after_an_error_tells_only_what_changed),
        cmocka_unit_test(test_a_hand_over_seen_at_once),
        cmocka_unit_test(test_the_local_single_member_killed_and_restarted),
        cmocka_unit_test(test_events_beyond_the_room_given_are_dropped),
        cmocka_unit_test(test_driver_types_and_state_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
