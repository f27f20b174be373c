/* Unit tests of log: what a log line does to the bytes a client sent. */
/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "log.h"

static void test_log_escape(void **state)
{
    (void)state;
    char out[64];
    log_escape(out, sizeof out, "/a\"b\\c\n\x01\x7f");
    assert_string_equal(out, "/a\\\"b\\\\c\\u000a\\u0001\\u007f");
    assert_int_equal(log_escape(out, 8, "abcdefghijk"), 7);
    assert_string_equal(out, "abcdefg");
    assert_int_equal(log_escape(out, 4, "\n"), 0); /* never half an escape */
}

static void test_utf8_is_written_as_it_is(void **state)
{
    (void)state;
    char out[64];
    /* before: each byte as \u00XX, which a JSON reader turns into "ZoÃ«" */
    log_escape(out, sizeof out, "Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x98\x80");
    assert_string_equal(out, "Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x98\x80");
    /* never half a character */
    assert_int_equal(log_escape(out, 4, "ab\xe5\xb1\xb1"), 2);
    assert_string_equal(out, "ab");
}

static void test_bytes_that_are_no_character_are_replaced(void **state)
{
    (void)state;
    char out[96];
    /* a stray continuation byte, an overlong "/", a surrogate, past U+10FFFF, cut short */
    log_escape(out, sizeof out, "\x80|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe5\xb1");
    assert_string_equal(out, "\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
                             "\\ufffd\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd");
}

static void test_characters_that_move_text_are_escaped(void **state)
{
    (void)state;
    char out[64];
    /* a C1 control, a right-to-left override, an isolate */
    log_escape(out, sizeof out,
               "a\xc2\x85"
               "b\xe2\x80\xae"
               "c\xe2\x81\xa6");
    assert_string_equal(out, "a\\u0085b\\u202ec\\u2066");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_escape),
        cmocka_unit_test(test_utf8_is_written_as_it_is),
        cmocka_unit_test(test_bytes_that_are_no_character_are_replaced),
        cmocka_unit_test(test_characters_that_move_text_are_escaped),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
