/* Unit tests of topology, fed the way the store feeds it from the driver's monitoring (plain
 * values: no driver here): members and their states, the events, the "database" object of
 * GET /cluster, and which reports count as a change for the cache of that object. */

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "topology.h"

#define M0 "mongo-0.mongo.pacman.svc:27017"
#define M1 "mongo-1.mongo.pacman.svc:27017"

static json_t *member(json_t *database, const char *host)
{
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(database, "members"), i, entry)
    {
        if (strcmp(json_string_value(json_object_get(entry, "host")), host) == 0)
            return entry;
    }
    return NULL;
}

static void test_a_set_found_at_start_up(void **state)
{
    (void)state;
    struct topology *topology = topology_new();
    topology_expect_set(topology, "rs0");
    topology_server_opened(topology, M0);
    topology_server_opened(topology, M1);
    topology_server_changed(topology, M0, "RSPrimary", 3, "rs0");
    topology_server_changed(topology, M1, "RSSecondary", 4, "rs0");
    topology_set_changed(topology);
    json_t *database = topology_to_json(topology);
    assert_string_equal(json_string_value(json_object_get(database, "replicaSet")), "rs0");
    assert_string_equal(json_string_value(json_object_get(database, "primary")), M0);
    assert_string_equal(json_string_value(json_object_get(member(database, M0), "state")),
                        "PRIMARY");
    assert_string_equal(json_string_value(json_object_get(member(database, M1), "name")),
                        "mongo-1");
    assert_true(json_real_value(json_object_get(member(database, M1), "rttMs")) == 4.0);
    json_t *events = json_object_get(database, "events");
    assert_int_equal(json_array_size(events), 2); /* newest first */
    assert_string_equal(json_string_value(json_object_get(json_array_get(events, 0), "kind")),
                        "primary_found");
    assert_string_equal(json_string_value(json_object_get(json_array_get(events, 1), "text")),
                        "mongo-1 is SECONDARY");
    json_decref(database);
    topology_free(topology);
}

static void test_what_counts_as_a_change(void **state)
{
    (void)state;
    struct topology *topology = topology_new();
    uint64_t changes = topology_changes(topology);
    topology_server_opened(topology, M0);
    assert_true(topology_changes(topology) > changes);
    topology_server_changed(topology, M0, "RSPrimary", 3, NULL);
    topology_set_changed(topology);
    changes = topology_changes(topology);
    /* round trips and checks that find nothing new are no change: a body cached on
     * topology_changes is served on */
    topology_check_succeeded(topology, M0, 2500);
    topology_round_trip(topology, M0, 7);
    topology_server_changed(topology, M0, "RSPrimary", 9, NULL);
    topology_set_changed(topology);
    assert_true(topology_changes(topology) == changes);
    /* a state that changes is */
    topology_server_changed(topology, M0, "RSSecondary", 9, NULL);
    topology_set_changed(topology);
    assert_true(topology_changes(topology) > changes);
    topology_free(topology);
}

static void test_a_member_lost_and_the_check_that_confirms_it(void **state)
{
    (void)state;
    struct topology *topology = topology_new();
    topology_server_opened(topology, M0);
    topology_server_changed(topology, M0, "RSPrimary", 3, NULL);
    topology_set_changed(topology);
    /* a command fails on the network, the driver marks the server unknown */
    topology_command_failed(topology, M0);
    topology_server_changed(topology, M0, "Unknown", -1, NULL);
    topology_set_changed(topology);
    json_t *database = topology_to_json(topology);
    assert_string_equal(json_string_value(json_object_get(member(database, M0), "state")),
                        "UNREACHABLE");
    assert_true(json_is_null(json_object_get(member(database, M0), "rttMs")));
    assert_true(json_is_null(json_object_get(database, "primary")));
    assert_true(json_is_number(json_object_get(database, "noPrimarySeconds")));
    json_decref(database);
    struct strbuf metrics;
    strbuf_init(&metrics, 0);
    topology_metrics(topology, &metrics);
    assert_non_null(strstr(metrics.data, "pacman_database_member_state{member=\"" M0
                                         "\",state=\"UNREACHABLE\"} 1\n"));
    strbuf_free(&metrics);
    topology_server_closed(topology, M0);
    database = topology_to_json(topology);
    assert_int_equal(json_array_size(json_object_get(database, "members")), 0);
    json_decref(database);
    topology_free(topology);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_set_found_at_start_up),
        cmocka_unit_test(test_what_counts_as_a_change),
        cmocka_unit_test(test_a_member_lost_and_the_check_that_confirms_it),
    };
    return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
