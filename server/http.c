/* http: libmicrohttpd plumbing.
 *
 * Threading: in epoll mode (the default) each of the HTTP_THREADS threads runs a libmicrohttpd
 * daemon of its own in libmicrohttpd's external-epoll mode: the thread (a background round,
 * http_loop_round) waits on the daemon's epoll set and calls MHD_run, and the daemons accept
 * from one listening socket. Not libmicrohttpd's own epoll threads: their loop can sleep with
 * events in hand (see http_loop_round), which stopped the server under load. Static files are
 * answered from prebuilt response objects (headers and body built once at start-up, shared by
 * every request: no copy, no allocation beyond the request record), which is why this mode
 * beats thread-per-connection (a thread per idle keep-alive connection costs memory and
 * scheduling at 1,000 connections) and plain select/poll (O(n) per wake-up): README,
 * "Performance", has the figures `make bench` measured for each HTTP_MODE. Requests that need
 * the database are suspended (MHD_suspend_connection) and handed to dbqueue's workers; the
 * worker resumes them and wakes their thread. So a hung database can occupy workers, never the
 * threads that serve the game. Every connection is registered with receive_deadline, which
 * cuts requests that arrive too slowly (libmicrohttpd's own timeout is only an idle one). */
#include "http.h"

#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "app.h"
#include "background.h"
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

/* One libmicrohttpd daemon and what runs it. In epoll mode there is one per HTTP thread, run
 * by that background thread; in the other modes one, run by libmicrohttpd's own threads
 * (thread NULL, wake_fd -1). */
struct http_loop {
    struct http_server *server;
    struct MHD_Daemon *daemon;
    struct background *thread;
    int epoll_fd; /* the daemon's epoll set */
    int wake_fd;  /* eventfd: a connection resumed, or quiesce or stop asked */
    atomic_bool quiesce, stopping;
    atomic_bool closed; /* a connection closed during the last MHD_run */
};

struct http_server {
    struct app *app;
    struct http_loop *loops;
    size_t loop_count;
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
    struct http_loop *loop; /* the one whose daemon has the connection */
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

/* ---- event loops ---- */

/* Makes loop's thread run its daemon now; any thread may call it. A no-op where
 * libmicrohttpd runs the daemon (its own inter-thread channel wakes its threads). */
static void http_loop_wake(struct http_loop *loop)
{
    uint64_t one = 1;
    if (loop->wake_fd >= 0 && write(loop->wake_fd, &one, sizeof one) < 0) {
        /* EAGAIN only, with the counter near 2^64: the thread is already due to wake */
    }
}

/* Resumes a suspended request's connection; any thread may call it. libmicrohttpd's external
 * mode has no channel of its own to wake the thread that runs the daemon. */
static void http_resume(struct http_request *request)
{
    struct http_loop *loop = request->loop; /* read first: once resumed, request may be gone */
    MHD_resume_connection(request->connection);
    http_loop_wake(loop);
}

/* One turn of an HTTP thread in epoll mode: run the daemon, then wait for its epoll set, its
 * next timeout or a wake-up.
 *
 * Why not libmicrohttpd's own epoll threads (MHD_USE_EPOLL_INTERNAL_THREAD): their loop,
 * MHD_epoll in 0.9.75's daemon.c (1.0.1's is the same), drains events 128 at a time and
 * calls epoll_wait again while the last call filled all 128 slots, with the timeout computed
 * for the first call: the connection timeout, 15 s here. When exactly 128 connections are
 * ready at once and no other event follows (every client waits for its answer), that second
 * call sleeps with the 128 events in hand and unprocessed, until a new connection, another
 * request or the timeout wakes it. Under load that happened every few dozen runs of
 * `wrk -c256` with two threads, and at once with one thread and 128 connections
 * (tests/reliability/test_epoll_stall.py). MHD_run runs the same MHD_epoll with a timeout of
 * 0, so its second call returns at once, and the waiting happens here. */
static long http_loop_round(void *ctx)
{
    struct http_loop *loop = ctx;
    if (atomic_load(&loop->stopping))
        return BACKGROUND_DONE;
    if (atomic_exchange(&loop->quiesce, false)) {
        /* Here, on the daemon's own thread: in external mode MHD_quiesce_daemon edits the
         * epoll set that MHD_run edits too. Each daemon has its own descriptor for the
         * listening socket, which closes once the last is closed. */
        MHD_socket listener = MHD_quiesce_daemon(loop->daemon);
        if (listener != MHD_INVALID_SOCKET)
            close(listener);
    }
    atomic_store_explicit(&loop->closed, false, memory_order_relaxed);
    MHD_run(loop->daemon);
    /* At its limit (MAX_CONNECTIONS, or out of descriptors) a daemon takes the listening
     * socket out of its epoll set, and only the start of an MHD_run puts it back: after a run
     * that closed connections, run again before waiting, or no new connection would wake it. */
    if (atomic_load_explicit(&loop->closed, memory_order_relaxed))
        return 0;
    MHD_UNSIGNED_LONG_LONG timeout_ms;
    int wait_ms = -1; /* no connection has a timeout running: until an event */
    if (MHD_get_timeout(loop->daemon, &timeout_ms) == MHD_YES)
        wait_ms = timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms;
    if (wait_ms == 0)
        return 0; /* work already pending (a connection with more to read or write) */
    struct pollfd events[] = {{.fd = loop->epoll_fd, .events = POLLIN},
                              {.fd = loop->wake_fd, .events = POLLIN}};
    if (poll(events, 2, wait_ms) > 0 && events[1].revents) {
        uint64_t count;
        if (read(loop->wake_fd, &count, sizeof count) < 0) {
            /* EAGAIN: another turn read it first */
        }
    }
    return 0;
}

/* ---- database tasks ---- */

/* Runs on a database worker or the deadline thread, exactly once per task. */
static void http_task_done(struct dbqueue_task *task, bool expired, void *cookie)
{
    (void)task;
    struct http_request *request = cookie;
    request->task_expired = expired;
    http_resume(request);
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
    unsigned timeout_ms = task->timeout_ms ? task->timeout_ms : app->config->mongo_timeout_ms;
    if (!dbqueue_submit(app->dbqueue, task, timeout_ms, http_task_done, request)) {
        /* queue full or closing: the task is still ours alone (see dbqueue_submit); answer
         * 503 through the same resume path */
        request->task = NULL;
        task->destroy(task);
        http_resume(request);
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
    struct http_loop *loop = cls;
    struct http_server *server = loop->server;
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
 * closes its descriptor: see receive_deadline.h), and tells the loop of a close. */
static void http_connection_event(void *cls, struct MHD_Connection *connection,
                                  void **socket_context, enum MHD_ConnectionNotificationCode code)
{
    struct http_loop *loop = cls;
    struct receive_deadline *deadline = loop->server->app->receive_deadline;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = info ? receive_deadline_open(deadline, info->connect_fd) : NULL;
    } else {
        receive_deadline_close(deadline, *socket_context);
        *socket_context = NULL;
        atomic_store_explicit(&loop->closed, true, memory_order_relaxed);
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

/* Starts loop's daemon with flags. listener: the listening socket it is to take over, or
 * MHD_INVALID_SOCKET to bind config->port itself (dual stack first: IPv6 and IPv4; hosts
 * without IPv6 get IPv4 only). pool_threads > 1: libmicrohttpd's own pool of that many. */
static bool http_start_daemon(struct http_loop *loop, unsigned flags, MHD_socket listener,
                              unsigned connection_limit, unsigned pool_threads)
{
    struct http_server *server = loop->server;
    const struct config *config = server->app->config;
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
    struct MHD_OptionItem extra[3];
    size_t count = 0;
    if (pool_threads > 1)
        extra[count++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, pool_threads, NULL};
    if (listener != MHD_INVALID_SOCKET)
        extra[count++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, listener, NULL};
    else
        extra[count++] = (struct MHD_OptionItem){MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL};
    extra[count] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    int attempts = listener == MHD_INVALID_SOCKET ? 2 : 1;
    for (int attempt = 0; attempt < attempts && !loop->daemon; attempt++) {
        loop->daemon = MHD_start_daemon(
            flags | (attempts == 2 && attempt == 0 ? MHD_USE_DUAL_STACK : 0),
            (uint16_t)config->port, NULL, NULL, http_handle, loop, MHD_OPTION_EXTERNAL_LOGGER,
            http_log_mhd, server, MHD_OPTION_NOTIFY_COMPLETED, http_completed, server,
            MHD_OPTION_NOTIFY_CONNECTION, http_connection_event, loop, MHD_OPTION_UNESCAPE_CALLBACK,
            http_unescape, NULL, MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_CONNECTION_LIMIT,
            connection_limit, MHD_OPTION_CONNECTION_TIMEOUT, config->connection_timeout_seconds,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory, MHD_OPTION_ARRAY, extra,
            MHD_OPTION_END);
    }
    return loop->daemon != NULL;
}

/* Gives loop, whose daemon runs in external-epoll mode, its wake-up and its thread. */
static bool http_run_loop(struct http_loop *loop)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(loop->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!info || loop->wake_fd < 0)
        return false;
    loop->epoll_fd = info->epoll_fd;
    loop->thread = background_start(http_loop_round, loop, 0);
    return loop->thread != NULL;
}

struct http_server *http_start(struct app *app, char *error, size_t error_size)
{
    struct http_server *server = calloc(1, sizeof *server);
    if (!server) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    server->app = app;
    const struct config *config = app->config;
    unsigned threads = config->http_threads ? config->http_threads : 1;
    bool own_threads = config->http_mode == HTTP_MODE_EPOLL;
    server->loop_count = own_threads ? threads : 1;
    server->loops = calloc(server->loop_count, sizeof *server->loops);
    if (!server->loops || !http_build_static(server)) {
        snprintf(error, error_size, "out of memory building the static responses");
        http_stop(server);
        return NULL;
    }
    for (size_t i = 0; i < server->loop_count; i++) {
        server->loops[i].server = server;
        server->loops[i].wake_fd = -1;
    }
    unsigned flags = MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    unsigned pool_threads = threads;
    switch (config->http_mode) {
    case HTTP_MODE_POLL:
        flags |= MHD_USE_POLL_INTERNAL_THREAD;
        break;
    case HTTP_MODE_THREAD_PER_CONNECTION:
        flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
        pool_threads = 1;
        break;
    default:
        flags |= MHD_USE_EPOLL | MHD_USE_TURBO; /* no internal thread: http_loop_round */
        pool_threads = 1;
        break;
    }
    /* The first daemon binds the port; the others take a descriptor of the same socket, and
     * whichever thread is free accepts, as in libmicrohttpd's own pool. MAX_CONNECTIONS is
     * shared out among them, as that pool shares it among its threads. */
    unsigned share = config->max_connections / server->loop_count;
    unsigned rest = config->max_connections % server->loop_count;
    MHD_socket listener = MHD_INVALID_SOCKET;
    for (size_t i = 0; i < server->loop_count; i++) {
        struct http_loop *loop = &server->loops[i];
        unsigned limit = own_threads ? share + (i < rest) : config->max_connections;
        MHD_socket own = MHD_INVALID_SOCKET;
        if (i > 0 && (own = fcntl(listener, F_DUPFD_CLOEXEC, 0)) < 0) {
            snprintf(error, error_size, "out of file descriptors for the HTTP threads");
            http_stop(server);
            return NULL;
        }
        if (!http_start_daemon(loop, flags, own, limit ? limit : 1, pool_threads)) {
            if (i == 0)
                snprintf(error, error_size,
                         "cannot listen on port %u (in use? set PORT to a free port)",
                         config->port);
            else
                snprintf(error, error_size, "cannot start HTTP thread %zu of %zu", i + 1,
                         server->loop_count);
            http_stop(server);
            return NULL;
        }
        if (i == 0) {
            const union MHD_DaemonInfo *info =
                MHD_get_daemon_info(loop->daemon, MHD_DAEMON_INFO_LISTEN_FD);
            listener = info ? info->listen_fd : MHD_INVALID_SOCKET;
        }
        if (own_threads && !http_run_loop(loop)) {
            snprintf(error, error_size, "out of memory or threads starting the HTTP threads");
            http_stop(server);
            return NULL;
        }
    }
    return server;
}

void http_stop_accepting(struct http_server *server)
{
    atomic_store(&server->closing, true);
    for (size_t i = 0; i < server->loop_count; i++) {
        struct http_loop *loop = &server->loops[i];
        if (loop->thread) { /* its thread quiesces it (http_loop_round) */
            atomic_store(&loop->quiesce, true);
            http_loop_wake(loop);
            continue;
        }
        MHD_socket listener = MHD_quiesce_daemon(loop->daemon);
        if (listener != MHD_INVALID_SOCKET)
            close(listener);
    }
}

void http_stop(struct http_server *server)
{
    if (!server)
        return;
    for (size_t i = 0; server->loops && i < server->loop_count; i++) {
        struct http_loop *loop = &server->loops[i];
        if (loop->thread) {
            atomic_store(&loop->stopping, true);
            http_loop_wake(loop);
            background_stop(loop->thread);
        }
        /* Closes every connection (and, unless quiesced, this daemon's listening descriptor)
         * on this thread now that none other runs the daemon. */
        if (loop->daemon)
            MHD_stop_daemon(loop->daemon);
        if (loop->wake_fd >= 0)
            close(loop->wake_fd);
    }
    free(server->loops);
    http_free_static(server);
    free(server);
}
