/*
 * test_pool.c — tests for csrc/rq_pool.c (elastic worker pool with direct
 * hand-off to idle workers).
 *
 *   1. Every task runs exactly once: tasks submitted from several threads
 *      at once, and tasks that submit further tasks from inside a worker
 *      (what the core does: a query task submits nothing, but an answer
 *      from an executor thread submits a cursor task while workers come
 *      and go).
 *   2. max_threads bounds the tasks running at once; tasks beyond it wait
 *      in the queue and still run.
 *   3. The thread hooks run once per thread start and exit, and shutdown
 *      joins every worker (exit hooks included) before it returns 0.
 *   4. Idle hand-off under a ping-pong load (one task at a time, the next
 *      submitted as soon as the previous one signals, as a request/response
 *      client makes): idle workers are reused, so few threads exist (a new
 *      one starts only when the submit catches every worker busy).
 *   5. Submitting after shutdown is refused with RQ_ECLOSED.
 */
#include "rq_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long n_pass, n_fail;

#define CHECK(cond, ...)                                     \
    do {                                                     \
        if (cond) {                                          \
            n_pass++;                                        \
        } else {                                             \
            n_fail++;                                        \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                    \
            fputc('\n', stderr);                             \
        }                                                    \
    } while (0)

static atomic_long done_count, running, max_running, starts, exits;

static void hook_start(void *arg) {
    (void)arg;
    atomic_fetch_add(&starts, 1);
}

static void hook_exit(void *arg) {
    (void)arg;
    atomic_fetch_add(&exits, 1);
}

static void sleep_us(long us) {
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static int wait_count(atomic_long *v, long want, int seconds) {
    for (int i = 0; i < seconds * 1000; i++) {
        if (atomic_load(v) >= want) return 1;
        sleep_us(1000);
    }
    return atomic_load(v) >= want;
}

/* ---- 1. exactly once ---- */

static unsigned char *ran; /* per-task run counts */

static void count_task(void *arg) {
    long i = (long)(intptr_t)arg;
    ran[i]++;
    atomic_fetch_add(&done_count, 1);
}

typedef struct {
    rq_pool *pool;
    long first, n;
} submitter;

static void *submit_many(void *arg) {
    submitter *s = arg;
    for (long i = s->first; i < s->first + s->n; i++) {
        while (rq_pool_submit(s->pool, count_task, (void *)(intptr_t)i) != RQ_OK) sleep_us(100);
        if (i % 64 == 0) sleep_us(50); /* let workers go idle now and then */
    }
    return NULL;
}

static rq_pool *chain_pool;
static void chain_task(void *arg) {
    long left = (long)(intptr_t)arg;
    atomic_fetch_add(&done_count, 1);
    if (left > 0) rq_pool_submit(chain_pool, chain_task, (void *)(intptr_t)(left - 1));
}

static void test_exactly_once(void) {
    enum { THREADS = 4, PER = 20000 };
    rq_pool_hooks hooks = {hook_start, hook_exit, NULL};
    rq_pool *p;
    rq_error err;
    CHECK(rq_pool_new(2, 8, &hooks, &p, &err) == RQ_OK, "rq_pool_new");
    ran = calloc(THREADS * PER, 1);
    atomic_store(&done_count, 0);
    pthread_t th[THREADS];
    submitter s[THREADS];
    for (int i = 0; i < THREADS; i++) {
        s[i] = (submitter){p, (long)i * PER, PER};
        pthread_create(&th[i], NULL, submit_many, &s[i]);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    CHECK(wait_count(&done_count, THREADS * PER, 30), "only %ld of %d tasks ran",
          atomic_load(&done_count), THREADS * PER);
    long twice = 0, never = 0;
    for (long i = 0; i < THREADS * PER; i++) {
        if (ran[i] == 0) never++;
        if (ran[i] > 1) twice++;
    }
    CHECK(never == 0 && twice == 0, "tasks never run: %ld, run twice: %ld", never, twice);

    /* chains: 8 concurrent chains of 5000 tasks, each submitted by a worker */
    chain_pool = p;
    atomic_store(&done_count, 0);
    for (int i = 0; i < 8; i++) rq_pool_submit(p, chain_task, (void *)(intptr_t)4999);
    CHECK(wait_count(&done_count, 8 * 5000, 30), "chains: %ld of 40000", atomic_load(&done_count));

    CHECK(rq_pool_shutdown(p, 5000) == 0, "shutdown left workers running");
    CHECK(atomic_load(&starts) == atomic_load(&exits) && atomic_load(&starts) >= 1,
          "hooks: %ld starts, %ld exits", atomic_load(&starts), atomic_load(&exits));
    CHECK(atomic_load(&starts) <= 8, "%ld threads for max 8", atomic_load(&starts));
    CHECK(rq_pool_submit(p, count_task, 0) == RQ_ECLOSED, "submit after shutdown");
    rq_pool_free(p);
    free(ran);
}

/* ---- 2. max_threads ---- */

static void slow_task(void *arg) {
    (void)arg;
    long now = atomic_fetch_add(&running, 1) + 1;
    long seen = atomic_load(&max_running);
    while (now > seen && !atomic_compare_exchange_weak(&max_running, &seen, now)) {}
    sleep_us(20000);
    atomic_fetch_sub(&running, 1);
    atomic_fetch_add(&done_count, 1);
}

static void test_max_threads(void) {
    rq_pool *p;
    rq_error err;
    CHECK(rq_pool_new(1, 3, NULL, &p, &err) == RQ_OK, "rq_pool_new");
    atomic_store(&done_count, 0);
    atomic_store(&max_running, 0);
    for (int i = 0; i < 12; i++) CHECK(rq_pool_submit(p, slow_task, NULL) == RQ_OK, "submit");
    CHECK(wait_count(&done_count, 12, 10), "only %ld of 12 ran", atomic_load(&done_count));
    CHECK(atomic_load(&max_running) <= 3, "%ld tasks at once, max 3", atomic_load(&max_running));
    CHECK(atomic_load(&max_running) >= 2, "no parallelism (%ld)", atomic_load(&max_running));
    CHECK(rq_pool_shutdown(p, 5000) == 0, "shutdown");
    rq_pool_free(p);
}

/* ---- 4. ping-pong: LIFO keeps one worker hot ---- */

static rq_pool *pp_pool;
static pthread_mutex_t pp_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_cv = PTHREAD_COND_INITIALIZER;
static int pp_turn; /* 1: a task may be submitted */

static void pp_task(void *arg) {
    (void)arg;
    atomic_fetch_add(&done_count, 1);
    pthread_mutex_lock(&pp_mu);
    pp_turn = 1;
    pthread_cond_signal(&pp_cv);
    pthread_mutex_unlock(&pp_mu);
}

static void test_ping_pong(void) {
    rq_pool_hooks hooks = {hook_start, hook_exit, NULL};
    atomic_store(&starts, 0);
    atomic_store(&exits, 0);
    rq_error err;
    CHECK(rq_pool_new(2, 64, &hooks, &pp_pool, &err) == RQ_OK, "rq_pool_new");
    atomic_store(&done_count, 0);
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&pp_mu);
        pp_turn = 0;
        pthread_mutex_unlock(&pp_mu);
        rq_pool_submit(pp_pool, pp_task, NULL);
        pthread_mutex_lock(&pp_mu);
        while (!pp_turn) pthread_cond_wait(&pp_cv, &pp_mu);
        pthread_mutex_unlock(&pp_mu);
    }
    CHECK(wait_count(&done_count, 2000, 10), "ping-pong: %ld of 2000", atomic_load(&done_count));
    /* Two threads suffice (the one finishing and the next); a few more
     * start when the submit catches the finishing one before it idles. */
    CHECK(atomic_load(&starts) <= 8, "ping-pong started %ld threads", atomic_load(&starts));
    CHECK(rq_pool_shutdown(pp_pool, 5000) == 0, "shutdown");
    CHECK(atomic_load(&starts) == atomic_load(&exits), "hooks %ld/%ld", atomic_load(&starts),
          atomic_load(&exits));
    rq_pool_free(pp_pool);
}

int main(void) {
    test_exactly_once();
    test_max_threads();
    test_ping_pong();
    printf("test_pool: %ld passed, %ld failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
