/* config: environment parsing and connection-string building. Pure: no I/O but the lookup and
 * file-reading functions it is given, so unit tests pass a fake environment and fake files. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <mongoc/mongoc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *const config_variables[] = {
    "PORT",
    "STATIC_DIR",
    "LOG_FORMAT",
    "MONGO_URI",
    "MONGO_SERVICE_HOST",
    "MONGO_NAMESPACE_SERVICE_HOST",
    "MY_MONGO_PORT",
    "MONGO_DATABASE",
    "MONGO_AUTH_USER",
    "MONGO_AUTH_PWD",
    "MONGO_AUTH_PWD_FILE",
    "MONGO_AUTH_SOURCE",
    "MONGO_REPLICA_SET",
    "MONGO_USE_SSL",
    "MONGO_VALIDATE_SSL",
    "MONGO_TIMEOUT_MS",
    "MY_NODE_NAME",
    "KUBERNETES_SERVICE_HOST",
    "KUBERNETES_SERVICE_PORT",
    "SERVICEACCOUNT_DIR",
    "SHUTDOWN_DRAIN_SECONDS",
    "SHUTDOWN_GRACE_SECONDS",
    "HTTP_THREADS",
    "HTTP_MODE",
    "DB_WORKERS",
    "MAX_CONNECTIONS",
    "CONNECTION_TIMEOUT_SECONDS",
    "HIGHSCORES_CACHE_MS",
    "REQUEST_TIMEOUT_SECONDS",
    "PLAYER_TTL_SECONDS",
    "PLAYERS_CACHE_MS",
    NULL,
};

struct config_reader {
    config_lookup_fn lookup;
    config_read_fn read_file;
    void *ctx;
    char *error;
    size_t error_size;
    bool failed;
};

static void config_fail(struct config_reader *reader, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void config_fail(struct config_reader *reader, const char *format, ...)
{
    if (reader->failed)
        return; /* the first problem is the one to report */
    reader->failed = true;
    va_list args;
    va_start(args, format);
    vsnprintf(reader->error, reader->error_size, format, args);
    va_end(args);
}

/* The variable's value, or NULL when unset or empty (an empty value means "use the default",
 * which is how Kubernetes manifests usually blank a variable out). */
static const char *config_get(struct config_reader *reader, const char *name)
{
    const char *value = reader->lookup(name, reader->ctx);
    return value && *value ? value : NULL;
}

static unsigned config_get_uint(struct config_reader *reader, const char *name, unsigned fallback,
                                unsigned min, unsigned max)
{
    const char *text = config_get(reader, name);
    if (!text)
        return fallback;
    char *end;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (!isdigit((unsigned char)text[0]) || *end || errno || value < min || value > max) {
        config_fail(reader, "%s must be a whole number from %u to %u (got \"%.40s\")", name, min,
                    max, text);
        return fallback;
    }
    return (unsigned)value;
}

static bool config_get_bool(struct config_reader *reader, const char *name, bool fallback)
{
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off"};
    const char *text = config_get(reader, name);
    if (!text)
        return fallback;
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0)
            return true;
        if (strcasecmp(text, no[i]) == 0)
            return false;
    }
    config_fail(reader, "%s must be true or false (got \"%.40s\")", name, text);
    return fallback;
}

static char *config_strdup(struct config_reader *reader, const char *text)
{
    char *copy = text ? strdup(text) : NULL;
    if (text && !copy)
        config_fail(reader, "out of memory reading the configuration");
    return copy;
}

/* Appends text to a growing buffer; sets the reader's error on overflow. */
struct config_buffer {
    char data[2048];
    size_t length;
};

static void config_append(struct config_reader *reader, struct config_buffer *buffer,
                          const char *text)
{
    size_t n = strlen(text);
    if (buffer->length + n >= sizeof buffer->data) {
        config_fail(reader, "the MongoDB settings make a connection string over %zu bytes",
                    sizeof buffer->data);
        return;
    }
    memcpy(buffer->data + buffer->length, text, n + 1);
    buffer->length += n;
}

/* Percent-encodes everything but RFC 3986 unreserved characters: a password may hold any
 * of @ : / ? # % and must not change the meaning of the connection string. */
static void config_append_encoded(struct config_reader *reader, struct config_buffer *buffer,
                                  const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char piece[4];
        if (isalnum(*p) || strchr("-._~", *p))
            snprintf(piece, sizeof piece, "%c", *p);
        else
            snprintf(piece, sizeof piece, "%%%02X", *p);
        config_append(reader, buffer, piece);
    }
}

static bool config_valid_host(const char *host, size_t length)
{
    if (length == 0 || length > 253)
        return false;
    if (host[0] == '[') /* IPv6 literal; "[]" is none */
        return length > 2 && host[length - 1] == ']' &&
               strspn(host + 1, "0123456789abcdefABCDEF:.") == length - 2;
    for (size_t i = 0; i < length; i++)
        if (!isalnum((unsigned char)host[i]) && !strchr("-._", host[i]))
            return false;
    return true;
}

/* MONGO_SERVICE_HOST may be "a", "a:27017" or "a,b:27018,[::1]:27019". */
static void config_append_hosts(struct config_reader *reader, struct config_buffer *buffer,
                                const char *hosts, unsigned default_port)
{
    const char *p = hosts;
    bool first = true;
    while (*p) {
        size_t length = strcspn(p, ",");
        const char *start = p;
        const char *end = p + length;
        while (start < end && isspace((unsigned char)*start))
            start++;
        while (end > start && isspace((unsigned char)end[-1]))
            end--;
        const char *colon = NULL;
        for (const char *c = end; c > start; c--) {
            if (c[-1] == ']')
                break;
            if (c[-1] == ':') {
                colon = c - 1;
                break;
            }
        }
        size_t host_length = (size_t)((colon ? colon : end) - start);
        unsigned port = default_port;
        if (colon) {
            char digits[8] = {0};
            size_t n = (size_t)(end - colon - 1);
            char *stop;
            unsigned long value = 0;
            if (n > 0 && n < sizeof digits) {
                memcpy(digits, colon + 1, n);
                value = strtoul(digits, &stop, 10);
                if (*stop || !isdigit((unsigned char)digits[0]))
                    value = 0;
            }
            if (value < 1 || value > 65535) {
                config_fail(reader, "MONGO_SERVICE_HOST has a bad port in \"%.*s\"",
                            (int)(end - start), start);
                return;
            }
            port = (unsigned)value;
        }
        if (!config_valid_host(start, host_length)) {
            config_fail(reader,
                        "MONGO_SERVICE_HOST must be host names or addresses separated by "
                        "commas (got \"%.60s\")",
                        hosts);
            return;
        }
        char piece[300];
        snprintf(piece, sizeof piece, "%s%.*s:%u", first ? "" : ",", (int)host_length, start, port);
        config_append(reader, buffer, piece);
        first = false;
        p += length;
        if (*p == ',')
            p++;
    }
    if (first)
        config_fail(reader, "MONGO_SERVICE_HOST lists no host");
}

/* MongoDB's rules for a database name, narrowed to printable ASCII without the characters
 * that mean something in a connection string (% & = #): the name is written into it as it
 * is, as the path or as authSource=, and the driver rejects invalid UTF-8 and decodes %. */
static bool config_valid_database(const char *name)
{
    size_t length = strlen(name);
    if (length == 0 || length >= 64 || strcspn(name, "/\\. \"$*<>:|?%&=#") != length)
        return false;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c <= 0x20 || *c >= 0x7f)
            return false;
    return true;
}

/* The password a *_FILE variable's file holds (the convention of the official mongo and postgres
 * images, and of Docker and Kubernetes secrets mounted as files): the whole content, less one
 * trailing line break (LF or CRLF), which editors and `echo` add. Fills buffer (room for
 * CONFIG_SECRET_FILE_MAX + 2 bytes) and returns it, or NULL after config_fail. The messages name
 * the variable and the path, never a byte of the content. */
static const char *config_read_secret(struct config_reader *reader, const char *variable,
                                      const char *path, char *buffer)
{
    size_t length = 0;
    const char *why =
        reader->read_file
            ? reader->read_file(path, buffer, CONFIG_SECRET_FILE_MAX + 1, &length, reader->ctx)
            : "files cannot be read here";
    if (why) {
        config_fail(reader, "%s: cannot read \"%.200s\": %s", variable, path, why);
        return NULL;
    }
    if (length > CONFIG_SECRET_FILE_MAX) {
        config_fail(reader, "%s: \"%.200s\" is over %d bytes: it must hold the password alone",
                    variable, path, CONFIG_SECRET_FILE_MAX);
        return NULL;
    }
    if (length > 0 && buffer[length - 1] == '\n')
        length -= length > 1 && buffer[length - 2] == '\r' ? 2 : 1;
    buffer[length] = '\0';
    if (length == 0)
        config_fail(reader, "%s: \"%.200s\" is empty: write the password into it", variable, path);
    else if (memchr(buffer, '\0', length))
        config_fail(reader, "%s: \"%.200s\" holds a NUL byte: the password must be UTF-8 text",
                    variable, path);
    else if (!bson_utf8_validate(buffer, length, false))
        config_fail(reader, "%s: \"%.200s\" is not UTF-8 text: write the password as UTF-8",
                    variable, path);
    return reader->failed ? NULL : buffer;
}

/* Builds the connection string from the old app's variables. */
static char *config_build_uri(struct config_reader *reader, const char *database)
{
    struct config_buffer buffer = {.length = 0};
    const char *hosts = config_get(reader, "MONGO_SERVICE_HOST");
    if (!hosts)
        hosts = config_get(reader, "MONGO_NAMESPACE_SERVICE_HOST");
    if (!hosts)
        hosts = "localhost";
    unsigned port = config_get_uint(reader, "MY_MONGO_PORT", 27017, 1, 65535);
    const char *user = config_get(reader, "MONGO_AUTH_USER");
    const char *password = config_get(reader, "MONGO_AUTH_PWD");
    const char *password_file = config_get(reader, "MONGO_AUTH_PWD_FILE");
    char from_file[CONFIG_SECRET_FILE_MAX + 2];
    if (password_file && password)
        config_fail(reader,
                    "MONGO_AUTH_PWD and MONGO_AUTH_PWD_FILE (\"%.200s\") are both set: keep one",
                    password_file);
    else if (password_file)
        password = config_read_secret(reader, "MONGO_AUTH_PWD_FILE", password_file, from_file);
    const char *auth_source = config_get(reader, "MONGO_AUTH_SOURCE");
    const char *replica_set = config_get(reader, "MONGO_REPLICA_SET");
    bool use_tls = config_get_bool(reader, "MONGO_USE_SSL", false);
    bool validate_tls = config_get_bool(reader, "MONGO_VALIDATE_SSL", true);

    if (!user != !(password || password_file))
        config_fail(
            reader,
            "MONGO_AUTH_USER and MONGO_AUTH_PWD (or MONGO_AUTH_PWD_FILE) must be set together");
    /* the driver refuses credentials that do not decode to UTF-8 (a Secret made of raw
     * random bytes): say so here rather than "connection string is not valid" later */
    if ((user && !bson_utf8_validate(user, strlen(user), false)) ||
        (password && !bson_utf8_validate(password, strlen(password), false)))
        config_fail(reader, "MONGO_AUTH_USER and MONGO_AUTH_PWD must be UTF-8 text");
    if (auth_source && !config_valid_database(auth_source))
        config_fail(reader, "MONGO_AUTH_SOURCE is not a valid database name");
    if (replica_set && strspn(replica_set, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_") != strlen(replica_set))
        config_fail(reader, "MONGO_REPLICA_SET may hold only letters, digits, - and _");

    config_append(reader, &buffer, "mongodb://");
    if (user) {
        config_append_encoded(reader, &buffer, user);
        config_append(reader, &buffer, ":");
        config_append_encoded(reader, &buffer, password ? password : "");
        config_append(reader, &buffer, "@");
    }
    config_append_hosts(reader, &buffer, hosts, port);
    config_append(reader, &buffer, "/");
    config_append(reader, &buffer, database);
    /* values are appended whole (never through a fixed-size snprintf, which would cut a
     * long replica set name short without a word); the buffer reports its own overflow */
    const char *separator = "?";
    if (replica_set) {
        config_append(reader, &buffer, separator);
        config_append(reader, &buffer, "replicaSet=");
        config_append(reader, &buffer, replica_set);
        separator = "&";
    }
    if (user && auth_source) {
        config_append(reader, &buffer, separator);
        config_append(reader, &buffer, "authSource=");
        config_append(reader, &buffer, auth_source);
        separator = "&";
    }
    if (use_tls) {
        config_append(reader, &buffer, separator);
        config_append(reader, &buffer,
                      validate_tls ? "tls=true" : "tls=true&tlsAllowInvalidCertificates=true");
    }
    char *uri = reader->failed ? NULL : config_strdup(reader, buffer.data);
    /* the one copy of the password left is the connection string's */
    explicit_bzero(from_file, sizeof from_file);
    explicit_bzero(buffer.data, sizeof buffer.data);
    return uri;
}

/* What config_redact_uri writes into: a prefix of the whole whatever the room. */
struct config_redaction {
    char *out;
    size_t size, length;
    bool cut;
};

static void config_redaction_put(struct config_redaction *r, const char *text, size_t length)
{
    size_t room = r->size - 1 - r->length;
    if (length > room) {
        length = room;
        r->cut = true;
    }
    memcpy(r->out + r->length, text, length);
    r->length += length;
    r->out[r->length] = '\0';
}

/* An option whose value is a secret: any password (tlsCertificateKeyFilePassword and its old
 * name sslClientCertificateKeyPassword), and authMechanismProperties, which may carry an AWS
 * session token. */
static bool config_secret_option(const char *name, size_t length)
{
    static const char *const secrets[] = {"password", "authmechanismproperties"};
    for (size_t s = 0; s < sizeof secrets / sizeof secrets[0]; s++) {
        size_t n = strlen(secrets[s]);
        for (size_t i = 0; i + n <= length; i++)
            if (strncasecmp(name + i, secrets[s], n) == 0)
                return true;
    }
    return false;
}

/* Copies the options (after the ?) with every secret value replaced by ***. */
static void config_redact_options(struct config_redaction *r, const char *options)
{
    const char *p = options;
    while (*p) {
        size_t length = strcspn(p, "&;");
        const char *equals = memchr(p, '=', length);
        if (equals && equals + 1 < p + length && config_secret_option(p, (size_t)(equals - p))) {
            config_redaction_put(r, p, (size_t)(equals + 1 - p));
            config_redaction_put(r, "***", 3);
        } else {
            config_redaction_put(r, p, length);
        }
        p += length;
        if (*p)
            config_redaction_put(r, p++, 1);
    }
}

bool config_redact_uri(const char *uri, char *out, size_t out_size)
{
    if (out_size == 0)
        return false;
    struct config_redaction r = {out, out_size, 0, false};
    out[0] = '\0';
    const char *scheme_end = strstr(uri, "://");
    const char *authority = scheme_end ? scheme_end + 3 : uri;
    /* The host part ends where the driver ends it: at the first / that no backslash escapes
     * (not at ?: the driver takes "user:pa?ss" before the first @ as credentials, and
     * stopping early would print that password whole). */
    size_t authority_length = 0;
    while (authority[authority_length] && authority[authority_length] != '/') {
        if (authority[authority_length] == '\\' && authority[authority_length + 1])
            authority_length++;
        authority_length++;
    }
    const char *at = NULL;
    for (size_t i = 0; i < authority_length; i++)
        if (authority[i] == '@')
            at = authority + i; /* the last @ ends the credentials */
    const char *rest = authority;
    if (at) {
        const char *colon = memchr(authority, ':', (size_t)(at - authority));
        const char *user_end = colon ? colon : at;
        config_redaction_put(&r, uri, (size_t)(user_end - uri));
        if (colon)
            config_redaction_put(&r, ":***", 4);
        rest = at;
    }
    const char *query = strchr(rest, '?');
    if (!at)
        config_redaction_put(&r, uri, (size_t)(rest - uri));
    config_redaction_put(&r, rest, query ? (size_t)(query + 1 - rest) : strlen(rest));
    if (query)
        config_redact_options(&r, query + 1);
    return !r.cut;
}

static unsigned config_default_threads(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 1 ? 1 : cpus > 8 ? 8 : (unsigned)cpus;
}

bool config_load(struct config *config, config_lookup_fn lookup, config_read_fn read_file,
                 void *ctx, char *error, size_t error_size)
{
    struct config_reader reader = {lookup, read_file, ctx, error, error_size, false};
    memset(config, 0, sizeof *config);
    if (error_size)
        error[0] = '\0';

    config->port = config_get_uint(&reader, "PORT", 8080, 1, 65535);
    const char *static_dir = config_get(&reader, "STATIC_DIR");
    config->static_dir = config_strdup(&reader, static_dir ? static_dir : "static");

    const char *format = config_get(&reader, "LOG_FORMAT");
    if (!format || strcasecmp(format, "text") == 0)
        config->log_format = LOG_FORMAT_TEXT;
    else if (strcasecmp(format, "json") == 0)
        config->log_format = LOG_FORMAT_JSON;
    else
        config_fail(&reader, "LOG_FORMAT must be text or json (got \"%.40s\")", format);

    config->mongo_timeout_ms = config_get_uint(&reader, "MONGO_TIMEOUT_MS", 2000, 100, 60000);
    const char *uri = config_get(&reader, "MONGO_URI");
    if (uri) {
        bson_error_t parse_error;
        mongoc_uri_t *parsed = mongoc_uri_new_with_error(uri, &parse_error);
        if (!parsed) {
            /* the driver's message may quote the string: do not echo it, it may hold a password */
            config_fail(&reader, "MONGO_URI is not a valid MongoDB connection string");
        } else {
            const char *database = mongoc_uri_get_database(parsed);
            config->mongo_database = config_strdup(&reader, database ? database : "pacman");
            config->mongo_uri = config_strdup(&reader, uri);
            mongoc_uri_destroy(parsed);
        }
    } else {
        const char *database = config_get(&reader, "MONGO_DATABASE");
        if (!database)
            database = "pacman";
        if (!config_valid_database(database))
            config_fail(&reader, "MONGO_DATABASE is not a valid database name (got \"%.40s\")",
                        database);
        else
            config->mongo_database = config_strdup(&reader, database);
        config->mongo_uri = config_build_uri(&reader, database);
    }
    if (config->mongo_uri) {
        char redacted[2048];
        config_redact_uri(config->mongo_uri, redacted, sizeof redacted);
        config->mongo_uri_redacted = config_strdup(&reader, redacted);
    }

    config->node_name = config_strdup(&reader, config_get(&reader, "MY_NODE_NAME"));
    config->kubernetes_host =
        config_strdup(&reader, config_get(&reader, "KUBERNETES_SERVICE_HOST"));
    config->kubernetes_port = config_get_uint(&reader, "KUBERNETES_SERVICE_PORT", 443, 1, 65535);
    const char *account = config_get(&reader, "SERVICEACCOUNT_DIR");
    config->serviceaccount_dir =
        config_strdup(&reader, account ? account : "/var/run/secrets/kubernetes.io/serviceaccount");

    config->drain_seconds = config_get_uint(&reader, "SHUTDOWN_DRAIN_SECONDS", 5, 0, 300);
    config->grace_seconds = config_get_uint(&reader, "SHUTDOWN_GRACE_SECONDS", 20, 0, 600);
    config->http_threads =
        config_get_uint(&reader, "HTTP_THREADS", config_default_threads(), 1, 64);
    const char *mode = config_get(&reader, "HTTP_MODE");
    if (!mode || strcmp(mode, "epoll") == 0)
        config->http_mode = HTTP_MODE_EPOLL;
    else if (strcmp(mode, "poll") == 0)
        config->http_mode = HTTP_MODE_POLL;
    else if (strcmp(mode, "thread-per-connection") == 0)
        config->http_mode = HTTP_MODE_THREAD_PER_CONNECTION;
    else
        config_fail(&reader,
                    "HTTP_MODE must be epoll, poll or thread-per-connection (got \"%.40s\")", mode);
    config->db_workers = config_get_uint(&reader, "DB_WORKERS", 16, 1, 256);
    config->max_connections = config_get_uint(&reader, "MAX_CONNECTIONS", 4096, 16, 1000000);
    config->connection_timeout_seconds =
        config_get_uint(&reader, "CONNECTION_TIMEOUT_SECONDS", 15, 1, 3600);
    config->request_timeout_seconds =
        config_get_uint(&reader, "REQUEST_TIMEOUT_SECONDS", 10, 0, 3600);
    config->highscores_cache_ms = config_get_uint(&reader, "HIGHSCORES_CACHE_MS", 1000, 0, 60000);
    config->player_ttl_seconds =
        config_get_uint(&reader, "PLAYER_TTL_SECONDS", 86400, 0, 366 * 86400);
    /* Before this variable the live players shared the top 10's age: that stays the default. */
    config->players_cache_ms =
        config_get_uint(&reader, "PLAYERS_CACHE_MS", config->highscores_cache_ms, 0, 60000);

    if (reader.failed) {
        config_free(config);
        return false;
    }
    return true;
}

void config_free(struct config *config)
{
    free(config->static_dir);
    free(config->mongo_uri);
    free(config->mongo_uri_redacted);
    free(config->mongo_database);
    free(config->node_name);
    free(config->kubernetes_host);
    free(config->serviceaccount_dir);
    memset(config, 0, sizeof *config);
}
