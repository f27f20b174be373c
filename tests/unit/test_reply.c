/* Unit tests of reply: JSON and error bodies, and an error body even when memory runs out.
 * The test links with --wrap=strdup (Makefile, UNIT_LDFLAGS_test_reply) and gives jansson
 * allocation functions that can fail, so that it can take memory away. */
/* cmocka.h needs these four first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdbool.h>

#include "reply.h"

char *__real_strdup(const char *text);
char *__wrap_strdup(const char *text);

static bool memory_gone;

char *__wrap_strdup(const char *text)
{
    return memory_gone ? NULL : __real_strdup(text);
}

static void *failing_malloc(size_t size)
{
    return memory_gone ? NULL : malloc(size);
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

static void test_an_error_has_a_body_when_memory_runs_out(void **state)
{
    (void)state;
    json_set_alloc_funcs(failing_malloc, free);
    memory_gone = true;
    struct reply reply = {0};
    reply_error(&reply, 503, "the database is away");
    memory_gone = false;
    /* before: the constant body was strdup'd too, and there was none */
    assert_int_equal(reply.status, 503);
    assert_non_null(reply.body);
    assert_string_equal(reply.body, "{\"error\":\"internal error\"}");
    assert_int_equal(reply.body_length, strlen(reply.body));
    reply_clear(&reply); /* the constant is not freed */
    assert_null(reply.body);
    memory_gone = true;
    assert_false(reply_json(&reply, 200, NULL));
    memory_gone = false;
    assert_int_equal(reply.status, 500);
    assert_non_null(reply.body);
    reply_clear(&reply);
    json_set_alloc_funcs(malloc, free);
}

static void test_a_message_cut_inside_a_character_still_has_a_body(void **state)
{
    (void)state;
    char long_name[400];
    memset(long_name, 'a', sizeof long_name);
    strcpy(long_name + 250, "\xe5\xb1\xb1\xe5\xb1\xb1"); /* two characters around the cut */
    struct reply reply = {0};
    reply_error(&reply, 400, "%s", long_name);
    assert_int_equal(reply.status, 400);
    assert_non_null(strstr(reply.body, "aaaa")); /* the message, not the fallback */
    reply_clear(&reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_error),
        cmocka_unit_test(test_an_error_has_a_body_when_memory_runs_out),
        cmocka_unit_test(test_a_message_cut_inside_a_character_still_has_a_body),
    };
    return cmocka_run_group_tests_name("reply", tests, NULL, NULL);
}
