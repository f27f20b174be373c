/* http_loop: daemons, their threads, their wake-ups. */
#include "http_loop.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "background.h"
#include "config.h"

/* One daemon and what runs it. In epoll mode there is one per HTTP thread, run by that
 * background thread; in the other modes one, run by libmicrohttpd's own threads (thread NULL,
 * wake_fd -1). */
struct http_loop {
    struct http_loops *loops;
    struct MHD_Daemon *daemon;
    struct background *thread;
    int epoll_fd; /* the daemon's epoll set */
    int wake_fd;  /* eventfd: a connection resumed, or quiesce or stop asked */
    atomic_bool quiesce, stopping;
    atomic_bool closed; /* a connection closed during the last MHD_run */
};

struct http_loops {
    struct http_loop_handlers handlers;
    struct http_loop *loops;
    size_t count;
};

/* Makes loop's thread run its daemon now; any thread may call it. A no-op where
 * libmicrohttpd runs the daemon (its own inter-thread channel wakes its threads). */
static void http_loop_wake(struct http_loop *loop)
{
    uint64_t one = 1;
    if (loop->wake_fd >= 0 && write(loop->wake_fd, &one, sizeof one) < 0) {
        /* EAGAIN only, with the counter near 2^64: the thread is already due to wake */
    }
}

void *http_loop_owner(const struct http_loop *loop)
{
    return loop->loops->handlers.owner;
}

void http_loop_resume(struct http_loop *loop, struct MHD_Connection *connection)
{
    /* libmicrohttpd's external mode has no channel of its own to wake the thread that runs the
     * daemon */
    MHD_resume_connection(connection);
    http_loop_wake(loop);
}

/* One turn of an HTTP thread in epoll mode: run the daemon, then wait for its epoll set, its
 * next timeout or a wake-up.
 *
 * Why not libmicrohttpd's own epoll threads (MHD_USE_EPOLL_INTERNAL_THREAD): their loop,
 * MHD_epoll in 0.9.75's daemon.c (1.0.1's is the same), drains events 128 at a time and
 * calls epoll_wait again while the last call filled all 128 slots, with the timeout computed
 * for the first call: the connection timeout. When exactly 128 connections are ready at once
 * and no other event follows (every client waits for its answer), that second call sleeps with
 * the 128 events in hand and unprocessed, until a new connection, another request or the
 * timeout wakes it (tests/reliability/test_epoll_stall.py makes it happen). MHD_run runs the
 * same MHD_epoll with a timeout of 0, so its second call returns at once, and the waiting
 * happens here. */
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

/* Tells the loop of a close (see http_loop_round), then the owner of every event. */
static void http_loop_connection_event(void *cls, struct MHD_Connection *connection,
                                       void **socket_context,
                                       enum MHD_ConnectionNotificationCode code)
{
    struct http_loop *loop = cls;
    if (code != MHD_CONNECTION_NOTIFY_STARTED)
        atomic_store_explicit(&loop->closed, true, memory_order_relaxed);
    const struct http_loop_handlers *handlers = &loop->loops->handlers;
    handlers->connection(handlers->owner, connection, socket_context, code);
}

/* Starts loop's daemon with flags. listener: the listening socket it is to take over, or
 * MHD_INVALID_SOCKET to bind config->port itself (dual stack first: IPv6 and IPv4; hosts
 * without IPv6 get IPv4 only). pool_threads > 1: libmicrohttpd's own pool of that many. */
static bool http_loop_start_daemon(struct http_loop *loop, const struct config *config,
                                   unsigned flags, MHD_socket listener, unsigned connection_limit,
                                   unsigned pool_threads)
{
    const struct http_loop_handlers *handlers = &loop->loops->handlers;
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
            (uint16_t)config->port, NULL, NULL, handlers->request, loop, MHD_OPTION_EXTERNAL_LOGGER,
            handlers->log, handlers->owner, MHD_OPTION_NOTIFY_COMPLETED, handlers->completed,
            handlers->owner, MHD_OPTION_NOTIFY_CONNECTION, http_loop_connection_event, loop,
            MHD_OPTION_UNESCAPE_CALLBACK, handlers->unescape, handlers->owner,
            MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_CONNECTION_LIMIT, connection_limit,
            MHD_OPTION_CONNECTION_TIMEOUT, config->connection_timeout_seconds,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_LOOP_CONNECTION_MEMORY,
            MHD_OPTION_ARRAY, extra, MHD_OPTION_END);
    }
    return loop->daemon != NULL;
}

/* Gives loop, whose daemon runs in external-epoll mode, its wake-up and its thread. */
static bool http_loop_run(struct http_loop *loop)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(loop->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!info || loop->wake_fd < 0)
        return false;
    loop->epoll_fd = info->epoll_fd;
    loop->thread = background_start(http_loop_round, loop, 0);
    return loop->thread != NULL;
}

struct http_loops *http_loops_start(const struct config *config,
                                    const struct http_loop_handlers *handlers, char *error,
                                    size_t error_size)
{
    struct http_loops *loops = calloc(1, sizeof *loops);
    unsigned threads = config->http_threads ? config->http_threads : 1;
    bool own_threads = config->http_mode == HTTP_MODE_EPOLL;
    size_t count = own_threads ? threads : 1;
    if (loops)
        loops->loops = calloc(count, sizeof *loops->loops);
    if (!loops || !loops->loops) {
        free(loops);
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    loops->handlers = *handlers;
    loops->count = count;
    for (size_t i = 0; i < count; i++) {
        loops->loops[i].loops = loops;
        loops->loops[i].wake_fd = -1;
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
    unsigned share = config->max_connections / (unsigned)count;
    unsigned rest = config->max_connections % (unsigned)count;
    MHD_socket listener = MHD_INVALID_SOCKET;
    for (size_t i = 0; i < count; i++) {
        struct http_loop *loop = &loops->loops[i];
        unsigned limit = own_threads ? share + (i < rest) : config->max_connections;
        MHD_socket own = MHD_INVALID_SOCKET;
        if (i > 0 && (own = fcntl(listener, F_DUPFD_CLOEXEC, 0)) < 0) {
            snprintf(error, error_size, "out of file descriptors for the HTTP threads");
            http_loops_stop(loops);
            return NULL;
        }
        if (!http_loop_start_daemon(loop, config, flags, own, limit ? limit : 1, pool_threads)) {
            if (i == 0)
                snprintf(error, error_size,
                         "cannot listen on port %u (in use? set PORT to a free port)",
                         config->port);
            else
                snprintf(error, error_size, "cannot start HTTP thread %zu of %zu", i + 1, count);
            http_loops_stop(loops);
            return NULL;
        }
        if (i == 0) {
            const union MHD_DaemonInfo *info =
                MHD_get_daemon_info(loop->daemon, MHD_DAEMON_INFO_LISTEN_FD);
            listener = info ? info->listen_fd : MHD_INVALID_SOCKET;
        }
        if (own_threads && !http_loop_run(loop)) {
            snprintf(error, error_size, "out of memory or threads starting the HTTP threads");
            http_loops_stop(loops);
            return NULL;
        }
    }
    return loops;
}

void http_loops_quiesce(struct http_loops *loops)
{
    for (size_t i = 0; i < loops->count; i++) {
        struct http_loop *loop = &loops->loops[i];
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

void http_loops_stop(struct http_loops *loops)
{
    if (!loops)
        return;
    for (size_t i = 0; i < loops->count; i++) {
        struct http_loop *loop = &loops->loops[i];
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
    free(loops->loops);
    free(loops);
}
