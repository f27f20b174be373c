/* log: one line per request and the few operational messages, as text or JSON lines on
 * stdout. Request lines are buffered and flushed at least every 250 ms (a write per request
 * would cost more than serving a cached file); messages are flushed at once. */
#ifndef PACMAN_LOG_H
#define PACMAN_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };
enum log_level { LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

struct logger;

/* Creates the logger and its flushing thread. Returns NULL on failure (out of memory or no
 * thread), after printing why to stderr. */
struct logger *log_new(enum log_format format);

/* Flushes and frees; NULL is ignored. */
void log_free(struct logger *logger);

/* One request line. path is written escaped: it can hold any byte a client sent. */
void log_request(struct logger *logger, const char *method, const char *path, unsigned status,
                 int64_t duration_us);

/* An operational message; printf-style. Must never contain secrets: callers pass redacted
 * connection strings only. */
void log_message(struct logger *logger, enum log_level level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* A warning any client can cause at will (a connection dropped mid-request): at most 10 a
 * second are written, and the flush thread then writes how many more there were, so a flood
 * of connections cannot turn into a flood of log lines. */
void log_noisy(struct logger *logger, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes text as the inside of a JSON string into out: quotes and backslashes escaped, UTF-8
 * characters as they are but control characters and bidirectional overrides as \uXXXX, and a
 * byte that is not part of a character as \ufffd. One line whatever text holds. Truncates
 * to fit, never inside a character or an escape; always NUL-terminates when size > 0. Returns
 * the length written. Exposed for tests. */
size_t log_escape(char *out, size_t size, const char *text);

#endif
