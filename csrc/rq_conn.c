/*
 * rq_conn.c — one client connection: socket I/O, TLS, the startup and
 * authentication phases, and the output queue shared with workers.
 * The query phase (simple and extended protocol) is in rq_session.c.
 *
 * Everything here runs on the loop thread except rq_conn_send(),
 * rq_conn_wait_writable(), rq_conn_ref()/unref() and the host tasks.
 */
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "rq_core.h"
#include "rq_proto.h"
#include "rq_session.h"

enum { TIMER_NONE, TIMER_STARTUP, TIMER_AUTH, TIMER_QUERY, TIMER_LINGER };

#define RQ_IN_PAUSE (8u << 20) /* stop reading above this backlog while busy */
#define LINGER_MS 2000
/* Output held back while a query job runs (see rq_conn_process). */
#define RQ_HOLD_OUT (8u << 10)

typedef struct write_req {
    uv_write_t req;
    rq_conn *conn;
    rq_buf buf;
} write_req;

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
void rq_conn_start_timer(rq_conn *c, int kind, double seconds);
static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

/* ---- references and freeing ---- */

void rq_conn_ref(rq_conn *c) { atomic_fetch_add(&c->refs, 1); }

static void conn_free(rq_conn *c) {
    rq_buf_free(&c->in);
    rq_buf_free(&c->out);
    if (c->tls) rq_tls_free(c->tls);
    free(c->user);
    free(c->database);
    free(c->appname);
    free(c->tzname);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->host_mu);
    free(c);
}

void rq_conn_unref(rq_conn *c) {
    if (c && atomic_fetch_sub(&c->refs, 1) == 1) conn_free(c);
}

/* ---- output (any thread) ---- */

static int on_loop_thread(rq_conn *c) {
    uv_thread_t self = uv_thread_self();
    return uv_thread_equal(&self, &c->srv->loop_thread);
}

/* Append (encrypting when TLS is on); called with c->mu held. */
static int append_locked(rq_conn *c, const void *data, size_t len) {
    if (c->dead) return RQ_ECLOSED;
    if (c->tls == NULL) return rq_buf_put(&c->out, data, len);
    if (rq_tls_write(c->tls, data, len, NULL) != RQ_OK ||
        rq_tls_take_output(c->tls, &c->out, NULL) != RQ_OK)
        return RQ_ERR;
    return RQ_OK;
}

/* A worker queued output: wake the loop once per flush (c->mu held).
 * Returns 1 if the caller must post the flush event after unlocking. */
static int need_flush_post(rq_conn *c) {
    if (c->flush_posted || on_loop_thread(c)) return 0;
    c->flush_posted = 1;
    return 1;
}

int rq_conn_send(rq_conn *c, const void *data, size_t len) {
    pthread_mutex_lock(&c->mu);
    int rc = append_locked(c, data, len);
    int post = rc == RQ_OK && need_flush_post(c);
    pthread_mutex_unlock(&c->mu);
    if (post) rq_server_post_flush(c->srv, c);
    return rc;
}

static int send_take(rq_conn *c, rq_buf *b, int quiet) {
    if (b->len == 0) return RQ_OK;
    int rc = RQ_OK;
    pthread_mutex_lock(&c->mu);
    if (!c->dead && c->tls == NULL && c->out.len == 0) {
        /* Zero-copy: the connection adopts the chunk, the caller gets the
         * empty buffer back. */
        rq_buf tmp = c->out;
        c->out = *b;
        *b = tmp;
    } else {
        rc = append_locked(c, b->data, b->len);
    }
    int post = rc == RQ_OK && !quiet && need_flush_post(c);
    pthread_mutex_unlock(&c->mu);
    rq_buf_reset(b);
    if (post) rq_server_post_flush(c->srv, c);
    return rc;
}

int rq_conn_send_take(rq_conn *c, rq_buf *b) { return send_take(c, b, 0); }

int rq_conn_send_take_quiet(rq_conn *c, rq_buf *b) { return send_take(c, b, 1); }

int rq_conn_wait_writable(rq_conn *c) {
    pthread_mutex_lock(&c->mu);
    while (!c->dead && c->out.len + c->inflight > RQ_OUT_HIGH)
        pthread_cond_wait(&c->cv, &c->mu);
    int dead = c->dead;
    pthread_mutex_unlock(&c->mu);
    return dead ? RQ_ECLOSED : RQ_OK;
}

/* ---- closing ---- */

static void on_handle_closed(uv_handle_t *h) {
    rq_conn *c = h->data;
    if (--c->handles_open > 0) return;
    rq_server *s = c->srv;
    if (c->prev) c->prev->next = c->next; else s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    s->nconns--;
    rq_conn_unref(c); /* the loop's reference */
    rq_server_maybe_close_wake(s);
}

static void call_disconnect(rq_conn *c) {
    rq_server *s = c->srv;
    if (s->has_disconnect && s->ops->disconnect) s->ops->disconnect(s->host, c->id, c->ip, c->port);
}

static void disconnect_task(void *arg) {
    rq_conn *c = arg;
    pthread_mutex_lock(&c->host_mu);
    /* The connect handler has not returned yet (its task may not even have
     * started: workers run tasks in parallel): it runs this after it. */
    int later = c->connect_queued && c->connect_state != 2;
    if (later) c->disconnect_pending = 1;
    pthread_mutex_unlock(&c->host_mu);
    if (!later) call_disconnect(c);
    rq_conn_unref(c);
}

/* Tell the host the connection is gone (ordered after its connect call). */
static void notify_disconnect(rq_conn *c) {
    rq_conn_ref(c);
    if (rq_pool_submit(c->srv->pool, disconnect_task, c) != RQ_OK) rq_conn_unref(c);
}

void rq_conn_close(rq_conn *c) {
    if (c->closing) return;
    c->closing = 1;
    c->state = RQ_ST_CLOSING;
    pthread_mutex_lock(&c->mu);
    c->dead = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    rq_session_close(c);
    notify_disconnect(c);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status) {
    rq_conn *c = req->data;
    (void)status;
    /* Keep reading (and discarding) until the peer closes, so unread input
     * does not turn our close into a RST that would destroy the error. */
    if (!c->closing) rq_conn_start_timer(c, TIMER_LINGER, LINGER_MS / 1000.0);
}

static void maybe_finish_graceful(rq_conn *c) {
    if (!c->close_after_flush || c->closing || c->close_after_flush == 2) return;
    pthread_mutex_lock(&c->mu);
    int drained = c->out.len == 0 && c->inflight == 0;
    pthread_mutex_unlock(&c->mu);
    if (!drained) return;
    c->close_after_flush = 2;
    c->shut.data = c;
    if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, on_shutdown) != 0) rq_conn_close(c);
}

/* ---- flushing (loop thread) ---- */

static void on_write(uv_write_t *req, int status) {
    write_req *w = (write_req *)req;
    rq_conn *c = w->conn;
    pthread_mutex_lock(&c->mu);
    c->inflight -= w->buf.len;
    if (c->out.len + c->inflight <= RQ_OUT_LOW) pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    rq_buf_free(&w->buf);
    free(w);
    if (status < 0) rq_conn_close(c);
    else maybe_finish_graceful(c);
    rq_conn_unref(c);
}

/* Write queued output unless there is less than `hold` bytes of it. */
static void flush_over(rq_conn *c, size_t hold) {
    if (c->closing) return;
    pthread_mutex_lock(&c->mu);
    if (hold > 0 && c->out.len > 0 && c->out.len < hold) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    c->flush_posted = 0;
    if (c->out.len == 0) {
        pthread_mutex_unlock(&c->mu);
        maybe_finish_graceful(c);
        return;
    }
    write_req *w = malloc(sizeof *w);
    if (w == NULL) {
        pthread_mutex_unlock(&c->mu);
        rq_conn_close(c);
        return;
    }
    w->buf = c->out;
    memset(&c->out, 0, sizeof c->out);
    c->inflight += w->buf.len;
    pthread_mutex_unlock(&c->mu);
    w->conn = c;
    rq_conn_ref(c);
    uv_buf_t ub = uv_buf_init((char *)w->buf.data, (unsigned)w->buf.len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &ub, 1, on_write) != 0) {
        pthread_mutex_lock(&c->mu);
        c->inflight -= w->buf.len;
        pthread_mutex_unlock(&c->mu);
        rq_buf_free(&w->buf);
        free(w);
        rq_conn_unref(c);
        rq_conn_close(c);
    }
}

void rq_conn_flush(rq_conn *c) { flush_over(c, 0); }

/* Send a message built in `b` (loop thread), then flush. */
int rq_conn_send_buf(rq_conn *c, rq_buf *b) {
    int rc = rq_conn_send(c, b->data, b->len);
    rq_buf_reset(b);
    return rc;
}

/* Send raw bytes that bypass TLS (the 'S'/'N' answers to SSLRequest). */
static void send_plain(rq_conn *c, const char *bytes, size_t n) {
    pthread_mutex_lock(&c->mu);
    int rc = rq_buf_put(&c->out, bytes, n);
    pthread_mutex_unlock(&c->mu);
    if (rc != RQ_OK) rq_conn_close(c);
}

void rq_conn_fatal(rq_conn *c, const rq_error *err) {
    rq_buf b = {0};
    rq_error e = *err;
    rq_strlcpy(e.severity, RQ_SEV_FATAL, sizeof e.severity);
    if (rq_be_error(&b, &e) == RQ_OK) rq_conn_send(c, b.data, b.len);
    rq_buf_free(&b);
    c->state = RQ_ST_CLOSING;
    c->close_after_flush = 1;
    /* A client that never reads must not keep us around forever. */
    rq_conn_start_timer(c, TIMER_LINGER, 10.0);
    rq_conn_flush(c);
}

void rq_conn_terminate(rq_conn *c, const rq_error *why) {
    if (c->closing || c->close_after_flush) {
        rq_conn_close(c);
        return;
    }
    rq_session_close(c);
    rq_conn_fatal(c, why);
    /* Shutdown must not wait on a client that does not read. */
    rq_conn_start_timer(c, TIMER_LINGER, LINGER_MS / 1000.0);
}

/* ---- timers ---- */

static void on_timer(uv_timer_t *t) {
    rq_conn *c = t->data;
    rq_error e;
    switch (c->timer_kind) {
    case TIMER_STARTUP:
        rq_error_set(&e, RQ_SEV_FATAL, "08006", "canceling authentication due to timeout");
        rq_conn_fatal(c, &e);
        break;
    case TIMER_AUTH:
        if (c->job && rq_job_expire(c->job)) {
            rq_error_set(&e, RQ_SEV_FATAL, "28000", "authentication handler did not answer in time");
            rq_conn_fatal(c, &e);
        }
        break;
    case TIMER_QUERY:
        rq_session_on_timeout(c);
        break;
    default:
        rq_conn_close(c);
        break;
    }
}

void rq_conn_start_timer(rq_conn *c, int kind, double seconds) {
    uv_timer_stop(&c->timer);
    c->timer_kind = kind;
    if (seconds > 0) uv_timer_start(&c->timer, on_timer, (uint64_t)(seconds * 1000.0), 0);
}

void rq_conn_stop_timer(rq_conn *c) {
    uv_timer_stop(&c->timer);
    c->timer_kind = TIMER_NONE;
}

void rq_conn_start_query_timer(rq_conn *c) {
    rq_conn_start_timer(c, TIMER_QUERY, c->srv->cfg.query_timeout);
}

void rq_conn_start_hook_timer(rq_conn *c, double seconds) {
    rq_conn_start_timer(c, TIMER_QUERY, seconds);
}

/* ---- host tasks ---- */

static void connect_task(void *arg) {
    rq_job *j = arg;
    rq_conn *c = j->conn;
    rq_server *s = c->srv;
    rq_conn_ref(c); /* the host may drop the job (and its conn ref) in the call */
    pthread_mutex_lock(&c->host_mu);
    c->connect_state = 1;
    pthread_mutex_unlock(&c->host_mu);
    s->ops->connect(s->host, j); /* the host owns the task's job reference now */
    pthread_mutex_lock(&c->host_mu);
    c->connect_state = 2;
    int disconnect = c->disconnect_pending;
    pthread_mutex_unlock(&c->host_mu);
    if (disconnect) call_disconnect(c);
    rq_conn_unref(c);
}

static void auth_task(void *arg) {
    rq_job *j = arg;
    rq_server *s = j->conn->srv;
    s->ops->auth(s->host, j);
}

static void login_task(void *arg) {
    rq_job *j = arg;
    rq_server *s = j->conn->srv;
    s->ops->login(s->host, j);
}

/* Hand `job` to the host on a worker; c->job keeps a second reference. */
int rq_conn_dispatch(rq_conn *c, rq_job *j, rq_task_fn fn) {
    rq_job_ref(j); /* the task's (handed on to the host) */
    if (rq_pool_submit(c->srv->pool, fn, j) != RQ_OK) {
        rq_job_unref(j);
        return RQ_ERR;
    }
    rq_job_ref(j); /* c->job's */
    c->job = j;
    return RQ_OK;
}

/* ---- startup phase ---- */

static void send_param_status(rq_conn *c, rq_buf *b) {
    rq_server *s = c->srv;
    const char *kv[][2] = {
        {"application_name", c->appname ? c->appname : ""},
        {"client_encoding", "UTF8"},
        {"DateStyle", "ISO, MDY"},
        {"default_transaction_read_only", "off"},
        {"in_hot_standby", "off"},
        {"integer_datetimes", "on"},
        {"IntervalStyle", "postgres"},
        {"is_superuser", "off"},
        {"server_encoding", "UTF8"},
        {"server_version", s->cfg.server_version},
        {"session_authorization", c->user ? c->user : ""},
        {"standard_conforming_strings", "on"},
        {"TimeZone", c->tzname ? c->tzname : rq_tz_name(c->fmt.tz)},
    };
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        rq_be_param_status(b, kv[i][0], kv[i][1]);
}

static void login_ok(rq_conn *c) {
    rq_buf b = {0};
    rq_conn_stop_timer(c);
    rq_be_auth(&b, 0);
    send_param_status(c, &b);
    rq_be_backend_key(&b, c->pid, c->secret);
    rq_be_ready(&b, 'I');
    c->state = RQ_ST_READY;
    rq_conn_send(c, b.data, b.len);
    rq_buf_free(&b);
}

static int dup_param(char **dst, const char *v);

/* Authenticated: let the host accept the session (database exists...) when
 * it asked to, else finish the login now. */
static void auth_done(rq_conn *c) {
    if (!c->srv->has_login || c->srv->ops->login == NULL) {
        login_ok(c);
        return;
    }
    rq_error e;
    rq_job *j = rq_job_new(RQ_JOB_LOGIN, c);
    if (j == NULL || dup_param(&j->user, c->user) || dup_param(&j->database, c->database) ||
        dup_param(&j->appname, c->appname)) {
        rq_job_unref(j);
        rq_conn_fatal(c, (rq_error_nomem(&e), &e));
        return;
    }
    if (rq_conn_dispatch(c, j, login_task) != RQ_OK) {
        rq_job_unref(j);
        rq_error_set(&e, RQ_SEV_FATAL, "53000", "server is shutting down");
        rq_conn_fatal(c, &e);
        return;
    }
    rq_job_unref(j); /* c->job and the task hold theirs */
    c->state = RQ_ST_AUTH_WAIT;
    rq_conn_start_timer(c, TIMER_AUTH, c->srv->cfg.auth_timeout);
}

static void begin_auth(rq_conn *c) {
    if (c->connect_verdict < 0) {
        rq_conn_fatal(c, &c->connect_err);
        return;
    }
    if (!c->srv->has_auth) {
        auth_done(c);
        return;
    }
    rq_buf b = {0};
    rq_be_auth(&b, 3); /* AuthenticationCleartextPassword */
    rq_conn_send(c, b.data, b.len);
    rq_buf_free(&b);
    c->state = RQ_ST_PASSWORD;
}

static int dup_param(char **dst, const char *v) {
    free(*dst);
    *dst = v ? strdup(v) : NULL;
    return (v && *dst == NULL) ? RQ_ENOMEM : RQ_OK;
}

/* TimeZone from the startup packet (JDBC sends it) or "-c TimeZone=..". */
static int startup_timezone(rq_conn *c, const char *tz, rq_error *err) {
    if (tz == NULL || tz[0] == '\0') return RQ_OK;
    const rq_tz *z;
    if (rq_tz_cache_get(tz, &z, err) != RQ_OK) return RQ_ERR;
    c->fmt.tz = z;
    return dup_param(&c->tzname, tz) == RQ_OK ? RQ_OK : rq_error_nomem(err);
}

static int check_version(rq_conn *c, const rq_startup *st, rq_error *err) {
    uint32_t major = st->version >> 16, minor = st->version & 0xffff;
    if (major != 3)
        return rq_error_set(err, RQ_SEV_FATAL, "0A000",
                            "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0",
                            major, minor);
    const char *unknown[RQ_MAX_STARTUP_PARAMS];
    int nunknown = 0;
    for (int i = 0; i < st->nparams; i++)
        if (strncmp(st->keys[i], "_pq_.", 5) == 0) unknown[nunknown++] = st->keys[i];
    if (minor > 0 || nunknown > 0) {
        rq_buf b = {0};
        rq_be_negotiate_version(&b, RQ_PROTO_V3, nunknown, unknown); /* 3.0 in full */
        rq_conn_send(c, b.data, b.len);
        rq_buf_free(&b);
    }
    return RQ_OK;
}

static int handle_startup(rq_conn *c, const rq_startup *st, rq_error *err) {
    if (check_version(c, st, err) != RQ_OK) return RQ_ERR;
    if (c->srv->cfg.require_tls && c->srv->tls_on && c->tls == NULL)
        return rq_error_set(err, RQ_SEV_FATAL, "28000", "SSL connection is required");
    const char *user = rq_startup_get(st, "user");
    if (user == NULL || user[0] == '\0')
        return rq_error_set(err, RQ_SEV_FATAL, "28000",
                            "no PostgreSQL user name specified in startup packet");
    const char *db = rq_startup_get(st, "database");
    if (dup_param(&c->user, user) || dup_param(&c->database, db && db[0] ? db : user) ||
        dup_param(&c->appname, rq_startup_get(st, "application_name")))
        return rq_error_nomem(err);
    if (startup_timezone(c, rq_startup_get(st, "TimeZone"), err) != RQ_OK) return RQ_ERR;
    if (c->connect_verdict == 0) {
        c->state = RQ_ST_WAIT_CONNECT;
        return RQ_OK;
    }
    begin_auth(c);
    return RQ_OK;
}

static void handle_cancel(rq_conn *c, const rq_startup *st) {
    for (rq_conn *t = c->srv->conns; t; t = t->next) {
        if (t != c && t->pid == st->cancel_pid && t->secret == st->cancel_key) {
            rq_session_cancel(t);
            break;
        }
    }
    rq_conn_close(c); /* a cancel connection gets no answer */
}

static int start_tls(rq_conn *c, rq_error *err) {
    rq_tls *t;
    if (rq_tls_new(c->srv->tls_ctx, &t, err) != RQ_OK) return RQ_ERR;
    pthread_mutex_lock(&c->mu);
    c->tls = t;
    pthread_mutex_unlock(&c->mu);
    c->state = RQ_ST_TLS;
    return RQ_OK;
}

static int handle_ssl_request(rq_conn *c, size_t pktlen, rq_error *err) {
    if (c->tls)
        return rq_error_set(err, RQ_SEV_FATAL, "08P01", "SSL negotiation requested twice");
    if (!c->srv->tls_on) {
        send_plain(c, "N", 1);
        return RQ_OK;
    }
    /* Bytes pipelined after SSLRequest were sent in the clear before the
     * handshake: accepting them would let a MITM inject commands. */
    if (c->in.len > pktlen)
        return rq_error_set(err, RQ_SEV_FATAL, "08P01",
                            "received unencrypted data after SSL request");
    send_plain(c, "S", 1);
    return start_tls(c, err);
}

/* One startup-phase packet; returns bytes consumed, 0 if incomplete, -1 on error. */
static long process_startup(rq_conn *c, rq_error *err) {
    size_t len;
    int rc = rq_proto_startup_frame(c->in.data, c->in.len, &len, err);
    if (rc == RQ_EAGAIN) return 0;
    if (rc != RQ_OK) return -1;
    rq_startup st;
    if (rq_proto_parse_startup(c->in.data, len, &st, err) != RQ_OK) return -1;
    switch (st.kind) {
    case RQ_SP_SSL:
        if (handle_ssl_request(c, len, err) != RQ_OK) return -1;
        break;
    case RQ_SP_GSSENC:
        send_plain(c, "N", 1);
        break;
    case RQ_SP_CANCEL:
        handle_cancel(c, &st);
        break;
    case RQ_SP_STARTUP:
        if (handle_startup(c, &st, err) != RQ_OK) return -1;
        break;
    }
    return (long)len;
}

/* ---- password phase ---- */

static long process_password(rq_conn *c, rq_error *err) {
    char type;
    const uint8_t *body;
    size_t blen, total;
    int rc = rq_proto_frame(c->in.data, c->in.len, RQ_MAX_STARTUP_LEN, &type, &body, &blen, &total, err);
    if (rc == RQ_EAGAIN) return 0;
    if (rc != RQ_OK) return -1;
    if (type != 'p') {
        rq_error_set(err, RQ_SEV_FATAL, "08P01",
                     "expected password response, got message type %d", type);
        return -1;
    }
    const char *pw;
    if (rq_proto_parse_cstring_body(body, blen, &pw, err) != RQ_OK) return -1;
    rq_job *j = rq_job_new(RQ_JOB_AUTH, c);
    if (j == NULL || dup_param(&j->user, c->user) || dup_param(&j->password, pw) ||
        dup_param(&j->database, c->database)) {
        rq_job_unref(j);
        rq_error_nomem(err);
        return -1;
    }
    if (rq_conn_dispatch(c, j, auth_task) != RQ_OK) {
        rq_error_set(err, RQ_SEV_FATAL, "53000", "server is shutting down");
        return -1;
    }
    rq_job_unref(j); /* c->job and the task hold theirs */
    c->state = RQ_ST_AUTH_WAIT;
    rq_conn_start_timer(c, TIMER_AUTH, c->srv->cfg.auth_timeout);
    return (long)total;
}

/* ---- input ---- */

/* Parse as much buffered input as the state allows. */
void rq_conn_process(rq_conn *c) {
    rq_error err;
    rq_error_clear(&err);
    while (!c->closing && !c->close_after_flush && !c->busy && c->in.len > 0) {
        long used;
        switch (c->state) {
        case RQ_ST_STARTUP: used = process_startup(c, &err); break;
        case RQ_ST_PASSWORD: used = process_password(c, &err); break;
        case RQ_ST_READY: used = rq_session_process(c, &err); break;
        default: used = 0; break;
        }
        if (used < 0) {
            rq_conn_fatal(c, &err);
            return;
        }
        if (used == 0) break;
        if (!c->closing) rq_buf_consume(&c->in, (size_t)used);
    }
    if (!c->busy) rq_conn_resume_reading(c);
    /* A query job just started: what the messages before it produced
     * (ParseComplete, BindComplete...) goes out with its result, in one
     * write, unless it is sizeable. Its completion event flushes. */
    flush_over(c, c->busy && c->job ? RQ_HOLD_OUT : 0);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    rq_conn *c = h->data;
    (void)suggested;
    *buf = uv_buf_init(c->srv->readbuf, sizeof c->srv->readbuf);
}

/* Feed ciphertext to TLS; returns RQ_OK, or RQ_ERR with err set. */
static int tls_input(rq_conn *c, const uint8_t *p, size_t n, rq_error *err) {
    int rc;
    pthread_mutex_lock(&c->mu);
    rc = rq_tls_feed(c->tls, p, n, err);
    if (rc == RQ_OK && c->state == RQ_ST_TLS) {
        rc = rq_tls_handshake(c->tls, err);
        if (rc == RQ_OK) c->state = RQ_ST_STARTUP;
        else if (rc == RQ_EAGAIN) rc = RQ_OK;
    }
    if (rc == RQ_OK && c->state != RQ_ST_TLS) {
        rc = rq_tls_read(c->tls, &c->in, err);
        if (rc == RQ_ECLOSED) rc = RQ_OK; /* close_notify: EOF follows */
    }
    if (rq_tls_take_output(c->tls, &c->out, NULL) != RQ_OK && rc == RQ_OK)
        rc = rq_error_nomem(err);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    rq_conn *c = stream->data;
    if (nread == 0) return;
    if (nread < 0) {
        rq_conn_close(c); /* EOF or reset: nothing left to tell the client */
        return;
    }
    if (c->state == RQ_ST_CLOSING) return; /* lingering: discard */
    const uint8_t *p = (const uint8_t *)buf->base;
    rq_error err;
    rq_error_clear(&err);
    int rc;
    if (c->tls) {
        rc = tls_input(c, p, (size_t)nread, &err);
    } else if (c->state == RQ_ST_STARTUP && c->in.len == 0 && p[0] == 0x16 && c->srv->tls_on) {
        /* Direct TLS (PostgreSQL 17 sslnegotiation=direct): a ClientHello. */
        rc = start_tls(c, &err);
        if (rc == RQ_OK) rc = tls_input(c, p, (size_t)nread, &err);
    } else {
        rc = rq_buf_put(&c->in, p, (size_t)nread);
        if (rc != RQ_OK) rq_error_nomem(&err);
    }
    if (rc != RQ_OK) {
        rq_conn_fatal(c, &err);
        return;
    }
    if (c->busy && c->in.len > RQ_IN_PAUSE) {
        uv_read_stop(stream);
        c->read_paused = 1;
    }
    rq_conn_process(c);
}

void rq_conn_resume_reading(rq_conn *c) {
    if (c->read_paused && !c->closing) {
        c->read_paused = 0;
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    }
}

/* ---- events from workers ---- */

static void on_connect_verdict(rq_conn *c, rq_job *j) {
    c->connect_verdict = j->ok ? 1 : -1;
    if (!j->ok) {
        c->connect_err = j->err;
        if (c->connect_err.message[0] == '\0')
            rq_error_set(&c->connect_err, RQ_SEV_FATAL, "28000", "connection rejected");
    }
    /* A rejection waits for the startup packet: answered any earlier (e.g.
     * before libpq's SSLRequest), libpq would report a bare "server closed
     * the connection" instead of the handler's message. */
    if (c->state == RQ_ST_WAIT_CONNECT) begin_auth(c);
}

static void on_login_verdict(rq_conn *c, rq_job *j) {
    if (j->ok) {
        login_ok(c);
        return;
    }
    rq_error e = j->err;
    if (e.message[0] == '\0')
        rq_error_set(&e, RQ_SEV_FATAL, "3D000", "database \"%s\" does not exist",
                     c->database ? c->database : "");
    rq_strlcpy(e.severity, RQ_SEV_FATAL, sizeof e.severity);
    rq_conn_fatal(c, &e);
}

static void on_auth_verdict(rq_conn *c, rq_job *j) {
    if (j->ok) {
        auth_done(c);
        return;
    }
    rq_error e = j->err;
    if (e.message[0] == '\0')
        rq_error_set(&e, RQ_SEV_FATAL, "28P01", "password authentication failed for user \"%s\"",
                     c->user ? c->user : "");
    rq_conn_fatal(c, &e);
}

static void on_job_event(rq_conn *c, rq_job *j) {
    if (c->closing || j != c->job) {
        rq_session_drop_job(c, j); /* stale: releases a stream off this thread */
        return;
    }
    c->job = NULL;
    rq_job_unref(j); /* c->job's reference; the event's is still ours */
    switch (j->kind) {
    case RQ_JOB_CONNECT: on_connect_verdict(c, j); break;
    case RQ_JOB_AUTH: on_auth_verdict(c, j); break;
    case RQ_JOB_LOGIN: on_login_verdict(c, j); break;
    case RQ_JOB_QUERY:
    case RQ_JOB_PARAM_TYPES: rq_session_on_job(c, j); return; /* takes the ref */
    }
    rq_job_unref(j);
}

void rq_conn_on_event(rq_conn *c, rq_event *ev) {
    switch (ev->kind) {
    case RQ_EV_JOB:
        on_job_event(c, ev->job);
        ev->job = NULL;
        break;
    case RQ_EV_CURSOR:
        rq_session_on_cursor(c, ev->cursor, ev->status);
        ev->cursor = NULL;
        break;
    case RQ_EV_FLUSH:
        rq_conn_flush(c); /* a worker asked for it (slow producer, full chunk) */
        break;
    }
    if (!c->closing) {
        rq_conn_process(c);
        rq_conn_resume_reading(c);
    }
}

/* ---- accept ---- */

static void peer_name(rq_conn *c) {
    struct sockaddr_storage sa;
    int len = sizeof sa;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &len) != 0) return;
    if (sa.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&sa;
        uv_ip6_name(a, c->ip, sizeof c->ip);
        c->port = ntohs(a->sin6_port);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&sa;
        uv_ip4_name(a, c->ip, sizeof c->ip);
        c->port = ntohs(a->sin_port);
    }
}

static rq_conn *conn_new(rq_server *s) {
    rq_conn *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    atomic_init(&c->refs, 1);
    atomic_init(&c->cancel, 0);
    c->srv = s;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    pthread_mutex_init(&c->host_mu, NULL);
    c->id = atomic_fetch_add(&s->next_conn_id, 1);
    c->pid = (uint32_t)(c->id & 0x7fffffff);
    if (RAND_bytes((unsigned char *)&c->secret, sizeof c->secret) != 1)
        c->secret = (uint32_t)rand();
    c->fmt.tz = s->default_tz;
    c->fmt.extra_float_digits = 1;
    c->txn = 'I';
    return c;
}

static void start_connect_job(rq_conn *c) {
    if (!c->srv->has_connect) {
        c->connect_verdict = 1;
        return;
    }
    rq_job *j = rq_job_new(RQ_JOB_CONNECT, c);
    /* Set before the task can run (it is read under host_mu by the
     * disconnect task, which can only be queued after this). */
    c->connect_queued = 1;
    if (j == NULL || rq_conn_dispatch(c, j, connect_task) != RQ_OK) {
        c->connect_queued = 0;
        rq_error e;
        rq_error_set(&e, RQ_SEV_FATAL, "53000", "could not start the connection handler");
        c->connect_verdict = -1;
        c->connect_err = e;
    }
    rq_job_unref(j);
}

void rq_conn_accept(rq_server *s, uv_stream_t *listener) {
    rq_conn *c = conn_new(s);
    uv_tcp_t tmp;
    if (c == NULL) {
        /* Accept and drop, or the listener keeps firing for it. */
        uv_tcp_init(&s->loop, &tmp);
        if (uv_accept(listener, (uv_stream_t *)&tmp) == 0) uv_close((uv_handle_t *)&tmp, NULL);
        return;
    }
    uv_tcp_init(&s->loop, &c->tcp);
    uv_timer_init(&s->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->handles_open = 2;
    c->next = s->conns;
    if (s->conns) s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        rq_conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    uv_tcp_keepalive(&c->tcp, 1, 60);
    peer_name(c);
    c->state = RQ_ST_STARTUP;
    rq_conn_start_timer(c, TIMER_STARTUP, s->cfg.startup_timeout);
    start_connect_job(c);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}
