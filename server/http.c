/* http: libmicrohttpd plumbing.
 *
 * Threading: MHD's epoll mode with a pool of HTTP_THREADS threads, each with its own epoll
 * set and accepting on the shared socket. Static files are answered from prebuilt response
 * objects (headers and body built once at start-up, shared by every request: no copy, no
 * allocation beyond the request record), which is why this mode beats thread-per-connection
 * (a thread per idle keep-alive connection costs memory and scheduling at 1,000 connections)
 * and plain select/poll (O(n) per wake-up): README, "Performance", has the figures `make bench`
 * measured for each HTTP_MODE. Requests that need the database are
 * suspended (MHD_suspend_connection) and handed to dbqueue's workers; the worker resumes them.
 * So a hung database can occupy workers, never the threads that serve the game. Every
 * connection is registered with receive_deadline, which cuts requests that arrive too slowly
 * (libmicrohttpd's own timeout is only an idle one). */
#include "http.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "app.h"
#include "config.h"
#include "dbqueue.h"
#include "dispatch.h"
#include "input.h"
#include "log.h"
#include "metrics.h"
#include "receive_deadline.h"
#include "reply.h"
#include "router.h"
#include "static_files.h"
#include "store.h"
#include "strbuf.h"
#include "timing.h"

static const char http_csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

#define HTTP_DISCARD_LIMIT (1024 * 1024)
#define HTTP_CONNECTION_MEMORY (8 * 1024)
/* The most a request's line and headers may take (431 past it). What is left of the pool must
 * hold the response headers: past this, libmicrohttpd would read a request whole and then
 * close the connection without an answer, for want of room to write one. */
#define HTTP_HEADER_LIMIT (HTTP_CONNECTION_MEMORY - 2 * 1024)
#define HTTP_HEADER_TIGHT (HTTP_CONNECTION_MEMORY - 1024)
#define HTTP_HEADER_RECORD 64 /* libmicrohttpd's struct MHD_HTTP_Header, rounded up */

/* The four prebuilt answers for one file: 200 and 304, plain and gzip. */
struct http_static_responses {
    struct MHD_Response *plain, *plain_not_modified;
    struct MHD_Response *gzip, *gzip_not_modified;
};

struct http_server {
    struct app *app;
    struct MHD_Daemon *daemon;
    /* One set of answers per HTTP thread, each parallel to app->static_files.files: a response
     * object has a lock and a reference count that libmicrohttpd takes and changes twice per
     * request, so shared by all threads it would bounce between their cores on every request.
     * The bodies are the loaded files, shared by all sets. */
    struct http_static_responses **responses;
    size_t response_sets;
    atomic_uint next_set;
    atomic_bool closing;
};

struct http_request {
    struct http_server *server;
    struct MHD_Connection *connection;
    int64_t started_us;
    enum route route;
    enum method method;
    unsigned status;
    struct strbuf body;                           /* up to INPUT_MAX_BODY */
    size_t discarded;                             /* bytes of an oversized body read and dropped */
    struct receive_deadline_connection *deadline; /* the connection's; NULL: none */
    struct dbqueue_task *task;                    /* while a database task runs for this request */
    bool task_expired;
    bool dispatched; /* handed to a handler once; never twice */
    /* last: the only fields http_handle does not zero (they are written at once) */
    char method_name[16];
    char path[200]; /* for the log line; may be truncated */
};

static void http_add_common_headers(struct MHD_Response *response)
{
    MHD_add_response_header(response, "Content-Security-Policy", http_csp);
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(response, "X-Frame-Options", "DENY");
    MHD_add_response_header(response, "Cross-Origin-Opener-Policy", "same-origin");
}

/* ---- static files ---- */

/* Builds one answer for file: status 200 with body (gzip or not) or 304 without. The body
 * is the loaded file itself (MHD_RESPMEM_PERSISTENT: never copied). */
static struct MHD_Response *http_static_response(const struct static_file *file, bool gzip,
                                                 bool not_modified, bool close)
{
    const char *data = gzip ? file->gzip_data : file->data;
    size_t size = not_modified ? 0 : gzip ? file->gzip_size : file->size;
    struct MHD_Response *response = MHD_create_response_from_buffer(
        size, (void *)(uintptr_t)(not_modified ? "" : data), MHD_RESPMEM_PERSISTENT);
    if (!response)
        return NULL;
    http_add_common_headers(response);
    if (!not_modified)
        MHD_add_response_header(response, "Content-Type", file->content_type);
    MHD_add_response_header(response, "Cache-Control", file->cache_control);
    MHD_add_response_header(response, "ETag", gzip ? file->gzip_etag : file->etag);
    if (file->gzip_data)
        MHD_add_response_header(response, "Vary", "Accept-Encoding");
    if (gzip && !not_modified)
        MHD_add_response_header(response, "Content-Encoding", "gzip");
    if (close)
        MHD_add_response_header(response, "Connection", "close");
    return response;
}

static bool http_build_static(struct http_server *server)
{
    const struct static_files *files = &server->app->static_files;
    server->response_sets =
        server->app->config->http_threads ? server->app->config->http_threads : 1;
    server->responses = calloc(server->response_sets, sizeof *server->responses);
    if (!server->responses)
        return false;
    for (size_t set = 0; set < server->response_sets; set++) {
        server->responses[set] =
            calloc(files->count ? files->count : 1, sizeof **server->responses);
        if (!server->responses[set])
            return false;
        for (size_t i = 0; i < files->count; i++) {
            const struct static_file *file = &files->files[i];
            struct http_static_responses *r = &server->responses[set][i];
            r->plain = http_static_response(file, false, false, false);
            r->plain_not_modified = http_static_response(file, false, true, false);
            if (!r->plain || !r->plain_not_modified)
                return false;
            if (file->gzip_data) {
                r->gzip = http_static_response(file, true, false, false);
                r->gzip_not_modified = http_static_response(file, true, true, false);
                if (!r->gzip || !r->gzip_not_modified)
                    return false;
            }
        }
    }
    return true;
}

static void http_free_static(struct http_server *server)
{
    if (!server->responses)
        return;
    for (size_t set = 0; set < server->response_sets && server->responses[set]; set++) {
        for (size_t i = 0; i < server->app->static_files.count; i++) {
            struct http_static_responses *r = &server->responses[set][i];
            struct MHD_Response *all[] = {r->plain, r->plain_not_modified, r->gzip,
                                          r->gzip_not_modified};
            for (size_t j = 0; j < 4; j++)
                if (all[j])
                    MHD_destroy_response(all[j]);
        }
        free(server->responses[set]);
    }
    free(server->responses);
}

/* The calling thread's set of static answers: each thread takes the next one the first time
 * it answers a static file (with a thread per connection, threads share them in turn). */
static const struct http_static_responses *http_thread_responses(struct http_server *server)
{
    static _Thread_local const struct http_static_responses *mine;
    if (!mine)
        mine = server->responses[atomic_fetch_add(&server->next_set, 1) % server->response_sets];
    return mine;
}

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
    struct MHD_Response *response = MHD_create_response_from_buffer(
        reply->body_length, reply->body ? reply->body : (void *)(uintptr_t) "",
        reply->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!response) {
        reply_clear(reply);
        return MHD_NO;
    }
    reply->body = NULL;
    http_add_common_headers(response);
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
                                       const char *allow, const char *message)
{
    struct reply reply = {0};
    reply_error(&reply, status, "%s", message);
    reply.allow = allow;
    return http_send_reply(request, &reply);
}

/* 431 with only the headers an error needs: what the request left of the connection's pool
 * may not hold the usual ones. Past HTTP_HEADER_TIGHT not even those may fit: the status line
 * alone says it then. Queued on the first call, so the connection closes after it. */
static enum MHD_Result http_send_headers_too_large(struct http_request *request,
                                                   size_t header_bytes)
{
    static const char body[] = "{\"error\":\"request line and headers larger than 6 KiB\"}";
    bool tight = header_bytes > HTTP_HEADER_TIGHT;
    struct MHD_Response *response = MHD_create_response_from_buffer(
        tight ? 0 : sizeof body - 1, (void *)(uintptr_t)(tight ? "" : body),
        MHD_RESPMEM_PERSISTENT);
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
    const struct static_files *files = &server->app->static_files;
    const struct static_file *file = static_files_lookup(files, url);
    if (!file)
        return http_send_error(request, 404, NULL, "not found");
    const struct http_static_responses *r = &http_thread_responses(server)[file - files->files];
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
        struct MHD_Response *response = http_static_response(file, gzip, not_modified, true);
        if (!response)
            return MHD_NO;
        enum MHD_Result result = http_queue(request, status, response);
        MHD_destroy_response(response);
        return result;
    }
    struct MHD_Response *response = gzip ? (not_modified ? r->gzip_not_modified : r->gzip)
                                         : (not_modified ? r->plain_not_modified : r->plain);
    return http_queue(request, status, response);
}

/* ---- database tasks ---- */

/* Runs on a database worker or the deadline thread, exactly once per task. */
static void http_task_done(struct dbqueue_task *task, bool expired, void *cookie)
{
    (void)task;
    struct http_request *request = cookie;
    request->task_expired = expired;
    MHD_resume_connection(request->connection);
}

static enum MHD_Result http_finish_task(struct http_request *request)
{
    struct app *app = request->server->app;
    struct dbqueue_task *task = request->task;
    struct reply reply = {0};
    if (request->task_expired) {
        /* Refuse at once until the monitor's ping succeeds again: requests sent on to a hung
         * database wait in its socket and are applied when it wakes, long after their client
         * was told 503. The cost on a database that is merely slow: up to 0.5 s of 503s. */
        store_mark_unavailable(app->store);
        reply_error(&reply, 503, "the high-score database did not answer in time; try again");
    } else {
        reply = task->reply; /* take the body over: the worker is done with it */
        task->reply.body = NULL;
    }
    request->task = NULL;
    dbqueue_release(task);
    return http_send_reply(request, &reply);
}

static enum MHD_Result http_dispatch(struct http_request *request, const char *url)
{
    struct app *app = request->server->app;
    request->dispatched = true;
    receive_deadline_request_received(request->deadline);
    if (request->route == ROUTE_STATIC)
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
            return http_send_error(request, status, NULL, error);
        }
    }
    struct dbqueue_task *task =
        dispatch_handler(request->route)(app, request->method, &input, &reply);
    input_free(&input);
    if (!task)
        return http_send_reply(request, &reply);

    if (!store_available(app->store)) {
        /* Fail fast while the monitor says the database is away, instead of holding the
         * request for the selection timeout. */
        task->destroy(task);
        api_reply_unavailable(&reply);
        return http_send_reply(request, &reply);
    }
    request->task = task;
    MHD_suspend_connection(request->connection);
    if (!dbqueue_submit(app->dbqueue, task, app->config->mongo_timeout_ms, http_task_done,
                        request)) {
        /* queue full or closing: the task is still ours alone (see dbqueue_submit); answer
         * 503 through the same resume path */
        request->task = NULL;
        task->destroy(task);
        MHD_resume_connection(request->connection);
        return MHD_YES; /* http_handle, called again, answers 503 */
    }
    return MHD_YES;
}

/* ---- request framing ---- */

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

/* ---- the MHD callbacks ---- */

/* text, cut to fit in size bytes (the cost of snprintf's "%s" without its format parsing). */
static void http_copy_text(char *out, size_t size, const char *text)
{
    size_t length = strnlen(text, size - 1);
    memcpy(out, text, length);
    out[length] = '\0';
}

static enum MHD_Result http_handle(void *cls, struct MHD_Connection *connection, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **request_cls)
{
    (void)version;
    struct http_server *server = cls;
    struct http_request *request = *request_cls;

    if (!request) {
        /* Not calloc (nor malloc and a memset of it all, which the compiler turns into calloc):
         * glibc's calloc skips the thread's cache of free blocks for the arena and its lock, on
         * every request. */
        request = malloc(sizeof *request);
        if (!request)
            return MHD_NO;
        memset(request, 0, offsetof(struct http_request, method_name));
        *request_cls = request;
        request->server = server;
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
        struct route_match match = router_match(url, request->method);
        request->route = match.route;
        size_t header_bytes = strlen(method) + strlen(url) + 12; /* the request line */
        const char *framing = http_framing_problem(connection, &header_bytes);
        MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, http_count_argument,
                                  &header_bytes);
        if (header_bytes > HTTP_HEADER_LIMIT)
            return http_send_headers_too_large(request, header_bytes);
        if (framing)
            return http_send_error(request, 400, NULL, framing);
        if (!match.method_allowed)
            return http_send_error(request, 405, match.allow, "method not allowed on this path");
        /* Answer on the next call: a response queued on this first call makes MHD 0.9.75
         * close the connection, which would cost every keep-alive client a reconnect. */
        if (request->method != METHOD_POST)
            return MHD_YES;
        const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && strtoull(length, NULL, 10) > INPUT_MAX_BODY)
            return http_send_error(request, 413, NULL, "request body is larger than 16 KiB");
        return MHD_YES; /* the body follows */
    }

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
            return http_send_error(request, 413, NULL, "request body is larger than 16 KiB");
        return MHD_YES;
    }
    if (request->discarded)
        return http_send_error(request, 413, NULL, "request body is larger than 16 KiB");
    if (request->dispatched) /* resumed after dbqueue refused the task */
        return http_send_error(request, 503, NULL, "the server is too busy; try again");
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
    struct receive_deadline *deadline = ((struct http_server *)cls)->app->receive_deadline;
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

struct http_server *http_start(struct app *app, char *error, size_t error_size)
{
    struct http_server *server = calloc(1, sizeof *server);
    if (!server) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    server->app = app;
    if (!http_build_static(server)) {
        snprintf(error, error_size, "out of memory building the static responses");
        http_stop(server);
        return NULL;
    }
    const struct config *config = app->config;
    unsigned flags = MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    bool use_pool = config->http_threads > 1;
    switch (config->http_mode) {
    case HTTP_MODE_POLL:
        flags |= MHD_USE_POLL_INTERNAL_THREAD;
        break;
    case HTTP_MODE_THREAD_PER_CONNECTION:
        flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
        use_pool = false;
        break;
    default:
        flags |= MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO;
        break;
    }
    /* Each connection's memory pool: the request line and headers as read, and the response
     * headers. libmicrohttpd allocates it whole for every connection and zeroes all of it
     * before each request on a keep-alive connection, so every byte of it is resident while
     * the connection is open and written once per request: at 1,000 connections this size is
     * most of the process's memory, and its zeroing most of a static answer's instructions
     * (README, "Performance", has what `make bench` measured at 36 KiB and at 8 KiB). Bodies
     * do not go through it (they are copied out as they arrive, up to 16 KiB). Requests whose
     * line and headers pass HTTP_HEADER_LIMIT get 431 (above). Pools up to 32 KiB come from
     * malloc: main's footprint_trim hands them back once their connections have closed. */
    const size_t connection_memory = HTTP_CONNECTION_MEMORY;
    struct MHD_OptionItem pool[] = {
        {MHD_OPTION_THREAD_POOL_SIZE, config->http_threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    /* Dual stack first (IPv6 and IPv4); hosts without IPv6 get IPv4 only. */
    for (int attempt = 0; attempt < 2 && !server->daemon; attempt++) {
        server->daemon = MHD_start_daemon(
            flags | (attempt == 0 ? MHD_USE_DUAL_STACK : 0), (uint16_t)config->port, NULL, NULL,
            http_handle, server, MHD_OPTION_EXTERNAL_LOGGER, http_log_mhd, server,
            MHD_OPTION_NOTIFY_COMPLETED, http_completed, server, MHD_OPTION_NOTIFY_CONNECTION,
            http_connection_event, server, MHD_OPTION_UNESCAPE_CALLBACK, http_unescape, NULL,
            MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_CONNECTION_LIMIT, config->max_connections,
            MHD_OPTION_CONNECTION_TIMEOUT, config->connection_timeout_seconds,
            MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
            connection_memory, MHD_OPTION_ARRAY, use_pool ? pool : pool + 1, MHD_OPTION_END);
    }
    if (!server->daemon) {
        snprintf(error, error_size, "cannot listen on port %u (in use? set PORT to a free port)",
                 config->port);
        http_stop(server);
        return NULL;
    }
    return server;
}

void http_stop_accepting(struct http_server *server)
{
    atomic_store(&server->closing, true);
    MHD_socket listener = MHD_quiesce_daemon(server->daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
}

void http_stop(struct http_server *server)
{
    if (!server)
        return;
    if (server->daemon)
        MHD_stop_daemon(server->daemon);
    http_free_static(server);
    free(server);
}
