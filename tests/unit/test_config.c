/* Unit tests of config: environment parsing, connection-string building, redaction. */
/* cmocka.h needs these four first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "config.h"

/* A fake environment: NULL-terminated name, value pairs. */
static const char *fake_lookup(const char *name, void *ctx)
{
    for (const char *const *pair = ctx; pair[0]; pair += 2)
        if (strcmp(pair[0], name) == 0)
            return pair[1];
    return NULL;
}

/* Fake files for the *_FILE variables: the content has a length, so it may hold NUL bytes; a
 * file with a reason `why` cannot be read. The list ends with a NULL path. */
struct fake_file {
    const char *path;
    const char *content;
    size_t length;
    const char *why;
};
static const struct fake_file *fake_files;
static unsigned fake_reads;

static const char *fake_read(const char *path, char *buffer, size_t size, size_t *length, void *ctx)
{
    (void)ctx;
    fake_reads++;
    for (const struct fake_file *file = fake_files; file && file->path; file++) {
        if (strcmp(file->path, path) != 0)
            continue;
        if (file->why)
            return file->why;
        *length = file->length < size ? file->length : size;
        memcpy(buffer, file->content, *length);
        return NULL;
    }
    return "No such file or directory";
}

static struct config cfg;
static char error[512];

static bool load(const char *const *env)
{
    return config_load(&cfg, fake_lookup, fake_read, (void *)(uintptr_t)env, error, sizeof error);
}

/* Loads MONGO_AUTH_USER=u and MONGO_AUTH_PWD_FILE=/run/pw, the file holding content. */
static bool load_password_file(const char *content, size_t length)
{
    const struct fake_file files[] = {{"/run/pw", content, length, NULL}, {NULL, NULL, 0, NULL}};
    const char *env[] = {"MONGO_AUTH_USER", "u", "MONGO_AUTH_PWD_FILE", "/run/pw", NULL};
    fake_files = files;
    bool loaded = load(env);
    fake_files = NULL;
    return loaded;
}

static void test_defaults(void **state)
{
    (void)state;
    const char *env[] = {NULL};
    assert_true(load(env));
    assert_int_equal(cfg.port, 8080);
    assert_string_equal(cfg.static_dir, "static");
    assert_int_equal(cfg.log_format, LOG_FORMAT_TEXT);
    assert_string_equal(cfg.mongo_uri, "mongodb://localhost:27017/pacman");
    assert_string_equal(cfg.mongo_database, "pacman");
    assert_int_equal(cfg.mongo_timeout_ms, 2000);
    assert_null(cfg.node_name);
    assert_int_equal(cfg.drain_seconds, 5);
    assert_int_equal(cfg.grace_seconds, 20);
    assert_int_equal(cfg.highscores_cache_ms, 1000);
    assert_int_equal(cfg.players_cache_ms, 1000);
    assert_int_equal(cfg.connection_timeout_seconds, 15);
    assert_int_equal(cfg.request_timeout_seconds, 10);
    assert_int_equal(cfg.player_ttl_seconds, 86400);
    config_free(&cfg);
}

static void test_players_cache(void **state)
{
    (void)state;
    const char *inherited[] = {"HIGHSCORES_CACHE_MS", "250", NULL};
    assert_true(load(inherited));
    assert_int_equal(cfg.highscores_cache_ms, 250);
    assert_int_equal(cfg.players_cache_ms, 250); /* the old variable is the default */
    config_free(&cfg);
    const char *own[] = {"HIGHSCORES_CACHE_MS", "0", "PLAYERS_CACHE_MS", "5000", NULL};
    assert_true(load(own));
    assert_int_equal(cfg.highscores_cache_ms, 0);
    assert_int_equal(cfg.players_cache_ms, 5000);
    config_free(&cfg);
    const char *bad[] = {"PLAYERS_CACHE_MS", "60001", NULL};
    assert_false(load(bad));
    assert_non_null(strstr(error, "PLAYERS_CACHE_MS"));
}

static void test_player_ttl(void **state)
{
    (void)state;
    const char *off[] = {"PLAYER_TTL_SECONDS", "0", NULL};
    assert_true(load(off));
    assert_int_equal(cfg.player_ttl_seconds, 0);
    config_free(&cfg);
    const char *year[] = {"PLAYER_TTL_SECONDS", "31622400", NULL};
    assert_true(load(year));
    assert_int_equal(cfg.player_ttl_seconds, 366 * 86400);
    config_free(&cfg);
    const char *bad[] = {"PLAYER_TTL_SECONDS", "31622401", NULL};
    assert_false(load(bad));
    assert_non_null(strstr(error, "PLAYER_TTL_SECONDS"));
    const char *words[] = {"PLAYER_TTL_SECONDS", "1d", NULL};
    assert_false(load(words));
    assert_non_null(strstr(error, "PLAYER_TTL_SECONDS"));
}

static void test_request_timeout(void **state)
{
    (void)state;
    const char *off[] = {"REQUEST_TIMEOUT_SECONDS", "0", NULL};
    assert_true(load(off));
    assert_int_equal(cfg.request_timeout_seconds, 0);
    config_free(&cfg);
    const char *hour[] = {"REQUEST_TIMEOUT_SECONDS", "3600", NULL};
    assert_true(load(hour));
    assert_int_equal(cfg.request_timeout_seconds, 3600);
    config_free(&cfg);
    const char *bad[] = {"REQUEST_TIMEOUT_SECONDS", "3601", NULL};
    assert_false(load(bad));
    assert_non_null(strstr(error, "REQUEST_TIMEOUT_SECONDS"));
    const char *negative[] = {"REQUEST_TIMEOUT_SECONDS", "-1", NULL};
    assert_false(load(negative));
}

static void test_old_app_variables(void **state)
{
    (void)state;
    const char *env[] = {"MONGO_SERVICE_HOST",
                         "mongo-0.mongo,mongo-1.mongo:27018, mongo-2.mongo",
                         "MY_MONGO_PORT",
                         "27017",
                         "MONGO_DATABASE",
                         "scores",
                         "MONGO_REPLICA_SET",
                         "rs0",
                         "MONGO_AUTH_USER",
                         "app",
                         "MONGO_AUTH_PWD",
                         "p@ss:w/rd%",
                         "MONGO_USE_SSL",
                         "true",
                         "MONGO_VALIDATE_SSL",
                         "false",
                         NULL};
    assert_true(load(env));
    assert_string_equal(cfg.mongo_uri,
                        "mongodb://app:p%40ss%3Aw%2Frd%25@mongo-0.mongo:27017,mongo-1.mongo:27018,"
                        "mongo-2.mongo:27017/scores?replicaSet=rs0&tls=true"
                        "&tlsAllowInvalidCertificates=true");
    assert_null(strstr(cfg.mongo_uri_redacted, "p%40ss"));
    assert_string_equal(cfg.mongo_uri_redacted,
                        "mongodb://app:***@mongo-0.mongo:27017,mongo-1.mongo:27018,"
                        "mongo-2.mongo:27017/scores?replicaSet=rs0&tls=true"
                        "&tlsAllowInvalidCertificates=true");
    assert_string_equal(cfg.mongo_database, "scores");
    config_free(&cfg);
}

static void test_namespace_fallback_and_auth_source(void **state)
{
    (void)state;
    const char *env[] = {"MONGO_NAMESPACE_SERVICE_HOST",
                         "10.0.0.7",
                         "MONGO_AUTH_USER",
                         "u",
                         "MONGO_AUTH_PWD",
                         "p",
                         "MONGO_AUTH_SOURCE",
                         "admin",
                         NULL};
    assert_true(load(env));
    assert_string_equal(cfg.mongo_uri, "mongodb://u:p@10.0.0.7:27017/pacman?authSource=admin");
    config_free(&cfg);
    const char *both[] = {"MONGO_SERVICE_HOST", "primary", "MONGO_NAMESPACE_SERVICE_HOST", "other",
                          NULL};
    assert_true(load(both));
    assert_string_equal(cfg.mongo_uri, "mongodb://primary:27017/pacman");
    config_free(&cfg);
}

static void test_ipv6_host(void **state)
{
    (void)state;
    const char *env[] = {"MONGO_SERVICE_HOST", "[::1]:27019,[fe80::1]", NULL};
    assert_true(load(env));
    assert_string_equal(cfg.mongo_uri, "mongodb://[::1]:27019,[fe80::1]:27017/pacman");
    config_free(&cfg);
}

static void test_mongo_uri_overrides(void **state)
{
    (void)state;
    const char *env[] = {"MONGO_URI",
                         "mongodb://root:secret@db1,db2/game?replicaSet=rs1",
                         "MONGO_SERVICE_HOST",
                         "ignored",
                         "MONGO_DATABASE",
                         "ignored",
                         NULL};
    assert_true(load(env));
    assert_string_equal(cfg.mongo_uri, "mongodb://root:secret@db1,db2/game?replicaSet=rs1");
    assert_string_equal(cfg.mongo_uri_redacted, "mongodb://root:***@db1,db2/game?replicaSet=rs1");
    assert_string_equal(cfg.mongo_database, "game");
    config_free(&cfg);
}

/* MONGO_AUTH_PWD_FILE: the file's content is the password, less one trailing line break. */
static void test_password_file(void **state)
{
    (void)state;
    static const struct {
        const char *content;
        size_t length;
        const char *uri;
    } cases[] = {
        {"s3cret", 6, "mongodb://u:s3cret@localhost:27017/pacman"},
        {"s3cret\n", 7, "mongodb://u:s3cret@localhost:27017/pacman"},
        {"s3cret\r\n", 8, "mongodb://u:s3cret@localhost:27017/pacman"},
        /* one line break only: the rest is the password's */
        {"s3cret\n\n", 8, "mongodb://u:s3cret%0A@localhost:27017/pacman"},
        {"s3cret\r", 7, "mongodb://u:s3cret%0D@localhost:27017/pacman"},
        {" p@ss:w/rd%\tx", 13, "mongodb://u:%20p%40ss%3Aw%2Frd%25%09x@localhost:27017/pacman"},
        {"p\xc3\xa4ss\n", 6, "mongodb://u:p%C3%A4ss@localhost:27017/pacman"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!load_password_file(cases[i].content, cases[i].length))
            fail_msg("case %zu refused: %s", i, error);
        assert_string_equal(cfg.mongo_uri, cases[i].uri);
        assert_string_equal(cfg.mongo_uri_redacted, "mongodb://u:***@localhost:27017/pacman");
        config_free(&cfg);
    }

    /* the largest file taken, line break included */
    char big[CONFIG_SECRET_FILE_MAX + 1];
    memset(big, 'a', sizeof big);
    assert_true(load_password_file(big, CONFIG_SECRET_FILE_MAX));
    assert_non_null(strstr(cfg.mongo_uri, "u:aaaa"));
    assert_null(strstr(cfg.mongo_uri_redacted, "aaaa"));
    config_free(&cfg);
    big[CONFIG_SECRET_FILE_MAX - 1] = '\n';
    assert_true(load_password_file(big, CONFIG_SECRET_FILE_MAX));
    config_free(&cfg);

    /* an empty MONGO_AUTH_PWD_FILE is unset, as every empty variable is */
    const char *empty[] = {
        "MONGO_AUTH_USER", "u", "MONGO_AUTH_PWD", "p", "MONGO_AUTH_PWD_FILE", "", NULL};
    assert_true(load(empty));
    assert_string_equal(cfg.mongo_uri, "mongodb://u:p@localhost:27017/pacman");
    config_free(&cfg);

    /* with MONGO_URI the old app's variables are ignored: the file is not even read */
    const char *uri[] = {"MONGO_URI", "mongodb://db/game", "MONGO_AUTH_PWD_FILE", "/nowhere", NULL};
    fake_reads = 0;
    assert_true(load(uri));
    assert_int_equal(fake_reads, 0);
    config_free(&cfg);
}

/* Each refusal is one line naming the variable and the path, never the file's content. */
static void test_password_file_refusals(void **state)
{
    (void)state;
    char big[CONFIG_SECRET_FILE_MAX + 2];
    memset(big, 'Q', sizeof big);
    big[CONFIG_SECRET_FILE_MAX] = '\n';
    static const struct {
        const char *content;
        size_t length;
        const char *says;
    } cases[] = {
        {"", 0, "is empty"},
        {"\n", 1, "is empty"},
        {"\r\n", 2, "is empty"},
        {"QQQQ\0QQQQ", 9, "NUL byte"},
        {"QQQQ\0", 5, "NUL byte"},
        {"QQQQ\xff\xfeQQQQ\n", 11, "not UTF-8"},
        {"QQQQ\xc0\xafQQQQ", 10, "not UTF-8"}, /* an overlong "/" */
        {NULL, CONFIG_SECRET_FILE_MAX + 1, "over 1024 bytes"},
        {NULL, CONFIG_SECRET_FILE_MAX + 2, "over 1024 bytes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *content = cases[i].content ? cases[i].content : big;
        if (load_password_file(content, cases[i].length))
            fail_msg("case %zu was accepted", i);
        if (!strstr(error, "MONGO_AUTH_PWD_FILE: \"/run/pw\" ") || !strstr(error, cases[i].says))
            fail_msg(
                "case %zu: the error does not say MONGO_AUTH_PWD_FILE, the path and \"%s\": %s", i,
                cases[i].says, error);
        assert_null(strstr(error, "QQQQ"));
        assert_null(strchr(error, '\n'));
        assert_null(cfg.mongo_uri); /* config is left freed */
    }

    const struct fake_file locked[] = {{"/run/pw", NULL, 0, "Permission denied"},
                                       {NULL, NULL, 0, NULL}};
    const char *env[] = {"MONGO_AUTH_USER", "u", "MONGO_AUTH_PWD_FILE", "/run/pw", NULL};
    fake_files = locked;
    assert_false(load(env));
    fake_files = NULL;
    assert_string_equal(error, "MONGO_AUTH_PWD_FILE: cannot read \"/run/pw\": Permission denied");
    assert_false(load(env)); /* no such fake file */
    assert_string_equal(error,
                        "MONGO_AUTH_PWD_FILE: cannot read \"/run/pw\": No such file or directory");

    /* both ways at once: which one was meant is not for the server to guess */
    const struct fake_file file[] = {{"/run/pw", "QQQQ", 4, NULL}, {NULL, NULL, 0, NULL}};
    const char *both[] = {"MONGO_AUTH_USER", "u", "MONGO_AUTH_PWD", "PPPP", "MONGO_AUTH_PWD_FILE",
                          "/run/pw",         NULL};
    fake_files = file;
    assert_false(load(both));
    assert_string_equal(
        error, "MONGO_AUTH_PWD and MONGO_AUTH_PWD_FILE (\"/run/pw\") are both set: keep one");
    /* a password without its user, as with MONGO_AUTH_PWD */
    const char *no_user[] = {"MONGO_AUTH_PWD_FILE", "/run/pw", NULL};
    assert_false(load(no_user));
    fake_files = NULL;
    assert_non_null(strstr(error, "MONGO_AUTH_USER"));
    assert_null(strstr(error, "QQQQ"));
}

/* Each bad setting is refused with a message naming the variable. */
static void test_bad_values(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"PORT", "abc", "PORT"},
        {"PORT", "70000", "PORT"},
        {"PORT", "-1", "PORT"},
        {"PORT", "80x", "PORT"},
        {"LOG_FORMAT", "xml", "LOG_FORMAT"},
        {"MONGO_USE_SSL", "maybe", "MONGO_USE_SSL"},
        {"MY_MONGO_PORT", "0", "MY_MONGO_PORT"},
        {"MONGO_TIMEOUT_MS", "5", "MONGO_TIMEOUT_MS"},
        {"MONGO_DATABASE", "a/b", "MONGO_DATABASE"},
        {"MONGO_DATABASE", "has space", "MONGO_DATABASE"},
        {"MONGO_REPLICA_SET", "rs0&w=0", "MONGO_REPLICA_SET"},
        {"MONGO_SERVICE_HOST", "host/evil", "MONGO_SERVICE_HOST"},
        {"MONGO_SERVICE_HOST", "a:99999", "MONGO_SERVICE_HOST"},
        {"MONGO_SERVICE_HOST", "a@b", "MONGO_SERVICE_HOST"},
        {"MONGO_URI", "http://nope", "MONGO_URI"},
        {"HTTP_THREADS", "0", "HTTP_THREADS"},
        {"HTTP_MODE", "select", "HTTP_MODE"},
        {"DB_WORKERS", "100000", "DB_WORKERS"},
        {"MONGO_AUTH_USER", "only-user", "MONGO_AUTH_PWD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *env[] = {cases[i][0], cases[i][1], NULL};
        if (load(env))
            fail_msg("%s=%s was accepted", cases[i][0], cases[i][1]);
        if (!strstr(error, cases[i][2]))
            fail_msg("error for %s=%s does not name %s: %s", cases[i][0], cases[i][1], cases[i][2],
                     error);
    }
}

static void test_empty_means_default(void **state)
{
    (void)state;
    const char *env[] = {"PORT", "", "MONGO_SERVICE_HOST", "", "LOG_FORMAT", "", NULL};
    assert_true(load(env));
    assert_int_equal(cfg.port, 8080);
    assert_string_equal(cfg.mongo_uri, "mongodb://localhost:27017/pacman");
    config_free(&cfg);
}

static void test_redact(void **state)
{
    (void)state;
    char out[256];
    assert_true(config_redact_uri("mongodb://u:pw@h/db", out, sizeof out));
    assert_string_equal(out, "mongodb://u:***@h/db");
    assert_true(config_redact_uri("mongodb://h:27017/db?x=1", out, sizeof out));
    assert_string_equal(out, "mongodb://h:27017/db?x=1");
    assert_true(config_redact_uri("mongodb+srv://u:p@ss@w@c.example/db", out, sizeof out));
    assert_string_equal(out, "mongodb+srv://u:***@c.example/db");
    assert_true(config_redact_uri("mongodb://onlyuser@h/db", out, sizeof out));
    assert_string_equal(out, "mongodb://onlyuser@h/db");
    /* the part after the path may contain @ without being credentials */
    assert_true(config_redact_uri("mongodb://h/db?appname=a@b", out, sizeof out));
    assert_string_equal(out, "mongodb://h/db?appname=a@b");
    assert_false(config_redact_uri("mongodb://u:pw@h/db", out, 8));
    assert_null(strstr(out, "pw"));
}

static void test_redact_secret_options(void **state)
{
    (void)state;
    char out[512];
    /* the client key's password, under its name and its old one, any case */
    assert_true(config_redact_uri("mongodb://h/db?tls=true&tlsCertificateKeyFile=/k.pem&"
                                  "tlsCertificateKeyFilePassword=s3cret&replicaSet=rs0",
                                  out, sizeof out));
    assert_string_equal(out, "mongodb://h/db?tls=true&tlsCertificateKeyFile=/k.pem&"
                             "tlsCertificateKeyFilePassword=***&replicaSet=rs0");
    assert_true(config_redact_uri("mongodb://u:pw@h/?SSLCLIENTCERTIFICATEKEYPASSWORD=s3cret;"
                                  "authMechanism=MONGODB-AWS&authMechanismProperties="
                                  "AWS_SESSION_TOKEN:t0ken",
                                  out, sizeof out));
    assert_string_equal(out, "mongodb://u:***@h/?SSLCLIENTCERTIFICATEKEYPASSWORD=***;"
                             "authMechanism=MONGODB-AWS&authMechanismProperties=***");
    assert_null(strstr(out, "s3cret"));
    assert_null(strstr(out, "t0ken"));
    /* the same words outside the options are not options */
    assert_true(config_redact_uri("mongodb://h/password?x=1&password=", out, sizeof out));
    assert_string_equal(out, "mongodb://h/password?x=1&password=");
    /* cut short: a prefix that still holds no secret */
    char small[40];
    assert_false(config_redact_uri("mongodb://h/db?tlsCertificateKeyFilePassword=s3cret", small,
                                   sizeof small));
    assert_null(strstr(small, "s3"));
}

static void test_variable_list(void **state)
{
    (void)state;
    size_t n = 0;
    bool has_uri = false;
    for (const char *const *name = config_variables; *name; name++, n++)
        has_uri |= strcmp(*name, "MONGO_URI") == 0;
    assert_true(has_uri);
    assert_true(n >= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_old_app_variables),
        cmocka_unit_test(test_request_timeout),
        cmocka_unit_test(test_players_cache),
        cmocka_unit_test(test_player_ttl),
        cmocka_unit_test(test_namespace_fallback_and_auth_source),
        cmocka_unit_test(test_ipv6_host),
        cmocka_unit_test(test_mongo_uri_overrides),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_password_file),
        cmocka_unit_test(test_password_file_refusals),
        cmocka_unit_test(test_empty_means_default),
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_redact_secret_options),
        cmocka_unit_test(test_variable_list),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
