/* config: everything the server reads from its environment, validated once at start-up,
 * and the MongoDB connection string built from the old demo app's variables. */
#ifndef PACMAN_CONFIG_H
#define PACMAN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* How libmicrohttpd runs connections; epoll is the default and measured best
 * (docs/performance.md). */
enum http_mode { HTTP_MODE_EPOLL, HTTP_MODE_POLL, HTTP_MODE_THREAD_PER_CONNECTION };

struct config {
    unsigned port;
    char *static_dir;
    enum log_format log_format;
    char *mongo_uri;          /* holds the password: never log it */
    char *mongo_uri_redacted; /* the same with its secrets replaced by *** */
    char *mongo_database;
    unsigned mongo_timeout_ms;
    char *node_name;       /* NULL outside Kubernetes */
    char *kubernetes_host; /* NULL outside a pod */
    unsigned kubernetes_port;
    char *serviceaccount_dir;
    unsigned drain_seconds;
    unsigned grace_seconds;
    unsigned http_threads;
    enum http_mode http_mode;
    unsigned db_workers;
    unsigned max_connections;
    unsigned connection_timeout_seconds;
    unsigned request_timeout_seconds; /* first byte to last of one request; 0: no limit */
    unsigned highscores_cache_ms;     /* the top 10 */
    unsigned players_cache_ms;        /* the live players (GET /user/stats) */
    unsigned player_ttl_seconds;      /* players silent for longer are deleted; 0: kept for ever */
};

/* Looks one variable up; returns NULL when unset. ctx is passed through. */
typedef const char *(*config_lookup_fn)(const char *name, void *ctx);

/* Reads the file a *_FILE variable names: at most size bytes into buffer, and sets *length to
 * how many (size when the file holds size bytes or more). Returns NULL, or why the file could
 * not be read, as a short phrase ("No such file or directory", "not a regular file") that stays
 * valid until the next call. ctx is the one passed to config_load. */
typedef const char *(*config_read_fn)(const char *path, char *buffer, size_t size, size_t *length,
                                      void *ctx);

/* The most a password file may hold, line break included: a password, not a stray big file. */
#define CONFIG_SECRET_FILE_MAX 1024

/* Fills config from lookup (main passes getenv) and read_file (the files that *_FILE variables
 * name: MONGO_AUTH_PWD_FILE). On bad input returns false and writes one line naming the variable
 * and what to fix into error, never a password; config is then left freed. */
bool config_load(struct config *config, config_lookup_fn lookup, config_read_fn read_file,
                 void *ctx, char *error, size_t error_size);

void config_free(struct config *config);

/* Copies uri into out with the password, and the value of every option that holds a secret
 * (tlsCertificateKeyFilePassword, authMechanismProperties, ...), replaced by ***. Returns false
 * when out is too small (out then holds a truncated, still secret-free prefix). */
bool config_redact_uri(const char *uri, char *out, size_t out_size);

/* Names of every variable config_load reads, NULL-terminated (for checks and docs). */
extern const char *const config_variables[];

#endif
