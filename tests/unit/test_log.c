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
    log_escape(out, sizeof out, "/a\"b\\c\n\x01\xc3\xa9");
    assert_string_equal(out, "/a\\\"b\\\\c\\u000a\\u0001\\u00c3\\u00a9");
    assert_int_equal(log_escape(out, 8, "abcdefghijk"), 7);
    assert_string_equal(out, "abcdefg");
    assert_int_equal(log_escape(out, 4, "\n"), 0); /* never half an escape */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_log_escape)};
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
