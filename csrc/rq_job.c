/*
 * rq_job.c — host decisions (see rq_host.h): creation, accessors, answers.
 *
 * A job is claimed exactly once: the answering thread wins the CAS
 * PENDING → ANSWERED, then writes the result, then posts the job to the loop
 * (the event queue's mutex publishes the result). A timeout, a cancel or a
 * disconnect instead wins PENDING → EXPIRED on the loop thread, and a late
 * answer is refused with RQ_ECLOSED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rq_core.h"
#include "rq_proto.h"

rq_job *rq_job_new(rq_job_kind kind, rq_conn *conn) {
    rq_job *j = calloc(1, sizeof *j);
    if (j == NULL) return NULL;
    atomic_init(&j->refs, 1);
    atomic_init(&j->state, RQ_JOB_PENDING);
    j->kind = kind;
    j->conn = conn;
    rq_conn_ref(conn);
    j->conn_id = conn->id;
    j->port = conn->port;
    j->nparams = -1;
    j->ip = conn->ip;
    return j;
}

void rq_job_ref(rq_job *j) { atomic_fetch_add(&j->refs, 1); }

static void release_stream(rq_job *j) {
    if (j->stream.release == NULL) return;
    rq_server *srv = j->conn->srv;
    if (srv->ops->release_stream) srv->ops->release_stream(srv->host, &j->stream);
    else j->stream.release(&j->stream);
    j->stream.release = NULL;
}

void rq_job_unref(rq_job *j) {
    if (j == NULL || atomic_fetch_sub(&j->refs, 1) != 1) return;
    release_stream(j);
    /* Only workers (or the host's callback) drop the last reference of a
     * job whose cursor still holds a stream: the loop takes `cur` first. */
    if (j->cur) rq_cursor_free(j->cur, j->conn->srv);
    free(j->user);
    free(j->password);
    free(j->database);
    free(j->appname);
    free(j->sql);
    free(j->tag);
    for (int i = 0; i < j->nparams; i++) free(j->params[i].val);
    free(j->params);
    free(j->types);
    rq_conn_unref(j->conn);
    free(j);
}

int rq_job_expire(rq_job *j) {
    int expect = RQ_JOB_PENDING;
    return atomic_compare_exchange_strong(&j->state, &expect, RQ_JOB_EXPIRED);
}

static int claim(rq_job *j) {
    int expect = RQ_JOB_PENDING;
    return atomic_compare_exchange_strong(&j->state, &expect, RQ_JOB_ANSWERED);
}

int rq_job_is_done(const rq_job *j) {
    return atomic_load(&((rq_job *)j)->state) != RQ_JOB_PENDING;
}

int rq_job_conn_gone(const rq_job *j) {
    rq_conn *c = j->conn;
    pthread_mutex_lock(&c->mu);
    int dead = c->dead;
    pthread_mutex_unlock(&c->mu);
    return dead;
}

/* ---- accessors ---- */
rq_job_kind rq_job_get_kind(const rq_job *j) { return j->kind; }
uint64_t rq_job_conn_id(const rq_job *j) { return j->conn_id; }
const char *rq_job_peer_ip(const rq_job *j) { return j->ip; }
int rq_job_peer_port(const rq_job *j) { return j->port; }
const char *rq_job_user(const rq_job *j) { return j->user ? j->user : ""; }
const char *rq_job_password(const rq_job *j) { return j->password ? j->password : ""; }
const char *rq_job_database(const rq_job *j) { return j->database; }
const char *rq_job_app_name(const rq_job *j) { return j->appname ? j->appname : ""; }
uint32_t rq_job_backend_pid(const rq_job *j) { return j->conn->pid; }
const char *rq_job_sql(const rq_job *j) { return j->sql ? j->sql : ""; }
int rq_job_do_describe(const rq_job *j) { return j->do_describe; }
const rq_tz *rq_job_timezone(const rq_job *j) { return j->conn->fmt.tz; }

int rq_job_tls_info(const rq_job *j, rq_tls_info *out) {
    const char *version = NULL, *cipher = NULL;
    int bits = 0, on = 0;
    pthread_mutex_lock(&j->conn->mu); /* conn->tls belongs to the output side */
    if (j->conn->tls != NULL)
        on = rq_tls_describe(j->conn->tls, &version, &cipher, &bits) == RQ_OK;
    pthread_mutex_unlock(&j->conn->mu);
    if (!on) return 0;
    snprintf(out->version, sizeof out->version, "%s", version ? version : "");
    snprintf(out->cipher, sizeof out->cipher, "%s", cipher ? cipher : "");
    out->bits = bits;
    return 1;
}
int rq_job_nparams(const rq_job *j) { return j->nparams; }
int rq_job_ntypes(const rq_job *j) { return j->ntypes; }
uint32_t rq_job_type(const rq_job *j, int i) { return i >= 0 && i < j->ntypes ? j->types[i] : 0; }

const uint8_t *rq_job_param(const rq_job *j, int i, int32_t *len, int16_t *format,
                            uint32_t *type_oid) {
    if (i < 0 || i >= j->nparams) return NULL;
    const rq_param *p = &j->params[i];
    *len = p->len;
    *format = p->format;
    *type_oid = p->type_oid;
    return p->val;
}

int rq_job_set_parameter(rq_job *j, const char *name, const char *value,
                         const char **reported, rq_error *err) {
    rq_conn *c = j->conn;
    if (strcmp(name, "TimeZone") == 0) {
        const rq_tz *z;
        if (rq_tz_cache_get(value, &z, err) != RQ_OK)
            return rq_error_set(err, RQ_SEV_ERROR, "22023",
                                "invalid value for parameter \"TimeZone\": \"%s\"", value);
        /* The conn runs one query at a time: no encoder reads fmt.tz now,
         * and the next query's worker sees it through the event queue. */
        c->fmt.tz = z;
        value = rq_tz_name(z); /* as PostgreSQL echoes it: 'utc' -> "UTC" */
    }
    if (reported) *reported = value;
    rq_buf b = {0};
    int rc = rq_be_param_status(&b, name, value);
    if (rc == RQ_OK) rc = rq_conn_send(c, b.data, b.len);
    rq_buf_free(&b);
    return rc == RQ_OK || rc == RQ_ECLOSED ? RQ_OK : rq_error_nomem(err);
}

/* ---- answers ---- */

static void post(rq_job *j) {
    rq_job_ref(j); /* the event's reference */
    rq_server_post_job(j->conn->srv, j);
}

/* The QUERY job whose host call runs on this thread (query_task). */
static _Thread_local rq_job *tl_host_job;

void rq_job_host_call_begin(rq_job *j) { tl_host_job = j; }

int rq_job_host_call_end(rq_job *j) {
    tl_host_job = NULL;
    return j->answered_inline;
}

void rq_job_finish_inline(rq_job *j) {
    j->cur_status = rq_cursor_work(j->cur, j->conn);
    j->cur_ran = 1;
    post(j);
}

static void cursor_job_task(void *arg) {
    rq_job *j = arg;
    rq_job_finish_inline(j);
    rq_job_unref(j); /* the task's */
}

/* A stream answer with a prepared cursor: stream it before the loop hears
 * of the job. Answered by the handler's own call on this thread: its
 * worker continues once the handler returns (rq_job_host_call_end); from
 * any other thread (an executor): a pool task. */
static void stream_answered(rq_job *j) {
    if (tl_host_job == j) {
        j->answered_inline = 1;
        return;
    }
    rq_job_ref(j);
    if (rq_pool_submit(j->conn->srv->pool, cursor_job_task, j) != RQ_OK) {
        rq_job_unref(j);
        post(j); /* cur_ran == 0: the loop reports the shutdown */
    }
}

int rq_job_answer_bool(rq_job *j, int ok, const rq_error *err) {
    if (!claim(j)) return RQ_ECLOSED;
    j->res = RQ_RES_BOOL;
    j->ok = ok ? 1 : 0;
    if (!ok && err) j->err = *err;
    post(j);
    return RQ_OK;
}

int rq_job_answer_stream(rq_job *j, struct ArrowArrayStream *stream) {
    struct ArrowArrayStream moved = *stream;
    stream->release = NULL;
    if (!claim(j)) {
        rq_server *srv = j->conn->srv;
        if (moved.release) {
            if (srv->ops->release_stream) srv->ops->release_stream(srv->host, &moved);
            else moved.release(&moved);
        }
        return RQ_ECLOSED;
    }
    j->res = RQ_RES_STREAM;
    if (j->cur) {
        j->cur->stream = moved;
        stream_answered(j);
    } else {
        j->stream = moved;
        post(j);
    }
    return RQ_OK;
}

int rq_job_answer_tag(rq_job *j, const char *tag) {
    char *copy = strdup(tag ? tag : "");
    if (copy == NULL) {
        rq_error e;
        rq_error_nomem(&e);
        return rq_job_answer_error(j, &e);
    }
    if (!claim(j)) {
        free(copy);
        return RQ_ECLOSED;
    }
    j->res = RQ_RES_TAG;
    j->tag = copy;
    post(j);
    return RQ_OK;
}

int rq_job_answer_types(rq_job *j, const uint32_t *oids, int n) {
    if (!claim(j)) return RQ_ECLOSED;
    j->res = RQ_RES_TYPES;
    for (int i = 0; i < n && i < j->ntypes; i++)
        if (j->types[i] == 0) j->types[i] = oids[i];
    post(j);
    return RQ_OK;
}

int rq_job_answer_error(rq_job *j, const rq_error *err) {
    if (!claim(j)) return RQ_ECLOSED;
    j->res = RQ_RES_ERROR;
    j->err = *err;
    if (j->err.severity[0] == '\0') rq_strlcpy(j->err.severity, RQ_SEV_ERROR, sizeof j->err.severity);
    if (j->err.sqlstate[0] == '\0') rq_strlcpy(j->err.sqlstate, "XX000", sizeof j->err.sqlstate);
    post(j);
    return RQ_OK;
}
