/* Unit tests of static_files: path rules, lookup, content negotiation. */
/* cmocka.h needs these four first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "static_files.h"

static void test_clean_paths(void **state)
{
    (void)state;
    static const char *const clean[] = {"/",     "/index.html", "/js/game.js",
                                        "/a/b/", "/a..b",       "/.well-known"};
    static const char *const dirty[] = {
        "",      "index.html", "/../etc/passwd", "/a/../b", "/./a",      "//a", "/a//b",
        "/a\\b", "/a\\..\\b",  "/a b",           "/a\x7f",  "/\xc3\xa9", "/..", "/a/.."};
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++)
        if (!static_files_path_is_clean(clean[i]))
            fail_msg("refused %s", clean[i]);
    for (size_t i = 0; i < sizeof dirty / sizeof dirty[0]; i++)
        if (static_files_path_is_clean(dirty[i]))
            fail_msg("accepted %s", dirty[i]);
}

static char dir[] = "/tmp/pacman-static-XXXXXX";

static void write_file(const char *relative, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, relative);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

static void test_load_and_lookup(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    char sub[256], outside[300];
    snprintf(sub, sizeof sub, "%s/js", dir);
    mkdir(sub, 0700);
    char big[4096];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    write_file("index.html", big);
    write_file("js/game.js", "export const x = 1;");
    write_file(".secret", "hidden");
    write_file("logo.png", "\x89PNG");
    snprintf(outside, sizeof outside, "%s/link.txt", dir);
    assert_int_equal(symlink("/etc/hostname", outside), 0);

    struct static_files files;
    char error[256];
    assert_true(static_files_load(&files, dir, error, sizeof error));
    assert_int_equal(files.count, 3); /* no dot-file, no symbolic link */
    const struct static_file *index = static_files_lookup(&files, "/");
    assert_non_null(index);
    assert_string_equal(index->path, "/index.html");
    assert_string_equal(index->content_type, "text/html; charset=utf-8");
    assert_non_null(index->gzip_data);
    assert_true(index->gzip_size < index->size / 10);
    assert_string_not_equal(index->etag, index->gzip_etag);
    assert_int_equal(index->etag[0], '"');
    const struct static_file *js = static_files_lookup(&files, "/js/game.js");
    assert_non_null(js);
    assert_string_equal(js->content_type, "text/javascript; charset=utf-8");
    assert_null(js->gzip_data);                                       /* too small to pay */
    assert_null(static_files_lookup(&files, "/logo.png")->gzip_data); /* not compressible */
    assert_null(static_files_lookup(&files, "/.secret"));
    assert_null(static_files_lookup(&files, "/link.txt"));
    assert_null(static_files_lookup(&files, "/js"));
    assert_null(static_files_lookup(&files, "/js/"));
    assert_null(static_files_lookup(&files, "/js/../index.html"));
    assert_null(static_files_lookup(&files, "/nope.html"));
    static_files_free(&files);

    assert_false(static_files_load(&files, "/nonexistent-pacman-dir", error, sizeof error));
    assert_non_null(strstr(error, "cannot read directory"));
    char command[400];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    assert_int_equal(system(command), 0);
}

static void test_accept_gzip(void **state)
{
    (void)state;
    assert_true(static_files_accepts_gzip("gzip"));
    assert_true(static_files_accepts_gzip("gzip, deflate, br"));
    assert_true(static_files_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
    assert_true(static_files_accepts_gzip("*"));
    assert_false(static_files_accepts_gzip(NULL));
    assert_false(static_files_accepts_gzip(""));
    assert_false(static_files_accepts_gzip("identity"));
    assert_false(static_files_accepts_gzip("gzip;q=0"));
    assert_false(static_files_accepts_gzip("deflate, gzip;q=0.0"));
    assert_false(static_files_accepts_gzip("x-gzip2"));
    assert_false(static_files_accepts_gzip("*;q=0"));
}

static void test_etag_match(void **state)
{
    (void)state;
    const char *etag = "\"0123456789abcdef\"";
    assert_true(static_files_etag_matches("\"0123456789abcdef\"", etag));
    assert_true(static_files_etag_matches("W/\"0123456789abcdef\"", etag));
    assert_true(static_files_etag_matches("\"x\", \"0123456789abcdef\"", etag));
    assert_true(static_files_etag_matches("*", etag));
    assert_false(static_files_etag_matches(NULL, etag));
    assert_false(static_files_etag_matches("\"0123456789abcdef-gz\"", etag));
    assert_false(static_files_etag_matches("0123456789abcdef", etag));
    assert_false(static_files_etag_matches("\"0123456789abcde\"", etag));
}

static void test_unescape(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"/a%20b", "/a b"},
        {"/%2e%2E/x", "/../x"},
        {"/index.html%00.png", "/index.html%00.png"},
        {"/bad%zz%4", "/bad%zz%4"},
        {"/%2f%5C", "/\x2f\\"},
        {"%", "%"},
        {"/plain", "/plain"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "%s", cases[i][0]);
        size_t length = static_files_unescape_path(path);
        assert_int_equal(length, strlen(cases[i][1]));
        assert_string_equal(path, cases[i][1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_paths), cmocka_unit_test(test_load_and_lookup),
        cmocka_unit_test(test_accept_gzip), cmocka_unit_test(test_etag_match),
        cmocka_unit_test(test_unescape),
    };
    return cmocka_run_group_tests_name("static_files", tests, NULL, NULL);
}
