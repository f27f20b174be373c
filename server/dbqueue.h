/* dbqueue: the worker threads that run database calls, so HTTP threads never wait on the
 * database, and the rules for when they are not run. A task is submitted with a deadline; it
 * completes exactly once, either when a worker has run it or, when the deadline passes first
 * (a hung or very slow database), as late, so every request is answered within the deadline
 * whatever the driver does. The queue refuses tasks at once while the database is away, and
 * tells the database's owner when a task was late (it then refuses until the database answers
 * again): both through the two functions it is given (main: the store's). Whatever the
 * outcome, the requester gets the answer to send from dbqueue_take_reply. */
#ifndef PACMAN_DBQUEUE_H
#define PACMAN_DBQUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "reply.h"

struct store;
struct dbqueue_task;

/* Runs on a worker: does the database work and fills task->reply. Must touch only memory
 * the task owns: after a deadline passed the requester may be gone. */
typedef void (*dbqueue_run_fn)(struct dbqueue_task *task, struct store *store);

/* Called exactly once per queued task, on a worker or the deadline thread, when its answer is
 * ready (dbqueue_take_reply). */
typedef void (*dbqueue_done_fn)(struct dbqueue_task *task, void *cookie);

struct dbqueue_task {
    dbqueue_run_fn run;
    void (*destroy)(struct dbqueue_task *task); /* frees the enclosing object */
    struct reply reply;                         /* the worker's answer */
    /* The time it may take, when it needs longer than the queue's timeout (a read of a whole
     * collection); 0: the queue's. */
    unsigned timeout_ms;
    /* owned by dbqueue */
    struct dbqueue_task *next;
    int state;
    atomic_int outcome; /* what dbqueue_take_reply answers */
    atomic_int references;
    int64_t deadline_us;
    dbqueue_done_fn done;
    void *cookie;
};

struct dbqueue_options {
    unsigned workers;     /* threads running tasks; at least 1 */
    unsigned max_waiting; /* tasks queued beyond it are refused (503) */
    unsigned timeout_ms;  /* a task's deadline, unless it sets its own */
    /* False while the database is away: tasks are refused at once rather than held until
     * the driver gives up. */
    bool (*available)(const struct store *store);
    /* A task passed its deadline: the database does not answer in time. Called once per
     * deadline round that found one late, never at shutdown. */
    void (*late)(struct store *store);
};

struct dbqueue;

/* Starts the workers over store (which the queue hands to run, available and late) and the
 * deadline thread. NULL when options->workers is 0 or out of memory or threads. */
struct dbqueue *dbqueue_new(struct store *store, const struct dbqueue_options *options);

/* Makes task, a zeroed struct that starts with its struct dbqueue_task, a task that runs run
 * and is destroyed by destroy; the caller holds its one reference. */
void dbqueue_task_init(struct dbqueue_task *task, dbqueue_run_fn run,
                       void (*destroy)(struct dbqueue_task *task));

/* Queues task to finish within its deadline. True: done will be called once its answer is
 * ready; the queue holds a reference of its own meanwhile. False: refused (the database is
 * away, the queue is full or closing); done is never called and the answer, a 503, is ready
 * now. Either way the caller then takes the answer (dbqueue_take_reply) and releases its
 * reference. */
bool dbqueue_submit(struct dbqueue *queue, struct dbqueue_task *task, dbqueue_done_fn done,
                    void *cookie);

/* Moves the answer to send into the empty reply: the worker's when it ran in time, else a 503
 * saying why it did not (late, shutting down, database away, too busy). Call once, after done
 * was called or dbqueue_submit refused the task. */
void dbqueue_take_reply(struct dbqueue_task *task, struct reply *reply);

/* Drops one reference; the task is destroyed when the last goes. Needs no queue: a request
 * answered by dbqueue_free may release its task after the queue is gone. */
void dbqueue_release(struct dbqueue_task *task);

/* The 503 for a database that is away, as the queue words it; for callers that find it away
 * themselves (a store call that failed). */
void dbqueue_reply_unavailable(struct reply *reply);

/* Tasks queued or running now. */
unsigned dbqueue_pending(struct dbqueue *queue);

struct strbuf;

/* The queue's metrics (a metrics_source_fn; ctx is the queue): tasks pending. */
void dbqueue_metrics(void *queue, struct strbuf *out);

/* Refuses new tasks and answers every queued and running one at once ("shutting down"; the
 * database is not blamed), then waits for the workers to finish what they run (a worker
 * blocked in a driver call holds this as long) and joins them. NULL is ignored. */
void dbqueue_free(struct dbqueue *queue);

#endif
