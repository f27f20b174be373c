/* Unit tests of api: the places every body carries, JSON arrays, store failures as replies. */
/* cmocka.h needs these four first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "input.h"
#include "place.h"
#include "reply.h"
#include "store.h"
#include "support.h"

static void test_place(void **state)
{
    (void)state;
    struct input in;
    struct place place;
    struct reply reply = {0};
    support_form(&in, "cloud=gce&zone=+europe-west1-b+");
    assert_true(api_read_place(&in, &place, &reply));
    assert_string_equal(place.cloud, "gce");
    assert_string_equal(place.zone, "europe-west1-b");
    assert_string_equal(place.host, "unknown");
    json_t *object = json_object();
    api_place_to_json(object, &place);
    assert_true(reply_json(&reply, 200, object));
    assert_string_equal(reply.body, "{\"cloud\":\"gce\",\"zone\":\"europe-west1-b\","
                                    "\"host\":\"unknown\"}");
    reply_clear(&reply);
    input_free(&in);
    support_form(&in, "host=%01");
    assert_false(api_read_place(&in, &place, &reply));
    assert_int_equal(reply.status, 400);
    assert_non_null(strstr(reply.body, "host must be printable"));
    reply_clear(&reply);
    input_free(&in);
}

static json_t *number_json(const void *row)
{
    return json_integer(*(const int *)row);
}

static void test_json_array(void **state)
{
    (void)state;
    int rows[] = {3, 1, 2};
    struct reply reply = {0};
    assert_true(reply_json(&reply, 200, api_json_array(rows, 3, sizeof rows[0], number_json)));
    assert_string_equal(reply.body, "[3,1,2]");
    reply_clear(&reply);
}

static void test_store_errors(void **state)
{
    (void)state;
    struct reply reply = {0};
    api_reply_store_error(&reply, STORE_UNAVAILABLE);
    assert_int_equal(reply.status, 503);
    assert_non_null(strstr(reply.body, "database is unavailable"));
    api_reply_store_error(&reply, STORE_NOT_FOUND);
    assert_int_equal(reply.status, 404);
    api_reply_store_error(&reply, STORE_ERROR);
    assert_int_equal(reply.status, 500);
    reply_clear(&reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place),
        cmocka_unit_test(test_json_array),
        cmocka_unit_test(test_store_errors),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
