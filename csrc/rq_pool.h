/*
 * rq_pool.h — elastic worker thread pool.
 *
 * Why elastic: workers run Python handlers (which may block for as long as
 * the user's code likes) and stream results (which block on socket
 * backpressure). A fixed pool would let N slow clients stall everyone else,
 * so the pool starts a new thread whenever a task is queued and no worker is
 * idle, up to `max_threads`; idle threads above `min_threads` exit after a
 * while. Tasks run in FIFO order.
 *
 * Ownership: `arg` passed to rq_pool_submit() belongs to the task function.
 */
#ifndef RQ_POOL_H
#define RQ_POOL_H

#include "rq_common.h"

typedef struct rq_pool rq_pool;
typedef void (*rq_task_fn)(void *arg);

/* Called on each worker thread when it starts and right before it exits
 * (the Python host keeps one interpreter thread state per worker, instead
 * of creating and destroying one for every call). Either may be NULL. */
typedef struct rq_pool_hooks {
    void (*thread_start)(void *arg);
    void (*thread_exit)(void *arg);
    void *arg;
} rq_pool_hooks;

/* Create a pool; no thread starts until the first task. `hooks` may be
 * NULL; it is copied. */
int rq_pool_new(int min_threads, int max_threads, const rq_pool_hooks *hooks, rq_pool **out,
                rq_error *err);

/* Queue `fn(arg)`. Thread-safe. RQ_ENOMEM, or RQ_ECLOSED after shutdown
 * (the task is then not run: the caller still owns `arg`). */
int rq_pool_submit(rq_pool *pool, rq_task_fn fn, void *arg);

/* Stop accepting tasks, let queued tasks finish, join the workers, waiting
 * at most `timeout_ms` in total (workers still busy after that are left
 * detached). Returns the number of workers left running. */
int rq_pool_shutdown(rq_pool *pool, int timeout_ms);

/* Free a pool after rq_pool_shutdown() returned 0. Leaks it otherwise
 * (detached workers may still touch it). */
void rq_pool_free(rq_pool *pool);

#endif /* RQ_POOL_H */
