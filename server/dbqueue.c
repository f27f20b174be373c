/* dbqueue: a fixed pool of database worker threads with per-task deadlines. */
#include "dbqueue.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "background.h"
#include "strbuf.h"
#include "timing.h"

/* Deadlines are kept to within this. */
#define DBQUEUE_DEADLINE_ROUND_MS 20

enum { TASK_QUEUED, TASK_RUNNING, TASK_FINISHED, TASK_EXPIRED };

/* What a task's requester answers (dbqueue_task.outcome). */
enum {
    DBQUEUE_PENDING,
    DBQUEUE_ANSWERED,    /* a worker ran it in time: its reply */
    DBQUEUE_LATE,        /* its deadline passed first */
    DBQUEUE_CANCELLED,   /* the queue closed first (shutdown) */
    DBQUEUE_UNAVAILABLE, /* refused: the database is away */
    DBQUEUE_BUSY,        /* refused: the queue is full */
};

struct dbqueue_worker {
    struct dbqueue *queue;
    struct background *thread;
};

struct dbqueue {
    struct store *store;
    struct dbqueue_options options;
    pthread_mutex_t lock;
    struct dbqueue_task *head, *tail;
    struct dbqueue_task *running; /* singly linked through next while running */
    unsigned waiting, active;
    bool closing;
    unsigned worker_count;
    struct dbqueue_worker *workers;
    struct dbqueue_worker **idle; /* workers asleep until a task comes: a stack */
    unsigned idle_count;
    struct dbqueue_task **late; /* the deadline round's scratch, one slot per worker */
    unsigned late_capacity;
    struct background *deadline;
};

static void dbqueue_remove_running(struct dbqueue *queue, struct dbqueue_task *task)
{
    for (struct dbqueue_task **p = &queue->running; *p; p = &(*p)->next)
        if (*p == task) {
            *p = task->next;
            task->next = NULL;
            return;
        }
}

/* A worker's round: runs the first queued task, then looks for the next at once; with none
 * (or closing) it goes idle until dbqueue_submit wakes it. */
static long dbqueue_worker_round(void *arg)
{
    struct dbqueue_worker *worker = arg;
    struct dbqueue *queue = worker->queue;
    pthread_mutex_lock(&queue->lock);
    struct dbqueue_task *task = queue->closing ? NULL : queue->head;
    if (!task) {
        queue->idle[queue->idle_count++] = worker;
        pthread_mutex_unlock(&queue->lock);
        return BACKGROUND_IDLE;
    }
    queue->head = task->next;
    if (!queue->head)
        queue->tail = NULL;
    queue->waiting--;
    task->state = TASK_RUNNING;
    task->next = queue->running;
    queue->running = task;
    queue->active++;
    pthread_mutex_unlock(&queue->lock);

    task->run(task, queue->store);

    pthread_mutex_lock(&queue->lock);
    queue->active--;
    dbqueue_remove_running(queue, task);
    bool expired = task->state == TASK_EXPIRED;
    task->state = TASK_FINISHED;
    if (!expired)
        atomic_store(&task->outcome, DBQUEUE_ANSWERED);
    pthread_mutex_unlock(&queue->lock);
    if (!expired) /* an expired task was answered already: its result is dropped */
        task->done(task, task->cookie);
    dbqueue_release(task); /* the queue's reference */
    return 0;
}

/* Expires what is past its deadline (everything when closing): queued tasks are taken off the
 * queue, running ones are answered now and left to their worker, which discards its result. */
static void dbqueue_expire(struct dbqueue *queue)
{
    pthread_mutex_lock(&queue->lock);
    int64_t now = timing_now_us();
    bool closing = queue->closing;
    int outcome = closing ? DBQUEUE_CANCELLED : DBQUEUE_LATE;
    struct dbqueue_task *expired = NULL;
    queue->tail = NULL;
    for (struct dbqueue_task **p = &queue->head; *p;) {
        struct dbqueue_task *task = *p;
        if (closing || task->deadline_us <= now) {
            *p = task->next;
            queue->waiting--;
            task->state = TASK_EXPIRED;
            atomic_store(&task->outcome, outcome);
            task->next = expired;
            expired = task;
        } else {
            queue->tail = task;
            p = &task->next;
        }
    }
    size_t late_count = 0;
    for (struct dbqueue_task *t = queue->running; t && late_count < queue->late_capacity;
         t = t->next)
        if (t->state == TASK_RUNNING && (closing || t->deadline_us <= now)) {
            t->state = TASK_EXPIRED;
            atomic_store(&t->outcome, outcome);
            atomic_fetch_add(&t->references, 1); /* held while done runs outside the lock */
            queue->late[late_count++] = t;
        }
    struct dbqueue_task **late = queue->late;
    pthread_mutex_unlock(&queue->lock);

    /* Before the requesters are answered: a request that comes right after a 503 for a late
     * task is refused at once instead of waiting in a database that does not answer. */
    if (!closing && (expired || late_count) && queue->options.late)
        queue->options.late(queue->store);
    while (expired) {
        struct dbqueue_task *task = expired;
        expired = task->next;
        task->next = NULL;
        task->done(task, task->cookie);
        dbqueue_release(task); /* the queue's reference */
    }
    /* late is only written by this function, which runs on one thread at a time */
    for (size_t i = 0; i < late_count; i++) {
        late[i]->done(late[i], late[i]->cookie);
        dbqueue_release(late[i]);
    }
}

static long dbqueue_deadline_round(void *arg)
{
    dbqueue_expire(arg);
    return DBQUEUE_DEADLINE_ROUND_MS;
}

struct dbqueue *dbqueue_new(struct store *store, const struct dbqueue_options *options)
{
    unsigned workers = options->workers;
    if (workers == 0)
        return NULL;
    struct dbqueue *queue = calloc(1, sizeof *queue);
    if (!queue)
        return NULL;
    queue->store = store;
    queue->options = *options;
    pthread_mutex_init(&queue->lock, NULL);
    queue->workers = calloc(workers, sizeof *queue->workers);
    queue->idle = calloc(workers, sizeof *queue->idle);
    queue->late = calloc(workers, sizeof *queue->late);
    queue->late_capacity = workers;
    queue->deadline =
        queue->workers && queue->idle && queue->late
            ? background_start(dbqueue_deadline_round, queue, DBQUEUE_DEADLINE_ROUND_MS)
            : NULL;
    if (!queue->deadline) {
        dbqueue_free(queue);
        return NULL;
    }
    for (unsigned i = 0; i < workers; i++) {
        struct dbqueue_worker *worker = &queue->workers[i];
        worker->queue = queue;
        worker->thread = background_start(dbqueue_worker_round, worker, 0);
        if (!worker->thread)
            break;
        queue->worker_count++;
    }
    if (queue->worker_count == 0) {
        dbqueue_free(queue);
        return NULL;
    }
    return queue;
}

void dbqueue_task_init(struct dbqueue_task *task, dbqueue_run_fn run,
                       void (*destroy)(struct dbqueue_task *task))
{
    task->run = run;
    task->destroy = destroy;
    atomic_init(&task->outcome, DBQUEUE_PENDING);
    atomic_init(&task->references, 1);
}

bool dbqueue_submit(struct dbqueue *queue, struct dbqueue_task *task, dbqueue_done_fn done,
                    void *cookie)
{
    unsigned timeout_ms = task->timeout_ms ? task->timeout_ms : queue->options.timeout_ms;
    task->done = done;
    task->cookie = cookie;
    task->deadline_us = timing_now_us() + (int64_t)timeout_ms * 1000;
    task->next = NULL;
    task->state = TASK_QUEUED;
    if (queue->options.available && !queue->options.available(queue->store)) {
        atomic_store(&task->outcome, DBQUEUE_UNAVAILABLE);
        return false;
    }
    pthread_mutex_lock(&queue->lock);
    if (queue->closing || queue->waiting >= queue->options.max_waiting) {
        atomic_store(&task->outcome, queue->closing ? DBQUEUE_CANCELLED : DBQUEUE_BUSY);
        pthread_mutex_unlock(&queue->lock);
        return false;
    }
    atomic_fetch_add(&task->references, 1); /* the queue's */
    if (queue->tail)
        queue->tail->next = task;
    else
        queue->head = task;
    queue->tail = task;
    queue->waiting++;
    struct dbqueue_worker *idle = queue->idle_count ? queue->idle[--queue->idle_count] : NULL;
    pthread_mutex_unlock(&queue->lock);
    if (idle) /* otherwise every worker is busy and takes it when done */
        background_wake(idle->thread);
    return true;
}

void dbqueue_reply_unavailable(struct reply *reply)
{
    reply_error(reply, 503, "the high-score database is unavailable; try again in a few seconds");
}

void dbqueue_take_reply(struct dbqueue_task *task, struct reply *reply)
{
    switch (atomic_load(&task->outcome)) {
    case DBQUEUE_ANSWERED:
        *reply = task->reply; /* the body changes hands: the worker is done with it */
        task->reply = (struct reply){0};
        break;
    case DBQUEUE_LATE:
        reply_error(reply, 503, "the high-score database did not answer in time; try again");
        break;
    case DBQUEUE_UNAVAILABLE:
        dbqueue_reply_unavailable(reply);
        break;
    case DBQUEUE_CANCELLED:
        reply_error(reply, 503, "the server is shutting down; try again");
        break;
    default: /* DBQUEUE_BUSY */
        reply_error(reply, 503, "the server is too busy; try again");
        break;
    }
}

void dbqueue_release(struct dbqueue_task *task)
{
    if (atomic_fetch_sub(&task->references, 1) == 1)
        task->destroy(task);
}

void dbqueue_metrics(void *queue, struct strbuf *out)
{
    strbuf_printf(out, "# TYPE pacman_database_pending gauge\npacman_database_pending %u\n",
                  dbqueue_pending(queue));
}

unsigned dbqueue_pending(struct dbqueue *queue)
{
    pthread_mutex_lock(&queue->lock);
    unsigned pending = queue->waiting + queue->active;
    pthread_mutex_unlock(&queue->lock);
    return pending;
}

void dbqueue_free(struct dbqueue *queue)
{
    if (!queue)
        return;
    pthread_mutex_lock(&queue->lock);
    queue->closing = true;
    pthread_mutex_unlock(&queue->lock);
    /* Answers every queued and running task now, while the workers finish what they run. */
    if (queue->deadline)
        background_wake(queue->deadline);
    for (unsigned i = 0; i < queue->worker_count; i++)
        background_stop(queue->workers[i].thread);
    background_stop(queue->deadline);
    /* Whatever that round had not reached: nothing runs any more, so this answers the rest. */
    if (queue->late)
        dbqueue_expire(queue);
    pthread_mutex_destroy(&queue->lock);
    free(queue->workers);
    free(queue->idle);
    free(queue->late);
    free(queue);
}
