/* Unit tests of players' bodies: a stats report read and checked, the live players as JSON. */
/* cmocka.h needs these four first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "players.h"
#include "reply.h"
#include "support.h"

static void test_stats(void **state)
{
    (void)state;
    struct input in;
    struct store_player player;
    struct reply reply = {0};
    support_form(&in, "userId=65A1B2C3D4E5F60718293A4B&score=10&level=2&lives=3&elapsedTime=99");
    assert_true(players_read_stats(&in, &player, &reply));
    assert_string_equal(player.id, "65a1b2c3d4e5f60718293a4b");
    assert_int_equal(player.elapsed_time, 99);
    input_free(&in);
    static const char *const bad[] = {
        "userId=123&score=1&level=1&lives=1&elapsedTime=1",
        "userId=zzzzzzzzzzzzzzzzzzzzzzzz&score=1&level=1&lives=1&elapsedTime=1",
        "userId=65a1b2c3d4e5f60718293a4b&score=1&level=1&lives=100&elapsedTime=1",
        "userId=65a1b2c3d4e5f60718293a4b&score=1&level=1&lives=1&elapsedTime=86401",
        "userId=65a1b2c3d4e5f60718293a4b&score=1&level=1&lives=1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        support_form(&in, bad[i]);
        if (players_read_stats(&in, &player, &reply))
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(reply.status, 400);
        reply_clear(&reply);
        input_free(&in);
    }
}

static void test_list_json(void **state)
{
    (void)state;
    struct reply reply = {0};
    struct store_player row = {.place = {"c", "z", "h"},
                               .score = 7,
                               .level = 2,
                               .lives = 1,
                               .elapsed_time = 30,
                               .update_counter = 4};
    assert_true(reply_json(&reply, 200, players_list_json(&row, 1)));
    assert_string_equal(reply.body, "[{\"cloud\":\"c\",\"zone\":\"z\",\"host\":\"h\",\"score\":7,"
                                    "\"level\":2,\"lives\":1,\"et\":30,\"txncount\":4}]");
    reply_clear(&reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_list_json),
    };
    return cmocka_run_group_tests_name("players", tests, NULL, NULL);
}
