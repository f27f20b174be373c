/* Unit tests of highscores' bodies: a submission read and checked, the top 10 as JSON. */
/* cmocka.h needs these four first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "highscores.h"
#include "input.h"
#include "reply.h"
#include "support.h"

static void test_submission(void **state)
{
    (void)state;
    struct input in;
    struct store_score score;
    struct reply reply = {0};
    support_form(&in, "name=+Ann+&score=1200&level=3&cloud=gce&submissionId=a1-B_2");
    assert_true(highscores_read_score(&in, &score, &reply));
    assert_string_equal(score.name, "Ann");
    assert_int_equal(score.score, 1200);
    assert_int_equal(score.level, 3);
    assert_string_equal(score.place.cloud, "gce");
    assert_string_equal(score.place.zone, "unknown");
    assert_string_equal(score.submission_id, "a1-B_2");
    input_free(&in);
    support_form(&in, "name=max&score=24600&level=1");
    assert_true(highscores_read_score(&in, &score, &reply)); /* a perfect first level */
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
        support_form(&in, bad[i][0]);
        if (highscores_read_score(&in, &score, &reply))
            fail_msg("accepted %s", bad[i][0]);
        assert_int_equal(reply.status, 400);
        if (!strstr(reply.body, bad[i][1]))
            fail_msg("%s: %s lacks %s", bad[i][0], reply.body, bad[i][1]);
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
    assert_true(reply_json(&reply, 200, highscores_list_json(scores, 2)));
    assert_string_equal(reply.body,
                        "[{\"name\":\"<img src=x>\",\"cloud\":\"gce\",\"zone\":\"z1\","
                        "\"host\":\"pod-1\",\"score\":500},{\"name\":\"Zo\xc3\xab\",\"cloud\":"
                        "\"aws\",\"zone\":\"z2\",\"host\":\"pod-2\",\"score\":100}]");
    reply_clear(&reply);
    assert_true(reply_json(&reply, 200, highscores_list_json(scores, 0)));
    assert_string_equal(reply.body, "[]");
    reply_clear(&reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submission),
        cmocka_unit_test(test_list_json),
    };
    return cmocka_run_group_tests_name("highscores", tests, NULL, NULL);
}
