/* Unit tests of strbuf (growth, the limit, failure that sticks, overflow, memory running out)
 * and hex. The test links with --wrap=realloc (Makefile, UNIT_LDFLAGS_test_strbuf), so that it
 * can make strbuf's realloc fail. */

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "strbuf.h"

void *__real_realloc(void *pointer, size_t size);
void *__wrap_realloc(void *pointer, size_t size);

static bool realloc_fails;

void *__wrap_realloc(void *pointer, size_t size)
{
    return realloc_fails ? NULL : __real_realloc(pointer, size);
}

static void test_appends_grow_and_stay_terminated(void **state)
{
    (void)state;
    struct strbuf buffer;
    strbuf_init(&buffer, 0);
    assert_null(buffer.data);
    char chunk[100];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 50; i++)
        assert_true(strbuf_append(&buffer, chunk, sizeof chunk));
    assert_true(strbuf_printf(&buffer, "%s=%d", "tail", 42));
    assert_int_equal(buffer.length, 5000 + 7);
    assert_int_equal(strlen(buffer.data), buffer.length);
    assert_string_equal(buffer.data + 5000, "tail=42");
    size_t length = 0;
    char *text = strbuf_take(&buffer, &length);
    assert_int_equal(length, 5007);
    assert_null(buffer.data); /* handed over: the buffer is empty again */
    assert_int_equal(buffer.length, 0);
    free(text);
}

static void test_printf_longer_than_the_room_left(void **state)
{
    (void)state;
    struct strbuf buffer;
    strbuf_init(&buffer, 0);
    assert_true(strbuf_append(&buffer, "a", 1)); /* 64 bytes of room */
    char long_text[300];
    memset(long_text, 'y', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    assert_true(strbuf_printf(&buffer, "[%s]", long_text));
    assert_int_equal(buffer.length, 1 + 2 + 299);
    assert_int_equal(buffer.data[buffer.length - 1], ']');
    strbuf_free(&buffer);
}

static void test_an_empty_buffer_takes_as_an_empty_string(void **state)
{
    (void)state;
    struct strbuf buffer;
    strbuf_init(&buffer, 10);
    size_t length = 99;
    char *text = strbuf_take(&buffer, &length);
    assert_non_null(text);
    assert_string_equal(text, "");
    assert_int_equal(length, 0);
    free(text);
}

static void test_the_limit_refuses_and_the_failure_sticks(void **state)
{
    (void)state;
    struct strbuf buffer;
    strbuf_init(&buffer, 8);
    assert_true(strbuf_append(&buffer, "12345678", 8)); /* exactly the limit */
    assert_false(strbuf_append(&buffer, "9", 1));
    assert_true(buffer.failed);
    assert_int_equal(buffer.length, 8); /* what it held is kept */
    assert_string_equal(buffer.data, "12345678");
    assert_false(strbuf_append(&buffer, "", 0)); /* nothing more once failed */
    assert_false(strbuf_printf(&buffer, "x"));
    assert_null(strbuf_take(&buffer, NULL));
    assert_null(buffer.data); /* take freed it */

    strbuf_init(&buffer, 4);
    assert_false(strbuf_printf(&buffer, "%d", 12345));
    assert_null(strbuf_take(&buffer, NULL));
}

static void test_sizes_that_would_overflow_fail(void **state)
{
    (void)state;
    struct strbuf buffer;
    strbuf_init(&buffer, 0);
    assert_true(strbuf_append(&buffer, "ab", 2));
    assert_false(strbuf_append(&buffer, "c", SIZE_MAX)); /* never read: refused first */
    assert_false(strbuf_append(&buffer, "c", SIZE_MAX - 1));
    assert_true(buffer.failed);
    strbuf_free(&buffer);
    assert_false(buffer.failed); /* freed: usable again */
    assert_true(strbuf_append(&buffer, "c", 1));
    strbuf_free(&buffer);
}

static void test_printf_when_memory_runs_out_leaves_the_text_as_it_was(void **state)
{
    (void)state;
    struct strbuf buffer;
    strbuf_init(&buffer, 0);
    assert_true(strbuf_append(&buffer, "kept", 4)); /* 64 bytes of room */
    realloc_fails = true;
    /* longer than the room: the first pass writes a cut copy into it, then growing fails */
    bool appended = strbuf_printf(&buffer, "%s",
                                  "0123456789012345678901234567890123456789"
                                  "0123456789012345678901234567890123456789");
    realloc_fails = false;
    assert_false(appended);
    assert_true(buffer.failed);
    assert_int_equal(buffer.length, 4);
    /* before: the cut copy sat after "kept" with no NUL at length */
    assert_int_equal(strlen(buffer.data), 4);
    assert_string_equal(buffer.data, "kept");
    assert_null(strbuf_take(&buffer, NULL)); /* failed: nothing to hand over */
}

static void test_hex(void **state)
{
    (void)state;
    assert_int_equal(hex_value('0'), 0);
    assert_int_equal(hex_value('9'), 9);
    assert_int_equal(hex_value('a'), 10);
    assert_int_equal(hex_value('F'), 15);
    assert_int_equal(hex_value('g'), -1);
    assert_int_equal(hex_value('G'), -1);
    assert_int_equal(hex_value('\0'), -1);
    assert_int_equal(hex_value('@'), -1); /* '@' | 0x20 is '`', just below 'a' */
    assert_int_equal(hex_digit(0), '0');
    assert_int_equal(hex_digit(10), 'a');
    assert_int_equal(hex_digit(0x1f), 'f');
    assert_int_equal(hex_byte("2F"), 0x2f);
    assert_int_equal(hex_byte("00"), 0);
    assert_int_equal(hex_byte("2"), -1); /* stops at the NUL */
    assert_int_equal(hex_byte("x1"), -1);
    assert_true(hex_is_digits("65a1B2", 6));
    assert_false(hex_is_digits("65a1z2", 6));
    assert_true(hex_is_digits("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appends_grow_and_stay_terminated),
        cmocka_unit_test(test_printf_longer_than_the_room_left),
        cmocka_unit_test(test_an_empty_buffer_takes_as_an_empty_string),
        cmocka_unit_test(test_the_limit_refuses_and_the_failure_sticks),
        cmocka_unit_test(test_sizes_that_would_overflow_fail),
        cmocka_unit_test(test_printf_when_memory_runs_out_leaves_the_text_as_it_was),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests_name("strbuf", tests, NULL, NULL);
}
