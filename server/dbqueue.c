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

struct dbqueue_worker {
    struct dbqueue *queue;
    struct background *thread;
};

struct dbqueue {
    struct store *store;
    pthread_mutex_t lock;
    struct dbqueue_task *head, *tail;
    struct dbqueue_task *running; /* singly linked through next while running */
    unsigned waiting, max_waiting, active;
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
    pthread_mutex_unlock(&queue->lock);
    if (!expired)
        task->done(task, false, task->cookie);
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
    struct dbqueue_task *expired = NULL;
    queue->tail = NULL;
    for (struct dbqueue_task **p = &queue->head; *p;) {
        struct dbqueue_task *task = *p;
        if (closing || task->deadline_us <= now) {
            *p = task->next;
            queue->waiting--;
            task->state = TASK_EXPIRED;
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
            atomic_fetch_add(&t->references, 1); /* held while done runs outside the lock */
            queue->late[late_count++] = t;
        }
    struct dbqueue_task **late = queue->late;
    pthread_mutex_unlock(&queue->lock);

    while (expired) {
        struct dbqueue_task *task = expired;
        expired = task->next;
        task->next = NULL;
        task->done(task, true, task->cookie);
        dbqueue_release(task); /* the queue's reference */
    }
    /* late is only written by this function, which runs on one thread at a time */
    for (size_t i = 0; i < late_count; i++) {
        late[i]->done(late[i], true, late[i]->cookie);
        dbqueue_release(late[i]);
    }
}

static long dbqueue_deadline_round(void *arg)
{
    dbqueue_expire(arg);
    return DBQUEUE_DEADLINE_ROUND_MS;
}

struct dbqueue *dbqueue_new(struct store *store, unsigned workers, unsigned max_waiting)
{
    if (workers == 0)
        return NULL;
    struct dbqueue *queue = calloc(1, sizeof *queue);
    if (!queue)
        return NULL;
    queue->store = store;
    queue->max_waiting = max_waiting;
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

bool dbqueue_submit(struct dbqueue *queue, struct dbqueue_task *task, unsigned timeout_ms,
                    dbqueue_done_fn done, void *cookie)
{
    task->done = done;
    task->cookie = cookie;
    task->deadline_us = timing_now_us() + (int64_t)timeout_ms * 1000;
    task->next = NULL;
    task->state = TASK_QUEUED;
    pthread_mutex_lock(&queue->lock);
    if (queue->closing || queue->waiting >= queue->max_waiting) {
        pthread_mutex_unlock(&queue->lock);
        return false;
    }
    atomic_store(&task->references, 2); /* the caller's and the queue's */
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

void dbqueue_release(struct dbqueue_task *task)
{
    if (atomic_fetch_sub(&task->references, 1) == 1)
        task->destroy(task);
}

void dbqueue_metrics(const void *queue, struct strbuf *out)
{
    strbuf_printf(out, "# TYPE pacman_database_pending gauge\npacman_database_pending %u\n",
                  dbqueue_pending((struct dbqueue *)(uintptr_t)queue));
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
