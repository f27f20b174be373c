/* http: the libmicrohttpd callbacks. Each request is admitted here (framing, size of its
 * headers and body, method), its body collected, and it is handed to its route's handler
 * (routes.h): a static file is answered from the prebuilt responses (http_responses), an API
 * route's reply is sent as it comes, and a route that returned a database task is suspended
 * (MHD_suspend_connection) and handed to dbqueue, whose completion resumes it; so a hung
 * database can occupy database workers, never the threads that serve the game. What a task's
 * answer is, when the database is away or too slow, is the queue's to say: this file knows
 * no database. Every connection is registered with receive_deadline, which cuts requests that
 * arrive too slowly (libmicrohttpd's own timeout is only an idle one). The daemons and their
 * threads are http_loop's. */
#include "http.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "config.h"
#include "dbqueue.h"
#include "http_loop.h"
#include "http_responses.h"
#include "input.h"
#include "log.h"
#include "metrics.h"
#include "receive_deadline.h"
#include "reply.h"
#include "router.h"
#include "routes.h"
#include "static_files.h"
#include "strbuf.h"
#include "timing.h"

/* An oversized body is read and dropped up to this, so that a client still sending can read
 * its 413; past it the connection is closed. */
#define HTTP_DISCARD_LIMIT (1024 * 1024)
/* The most a request's line and headers may take (431 past it). What is left of the
 * connection's pool must hold the response headers: past this, libmicrohttpd would read a
 * request whole and then close the connection without an answer, for want of room to write
 * one. */
#define HTTP_HEADER_LIMIT (HTTP_LOOP_CONNECTION_MEMORY - 2 * 1024)
#define HTTP_HEADER_TIGHT (HTTP_LOOP_CONNECTION_MEMORY - 1024)
#define HTTP_HEADER_RECORD 64 /* libmicrohttpd's struct MHD_HTTP_Header, rounded up */

struct http_server {
    struct app *app;
    struct http_loops *loops;
    struct http_responses *responses;
    atomic_bool closing;
    char too_large[96]; /* the 431's body, its limit written from HTTP_HEADER_LIMIT */
};

struct http_request {
    struct http_server *server;
    struct http_loop *loop; /* the one whose daemon has the connection */
    struct MHD_Connection *connection;
    int64_t started_us;
    const struct route *route;
    enum method method;
    unsigned status;
    struct strbuf body;                           /* up to INPUT_MAX_BODY */
    size_t discarded;                             /* bytes of an oversized body read and dropped */
    struct receive_deadline_connection *deadline; /* the connection's; NULL: none */
    struct dbqueue_task *task;                    /* from dispatch until its answer is sent */
    bool dispatched;                              /* handed to its handler once; never twice */
    /* last: the only fields http_handle does not zero (they are written at once) */
    char method_name[16];
    char path[200]; /* for the log line; may be truncated */
};

/* ---- answering ---- */

static enum MHD_Result http_queue(struct http_request *request, unsigned status,
                                  struct MHD_Response *response)
{
    request->status = status;
    receive_deadline_request_received(request->deadline);
    return MHD_queue_response(request->connection, status, response);
}

/* Sends reply (its body is handed over to MHD) and clears it. */
static enum MHD_Result http_send_reply(struct http_request *request, struct reply *reply)
{
    bool owned = reply->body && !reply->body_static;
    struct MHD_Response *response = MHD_create_response_from_buffer(
        reply->body_length, reply->body ? reply->body : (void *)(uintptr_t) "",
        owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!response) {
        reply_clear(reply);
        return MHD_NO;
    }
    if (owned)
        reply->body = NULL;
    http_responses_add_common_headers(response);
    MHD_add_response_header(response, "Content-Type",
                            reply->content_type ? reply->content_type
                                                : "application/json; charset=utf-8");
    MHD_add_response_header(response, "Cache-Control", "no-store");
    if (reply->allow)
        MHD_add_response_header(response, "Allow", reply->allow);
    if (atomic_load(&request->server->closing))
        MHD_add_response_header(response, "Connection", "close");
    enum MHD_Result result = http_queue(request, reply->status, response);
    MHD_destroy_response(response);
    reply_clear(reply);
    return result;
}

static enum MHD_Result http_send_error(struct http_request *request, unsigned status,
                                       const char *allow, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static enum MHD_Result http_send_error(struct http_request *request, unsigned status,
                                       const char *allow, const char *format, ...)
{
    char message[200];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    struct reply reply = {0};
    reply_error(&reply, status, "%s", message);
    reply.allow = allow;
    return http_send_reply(request, &reply);
}

static enum MHD_Result http_send_body_too_large(struct http_request *request)
{
    return http_send_error(request, 413, NULL, "request body is larger than %d KiB",
                           INPUT_MAX_BODY / 1024);
}

/* 431 with only the headers an error needs: what the request left of the connection's pool
 * may not hold the usual ones. Past HTTP_HEADER_TIGHT not even those may fit: the status line
 * alone says it then. Queued on the first call, so the connection closes after it. */
static enum MHD_Result http_send_headers_too_large(struct http_request *request,
                                                   size_t header_bytes)
{
    const char *body = request->server->too_large;
    bool tight = header_bytes > HTTP_HEADER_TIGHT;
    struct MHD_Response *response = MHD_create_response_from_buffer(
        tight ? 0 : strlen(body), (void *)(uintptr_t)(tight ? "" : body), MHD_RESPMEM_PERSISTENT);
    if (!response)
        return MHD_NO;
    if (!tight) {
        MHD_add_response_header(response, "Content-Type", "application/json; charset=utf-8");
        MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    }
    enum MHD_Result result = http_queue(request, 431, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result http_serve_static(struct http_request *request, const char *url)
{
    struct http_server *server = request->server;
    const struct static_file *file = static_files_lookup(&server->app->static_files, url);
    if (!file)
        return http_send_error(request, 404, NULL, "not found");
    struct MHD_Connection *connection = request->connection;
    bool gzip =
        file->gzip_data && static_files_accepts_gzip(MHD_lookup_connection_value(
                               connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
    bool not_modified = static_files_etag_matches(
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
        gzip ? file->gzip_etag : file->etag);
    unsigned status = not_modified ? 304 : 200;
    if (atomic_load(&server->closing)) {
        /* shutting down: a one-off response that tells the client to reconnect elsewhere */
        struct MHD_Response *response = http_responses_static_closing(file, gzip, not_modified);
        if (!response)
            return MHD_NO;
        enum MHD_Result result = http_queue(request, status, response);
        MHD_destroy_response(response);
        return result;
    }
    return http_queue(request, status,
                      http_responses_static(server->responses, file, gzip, not_modified));
}

/* ---- database tasks ---- */

/* Runs on a database worker or the deadline thread, exactly once per queued task. */
static void http_task_done(struct dbqueue_task *task, void *cookie)
{
    (void)task;
    struct http_request *request = cookie;
    /* read first: once resumed, the request may be gone */
    struct http_loop *loop = request->loop;
    http_loop_resume(loop, request->connection);
}

/* Back on the connection's thread, the task's answer ready: sends it. */
static enum MHD_Result http_finish_task(struct http_request *request)
{
    struct dbqueue_task *task = request->task;
    struct reply reply = {0};
    dbqueue_take_reply(task, &reply);
    request->task = NULL;
    dbqueue_release(task);
    return http_send_reply(request, &reply);
}

static enum MHD_Result http_dispatch(struct http_request *request, const char *url)
{
    struct app *app = request->server->app;
    request->dispatched = true;
    receive_deadline_request_received(request->deadline);
    if (!request->route->handler)
        return http_serve_static(request, url);

    struct input input = {.count = 0};
    struct reply reply = {0};
    if (request->method == METHOD_POST) {
        char error[160];
        const char *type = MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND,
                                                       MHD_HTTP_HEADER_CONTENT_TYPE);
        enum input_result parsed = input_parse(&input, type, request->body.data,
                                               request->body.length, error, sizeof error);
        if (parsed != INPUT_OK) {
            input_free(&input);
            unsigned status = parsed == INPUT_UNSUPPORTED_TYPE ? 415
                              : parsed == INPUT_NO_MEMORY      ? 500
                                                               : 400;
            return http_send_error(request, status, NULL, "%s", error);
        }
    }
    struct dbqueue_task *task = request->route->handler(app, request->method, &input, &reply);
    input_free(&input);
    if (!task)
        return http_send_reply(request, &reply);
    request->task = task;
    MHD_suspend_connection(request->connection);
    if (!dbqueue_submit(app->dbqueue, task, http_task_done, request))
        /* refused (the database away, the queue full): the answer is ready already, and goes
         * through the same resume as any other */
        http_loop_resume(request->loop, request->connection);
    return MHD_YES;
}

/* ---- request admission ---- */

struct http_framing {
    unsigned content_lengths, transfer_encodings, hosts;
    bool chunked_only; /* every Transfer-Encoding is exactly "chunked" */
    bool bad_name;     /* an empty header name, or one with white space (obs-fold, "Name :") */
    size_t bytes;      /* of the connection's pool the header lines take */
};

static enum MHD_Result http_count_header(void *cls, enum MHD_ValueKind kind, const char *name,
                                         const char *value)
{
    (void)kind;
    struct http_framing *framing = cls;
    /* the line (with ": " and CRLF), and libmicrohttpd's record of it in the same pool */
    framing->bytes += strlen(name) + (value ? strlen(value) : 0) + 4 + HTTP_HEADER_RECORD;
    if (name[0] == '\0' || strpbrk(name, " \t"))
        framing->bad_name = true;
    else if (strcasecmp(name, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        framing->content_lengths++;
    else if (strcasecmp(name, MHD_HTTP_HEADER_HOST) == 0)
        framing->hosts++;
    else if (strcasecmp(name, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        framing->transfer_encodings++;
        if (!value || strcasecmp(value, "chunked") != 0)
            framing->chunked_only = false;
    }
    return MHD_YES;
}

static enum MHD_Result http_count_argument(void *cls, enum MHD_ValueKind kind, const char *name,
                                           const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(name) + (value ? strlen(value) : 0) + 2; /* "?" or "&", "=" */
    return MHD_YES;
}

/* A request whose length two parsers could read differently is how requests are smuggled
 * past a proxy in front of us (RFC 9112 6.3): refuse it before reading any body. The 400 is
 * queued on the first call, so libmicrohttpd closes the connection after it and nothing that
 * followed on that connection is ever run. NULL when the framing is sound. */
static const char *http_framing_problem(struct MHD_Connection *connection, size_t *header_bytes)
{
    struct http_framing framing = {.chunked_only = true};
    MHD_get_connection_values(connection, MHD_HEADER_KIND, http_count_header, &framing);
    *header_bytes += framing.bytes;
    if (framing.bad_name)
        return "malformed header name";
    if (framing.hosts > 1)
        return "more than one Host header";
    if (framing.content_lengths > 1)
        return "more than one Content-Length header";
    if (framing.transfer_encodings && framing.content_lengths)
        return "both Content-Length and Transfer-Encoding";
    if (framing.transfer_encodings > 1 || !framing.chunked_only)
        return "Transfer-Encoding other than a single chunked";
    return NULL;
}

/* text, cut to fit in size bytes (the cost of snprintf's "%s" without its format parsing). */
static void http_copy_text(char *out, size_t size, const char *text)
{
    size_t length = strnlen(text, size - 1);
    memcpy(out, text, length);
    out[length] = '\0';
}

/* The first call of a request, its headers complete: the request's record, and whatever can
 * be refused before its body (431, 400 for its framing, 405, 413). */
static enum MHD_Result http_admit(struct http_loop *loop, struct MHD_Connection *connection,
                                  const char *url, const char *method, void **request_cls)
{
    struct http_server *server = http_loop_owner(loop);
    /* Not calloc (nor malloc and a memset of it all, which the compiler turns into calloc):
     * glibc's calloc skips the thread's cache of free blocks for the arena and its lock, on
     * every request. */
    struct http_request *request = malloc(sizeof *request);
    if (!request)
        return MHD_NO;
    memset(request, 0, offsetof(struct http_request, method_name));
    *request_cls = request;
    request->server = server;
    request->loop = loop;
    request->connection = connection;
    strbuf_init(&request->body, INPUT_MAX_BODY);
    request->started_us = timing_now_us();
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    request->deadline = info ? info->socket_context : NULL;
    receive_deadline_request_begun(request->deadline);
    http_copy_text(request->method_name, sizeof request->method_name, method);
    http_copy_text(request->path, sizeof request->path, url);
    metrics_request_started(server->app->metrics);
    request->method = router_method(method);
    request->route = router_match(routes, routes_count, url);
    size_t header_bytes = strlen(method) + strlen(url) + 12; /* the request line */
    const char *framing = http_framing_problem(connection, &header_bytes);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, http_count_argument,
                              &header_bytes);
    if (header_bytes > HTTP_HEADER_LIMIT)
        return http_send_headers_too_large(request, header_bytes);
    if (framing)
        return http_send_error(request, 400, NULL, "%s", framing);
    if (!router_allows(request->route, request->method))
        return http_send_error(request, 405, router_allow(request->route),
                               "method not allowed on this path");
    /* Answer on the next call: a response queued on this first call makes MHD 0.9.75 close
     * the connection, which would cost every keep-alive client a reconnect. */
    if (request->method != METHOD_POST)
        return MHD_YES;
    const char *length =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length && strtoull(length, NULL, 10) > INPUT_MAX_BODY)
        return http_send_body_too_large(request);
    return MHD_YES; /* the body follows */
}

/* ---- the libmicrohttpd callbacks ---- */

static enum MHD_Result http_handle(void *cls, struct MHD_Connection *connection, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **request_cls)
{
    (void)version;
    struct http_request *request = *request_cls;
    if (!request)
        return http_admit(cls, connection, url, method, request_cls);
    if (request->task)
        return http_finish_task(request);
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!request->discarded && strbuf_append(&request->body, upload_data, n))
            return MHD_YES;
        if (!request->discarded && request->body.length + n <= INPUT_MAX_BODY)
            return MHD_NO; /* within the limit, so out of memory */
        /* Read and drop a moderate excess so the client, still sending, can read the 413;
         * past HTTP_DISCARD_LIMIT answer at once and let MHD close the connection. */
        request->discarded += n;
        if (request->discarded > HTTP_DISCARD_LIMIT)
            return http_send_body_too_large(request);
        return MHD_YES;
    }
    if (request->discarded)
        return http_send_body_too_large(request);
    if (request->dispatched) /* never: a dispatched request has its answer queued or a task */
        return MHD_NO;
    return http_dispatch(request, url);
}

static void http_completed(void *cls, struct MHD_Connection *connection, void **request_cls,
                           enum MHD_RequestTerminationCode code)
{
    (void)connection;
    struct http_server *server = cls;
    struct http_request *request = *request_cls;
    if (!request)
        return;
    *request_cls = NULL;
    unsigned status = request->status;
    if (status == 0)
        status = code == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ||
                         receive_deadline_was_cut(request->deadline)
                     ? 408
                     : 499;
    receive_deadline_request_answered(request->deadline);
    int64_t duration = timing_now_us() - request->started_us;
    metrics_request_finished(server->app->metrics, request->route, status, duration);
    log_request(server->app->logger, request->method_name, request->path, status, duration);
    if (request->task)
        dbqueue_release(request->task);
    strbuf_free(&request->body);
    free(request);
}

/* Registers every connection with the receive deadline (and forgets it before libmicrohttpd
 * closes its descriptor: see receive_deadline.h). */
static void http_connection_event(void *cls, struct MHD_Connection *connection,
                                  void **socket_context, enum MHD_ConnectionNotificationCode code)
{
    struct http_server *server = cls;
    struct receive_deadline *deadline = server->app->receive_deadline;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = info ? receive_deadline_open(deadline, info->connect_fd) : NULL;
    } else {
        receive_deadline_close(deadline, *socket_context);
        *socket_context = NULL;
    }
}

static size_t http_unescape(void *cls, struct MHD_Connection *connection, char *text)
{
    (void)cls, (void)connection;
    return static_files_unescape_path(text);
}

static void http_log_mhd(void *cls, const char *format, va_list args)
    __attribute__((format(printf, 2, 0)));

static void http_log_mhd(void *cls, const char *format, va_list args)
{
    struct http_server *server = cls;
    char text[512];
    vsnprintf(text, sizeof text, format, args);
    text[strcspn(text, "\n")] = '\0';
    log_noisy(server->app->logger, "http: %s", text);
}

/* ---- the server ---- */

struct http_server *http_start(struct app *app, char *error, size_t error_size)
{
    struct http_server *server = calloc(1, sizeof *server);
    if (!server) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    server->app = app;
    snprintf(server->too_large, sizeof server->too_large,
             "{\"error\":\"request line and headers larger than %d KiB\"}",
             HTTP_HEADER_LIMIT / 1024);
    const struct config *config = app->config;
    /* a set of static answers per HTTP thread: see http_responses.h */
    server->responses =
        http_responses_new(&app->static_files, config->http_threads ? config->http_threads : 1);
    if (!server->responses) {
        snprintf(error, error_size, "out of memory building the static responses");
        http_stop(server);
        return NULL;
    }
    struct http_loop_handlers handlers = {
        server, http_handle, http_completed, http_connection_event, http_unescape, http_log_mhd};
    server->loops = http_loops_start(config, &handlers, error, error_size);
    if (!server->loops) {
        http_stop(server);
        return NULL;
    }
    return server;
}

void http_stop_accepting(struct http_server *server)
{
    atomic_store(&server->closing, true);
    http_loops_quiesce(server->loops);
}

void http_stop(struct http_server *server)
{
    if (!server)
        return;
    http_loops_stop(server->loops);
    http_responses_free(server->responses);
    free(server);
}
