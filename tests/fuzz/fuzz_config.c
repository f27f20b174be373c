/* Fuzzes config_load with a fuzzed environment and password file, and the connection string it
 * builds.
 *
 * Input: lines; the first byte of a line picks one of config_variables, or the password file
 * (modulo their count plus one), the rest of the line is its value (a later line for the same
 * variable wins, as in a manifest). Values never hold NUL or newline, like real environment
 * variables. The file is what any path MONGO_AUTH_PWD_FILE names reads (no line for it: there
 * is no such file); in it byte 0x01 stands for a line break and 0x02 for a NUL byte.
 *
 * Invariants:
 * - a configuration that loads has every field in its documented range;
 * - a connection string built from the old app's variables is one the MongoDB driver parses,
 *   with the same user, password, replica set and database (so percent-encoding round-trips);
 * - the password never reaches the redacted connection string, and never the error message
 *   (checked by loading again with a different password of the same shape: if the message
 *   changes with the password, it quotes it), whether from MONGO_AUTH_PWD or from the file. */
#include "config.h"
#include "fuzz.h"
#include "fuzz_mongoc.h"

enum { VARIABLES = 64 };

struct fake_env {
    const char *values[VARIABLES + 1]; /* the last used one: the password file's line */
    char file[CONFIG_SECRET_FILE_MAX * 4]; /* that line decoded */
    size_t file_length;
};

static size_t variable_count;
static size_t password_index, password_file_index, user_index, uri_index, replica_index,
    database_index, hosts_index;

static size_t variable_index(const char *name)
{
    for (size_t i = 0; i < variable_count; i++)
        if (strcmp(config_variables[i], name) == 0)
            return i;
    abort();
}

static const char *fake_lookup(const char *name, void *ctx)
{
    const struct fake_env *env = ctx;
    for (size_t i = 0; i < variable_count; i++)
        if (strcmp(config_variables[i], name) == 0)
            return env->values[i];
    FUZZ_CHECK(!"config_load read a variable missing from config_variables");
    return NULL;
}

static void decode_file(struct fake_env *env)
{
    const char *line = env->values[variable_count];
    env->file_length = 0;
    for (const char *c = line; c && *c && env->file_length < sizeof env->file; c++)
        env->file[env->file_length++] = *c == '\x01' ? '\n' : *c == '\x02' ? '\0' : *c;
}

static const char *fake_read(const char *path, char *buffer, size_t size, size_t *length,
                             void *ctx)
{
    const struct fake_env *env = ctx;
    FUZZ_CHECK(path && path[0]);
    if (!env->values[variable_count])
        return "No such file or directory";
    *length = env->file_length < size ? env->file_length : size;
    memcpy(buffer, env->file, *length);
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_mongoc_init();
    while (config_variables[variable_count])
        variable_count++;
    if (variable_count > VARIABLES)
        abort();
    password_index = variable_index("MONGO_AUTH_PWD");
    password_file_index = variable_index("MONGO_AUTH_PWD_FILE");
    user_index = variable_index("MONGO_AUTH_USER");
    uri_index = variable_index("MONGO_URI");
    replica_index = variable_index("MONGO_REPLICA_SET");
    database_index = variable_index("MONGO_DATABASE");
    hosts_index = variable_index("MONGO_SERVICE_HOST");
    return 0;
}

static const char *set_or_null(const char *value)
{
    return value && value[0] ? value : NULL;
}

/* The same password with every printable ASCII character replaced by another of its class
 * (unreserved or not), so the connection string has the same length and shape; the other bytes
 * stay, so that it is UTF-8 exactly when the first one is and holds the same line breaks. */
static char *other_password(const char *password)
{
    char *other = strdup(password);
    if (!other)
        abort();
    for (char *c = other; *c; c++) {
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            continue;
        bool unreserved = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                          (*c >= '0' && *c <= '9') || strchr("-._~", *c);
        *c = unreserved ? (*c == 'Q' ? 'R' : 'Q') : (*c == '#' ? '!' : '#');
    }
    return other;
}

/* If the error holds the value of slot (a password: MONGO_AUTH_PWD's, or the file's line),
 * loading again with another value of the same shape must give the same error. */
static void check_error_hides(const char *error, const struct fake_env *env, size_t slot,
                              const char *what)
{
    const char *password = set_or_null(env->values[slot]);
    if (!password || strlen(password) < 4 || !strstr(error, password))
        return;
    char *other = other_password(password);
    struct fake_env *other_env = malloc(sizeof *other_env);
    if (!other_env)
        abort();
    *other_env = *env;
    other_env->values[slot] = other;
    decode_file(other_env);
    char other_error[512];
    struct config other_config;
    bool loaded = config_load(&other_config, fake_lookup, fake_read, other_env, other_error,
                              sizeof other_error);
    if (loaded)
        config_free(&other_config);
    if (!loaded && strcmp(error, other_error) != 0) {
        fprintf(stderr, "fuzz: the error message quotes %s: %s\n", what, error);
        abort();
    }
    free(other_env);
    free(other);
}

static void check_loaded(const struct config *config, const struct fake_env *env)
{
    FUZZ_CHECK(config->port >= 1 && config->port <= 65535);
    FUZZ_CHECK(config->static_dir && config->serviceaccount_dir);
    FUZZ_CHECK(config->mongo_uri && config->mongo_uri_redacted && config->mongo_database);
    FUZZ_CHECK(config->mongo_timeout_ms >= 100 && config->mongo_timeout_ms <= 60000);
    FUZZ_CHECK(config->http_threads >= 1 && config->http_threads <= 64);
    FUZZ_CHECK(config->db_workers >= 1 && config->db_workers <= 256);
    FUZZ_CHECK(config->max_connections >= 16);
    FUZZ_CHECK(config->connection_timeout_seconds >= 1);

    mongoc_uri_t *uri = mongoc_uri_new_with_error(config->mongo_uri, NULL);
    const char *password = set_or_null(env->values[password_index]);
    char from_file[sizeof env->file + 1];
    if (!password && set_or_null(env->values[password_file_index]) &&
        !set_or_null(env->values[uri_index])) {
        /* the file's content less one line break, the only way it loads */
        size_t n = env->file_length;
        if (n > 0 && env->file[n - 1] == '\n')
            n -= n > 1 && env->file[n - 2] == '\r' ? 2 : 1;
        FUZZ_CHECK(n > 0 && env->file_length <= CONFIG_SECRET_FILE_MAX &&
                   !memchr(env->file, '\0', n));
        memcpy(from_file, env->file, n);
        from_file[n] = '\0';
        password = from_file;
    }
    if (!set_or_null(env->values[uri_index])) {
        /* built by us: the driver must read back exactly what the variables said */
        if (!uri) {
            fprintf(stderr, "fuzz: built an unparsable connection string: %s\n",
                    config->mongo_uri);
            abort();
        }
        const char *user = set_or_null(env->values[user_index]);
        if (user) {
            FUZZ_CHECK(mongoc_uri_get_username(uri) &&
                       strcmp(mongoc_uri_get_username(uri), user) == 0);
            FUZZ_CHECK(mongoc_uri_get_password(uri) &&
                       strcmp(mongoc_uri_get_password(uri), password) == 0);
        } else {
            FUZZ_CHECK(mongoc_uri_get_username(uri) == NULL);
        }
        const char *replica = set_or_null(env->values[replica_index]);
        FUZZ_CHECK(!replica == !mongoc_uri_get_replica_set(uri));
        if (replica)
            FUZZ_CHECK(strcmp(mongoc_uri_get_replica_set(uri), replica) == 0);
        FUZZ_CHECK(mongoc_uri_get_database(uri) &&
                   strcmp(mongoc_uri_get_database(uri), config->mongo_database) == 0);
    }
    if (uri && mongoc_uri_get_password(uri) && mongoc_uri_get_password(uri)[0]) {
        /* The redacted string carries no password. One we built is well-formed, so the driver
         * must read it back with "***"; a MONGO_URI the driver accepted may be odd enough
         * ("u:p@c@h": the driver's host is "c@h") that the redaction no longer parses, which
         * is fine for a log line (fuzz_redact proves no password byte is left in it). */
        mongoc_uri_t *redacted = mongoc_uri_new_with_error(config->mongo_uri_redacted, NULL);
        if (!redacted && !set_or_null(env->values[uri_index])) {
            fprintf(stderr, "fuzz: redacted string does not parse: %s\n",
                    config->mongo_uri_redacted);
            abort();
        }
        if (redacted)
            FUZZ_CHECK(!mongoc_uri_get_password(redacted) ||
                       strcmp(mongoc_uri_get_password(redacted), "***") == 0);
        if (!set_or_null(env->values[uri_index]))
            FUZZ_CHECK(mongoc_uri_get_password(redacted) != NULL);
        mongoc_uri_destroy(redacted);
    }
    mongoc_uri_destroy(uri);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    struct fake_env env = {.file_length = 0};
    /* split into lines in place; NUL bytes end a value early, as they would in a real env */
    char *line = text;
    while (line < text + size) {
        char *end = memchr(line, '\n', (size_t)(text + size - line));
        if (end)
            *end = '\0';
        if (*line)
            env.values[(unsigned char)line[0] % (variable_count + 1)] = line + 1;
        if (!end)
            break;
        line = end + 1;
    }
    decode_file(&env);

    struct config config;
    char error[512];
    memset(error, 'x', sizeof error);
    if (config_load(&config, fake_lookup, fake_read, &env, error, sizeof error)) {
        check_loaded(&config, &env);
        config_free(&config);
    } else {
        FUZZ_CHECK(memchr(error, '\0', sizeof error) != NULL);
        FUZZ_CHECK(error[0] != '\0');
        FUZZ_CHECK(config.mongo_uri == NULL && config.static_dir == NULL); /* freed */
        check_error_hides(error, &env, password_index, "MONGO_AUTH_PWD");
        check_error_hides(error, &env, variable_count, "the password file");
    }
    free(text);
    return 0;
}
