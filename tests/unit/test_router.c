/* Unit tests of router over a table of its own: the row a path names, the methods it allows,
 * and its Allow header made from them. */

/* cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "router.h"

static const struct route table[] = {
    {"", ROUTE_GET | ROUTE_HEAD, "static", NULL, "static_files"},
    {"/highscores/list", ROUTE_GET | ROUTE_HEAD, "highscores_list", NULL, "highscores"},
    {"/highscores", ROUTE_POST, "highscores", NULL, "highscores"},
    {"/user/id", ROUTE_GET, "user_id", NULL, "players"},
    {"/user/stats", ROUTE_GET | ROUTE_HEAD | ROUTE_POST, "user_stats", NULL, "players"},
};
#define COUNT (sizeof table / sizeof table[0])

static void test_paths_name_rows_and_the_rest_is_static(void **state)
{
    (void)state;
    assert_ptr_equal(router_match(table, COUNT, "/highscores/list"), &table[1]);
    assert_ptr_equal(router_match(table, COUNT, "/highscores"), &table[2]);
    assert_ptr_equal(router_match(table, COUNT, "/index.html"), &table[0]);
    assert_ptr_equal(router_match(table, COUNT, "/highscores/list/"), &table[0]);
    assert_ptr_equal(router_match(table, COUNT, ""), &table[0]); /* the first row is no path */
}

static void test_methods_and_allow(void **state)
{
    (void)state;
    const struct route *list = router_match(table, COUNT, "/highscores/list");
    assert_true(router_allows(list, METHOD_GET));
    assert_true(router_allows(list, METHOD_HEAD));
    assert_false(router_allows(list, METHOD_POST));
    assert_string_equal(router_allow(list), "GET, HEAD");
    const struct route *post = router_match(table, COUNT, "/highscores");
    assert_false(router_allows(post, METHOD_GET));
    assert_string_equal(router_allow(post), "POST");
    /* GET creates a player: HEAD must not */
    assert_false(router_allows(router_match(table, COUNT, "/user/id"), METHOD_HEAD));
    const struct route *stats = router_match(table, COUNT, "/user/stats");
    assert_false(router_allows(stats, router_method("DELETE")));
    assert_string_equal(router_allow(stats), "GET, HEAD, POST");
    assert_false(router_allows(&table[0], METHOD_POST));
    assert_int_equal(router_method("get"), METHOD_OTHER); /* methods are case-sensitive */
    assert_int_equal(router_method("HEAD"), METHOD_HEAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_name_rows_and_the_rest_is_static),
        cmocka_unit_test(test_methods_and_allow),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
