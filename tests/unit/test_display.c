/* Unit tests of display: the names people see for replica-set members, and the API's times. */

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "display.h"

static void test_member_names_people_know(void **state)
{
    (void)state;
    char name[64];
    static const char *const cases[][2] = {
        {"mongo-0.mongo.pacman.svc:27017", "mongo-0"},
        {"mongo-1.mongo:27017", "mongo-1"},
        {"mongo-2.mongo.pacman.svc:27018", "mongo-2:27018"},
        {"localhost:27017", "localhost"},
        {"127.0.0.1:27017", "127.0.0.1:27017"},
        {"10.1.2.3:40000", "10.1.2.3:40000"},
        {"[::1]:27017", "[::1]:27017"},
        {"db", "db"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        display_member_name(cases[i][0], name, sizeof name);
        assert_string_equal(name, cases[i][1]);
    }
    display_member_name("mongo-0.mongo.pacman.svc:27017", name, 4); /* truncated, still a string */
    assert_string_equal(name, "mon");
}

static void test_times_are_iso_8601_utc_with_milliseconds(void **state)
{
    (void)state;
    char text[DISPLAY_TIME_SIZE];
    display_time(0, text, sizeof text);
    assert_string_equal(text, "1970-01-01T00:00:00.000Z");
    display_time(1714564800123, text, sizeof text);
    assert_string_equal(text, "2024-05-01T12:00:00.123Z");
    display_time(-1, text, sizeof text);
    assert_string_equal(text, "1969-12-31T23:59:59.999Z");
    display_time(1714564800123, text, 24); /* no room: nothing half-written */
    assert_string_equal(text, "");
}

static void test_unknown_times_are_null_in_json(void **state)
{
    (void)state;
    json_t *never = display_time_json(0), *then = display_time_json(1714564800123);
    assert_true(json_is_null(never));
    assert_string_equal(json_string_value(then), "2024-05-01T12:00:00.123Z");
    json_decref(never);
    json_decref(then);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_names_people_know),
        cmocka_unit_test(test_times_are_iso_8601_utc_with_milliseconds),
        cmocka_unit_test(test_unknown_times_are_null_in_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
