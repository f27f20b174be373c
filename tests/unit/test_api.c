/* Unit tests of api: request bodies read into typed values, those written as JSON, replies. */
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
#include "reply.h"
#include "store.h"

static void form(struct input *in, const char *body)
{
    char error[160];
    assert_int_equal(input_parse(in, "application/x-www-form-urlencoded", body, strlen(body), error,
                                 sizeof error),
                     INPUT_OK);
}

static void test_submission(void **state)
{
    (void)state;
    struct input in;
    struct store_score score;
    struct reply reply = {0};
    form(&in, "name=+Ann+&score=1200&level=3&cloud=gce&submissionId=a1-B_2");
    assert_true(api_read_score(&in, &score, &reply));
    assert_string_equal(score.name, "Ann");
    assert_int_equal(score.score, 1200);
    assert_int_equal(score.level, 3);
    assert_string_equal(score.place.cloud, "gce");
    assert_string_equal(score.place.zone, "unknown");
    assert_string_equal(score.submission_id, "a1-B_2");
    input_free(&in);
    form(&in, "name=max&score=24600&level=1");
    assert_true(api_read_score(&in, &score, &reply)); /* a perfect first level */
    input_free(&in);

    static const char *const bad[][2] = {
        {"score=1&level=1", "name is required"},
        {"name=a&level=1", "score is required"},
        {"name=a&score=1", "level is required"},
        {"name=a&score=10000001&level=1", "score must be from 0 to 10000000"},
        {"name=a&score=1&level=0", "level must be from 1 to 999"},
        {"name=a&score=24601&level=1", "more than a game can reach by level 1"},
        {"name=a&score=1000000&level=40", "more than a game can reach by level 40"},
        {"name=a&score=1&level=1&submissionId=a%2Fb", "submissionId may hold only"},
        {"name=a&score=1&level=1&host=%01", "host must be printable"},
        {"name=a&score=1&level=1&zone="
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
         "zone must be 0 to 64 characters long"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        form(&in, bad[i][0]);
        if (api_read_score(&in, &score, &reply))
            fail_msg("accepted %s", bad[i][0]);
        assert_int_equal(reply.status, 400);
        if (!strstr(reply.body, bad[i][1]))
            fail_msg("%s: %s lacks %s", bad[i][0], reply.body, bad[i][1]);
        reply_clear(&reply);
        input_free(&in);
    }
}

static void test_stats(void **state)
{
    (void)state;
    struct input in;
    struct store_player_stats stats;
    struct reply reply = {0};
    form(&in, "userId=65A1B2C3D4E5F60718293A4B&score=10&level=2&lives=3&elapsedTime=99");
    assert_true(api_read_player_stats(&in, &stats, &reply));
    assert_string_equal(stats.player_id, "65a1b2c3d4e5f60718293a4b");
    assert_int_equal(stats.elapsed_time, 99);
    input_free(&in);
    static const char *const bad[] = {
        "userId=123&score=1&level=1&lives=1&elapsedTime=1",
        "userId=zzzzzzzzzzzzzzzzzzzzzzzz&score=1&level=1&lives=1&elapsedTime=1",
        "userId=65a1b2c3d4e5f60718293a4b&score=1&level=1&lives=100&elapsedTime=1",
        "userId=65a1b2c3d4e5f60718293a4b&score=1&level=1&lives=1&elapsedTime=86401",
        "userId=65a1b2c3d4e5f60718293a4b&score=1&level=1&lives=1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        form(&in, bad[i]);
        if (api_read_player_stats(&in, &stats, &reply))
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(reply.status, 400);
        reply_clear(&reply);
        input_free(&in);
    }
}

static void test_list_json(void **state)
{
    (void)state;
    struct store_score scores[2] = {
        {.name = "<img src=x>", .place = {"gce", "z1", "pod-1"}, .score = 500, .level = 2},
        {.name = "Zo\xc3\xab", .place = {"aws", "z2", "pod-2"}, .score = 100, .level = 1},
    };
    struct reply reply = {0};
    assert_true(reply_json(&reply, 200, api_scores_json(scores, 2)));
    assert_string_equal(reply.body,
                        "[{\"name\":\"<img src=x>\",\"cloud\":\"gce\",\"zone\":\"z1\","
                        "\"host\":\"pod-1\",\"score\":500},{\"name\":\"Zo\xc3\xab\",\"cloud\":"
                        "\"aws\",\"zone\":\"z2\",\"host\":\"pod-2\",\"score\":100}]");
    reply_clear(&reply);
    assert_true(reply_json(&reply, 200, api_scores_json(scores, 0)));
    assert_string_equal(reply.body, "[]");
    reply_clear(&reply);

    struct store_player_stats row = {.place = {"c", "z", "h"},
                                     .score = 7,
                                     .level = 2,
                                     .lives = 1,
                                     .elapsed_time = 30,
                                     .update_counter = 4};
    assert_true(reply_json(&reply, 200, api_player_stats_json(&row, 1)));
    assert_string_equal(reply.body, "[{\"cloud\":\"c\",\"zone\":\"z\",\"host\":\"h\",\"score\":7,"
                                    "\"level\":2,\"lives\":1,\"et\":30,\"txncount\":4}]");
    reply_clear(&reply);
}

static void test_reply_error(void **state)
{
    (void)state;
    struct reply reply = {0};
    reply_error(&reply, 400, "%s is \"bad\"", "score");
    assert_int_equal(reply.status, 400);
    assert_string_equal(reply.body, "{\"error\":\"score is \\\"bad\\\"\"}");
    reply_clear(&reply);
    assert_null(reply.body);
    assert_false(reply_json(&reply, 200, NULL));
    assert_int_equal(reply.status, 500);
    reply_clear(&reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submission),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_list_json),
        cmocka_unit_test(test_reply_error),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
