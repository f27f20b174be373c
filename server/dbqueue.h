/* dbqueue: the worker threads that run database calls, so HTTP threads never wait on the
 * database. A task is submitted with a deadline; it completes exactly once, either when a
 * worker has run it or, when the deadline passes first (a hung or very slow database), with
 * an expiry, so every request is answered within the deadline whatever the driver does. */
#ifndef PACMAN_DBQUEUE_H
#define PACMAN_DBQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "reply.h"
#include "store.h"

struct db_task;

/* Runs on a worker: does the database work and fills task->reply. Must touch only memory
 * the task owns: after an expiry the requester may be gone. */
typedef void (*db_task_run_fn)(struct db_task *task, struct store *store);

/* Called exactly once per task, on a worker or the deadline thread, when the task is done
 * (expired says whether the deadline passed first; reply is then unset). */
typedef void (*db_task_done_fn)(struct db_task *task, bool expired, void *cookie);

struct db_task {
    db_task_run_fn run;
    void (*destroy)(struct db_task *task); /* frees the enclosing object */
    struct reply reply;
    /* owned by dbqueue */
    struct db_task *next;
    int state;
    int references;
    int64_t deadline_us;
    db_task_done_fn done;
    void *cookie;
};

struct dbqueue;

/* Starts workers threads over store. max_waiting bounds the queue. NULL on failure. */
struct dbqueue *dbqueue_new(struct store *store, unsigned workers, unsigned max_waiting);

/* Queues task (run and destroy set by the caller, reply empty) to finish within timeout_ms.
 * Returns false, without calling done, when the queue is full or closed: answer 503 then and
 * release the task. On success the caller holds one reference and must dbqueue_release it
 * once done has been called and it has read the reply. */
bool dbqueue_submit(struct dbqueue *queue, struct db_task *task, unsigned timeout_ms,
                    db_task_done_fn done, void *cookie);

/* Drops the caller's reference; the task is destroyed when the worker has dropped its too. */
void dbqueue_release(struct dbqueue *queue, struct db_task *task);

/* Tasks queued or running now. */
unsigned dbqueue_pending(struct dbqueue *queue);

/* Refuses new tasks, expires queued ones, waits for running ones and joins the workers. */
void dbqueue_free(struct dbqueue *queue);

#endif
