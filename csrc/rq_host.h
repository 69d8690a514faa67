/*
 * rq_host.h — the boundary between the C core and its host (the Python
 * binding, csrc/rq_py_*.c). The core decides nothing about users, results or
 * queries itself: it hands each decision to the host as an rq_job and
 * carries on with other connections until the host answers.
 *
 * Threads: every rq_host_ops function is called on a core worker thread
 * (never on the I/O thread), so it may block. The rq_job_answer_*()
 * functions may be called from any thread, at any later time, at most once
 * per job with effect; later calls return RQ_ECLOSED.
 *
 * Ownership:
 *   - The core passes a job to the host with one reference that the host
 *     owns; the host drops it with rq_job_unref() when it no longer needs
 *     the job (typically when its Python callback object dies).
 *   - Strings returned by the rq_job_* accessors live as long as the job.
 *   - rq_job_answer_stream() always takes the stream (moves it: the caller's
 *     struct is left with release == NULL), even when it returns
 *     RQ_ECLOSED; the core then releases it on a worker thread.
 */
#ifndef RQ_HOST_H
#define RQ_HOST_H

#include <stdint.h>

#include "rq_arrow_abi.h"
#include "rq_common.h"

typedef struct rq_job rq_job;

typedef enum rq_job_kind {
    RQ_JOB_CONNECT,
    RQ_JOB_AUTH,
    RQ_JOB_LOGIN,   /* session start after authentication (only when the host
                     * asked for it): accept, or refuse e.g. with 3D000 */
    RQ_JOB_QUERY,
    RQ_JOB_PARAM_TYPES /* a Parse (or PREPARE) left parameter types unknown:
                        * the host may name them (only when it asked to) */
} rq_job_kind;

typedef struct rq_host_ops {
    void (*connect)(void *host, rq_job *job);
    void (*auth)(void *host, rq_job *job);
    void (*login)(void *host, rq_job *job);
    void (*query)(void *host, rq_job *job);
    /* PARAM_TYPES: answer with rq_job_answer_types() (or not at all: after
     * the parameter_types_timeout the types stay unknown, i.e. text). */
    void (*param_types)(void *host, rq_job *job);
    /* Fire-and-forget notifications (no job, nothing to answer). */
    void (*disconnect)(void *host, uint64_t conn_id, const char *ip, int port);
    void (*ready)(void *host, const char *addr, int port);
    /* Called on the thread that runs rq_server_run(), after the listener
     * closed and before rq_server_run() returns. */
    void (*shutdown)(void *host);
    /* Release an Arrow stream on a thread where that is safe (the host may
     * need its own lock, e.g. the GIL); may be NULL → released directly. */
    void (*release_stream)(void *host, struct ArrowArrayStream *stream);
    /* Each worker thread's start and end (may be NULL): lets the host keep
     * per-thread state, e.g. a Python thread state, for the thread's life. */
    void (*thread_start)(void *host);
    void (*thread_exit)(void *host);
} rq_host_ops;

/* ---- reading a job ---- */
rq_job_kind rq_job_get_kind(const rq_job *job);
uint64_t rq_job_conn_id(const rq_job *job);
const char *rq_job_peer_ip(const rq_job *job);
int rq_job_peer_port(const rq_job *job);
const char *rq_job_user(const rq_job *job);      /* AUTH, LOGIN */
const char *rq_job_password(const rq_job *job);  /* AUTH */
const char *rq_job_database(const rq_job *job);  /* AUTH, LOGIN; NULL if none */
const char *rq_job_app_name(const rq_job *job);  /* LOGIN; "" if none */
/* The PostgreSQL "backend pid" the client got in BackendKeyData. */
uint32_t rq_job_backend_pid(const rq_job *job);
const char *rq_job_sql(const rq_job *job);       /* QUERY, PARAM_TYPES */
int rq_job_do_describe(const rq_job *job);       /* QUERY: describe-only run */
/* The connection's TLS session, as pg_stat_ssl shows it: version ("TLSv1.3"),
 * cipher name and its secret bits, copied into the caller's struct. */
typedef struct rq_tls_info {
    char version[32];
    char cipher[96];
    int bits;
} rq_tls_info;
/* 1 with `out` filled when the job's connection is encrypted, else 0 (out
 * untouched). Any job kind; takes the connection's output lock. */
int rq_job_tls_info(const rq_job *job, rq_tls_info *out);
/* The connection's session TimeZone (for zone-less timestamptz text). */
const struct rq_tz *rq_job_timezone(const rq_job *job);
/* QUERY parameters of an extended-protocol Bind; nparams < 0 for a simple
 * query. A NULL parameter has value NULL and len -1. format 0 text, 1 binary. */
int rq_job_nparams(const rq_job *job);
const uint8_t *rq_job_param(const rq_job *job, int i, int32_t *len,
                            int16_t *format, uint32_t *type_oid);

/* PARAM_TYPES: the statement's parameter count, and the type of parameter
 * i known so far (declared in Parse or cast in the SQL; 0 = unknown). */
int rq_job_ntypes(const rq_job *job);
uint32_t rq_job_type(const rq_job *job, int i);

/* ---- answering ---- */
/* CONNECT/AUTH verdict. `err` (may be NULL) is sent when !ok. */
int rq_job_answer_bool(rq_job *job, int ok, const rq_error *err);
/* QUERY result set; takes the stream (see ownership above). */
int rq_job_answer_stream(rq_job *job, struct ArrowArrayStream *stream);
/* QUERY command tag, e.g. "INSERT 0 1". */
int rq_job_answer_tag(rq_job *job, const char *tag);
/* PARAM_TYPES: type OIDs for the first `n` parameters (0 = unknown: kept
 * as text). Only unknown types are filled in: declared types and casts
 * win. `n` may be smaller than rq_job_ntypes(). */
int rq_job_answer_types(rq_job *job, const uint32_t *oids, int n);
/* QUERY error (ERROR severity unless err->severity says FATAL). */
int rq_job_answer_error(rq_job *job, const rq_error *err);
/* QUERY: change a session parameter the client tracks (SET TimeZone ...):
 * sends ParameterStatus now; "TimeZone" also switches the zone used for
 * timestamptz text of this connection's later results, and reports the
 * zone's canonical name. `*reported` (may be NULL) receives the value sent:
 * `value` or a string owned by the zone cache. Returns RQ_ERR with 22023
 * for an unknown zone. Call before answering the job. */
int rq_job_set_parameter(rq_job *job, const char *name, const char *value,
                         const char **reported, rq_error *err);
/* 1 once the job was answered or expired (timeout, cancel, disconnect). */
int rq_job_is_done(const rq_job *job);

/* 1 once the job's connection is closed (a late answer is then expected,
 * not a bug in the handler). */
int rq_job_conn_gone(const rq_job *job);

void rq_job_ref(rq_job *job);
void rq_job_unref(rq_job *job);

#endif /* RQ_HOST_H */
