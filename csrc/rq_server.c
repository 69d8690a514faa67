/*
 * rq_server.c — listener, I/O loop and the event queue (see rq_server.h).
 *
 * The thread that calls rq_server_run() runs the libuv loop: it owns every
 * socket, accepts, reads, parses and writes. Work that may block (Python
 * handlers, pulling and encoding Arrow batches) runs on the worker pool and
 * comes back as rq_event through rq_server_post(), which wakes the loop with
 * a uv_async_t.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rq_core.h"

#define SHUTDOWN_JOIN_MS 5000

/* ---- configuration ---- */

static int split_addr(const char *addr, char *host, size_t cap, int *port, rq_error *err) {
    const char *colon = strrchr(addr, ':');
    if (colon == NULL)
        return rq_error_set(err, RQ_SEV_FATAL, "22023", "listen address \"%s\" has no port", addr);
    const char *h = addr;
    size_t hlen = (size_t)(colon - addr);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen == 0 || hlen >= cap)
        return rq_error_set(err, RQ_SEV_FATAL, "22023", "invalid listen address \"%s\"", addr);
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || end == colon + 1 || p < 0 || p > 65535)
        return rq_error_set(err, RQ_SEV_FATAL, "22023", "invalid port in \"%s\"", addr);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (int)p;
    return RQ_OK;
}

int rq_server_new(const char *listen_addr, const rq_host_ops *ops, void *host,
                  rq_server **out, rq_error *err) {
    rq_server *s = calloc(1, sizeof *s);
    if (s == NULL) return rq_error_nomem(err);
    if (split_addr(listen_addr, s->listen_host, sizeof s->listen_host, &s->listen_port, err) != RQ_OK) {
        free(s);
        return RQ_ERR;
    }
    s->ops = ops;
    s->host = host;
    s->cfg.query_timeout = 3600; /* a lost callback must not hang a client forever */
    s->cfg.auth_timeout = 60;
    s->cfg.startup_timeout = 60;
    s->cfg.param_types_timeout = 10;
    s->cfg.max_workers = 64;
    rq_strlcpy(s->cfg.server_version, "15.13", sizeof s->cfg.server_version);
    rq_strlcpy(s->cfg.timezone, "UTC", sizeof s->cfg.timezone);
    pthread_mutex_init(&s->ev_mu, NULL);
    atomic_init(&s->next_conn_id, 1);
    *out = s;
    return RQ_OK;
}

void rq_server_free(rq_server *s) {
    if (s == NULL) return;
    if (s->tls_ctx) rq_tls_ctx_free(s->tls_ctx);
    pthread_mutex_destroy(&s->ev_mu);
    free(s);
}

rq_server_config *rq_server_config_of(rq_server *s) { return &s->cfg; }

void rq_server_set_handlers(rq_server *s, int has_connect, int has_auth, int has_disconnect,
                            int has_login, int has_param_types) {
    s->has_param_types = has_param_types;
    s->has_connect = has_connect;
    s->has_login = has_login;
    s->has_auth = has_auth;
    s->has_disconnect = has_disconnect;
}

int rq_server_set_tls(rq_server *s, const char *cert, const char *key, rq_error *err) {
    rq_tls_ctx *ctx;
    if (rq_tls_ctx_new(cert, key, &ctx, err) != RQ_OK) return RQ_ERR;
    if (s->tls_ctx) rq_tls_ctx_free(s->tls_ctx);
    s->tls_ctx = ctx;
    return RQ_OK;
}

int rq_server_port(rq_server *s) { return atomic_load(&s->port); }

void rq_server_stop(rq_server *s) {
    atomic_store(&s->stopping, 1);
    /* The wake handle is closed once the shutdown is under way: a second
     * stop(), or one racing the end of the loop, must not touch it (libuv
     * aborts). Checked under the lock it is closed with. */
    pthread_mutex_lock(&s->ev_mu);
    if (atomic_load(&s->running) && !s->wake_closed) uv_async_send(&s->wake);
    pthread_mutex_unlock(&s->ev_mu);
}

/* ---- events ---- */

static void discard_event(rq_event *ev) {
    if (ev->job) rq_job_unref(ev->job);
    if (ev->cursor) rq_cursor_free(ev->cursor, ev->conn->srv);
    rq_conn_unref(ev->conn);
    free(ev);
}

void rq_server_post(rq_server *s, rq_event *ev) {
    ev->next = NULL;
    pthread_mutex_lock(&s->ev_mu);
    if (s->wake_closed) {
        /* The loop is gone (shutdown): nobody will read this. */
        pthread_mutex_unlock(&s->ev_mu);
        discard_event(ev);
        return;
    }
    if (s->ev_tail) s->ev_tail->next = ev; else s->ev_head = ev;
    s->ev_tail = ev;
    uv_async_send(&s->wake);
    pthread_mutex_unlock(&s->ev_mu);
}

/* Loop thread: close the wake handle once no connection is left. */
void rq_server_maybe_close_wake(rq_server *s) {
    /* Only after begin_shutdown() closed the listeners and signal watchers:
     * a stop request still in flight needs the wake handle to get there. */
    if (!s->shutting || s->nconns > 0) return;
    pthread_mutex_lock(&s->ev_mu);
    int already = s->wake_closed;
    s->wake_closed = 1;
    rq_event *ev = s->ev_head;
    s->ev_head = s->ev_tail = NULL;
    pthread_mutex_unlock(&s->ev_mu);
    while (ev) {
        rq_event *next = ev->next;
        discard_event(ev);
        ev = next;
    }
    if (!already) uv_close((uv_handle_t *)&s->wake, NULL);
}

static rq_event *new_event(rq_event_kind kind, rq_conn *c) {
    rq_event *ev = calloc(1, sizeof *ev);
    if (ev == NULL) return NULL;
    ev->kind = kind;
    ev->conn = c;
    rq_conn_ref(c);
    return ev;
}

/*
 * Small allocations for events: if one fails we are out of memory and
 * cannot tell the loop; spin briefly rather than lose the event (losing it
 * would hang the client forever).
 */
static rq_event *new_event_retry(rq_event_kind kind, rq_conn *c) {
    for (;;) {
        rq_event *ev = new_event(kind, c);
        if (ev) return ev;
        uv_sleep(10);
    }
}

void rq_server_post_job(rq_server *s, rq_job *job) {
    rq_event *ev = new_event_retry(RQ_EV_JOB, job->conn);
    ev->job = job;
    rq_server_post(s, ev);
}

void rq_server_post_cursor(rq_server *s, rq_conn *c, rq_cursor *cur, rq_cursor_status st) {
    rq_event *ev = new_event_retry(RQ_EV_CURSOR, c);
    ev->cursor = cur;
    ev->status = st;
    rq_server_post(s, ev);
}

void rq_server_post_flush(rq_server *s, rq_conn *c) {
    rq_event *ev = new_event_retry(RQ_EV_FLUSH, c);
    rq_server_post(s, ev);
}

static void begin_shutdown(rq_server *s);

static void on_wake(uv_async_t *h) {
    rq_server *s = h->data;
    pthread_mutex_lock(&s->ev_mu);
    rq_event *ev = s->ev_head;
    s->ev_head = s->ev_tail = NULL;
    pthread_mutex_unlock(&s->ev_mu);
    while (ev) {
        rq_event *next = ev->next;
        rq_conn *c = ev->conn;
        rq_conn_on_event(c, ev); /* consumes ev->job ref */
        rq_conn_unref(c);
        free(ev);
        ev = next;
    }
    if (atomic_load(&s->stopping)) begin_shutdown(s);
}

/* ---- listener ---- */

static void on_connection(uv_stream_t *listener, int status) {
    rq_server *s = listener->data;
    if (status < 0 || atomic_load(&s->stopping)) return;
    rq_conn_accept(s, listener);
}

static void set_port(struct sockaddr *sa, int port) {
    if (sa->sa_family == AF_INET6) ((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
    else ((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
}

static int bind_one(rq_server *s, struct sockaddr *sa, rq_error *err) {
    uv_tcp_t *l = &s->listener[s->nlisteners];
    /* Port 0 on a name with several addresses: all share the first's port. */
    if (s->nlisteners > 0 && s->listen_port == 0) set_port(sa, atomic_load(&s->port));
    uv_tcp_init(&s->loop, l);
    l->data = s;
    int rc = uv_tcp_bind(l, sa, sa->sa_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)l, 1024, on_connection);
    if (rc != 0) {
        uv_close((uv_handle_t *)l, NULL);
        return rq_error_set(err, RQ_SEV_FATAL, "58000", "could not listen on %s:%d: %s",
                            s->listen_host, s->listen_port, uv_strerror(rc));
    }
    s->nlisteners++;
    struct sockaddr_storage bound;
    int len = sizeof bound;
    if (uv_tcp_getsockname(l, (struct sockaddr *)&bound, &len) == 0) {
        int port = bound.ss_family == AF_INET6
                       ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                       : ntohs(((struct sockaddr_in *)&bound)->sin_port);
        atomic_store(&s->port, port);
    }
    return RQ_OK;
}

/* Resolve the host (numeric or name) and bind every address it has
 * ("localhost" → 127.0.0.1 and ::1), as PostgreSQL's listen_addresses does;
 * fail only if none could be bound. */
static int start_listening(rq_server *s, rq_error *err) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char port[16];
    snprintf(port, sizeof port, "%d", s->listen_port);
    int rc = getaddrinfo(s->listen_host, port, &hints, &res);
    if (rc != 0)
        return rq_error_set(err, RQ_SEV_FATAL, "58000", "could not resolve \"%s\": %s",
                            s->listen_host, gai_strerror(rc));
    rq_error last;
    rq_error_set(&last, RQ_SEV_FATAL, "58000", "no usable address for \"%s\"", s->listen_host);
    for (struct addrinfo *ai = res; ai && s->nlisteners < RQ_MAX_LISTENERS; ai = ai->ai_next)
        bind_one(s, ai->ai_addr, &last);
    freeaddrinfo(res);
    if (s->nlisteners == 0) {
        if (err) *err = last;
        return RQ_ERR;
    }
    return RQ_OK;
}

/* ---- signals ---- */

static void on_signal(uv_signal_t *h, int signum) {
    (void)signum;
    rq_server_stop(h->data);
}

static void start_signals(rq_server *s, struct sigaction saved[2]) {
    sigaction(SIGINT, NULL, &saved[0]);
    sigaction(SIGTERM, NULL, &saved[1]);
    int sigs[2] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; i++) {
        uv_signal_init(&s->loop, &s->sig[i]);
        s->sig[i].data = s;
        uv_signal_start(&s->sig[i], on_signal, sigs[i]);
        uv_unref((uv_handle_t *)&s->sig[i]);
    }
    s->have_signals = 1;
}

/* ---- run / shutdown ---- */

static void begin_shutdown(rq_server *s) {
    static const char msg[] = "terminating connection due to administrator command";
    if (s->shutting) {
        rq_server_maybe_close_wake(s);
        return;
    }
    s->shutting = 1;
    for (int i = 0; i < s->nlisteners; i++)
        if (!uv_is_closing((uv_handle_t *)&s->listener[i]))
            uv_close((uv_handle_t *)&s->listener[i], NULL);
    rq_error why;
    rq_error_set(&why, RQ_SEV_FATAL, "57P01", "%s", msg);
    rq_conn *c = s->conns;
    while (c) {
        rq_conn *next = c->next;
        rq_conn_terminate(c, &why);
        c = next;
    }
    if (s->have_signals)
        for (int i = 0; i < 2; i++)
            if (!uv_is_closing((uv_handle_t *)&s->sig[i])) uv_close((uv_handle_t *)&s->sig[i], NULL);
    rq_server_maybe_close_wake(s);
}

static void close_walk(uv_handle_t *h, void *arg) {
    (void)arg;
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

/* After the loop returns: call the host's shutdown hook, stop the workers. */
static void finish(rq_server *s) {
    pthread_mutex_lock(&s->ev_mu);
    s->wake_closed = 1;
    pthread_mutex_unlock(&s->ev_mu);
    uv_walk(&s->loop, close_walk, NULL);
    uv_run(&s->loop, UV_RUN_DEFAULT);
    uv_loop_close(&s->loop);
    atomic_store(&s->running, 0);
    if (s->ops->shutdown) s->ops->shutdown(s->host);
    if (rq_pool_shutdown(s->pool, SHUTDOWN_JOIN_MS) == 0) rq_pool_free(s->pool);
    s->pool = NULL;
}

static void ready_task(void *arg) {
    rq_server *s = arg;
    s->ops->ready(s->host, s->listen_host, rq_server_port(s));
}

static int setup(rq_server *s, int tls, rq_error *err) {
    if (tls && s->tls_ctx == NULL)
        return rq_error_set(err, RQ_SEV_FATAL, "F0000", "start(tls=True) needs set_tls(cert, key) first");
    s->tls_on = tls;
    if (rq_tz_cache_get(s->cfg.timezone, &s->default_tz, err) != RQ_OK) return RQ_ERR;
    rq_pool_hooks hooks = {s->ops->thread_start, s->ops->thread_exit, s->host};
    if (rq_pool_new(2, s->cfg.max_workers, &hooks, &s->pool, err) != RQ_OK) return RQ_ERR;
    if (uv_loop_init(&s->loop) != 0) return rq_error_set(err, RQ_SEV_FATAL, "58000", "uv_loop_init failed");
    uv_async_init(&s->loop, &s->wake, on_wake);
    s->wake.data = s;
    s->nlisteners = 0;
    s->have_signals = 0;
    s->shutting = 0;
    pthread_mutex_lock(&s->ev_mu); /* rq_server_stop() reads it from any thread */
    s->wake_closed = 0;
    pthread_mutex_unlock(&s->ev_mu);
    return RQ_OK;
}

int rq_server_run(rq_server *s, int tls, int handle_signals, rq_error *err) {
    if (setup(s, tls, err) != RQ_OK) {
        if (s->pool) {
            rq_pool_shutdown(s->pool, 0);
            rq_pool_free(s->pool);
            s->pool = NULL;
        }
        return RQ_ERR;
    }
    s->loop_thread = uv_thread_self();
    atomic_store(&s->running, 1);
    /* Signals first: a client can connect as soon as listen() returns, and a
     * supervisor may signal right after seeing the port open. */
    struct sigaction saved[2];
    if (handle_signals) start_signals(s, saved);
    if (start_listening(s, err) != RQ_OK) {
        finish(s);
        if (handle_signals) {
            sigaction(SIGINT, &saved[0], NULL);
            sigaction(SIGTERM, &saved[1], NULL);
        }
        return RQ_ERR;
    }
    if (s->ops->ready) /* the host may block (Python): not on this thread */
        rq_pool_submit(s->pool, ready_task, s);
    if (atomic_load(&s->stopping)) uv_async_send(&s->wake); /* stop() came early */
    uv_run(&s->loop, UV_RUN_DEFAULT);
    finish(s);
    if (handle_signals) {
        sigaction(SIGINT, &saved[0], NULL);
        sigaction(SIGTERM, &saved[1], NULL);
    }
    atomic_store(&s->stopping, 0);
    return RQ_OK;
}
