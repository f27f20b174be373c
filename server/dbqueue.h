/* dbqueue: the worker threads that run database calls, so HTTP threads never wait on the
 * database. A task is submitted with a deadline; it completes exactly once, either when a
 * worker has run it or, when the deadline passes first (a hung or very slow database), with
 * an expiry, so every request is answered within the deadline whatever the driver does. */
#ifndef PACMAN_DBQUEUE_H
#define PACMAN_DBQUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "reply.h"

struct store;
struct dbqueue_task;

/* Runs on a worker: does the database work and fills task->reply. Must touch only memory
 * the task owns: after an expiry the requester may be gone. */
typedef void (*dbqueue_run_fn)(struct dbqueue_task *task, struct store *store);

/* Called exactly once per queued task, on a worker or the deadline thread, when the task is
 * done (expired says whether the deadline passed first; reply is then unset). */
typedef void (*dbqueue_done_fn)(struct dbqueue_task *task, bool expired, void *cookie);

struct dbqueue_task {
    dbqueue_run_fn run;
    void (*destroy)(struct dbqueue_task *task); /* frees the enclosing object */
    struct reply reply;
    /* The time it may take, when it needs longer than the submitter's default (a read of a
     * whole collection); 0: that default. Read by the submitter. */
    unsigned timeout_ms;
    /* owned by dbqueue */
    struct dbqueue_task *next;
    int state;
    atomic_int references;
    int64_t deadline_us;
    dbqueue_done_fn done;
    void *cookie;
};

struct dbqueue;

/* Starts `workers` threads over store (which dbqueue only hands to run) and the deadline
 * thread. max_waiting bounds the queue. NULL when workers is 0 or out of memory or threads. */
struct dbqueue *dbqueue_new(struct store *store, unsigned workers, unsigned max_waiting);

/* Queues task (run and destroy set by the caller, reply empty) to finish within timeout_ms.
 * Returns false when the queue is full or closed: done is never called, the queue holds no
 * reference, and the task is still the caller's alone: answer 503 and destroy it
 * (task->destroy), never dbqueue_release it. On success the caller holds one reference and
 * must dbqueue_release it once done has been called and it has read the reply (or, when it
 * gives up waiting, at any time: the task is then destroyed when the queue is done with it). */
bool dbqueue_submit(struct dbqueue *queue, struct dbqueue_task *task, unsigned timeout_ms,
                    dbqueue_done_fn done, void *cookie);

/* Drops one reference; the task is destroyed when the queue has dropped its own too. Needs no
 * queue: a request resumed by dbqueue_free's expiry may release its task after the queue is
 * gone. */
void dbqueue_release(struct dbqueue_task *task);

/* Tasks queued or running now. */
unsigned dbqueue_pending(struct dbqueue *queue);

struct strbuf;

/* The queue's metrics (a metrics_source_fn; ctx is the queue): tasks pending. */
void dbqueue_metrics(const void *queue, struct strbuf *out);

/* Refuses new tasks and expires every queued and running one at once (done with expired
 * true: suspended requests get their 503 now), then waits for the workers to finish what they
 * run (a worker blocked in a driver call holds this as long) and joins them. NULL is
 * ignored. */
void dbqueue_free(struct dbqueue *queue);

#endif
