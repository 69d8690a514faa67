/*
 * rq_pool.c — elastic worker pool (see rq_pool.h).
 */
#include "rq_pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define IDLE_EXIT_SECONDS 30

typedef struct task {
    rq_task_fn fn;
    void *arg;
    struct task *next;
} task;

struct rq_pool {
    pthread_mutex_t mu;
    pthread_cond_t work_cv;   /* tasks queued or shutting down */
    pthread_cond_t exit_cv;   /* a worker exited */
    task *head, *tail;
    int min_threads, max_threads;
    int nthreads;  /* alive */
    int nidle;     /* waiting for work */
    int stopping;
    rq_pool_hooks hooks;
};

int rq_pool_new(int min_threads, int max_threads, const rq_pool_hooks *hooks, rq_pool **out,
                rq_error *err) {
    rq_pool *p = calloc(1, sizeof *p);
    if (p == NULL) return rq_error_nomem(err);
    if (hooks) p->hooks = *hooks;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->exit_cv, NULL);
    p->min_threads = min_threads < 1 ? 1 : min_threads;
    p->max_threads = max_threads < p->min_threads ? p->min_threads : max_threads;
    *out = p;
    return RQ_OK;
}

static task *pop_task(rq_pool *p) {
    task *t = p->head;
    if (t) {
        p->head = t->next;
        if (p->head == NULL) p->tail = NULL;
    }
    return t;
}

/* Wait for a task; NULL means this worker should exit. Called locked. */
static task *wait_task(rq_pool *p) {
    for (;;) {
        task *t = pop_task(p);
        if (t) return t;
        if (p->stopping) return NULL;
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += IDLE_EXIT_SECONDS;
        p->nidle++;
        int rc = pthread_cond_timedwait(&p->work_cv, &p->mu, &deadline);
        p->nidle--;
        if (rc == ETIMEDOUT && p->head == NULL && p->nthreads > p->min_threads)
            return NULL;
    }
}

static void *worker_main(void *arg) {
    rq_pool *p = arg;
    if (p->hooks.thread_start) p->hooks.thread_start(p->hooks.arg);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        task *t = wait_task(p);
        if (t == NULL) break;
        pthread_mutex_unlock(&p->mu);
        t->fn(t->arg);
        free(t);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    /* Before counting ourselves out: shutdown waits for nthreads == 0, and
     * the host's exit hook must run while the host still exists. */
    if (p->hooks.thread_exit) p->hooks.thread_exit(p->hooks.arg);
    pthread_mutex_lock(&p->mu);
    p->nthreads--;
    pthread_cond_broadcast(&p->exit_cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Start one more worker. Called locked. Failure is tolerated while at
 * least one worker exists: the task waits in the queue. */
static int spawn_worker(rq_pool *p) {
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* Python code runs on these threads: give it a normal-sized stack. */
    pthread_attr_setstacksize(&attr, 8u << 20);
    int rc = pthread_create(&th, &attr, worker_main, p);
    pthread_attr_destroy(&attr);
    if (rc != 0) return RQ_ERR;
    p->nthreads++;
    return RQ_OK;
}

int rq_pool_submit(rq_pool *p, rq_task_fn fn, void *arg) {
    task *t = malloc(sizeof *t);
    if (t == NULL) return RQ_ENOMEM;
    t->fn = fn;
    t->arg = arg;
    t->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->stopping) {
        pthread_mutex_unlock(&p->mu);
        free(t);
        return RQ_ECLOSED;
    }
    if (p->tail) p->tail->next = t; else p->head = t;
    p->tail = t;
    int rc = RQ_OK;
    if (p->nidle == 0 && p->nthreads < p->max_threads) {
        if (spawn_worker(p) != RQ_OK && p->nthreads == 0) {
            /* Nobody could ever run it: take it back. */
            p->head = p->tail = NULL;
            free(t);
            rc = RQ_ENOMEM;
        }
    } else {
        pthread_cond_signal(&p->work_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int rq_pool_shutdown(rq_pool *p, int timeout_ms) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work_cv);
    while (p->nthreads > 0) {
        if (pthread_cond_timedwait(&p->exit_cv, &p->mu, &deadline) == ETIMEDOUT) break;
    }
    int left = p->nthreads;
    pthread_mutex_unlock(&p->mu);
    return left;
}

void rq_pool_free(rq_pool *p) {
    if (p == NULL) return;
    task *t;
    while ((t = pop_task(p)) != NULL) free(t);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->exit_cv);
    free(p);
}
