/*
 * rq_pool.c — elastic worker pool (see rq_pool.h).
 *
 * Hand-off: each idle worker sleeps on its own semaphore, on a LIFO stack.
 * rq_pool_submit() gives the task straight to the most recently idled
 * worker and posts its semaphore after unlocking the pool mutex: the woken
 * thread needs no lock to start (with one shared condition variable it
 * woke only to block on the mutex its waker still held; that, and the
 * mutex traffic of every idle worker, was a quarter to a half of the
 * server's samples under pgbench select 1). LIFO keeps the fewest threads
 * hot: under light load the same one or two workers serve every task and
 * the others time out and exit. A task waits in the FIFO queue only when
 * no worker is idle.
 */
#include "rq_pool.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>

#define IDLE_EXIT_SECONDS 30

typedef struct task {
    rq_task_fn fn;
    void *arg;
    struct task *next;
} task;

/* One per thread, owned by the pool (reused by later threads, freed with
 * the pool): a late sem_post can never touch freed memory. */
typedef struct worker {
    sem_t sem;             /* posted once per hand-off (or shutdown) */
    task *handed;          /* set by rq_pool_submit, under the pool mutex */
    int idle;              /* on the idle stack */
    struct worker *next;   /* idle stack, or the spare list */
    struct worker *all;    /* every worker struct, for rq_pool_free */
    rq_pool *pool;
} worker;

struct rq_pool {
    pthread_mutex_t mu;
    pthread_cond_t exit_cv;   /* a worker exited */
    task *head, *tail;        /* tasks no idle worker could take */
    worker *idle;             /* idle stack, most recent first */
    worker *spare;            /* structs of exited threads */
    worker *all;
    int min_threads, max_threads;
    int nthreads;  /* alive */
    int nidle;     /* on the idle stack */
    int stopping;
    rq_pool_hooks hooks;
};

int rq_pool_new(int min_threads, int max_threads, const rq_pool_hooks *hooks, rq_pool **out,
                rq_error *err) {
    rq_pool *p = calloc(1, sizeof *p);
    if (p == NULL) return rq_error_nomem(err);
    if (hooks) p->hooks = *hooks;
    pthread_mutex_init(&p->mu, NULL);
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

static void unlink_idle(rq_pool *p, worker *w) {
    for (worker **pp = &p->idle; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    w->idle = 0;
    p->nidle--;
}

static void sem_wait_retry(sem_t *s) {
    while (sem_wait(s) != 0 && errno == EINTR) {}
}

/* Wait for a task; NULL means this worker should exit. Called locked;
 * sleeps unlocked, on the worker's own semaphore. */
static task *wait_task(rq_pool *p, worker *w) {
    for (;;) {
        task *t = pop_task(p);
        if (t) return t;
        if (p->stopping) return NULL;
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += IDLE_EXIT_SECONDS;
        w->idle = 1;
        w->handed = NULL;
        w->next = p->idle;
        p->idle = w;
        p->nidle++;
        pthread_mutex_unlock(&p->mu);
        int rc;
        while ((rc = sem_timedwait(&w->sem, &deadline)) != 0 && errno == EINTR) {}
        int timed_out = rc != 0;
        pthread_mutex_lock(&p->mu);
        if (w->idle) {
            unlink_idle(p, w); /* nobody picked us: a plain timeout */
        } else if (timed_out) {
            /* Picked (task or shutdown) just as we timed out: the post is
             * due; consume it so that it cannot wake a later wait. */
            pthread_mutex_unlock(&p->mu);
            sem_wait_retry(&w->sem);
            pthread_mutex_lock(&p->mu);
        }
        t = w->handed;
        w->handed = NULL;
        if (t) return t;
        if (timed_out && p->head == NULL && p->nthreads > p->min_threads) return NULL;
    }
}

static void *worker_main(void *arg) {
    worker *w = arg;
    rq_pool *p = w->pool;
    if (p->hooks.thread_start) p->hooks.thread_start(p->hooks.arg);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        task *t = wait_task(p, w);
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
    w->next = p->spare;
    p->spare = w;
    p->nthreads--;
    pthread_cond_broadcast(&p->exit_cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static worker *worker_struct(rq_pool *p) {
    worker *w = p->spare;
    if (w) {
        p->spare = w->next;
        return w;
    }
    w = calloc(1, sizeof *w);
    if (w == NULL) return NULL;
    if (sem_init(&w->sem, 0, 0) != 0) {
        free(w);
        return NULL;
    }
    w->pool = p;
    w->all = p->all;
    p->all = w;
    return w;
}

/* Start one more worker. Called locked. Failure is tolerated while at
 * least one worker exists: the task waits in the queue. */
static int spawn_worker(rq_pool *p) {
    worker *w = worker_struct(p);
    if (w == NULL) return RQ_ERR;
    w->handed = NULL;
    w->idle = 0;
    w->next = NULL;
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* Python code runs on these threads: give it a normal-sized stack. */
    pthread_attr_setstacksize(&attr, 8u << 20);
    int rc = pthread_create(&th, &attr, worker_main, w);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        w->next = p->spare;
        p->spare = w;
        return RQ_ERR;
    }
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
    worker *w = p->idle;
    if (w) {
        /* Straight to the most recently idled worker, woken after unlock. */
        p->idle = w->next;
        w->idle = 0;
        p->nidle--;
        w->handed = t;
        pthread_mutex_unlock(&p->mu);
        sem_post(&w->sem);
        return RQ_OK;
    }
    if (p->tail) p->tail->next = t; else p->head = t;
    p->tail = t;
    int rc = RQ_OK;
    if (p->nthreads < p->max_threads) {
        if (spawn_worker(p) != RQ_OK && p->nthreads == 0) {
            /* Nobody could ever run it: take it back. */
            p->head = p->tail = NULL;
            free(t);
            rc = RQ_ENOMEM;
        }
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
    while (p->idle) {
        worker *w = p->idle;
        p->idle = w->next;
        w->idle = 0;
        p->nidle--;
        sem_post(&w->sem);
    }
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
    while (p->all) {
        worker *w = p->all;
        p->all = w->all;
        sem_destroy(&w->sem);
        free(w);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->exit_cv);
    free(p);
}
