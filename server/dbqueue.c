/* dbqueue: a fixed pool of database worker threads with per-task deadlines. */
#include "dbqueue.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "timing.h"

enum { TASK_QUEUED, TASK_RUNNING, TASK_FINISHED, TASK_EXPIRED };

struct dbqueue {
    struct store *store;
    pthread_mutex_t lock;
    pthread_cond_t work;     /* a task was queued, or closing */
    pthread_cond_t deadline; /* wakes the deadline thread early on close */
    struct db_task *head, *tail;
    struct db_task *running; /* singly linked through next while running */
    unsigned waiting, max_waiting, active;
    bool closing;
    unsigned workers;
    pthread_t *threads;
    pthread_t deadline_thread;
};

/* With the lock held: drops one reference, returning true when the task must be destroyed. */
static bool dbqueue_unref_locked(struct db_task *task)
{
    return --task->references == 0;
}

static void dbqueue_remove_running(struct dbqueue *queue, struct db_task *task)
{
    for (struct db_task **p = &queue->running; *p; p = &(*p)->next)
        if (*p == task) {
            *p = task->next;
            task->next = NULL;
            return;
        }
}

static void *dbqueue_worker(void *arg)
{
    struct dbqueue *queue = arg;
    pthread_mutex_lock(&queue->lock);
    for (;;) {
        while (!queue->head && !queue->closing)
            pthread_cond_wait(&queue->work, &queue->lock);
        if (!queue->head)
            break; /* closing and nothing left */
        struct db_task *task = queue->head;
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
        bool destroy = false;
        if (!expired) {
            pthread_mutex_unlock(&queue->lock);
            task->done(task, false, task->cookie);
            pthread_mutex_lock(&queue->lock);
        }
        destroy = dbqueue_unref_locked(task);
        if (destroy) {
            pthread_mutex_unlock(&queue->lock);
            task->destroy(task);
            pthread_mutex_lock(&queue->lock);
        }
    }
    pthread_mutex_unlock(&queue->lock);
    return NULL;
}

/* Expires what is past its deadline: queued tasks are taken off the queue, running ones are
 * answered now and left to their worker, which discards its result. */
static void *dbqueue_deadline_loop(void *arg)
{
    struct dbqueue *queue = arg;
    pthread_mutex_lock(&queue->lock);
    for (;;) {
        int64_t now = timing_now_us();
        bool closing = queue->closing;
        struct db_task *expired = NULL;
        for (struct db_task **p = &queue->head; *p;) {
            struct db_task *task = *p;
            if (closing || task->deadline_us <= now) {
                *p = task->next;
                if (queue->tail == task)
                    queue->tail = NULL;
                queue->waiting--;
                task->state = TASK_EXPIRED;
                task->next = expired;
                expired = task;
            } else {
                p = &task->next;
            }
        }
        if (!queue->head) {
            queue->tail = NULL;
        } else {
            for (struct db_task *t = queue->head; t; t = t->next)
                queue->tail = t;
        }
        /* running tasks past their deadline: answer now, without unlinking them */
        struct db_task *late[64];
        size_t late_count = 0;
        for (struct db_task *t = queue->running; t && late_count < 64; t = t->next)
            if (t->state == TASK_RUNNING && (closing || t->deadline_us <= now)) {
                t->state = TASK_EXPIRED;
                t->references++; /* held while done runs outside the lock */
                late[late_count++] = t;
            }
        pthread_mutex_unlock(&queue->lock);

        while (expired) {
            struct db_task *task = expired;
            expired = task->next;
            task->next = NULL;
            task->done(task, true, task->cookie);
            pthread_mutex_lock(&queue->lock);
            bool destroy = dbqueue_unref_locked(task); /* the queue's reference */
            pthread_mutex_unlock(&queue->lock);
            if (destroy)
                task->destroy(task);
        }
        for (size_t i = 0; i < late_count; i++) {
            late[i]->done(late[i], true, late[i]->cookie);
            pthread_mutex_lock(&queue->lock);
            bool destroy = dbqueue_unref_locked(late[i]);
            pthread_mutex_unlock(&queue->lock);
            if (destroy)
                late[i]->destroy(late[i]);
        }

        pthread_mutex_lock(&queue->lock);
        if (queue->closing && !queue->head && !queue->running)
            break;
        struct timespec until = timing_after_ms(20); /* deadlines are kept to within 20 ms */
        pthread_cond_timedwait(&queue->deadline, &queue->lock, &until);
    }
    pthread_mutex_unlock(&queue->lock);
    return NULL;
}

struct dbqueue *dbqueue_new(struct store *store, unsigned workers, unsigned max_waiting)
{
    struct dbqueue *queue = calloc(1, sizeof *queue);
    if (!queue)
        return NULL;
    queue->threads = calloc(workers, sizeof *queue->threads);
    if (!queue->threads) {
        free(queue);
        return NULL;
    }
    queue->store = store;
    queue->max_waiting = max_waiting;
    pthread_mutex_init(&queue->lock, NULL);
    pthread_cond_init(&queue->work, NULL);
    pthread_cond_init(&queue->deadline, NULL);
    if (pthread_create(&queue->deadline_thread, NULL, dbqueue_deadline_loop, queue) != 0) {
        free(queue->threads);
        free(queue);
        return NULL;
    }
    for (unsigned i = 0; i < workers; i++) {
        if (pthread_create(&queue->threads[i], NULL, dbqueue_worker, queue) != 0)
            break;
        queue->workers++;
    }
    if (queue->workers == 0) {
        dbqueue_free(queue);
        return NULL;
    }
    return queue;
}

bool dbqueue_submit(struct dbqueue *queue, struct db_task *task, unsigned timeout_ms,
                    db_task_done_fn done, void *cookie)
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
    task->references = 2; /* the caller's and the queue's */
    if (queue->tail)
        queue->tail->next = task;
    else
        queue->head = task;
    queue->tail = task;
    queue->waiting++;
    pthread_cond_signal(&queue->work);
    pthread_mutex_unlock(&queue->lock);
    return true;
}

void dbqueue_release(struct dbqueue *queue, struct db_task *task)
{
    pthread_mutex_lock(&queue->lock);
    bool destroy = dbqueue_unref_locked(task);
    pthread_mutex_unlock(&queue->lock);
    if (destroy)
        task->destroy(task);
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
    pthread_cond_broadcast(&queue->work);
    pthread_cond_signal(&queue->deadline);
    pthread_mutex_unlock(&queue->lock);
    for (unsigned i = 0; i < queue->workers; i++)
        pthread_join(queue->threads[i], NULL);
    pthread_join(queue->deadline_thread, NULL);
    pthread_mutex_destroy(&queue->lock);
    pthread_cond_destroy(&queue->work);
    pthread_cond_destroy(&queue->deadline);
    free(queue->threads);
    free(queue);
}
