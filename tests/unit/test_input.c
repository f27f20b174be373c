/* Unit tests of input: form and JSON parsing, and field validation. */
/* cmocka.h needs these four first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "input.h"

static const char *FORM = "application/x-www-form-urlencoded";
static const char *JSON = "application/json";

static enum input_result parse(struct input *in, const char *type, const char *body, char *error)
{
    return input_parse(in, type, body, strlen(body), error, 160);
}

static void test_form_as_old_client_sends_it(void **state)
{
    (void)state;
    struct input in;
    char error[160];
    assert_int_equal(parse(&in, "application/x-www-form-urlencoded; charset=UTF-8",
                           "name=Ann+Lee&cloud=gce&zone=us-c1%2Da&host=pacman-7d9&score=1200"
                           "&level=3",
                           error),
                     INPUT_OK);
    assert_int_equal(in.count, 6);
    assert_string_equal(input_find(&in, "name")->value, "Ann Lee");
    assert_string_equal(input_find(&in, "zone")->value, "us-c1-a");
    int64_t score;
    assert_true(input_get_int(&in, "score", true, 0, 10000000, 0, &score, error, 160));
    assert_int_equal(score, 1200);
    input_free(&in);
}

static void test_form_edge_cases(void **state)
{
    (void)state;
    struct input in;
    char error[160];
    assert_int_equal(parse(&in, FORM, "a=&b&&c=%C3%A9", error), INPUT_OK);
    assert_string_equal(input_find(&in, "a")->value, "");
    assert_string_equal(input_find(&in, "b")->value, "");
    assert_string_equal(input_find(&in, "c")->value, "\xc3\xa9");
    input_free(&in);
    static const char *const bad[] = {
        "a=%zz", "a=%4", "a=%", "a=%00", "a=1&a=2", "score[$gt]=1", "$where=1", "=1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(&in, FORM, bad[i], error) != INPUT_BAD_REQUEST)
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(in.count, 0);
        assert_true(strlen(error) > 0);
        input_free(&in);
    }
    assert_int_equal(parse(&in, FORM, "name=a%00b", error), INPUT_BAD_REQUEST);
    assert_string_equal(error, "name has a bad %-escape or a NUL character");
    assert_int_equal(parse(&in, FORM, "a=1&a=2", error), INPUT_BAD_REQUEST);
    assert_non_null(strstr(error, "\"a\" is given more than once"));
}

static void test_too_many_fields(void **state)
{
    (void)state;
    char body[1024] = "";
    for (int i = 0; i < INPUT_MAX_FIELDS + 1; i++) {
        char piece[16];
        snprintf(piece, sizeof piece, "f%d=1&", i);
        strcat(body, piece);
    }
    struct input in;
    char error[160];
    assert_int_equal(parse(&in, FORM, body, error), INPUT_BAD_REQUEST);
    assert_non_null(strstr(error, "too many fields"));
    input_free(&in);
}

static void test_json(void **state)
{
    (void)state;
    struct input in;
    char error[160];
    assert_int_equal(parse(&in, JSON,
                           "{\"name\":\"Zoë\",\"score\":42,\"level\":\"7\",\"x\":1.5,"
                           "\"o\":{\"$gt\":1},\"n\":null}",
                           error),
                     INPUT_OK);
    assert_int_equal(input_find(&in, "score")->kind, INPUT_NUMBER);
    assert_string_equal(input_find(&in, "score")->value, "42");
    assert_int_equal(input_find(&in, "o")->kind, INPUT_OTHER);
    int64_t value;
    assert_true(input_get_int(&in, "level", true, 1, 999, 1, &value, error, 160));
    assert_int_equal(value, 7);
    assert_false(input_get_int(&in, "x", true, 0, 10, 0, &value, error, 160));
    assert_non_null(strstr(error, "x must be a whole number"));
    assert_false(input_get_int(&in, "o", true, 0, 10, 0, &value, error, 160));
    char text[200];
    assert_false(input_get_text(&in, "o", true, 1, 32, NULL, text, sizeof text, error, 160));
    assert_string_equal(error, "o must be a string");
    assert_false(input_get_text(&in, "score", true, 1, 32, NULL, text, sizeof text, error, 160));
    input_free(&in);

    static const char *const bad[] = {
        "[1,2]",           "\"s\"", "{", "{\"a\":1,\"a\":2}", "nul", "{\"a\":\"\\u0000\"}",
        "{\"a\":\"\xff\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(&in, JSON, bad[i], error) != INPUT_BAD_REQUEST)
            fail_msg("accepted %s", bad[i]);
        input_free(&in);
    }
}

static void test_content_types(void **state)
{
    (void)state;
    struct input in;
    char error[160];
    assert_int_equal(parse(&in, NULL, "a=1", error), INPUT_UNSUPPORTED_TYPE);
    assert_int_equal(parse(&in, "text/plain", "a=1", error), INPUT_UNSUPPORTED_TYPE);
    assert_int_equal(parse(&in, "application/jsonx", "{}", error), INPUT_UNSUPPORTED_TYPE);
    assert_int_equal(parse(&in, "APPLICATION/JSON; charset=utf-8", "{}", error), INPUT_OK);
    assert_int_equal(parse(&in, NULL, "", error), INPUT_OK); /* no body, no type needed */
    assert_int_equal(in.count, 0);
}

static void test_integers(void **state)
{
    (void)state;
    struct input in;
    char error[160];
    int64_t value = -7;
    /* form-encoded: "+5", " 5", "5 " and a full-width digit one */
    static const char *const bad[] = {"1.5",  "1e3",      "0x10", "NaN",
                                      "%2B5", "%205",     "5%20", "99999999999999999999",
                                      "-",    "%EF%BC%91"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[64];
        snprintf(body, sizeof body, "n=%s", bad[i]);
        assert_int_equal(parse(&in, FORM, body, error), INPUT_OK);
        if (input_get_int(&in, "n", true, 0, 100, 0, &value, error, 160))
            fail_msg("accepted %s", bad[i]);
        assert_non_null(strstr(error, "n must be"));
        input_free(&in);
    }
    assert_int_equal(parse(&in, FORM, "n=-3&m=007&big=10000001", error), INPUT_OK);
    assert_false(input_get_int(&in, "n", true, 0, 100, 0, &value, error, 160));
    assert_string_equal(error, "n must be from 0 to 100");
    assert_true(input_get_int(&in, "m", true, 0, 100, 0, &value, error, 160));
    assert_int_equal(value, 7);
    assert_false(input_get_int(&in, "big", true, 0, 10000000, 0, &value, error, 160));
    assert_false(input_get_int(&in, "missing", true, 0, 1, 0, &value, error, 160));
    assert_string_equal(error, "missing is required");
    assert_true(input_get_int(&in, "missing", false, 0, 1, 1, &value, error, 160));
    assert_int_equal(value, 1);
    input_free(&in);
}

static void test_text(void **state)
{
    (void)state;
    struct input in;
    char error[160], out[32 * 4 + 1];
    assert_int_equal(
        parse(&in, FORM,
              "a=++Zo%C3%AB++&b=%E2%80%AEevil&c=tab%09x&d=%C0%AF&e=%ED%A0%80&f=%F4%90%80%80"
              "&g=%F0%9F%91%BE&h=+++&i=%3Cimg+src%3Dx%3E&j=%C2%85&k=%EF%BF%BF",
              error),
        INPUT_OK);
    assert_true(input_get_text(&in, "a", true, 1, 32, NULL, out, sizeof out, error, 160));
    assert_string_equal(out, "Zo\xc3\xab"); /* trimmed */
    static const char *const unprintable[] = {"b", "c", "d", "e", "f", "j", "k"};
    for (size_t i = 0; i < sizeof unprintable / sizeof unprintable[0]; i++) {
        if (input_get_text(&in, unprintable[i], true, 1, 32, NULL, out, sizeof out, error, 160))
            fail_msg("accepted field %s", unprintable[i]);
        assert_non_null(strstr(error, "printable"));
    }
    assert_true(input_get_text(&in, "g", true, 1, 1, NULL, out, sizeof out, error, 160));
    assert_false(input_get_text(&in, "h", true, 1, 32, NULL, out, sizeof out, error, 160));
    assert_string_equal(error, "h is required");
    assert_true(input_get_text(&in, "h", false, 0, 64, "unknown", out, sizeof out, error, 160));
    assert_string_equal(out, "unknown");
    /* markup is just text here; the page inserts it as text */
    assert_true(input_get_text(&in, "i", true, 1, 32, NULL, out, sizeof out, error, 160));
    assert_string_equal(out, "<img src=x>");
    input_free(&in);

    char body[256] = "n=";
    for (int i = 0; i < 33; i++)
        strcat(body, "%C3%A9"); /* 33 two-byte characters */
    assert_int_equal(parse(&in, FORM, body, error), INPUT_OK);
    assert_false(input_get_text(&in, "n", true, 1, 32, NULL, out, sizeof out, error, 160));
    assert_string_equal(error, "n must be 1 to 32 characters long");
    assert_true(input_get_text(&in, "n", true, 1, 33, NULL, out, sizeof out, error, 160));
    assert_int_equal(strlen(out), 66); /* characters are counted, not bytes */
    input_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_as_old_client_sends_it),
        cmocka_unit_test(test_form_edge_cases),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_content_types),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests_name("input", tests, NULL, NULL);
}
