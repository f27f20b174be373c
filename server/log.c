/* log: request and message lines on stdout, text or JSON. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "background.h"
#include "hex.h"
#include "timing.h"

#define LOG_NOISY_PER_SECOND 10

struct logger {
    enum log_format format;
    struct background *flusher;
    /* log_noisy's budget, under noisy_lock */
    pthread_mutex_t noisy_lock;
    int64_t noisy_second; /* the second the budget is for */
    unsigned noisy_written, noisy_dropped;
};

static void log_report_dropped(struct logger *logger);

/* The flusher's round, every 250 ms. */
static long log_flush_round(void *arg)
{
    log_report_dropped(arg);
    fflush(stdout);
    return 250;
}

struct logger *log_new(enum log_format format)
{
    struct logger *logger = calloc(1, sizeof *logger);
    if (!logger) {
        fputs("pacman: out of memory creating the logger\n", stderr);
        return NULL;
    }
    logger->format = format;
    pthread_mutex_init(&logger->noisy_lock, NULL);
    static char buffer[1 << 16];
    setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
    logger->flusher = background_start(log_flush_round, logger, 250);
    if (!logger->flusher) {
        fputs("pacman: cannot start the log flushing thread\n", stderr);
        pthread_mutex_destroy(&logger->noisy_lock);
        free(logger);
        return NULL;
    }
    return logger;
}

void log_free(struct logger *logger)
{
    if (!logger)
        return;
    background_stop(logger->flusher);
    log_report_dropped(logger);
    fflush(stdout);
    pthread_mutex_destroy(&logger->noisy_lock);
    free(logger);
}

/* UTC, to the millisecond: 2026-11-24T15:09:49.446Z. The date and time to the second are
 * formatted once a second per thread (gmtime_r and strftime cost more than the rest of a
 * static file's request line); only the milliseconds are written each time. */
static void log_timestamp(char out[32])
{
    static _Thread_local int64_t cached_second = -1;
    static _Thread_local char cached[24];
    static _Thread_local size_t cached_length;
    int64_t now_ms = timing_unix_ms();
    int64_t second = now_ms / 1000;
    if (second != cached_second) {
        struct tm tm;
        time_t seconds = (time_t)second;
        gmtime_r(&seconds, &tm);
        cached_length = strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_second = second;
    }
    long ms = (long)(now_ms % 1000);
    memcpy(out, cached, cached_length);
    char *p = out + cached_length;
    *p++ = '.';
    *p++ = (char)('0' + ms / 100);
    *p++ = (char)('0' + ms / 10 % 10);
    *p++ = (char)('0' + ms % 10);
    *p++ = 'Z';
    *p = '\0';
}

/* The length of the valid UTF-8 sequence of two to four bytes at p, or 0 when there is none
 * (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short); its
 * code point in *out. */
static size_t log_utf8_decode(const unsigned char *p, unsigned *out)
{
    unsigned lead = p[0];
    size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
    if (length == 0 || lead > 0xf4)
        return 0;
    unsigned code = lead & (0xffu >> (length + 1));
    for (size_t i = 1; i < length; i++) {
        if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        code = code << 6 | (p[i] & 0x3fu);
    }
    if ((length == 3 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) ||
        (length == 4 && (code < 0x10000 || code > 0x10ffff)))
        return 0;
    *out = code;
    return length;
}

/* C1 controls and the bidirectional overrides and isolates: characters that move or hide text
 * around them on a terminal, escaped so that a log line reads as what was sent. */
static bool log_escapes_character(unsigned code)
{
    return code < 0xa0 || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

static size_t log_put_escape(char *piece, unsigned code)
{
    memcpy(piece, "\\u", 2);
    for (int shift = 12, i = 2; shift >= 0; shift -= 4, i++)
        piece[i] = hex_digit(code >> shift);
    return 6;
}

size_t log_escape(char *out, size_t size, const char *text)
{
    size_t n = 0;
    if (size == 0)
        return 0;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        /* printable ASCII, by far the most of what is logged, goes as it is in one copy */
        size_t run = 0;
        while (p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\')
            run++;
        if (run) {
            bool cut = n + run >= size;
            if (cut)
                run = size - 1 - n;
            memcpy(out + n, p, run);
            n += run;
            p += run;
            if (cut)
                break;
            continue;
        }
        char piece[7];
        size_t len, consumed = 1;
        unsigned code = 0;
        if (*p == '"' || *p == '\\') {
            piece[0] = '\\';
            piece[1] = (char)*p;
            len = 2;
        } else if (*p < 0x20 || *p == 0x7f) {
            len = log_put_escape(piece, *p);
        } else if ((consumed = log_utf8_decode(p, &code)) == 0) {
            len = log_put_escape(piece, 0xfffd); /* a byte that is no character */
            consumed = 1;
        } else if (log_escapes_character(code)) {
            len = log_put_escape(piece, code);
        } else {
            /* JSON carries UTF-8 as it is: "Zoë", not "Zo\u00c3\u00ab" */
            memcpy(piece, p, consumed);
            len = consumed;
        }
        if (n + len >= size)
            break;
        memcpy(out + n, piece, len);
        n += len;
        p += consumed;
    }
    out[n] = '\0';
    return n;
}

static const char *log_level_name(enum log_level level)
{
    switch (level) {
    case LOG_LEVEL_WARN:
        return "warn";
    case LOG_LEVEL_ERROR:
        return "error";
    default:
        return "info";
    }
}

/* Request lines are put together by hand and written with one fwrite: printf's parsing and its
 * floating-point formatting of the duration cost a large share of a static answer's
 * instructions outside libmicrohttpd, for the same bytes (docs/performance.md has what
 * callgrind measured). */
static char *log_put(char *out, const char *text, size_t length)
{
    memcpy(out, text, length);
    return out + length;
}

#define LOG_PUT_LITERAL(out, text) log_put(out, text, sizeof text - 1)

static char *log_put_unsigned(char *out, unsigned long long value)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (n)
        *out++ = digits[--n];
    return out;
}

/* Microseconds as milliseconds with three decimals: what "%.3f" prints of us / 1000.0. */
static char *log_put_milliseconds(char *out, int64_t us)
{
    if (us < 0)
        us = 0;
    out = log_put_unsigned(out, (unsigned long long)us / 1000);
    unsigned fraction = (unsigned)(us % 1000);
    *out++ = '.';
    *out++ = (char)('0' + fraction / 100);
    *out++ = (char)('0' + fraction / 10 % 10);
    *out++ = (char)('0' + fraction % 10);
    return out;
}

void log_request(struct logger *logger, const char *method, const char *path, unsigned status,
                 int64_t duration_us)
{
    char when[32], safe_method[32], safe_path[512];
    log_timestamp(when);
    size_t method_length = log_escape(safe_method, sizeof safe_method, method ? method : "");
    size_t path_length = log_escape(safe_path, sizeof safe_path, path ? path : "");
    char line[sizeof when + sizeof safe_method + sizeof safe_path + 128];
    char *p = line;
    if (logger->format == LOG_FORMAT_JSON) {
        p = LOG_PUT_LITERAL(p, "{\"time\":\"");
        p = log_put(p, when, strlen(when));
        p = LOG_PUT_LITERAL(p, "\",\"level\":\"info\",\"method\":\"");
        p = log_put(p, safe_method, method_length);
        p = LOG_PUT_LITERAL(p, "\",\"path\":\"");
        p = log_put(p, safe_path, path_length);
        p = LOG_PUT_LITERAL(p, "\",\"status\":");
        p = log_put_unsigned(p, status);
        p = LOG_PUT_LITERAL(p, ",\"duration_ms\":");
        p = log_put_milliseconds(p, duration_us);
        p = LOG_PUT_LITERAL(p, "}\n");
    } else {
        p = log_put(p, when, strlen(when));
        *p++ = ' ';
        p = log_put(p, safe_method, method_length);
        *p++ = ' ';
        p = log_put(p, safe_path, path_length);
        *p++ = ' ';
        p = log_put_unsigned(p, status);
        *p++ = ' ';
        p = log_put_milliseconds(p, duration_us);
        p = LOG_PUT_LITERAL(p, "ms\n");
    }
    fwrite(line, 1, (size_t)(p - line), stdout);
}

static void log_vmessage(struct logger *logger, enum log_level level, const char *format,
                         va_list args) __attribute__((format(printf, 3, 0)));

static void log_vmessage(struct logger *logger, enum log_level level, const char *format,
                         va_list args)
{
    char when[32], text[1024], safe[2048];
    vsnprintf(text, sizeof text, format, args);
    log_timestamp(when);
    if (!logger || logger->format == LOG_FORMAT_TEXT) {
        printf("%s %s %s\n", when, log_level_name(level), text);
    } else {
        log_escape(safe, sizeof safe, text);
        printf("{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n", when, log_level_name(level),
               safe);
    }
    fflush(stdout);
}

void log_message(struct logger *logger, enum log_level level, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    log_vmessage(logger, level, format, args);
    va_end(args);
}

void log_noisy(struct logger *logger, const char *format, ...)
{
    va_list args;
    if (!logger) {
        va_start(args, format);
        log_vmessage(logger, LOG_LEVEL_WARN, format, args);
        va_end(args);
        return;
    }
    int64_t second = timing_now_us() / 1000000;
    pthread_mutex_lock(&logger->noisy_lock);
    if (second != logger->noisy_second) {
        logger->noisy_second = second;
        logger->noisy_written = 0;
    }
    bool write = logger->noisy_written < LOG_NOISY_PER_SECOND;
    if (write)
        logger->noisy_written++;
    else
        logger->noisy_dropped++;
    pthread_mutex_unlock(&logger->noisy_lock);
    if (!write)
        return;
    va_start(args, format);
    log_vmessage(logger, LOG_LEVEL_WARN, format, args);
    va_end(args);
}

/* Called by the flush thread: says how many noisy messages were left out since it last did. */
static void log_report_dropped(struct logger *logger)
{
    pthread_mutex_lock(&logger->noisy_lock);
    unsigned dropped = logger->noisy_dropped;
    logger->noisy_dropped = 0;
    pthread_mutex_unlock(&logger->noisy_lock);
    if (dropped)
        log_message(logger, LOG_LEVEL_WARN,
                    "%u more warnings like the ones above were not written (at most %d a second)",
                    dropped, LOG_NOISY_PER_SECOND);
}
