/*
 * rq_job.c — host decisions (see rq_host.h): creation, accessors, answers.
 *
 * A job is claimed exactly once: the answering thread wins the CAS
 * PENDING → ANSWERED, then writes the result, then posts the job to the loop
 * (the event queue's mutex publishes the result). A timeout, a cancel or a
 * disconnect instead wins PENDING → EXPIRED on the loop thread, and a late
 * answer is refused with RQ_ECLOSED.
 */
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
    j->ip = strdup(conn->ip);
    if (j->ip == NULL) {
        rq_job_unref(j);
        return NULL;
    }
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
    free(j->ip);
    free(j->user);
    free(j->password);
    free(j->database);
    free(j->appname);
    free(j->sql);
    free(j->tag);
    for (int i = 0; i < j->nparams; i++) free(j->params[i].val);
    free(j->params);
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
int rq_job_nparams(const rq_job *j) { return j->nparams; }

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
    j->stream = moved;
    post(j);
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

int rq_job_answer_error(rq_job *j, const rq_error *err) {
    if (!claim(j)) return RQ_ECLOSED;
    j->res = RQ_RES_ERROR;
    j->err = *err;
    if (j->err.severity[0] == '\0') rq_strlcpy(j->err.severity, RQ_SEV_ERROR, sizeof j->err.severity);
    if (j->err.sqlstate[0] == '\0') rq_strlcpy(j->err.sqlstate, "XX000", sizeof j->err.sqlstate);
    post(j);
    return RQ_OK;
}
