/* receive_deadline: shuts down connections whose request takes too long to arrive. */
#include "receive_deadline.h"

#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_received (glibc's lacks it) */
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "background.h"
#include "log.h"
#include "strbuf.h"
#include "timing.h"

/* A connection's state is one word, so the sweeper can move it with a single compare-and-swap
 * that fails if anything happened on the connection since it looked:
 *   > 0                    a request is arriving, since this time (timing_now_us)
 *   STATE_ANSWERING        the request is whole and being answered
 *   STATE_CUT              shut down by the sweeper
 *   <= STATE_IDLE_BASE     idle after `generation` answers: STATE_IDLE_BASE - generation.
 * Idle values differ per answer, so "idle, then a whole request and its answer, then idle
 * again" between the sweeper's two looks cannot pass for "still idle". */
#define STATE_ANSWERING (-1)
#define STATE_CUT (-2)
#define STATE_IDLE_BASE (-3)
#define STATE_GENERATIONS ((int64_t)1 << 48)

/* Bytes that reach the socket this long after an answer are a new request's. The kernel
 * dates the last data received in jiffies (1 to 10 ms), so closer than this the sweeper
 * cannot tell them from the tail of the request just answered; it then counts them as
 * already received, and notices the request with its next bytes. */
#define NEW_REQUEST_MARGIN_US 15000

struct receive_deadline_connection {
    struct receive_deadline_connection *prev, *next;
    int fd;
    _Atomic int64_t state;
    atomic_uint_fast64_t generation; /* answers so far */
    _Atomic int64_t answered_us;     /* when the last answer finished */
    /* The sweeper's own (under the registry lock): */
    uint64_t seen_generation; /* the idle period bytes_mark belongs to */
    uint64_t bytes_mark;      /* bytes received when that idle period was first seen */
};

struct receive_deadline {
    int64_t limit_us;
    struct logger *logger;
    pthread_mutex_t lock; /* guards the list */
    struct receive_deadline_connection *head;
    long interval_ms;
    struct background *sweeper; /* NULL before receive_deadline_run, or with no deadline */
    atomic_uint_fast64_t cut_total;
};

static int64_t receive_deadline_idle_state(uint64_t generation)
{
    return STATE_IDLE_BASE - (int64_t)(generation % STATE_GENERATIONS);
}

static uint64_t receive_deadline_idle_generation(int64_t state)
{
    return (uint64_t)(STATE_IDLE_BASE - state);
}

/* The kernel's count of bytes received on fd, and when the last of them came; false when
 * the socket cannot say (not TCP, or a kernel older than 4.1). */
static bool receive_deadline_socket_info(int fd, uint64_t *bytes, int64_t *last_data_us)
{
    struct tcp_info info;
    socklen_t length = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0)
        return false;
    if (length < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
        return false;
    *bytes = info.tcpi_bytes_received;
    *last_data_us = timing_now_us() - (int64_t)info.tcpi_last_data_recv * 1000;
    return true;
}

struct receive_deadline *receive_deadline_new(unsigned limit_ms, struct logger *logger)
{
    struct receive_deadline *deadline = calloc(1, sizeof *deadline);
    if (!deadline)
        return NULL;
    deadline->limit_us = (int64_t)limit_ms * 1000;
    deadline->logger = logger;
    pthread_mutex_init(&deadline->lock, NULL);
    return deadline;
}

/* The sweeper's round, every interval_ms. */
static long receive_deadline_round(void *arg)
{
    struct receive_deadline *deadline = arg;
    unsigned cut = receive_deadline_sweep(deadline, timing_now_us());
    if (cut && deadline->logger)
        log_message(deadline->logger, LOG_LEVEL_WARN,
                    "http: closed %u connection%s whose request took more than %lld ms to "
                    "arrive (REQUEST_TIMEOUT_SECONDS)",
                    cut, cut == 1 ? "" : "s", (long long)(deadline->limit_us / 1000));
    return deadline->interval_ms;
}

bool receive_deadline_run(struct receive_deadline *deadline)
{
    if (deadline->limit_us == 0)
        return true;
    int64_t interval_ms = deadline->limit_us / 10000;
    deadline->interval_ms = interval_ms < 1 ? 1 : interval_ms > 500 ? 500 : (long)interval_ms;
    deadline->sweeper = background_start(receive_deadline_round, deadline, deadline->interval_ms);
    return deadline->sweeper != NULL;
}

void receive_deadline_free(struct receive_deadline *deadline)
{
    if (!deadline)
        return;
    background_stop(deadline->sweeper);
    /* Connections still registered (a daemon that never stopped) are only unlinked memory. */
    while (deadline->head) {
        struct receive_deadline_connection *next = deadline->head->next;
        free(deadline->head);
        deadline->head = next;
    }
    pthread_mutex_destroy(&deadline->lock);
    free(deadline);
}

struct receive_deadline_connection *receive_deadline_open(struct receive_deadline *deadline, int fd)
{
    if (!deadline || deadline->limit_us == 0 || fd < 0)
        return NULL;
    struct receive_deadline_connection *connection = calloc(1, sizeof *connection);
    if (!connection)
        return NULL;
    connection->fd = fd;
    atomic_init(&connection->state, receive_deadline_idle_state(0));
    atomic_init(&connection->generation, 0);
    pthread_mutex_lock(&deadline->lock);
    connection->next = deadline->head;
    if (deadline->head)
        deadline->head->prev = connection;
    deadline->head = connection;
    pthread_mutex_unlock(&deadline->lock);
    return connection;
}

void receive_deadline_close(struct receive_deadline *deadline,
                            struct receive_deadline_connection *connection)
{
    if (!deadline || !connection)
        return;
    pthread_mutex_lock(&deadline->lock);
    if (connection->prev)
        connection->prev->next = connection->next;
    else
        deadline->head = connection->next;
    if (connection->next)
        connection->next->prev = connection->prev;
    pthread_mutex_unlock(&deadline->lock);
    free(connection);
}

void receive_deadline_request_begun(struct receive_deadline_connection *connection)
{
    if (!connection)
        return;
    int64_t state = atomic_load(&connection->state);
    if (state <= STATE_IDLE_BASE)
        atomic_compare_exchange_strong(&connection->state, &state, timing_now_us());
}

/* Moves to `next` unless the connection was cut (a cut is final). */
static void receive_deadline_move(struct receive_deadline_connection *connection, int64_t next)
{
    int64_t state = atomic_load(&connection->state);
    while (state != STATE_CUT && !atomic_compare_exchange_weak(&connection->state, &state, next)) {
    }
}

void receive_deadline_request_received(struct receive_deadline_connection *connection)
{
    if (connection)
        receive_deadline_move(connection, STATE_ANSWERING);
}

void receive_deadline_request_answered(struct receive_deadline_connection *connection)
{
    if (!connection)
        return;
    atomic_store(&connection->answered_us, timing_now_us());
    uint64_t generation = atomic_fetch_add(&connection->generation, 1) + 1;
    receive_deadline_move(connection, receive_deadline_idle_state(generation));
}

bool receive_deadline_was_cut(const struct receive_deadline_connection *connection)
{
    return connection && atomic_load(&connection->state) == STATE_CUT;
}

/* One connection's turn in a sweep; true when it was shut down. */
static bool receive_deadline_check(struct receive_deadline *deadline,
                                   struct receive_deadline_connection *connection, int64_t now_us)
{
    int64_t state = atomic_load(&connection->state);
    if (state > 0) {
        if (now_us - state < deadline->limit_us ||
            !atomic_compare_exchange_strong(&connection->state, &state, STATE_CUT))
            return false;
        /* Both directions: libmicrohttpd's next read sees the end and it closes the
         * connection (and calls receive_deadline_close) as if the client had left. */
        shutdown(connection->fd, SHUT_RDWR);
        return true;
    }
    if (state > STATE_IDLE_BASE) /* answering, or already cut */
        return false;
    uint64_t bytes;
    int64_t last_data_us;
    if (!receive_deadline_socket_info(connection->fd, &bytes, &last_data_us))
        return false;
    uint64_t generation = receive_deadline_idle_generation(state);
    bool begun;
    if (generation != connection->seen_generation) {
        /* A new idle period: what arrived up to the answer belonged to answered requests. */
        connection->seen_generation = generation;
        connection->bytes_mark = bytes;
        begun = last_data_us > atomic_load(&connection->answered_us) + NEW_REQUEST_MARGIN_US;
    } else {
        begun = bytes > connection->bytes_mark;
    }
    if (begun) /* fails if anything happened on the connection since `state` was read */
        atomic_compare_exchange_strong(&connection->state, &state, now_us);
    return false;
}

unsigned receive_deadline_sweep(struct receive_deadline *deadline, int64_t now_us)
{
    if (!deadline || deadline->limit_us == 0)
        return 0;
    unsigned cut = 0;
    pthread_mutex_lock(&deadline->lock);
    for (struct receive_deadline_connection *c = deadline->head; c; c = c->next)
        cut += receive_deadline_check(deadline, c, now_us);
    pthread_mutex_unlock(&deadline->lock);
    atomic_fetch_add(&deadline->cut_total, cut);
    return cut;
}

void receive_deadline_metrics(void *deadline, struct strbuf *out)
{
    strbuf_printf(out,
                  "# HELP pacman_http_slow_requests_closed_total Connections closed because a "
                  "request took longer than REQUEST_TIMEOUT_SECONDS to arrive.\n"
                  "# TYPE pacman_http_slow_requests_closed_total counter\n"
                  "pacman_http_slow_requests_closed_total %llu\n",
                  (unsigned long long)receive_deadline_cut_total(deadline));
}

uint64_t receive_deadline_cut_total(const struct receive_deadline *deadline)
{
    return deadline ? atomic_load(&deadline->cut_total) : 0;
}
