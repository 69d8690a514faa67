/*
 * rq_core.h — internal structures shared by rq_server.c (listener, loop,
 * events), rq_conn.c (per-connection protocol state machine), rq_job.c
 * (host decisions) and rq_cursor.c (result streaming). Not for the binding.
 *
 * Thread ownership, in one place:
 *   - The loop thread owns every uv handle, each connection's input buffer,
 *     protocol state, statements and portals.
 *   - `rq_conn.mu` guards the output side (out, inflight, tls, dead), which
 *     worker threads write to while streaming.
 *   - Jobs and cursors travel between threads by events (rq_event) posted to
 *     the loop with rq_server_post(); whoever holds a pointer holds a ref.
 */
#ifndef RQ_CORE_H
#define RQ_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <uv.h>

#include "rq_arrow_abi.h"
#include "rq_buf.h"
#include "rq_datetime.h"
#include "rq_encode.h"
#include "rq_host.h"
#include "rq_pool.h"
#include "rq_server.h"
#include "rq_sql.h"
#include "rq_tls.h"

/* Output high/low watermarks per connection: a streaming worker blocks
 * above HIGH until the socket drained below LOW. Bounds memory per conn. */
#define RQ_OUT_HIGH (1u << 20)
#define RQ_OUT_LOW (256u << 10)
/* Size of one encoded chunk handed from a worker to the loop. */
#define RQ_CHUNK (256u << 10)

#define RQ_MAX_LISTENERS 8

typedef struct rq_conn rq_conn;
typedef struct rq_cursor rq_cursor;

/* ---- jobs (host decisions) ---- */

enum { RQ_JOB_PENDING = 0, RQ_JOB_ANSWERED = 1, RQ_JOB_EXPIRED = 2 };
enum { RQ_RES_NONE, RQ_RES_BOOL, RQ_RES_STREAM, RQ_RES_TAG, RQ_RES_ERROR, RQ_RES_TYPES };

typedef struct rq_param {
    uint8_t *val;  /* NULL for SQL NULL */
    int32_t len;
    int16_t format;
    uint32_t type_oid;
} rq_param;

struct rq_job {
    atomic_int refs;
    atomic_int state;
    rq_job_kind kind;
    rq_conn *conn;     /* ref held */
    uint64_t conn_id;
    const char *ip;    /* conn->ip (the job holds the conn) */
    int port;
    char *user, *password, *database, *appname;
    char *sql;
    int do_describe;
    int nparams;       /* -1: simple query */
    rq_param *params;
    int ntypes;        /* PARAM_TYPES: the statement's parameters */
    uint32_t *types;   /* known types; the answer fills the zeros */
    /* result, written once by the answering thread before posting */
    int res;
    int ok;
    rq_error err;
    char *tag;
    struct ArrowArrayStream stream; /* a stream answer when `cur` is NULL */
    /* QUERY: the cursor prepared by the loop (formats, promised columns,
     * what to do), which a stream answer is streamed through before the
     * job goes back to the loop: on the worker that ran the handler, right
     * after it returns, when it answered synchronously; else in a pool
     * task submitted by the answering thread. */
    rq_cursor *cur;
    int cur_ran;                /* cur was run; cur_status is its outcome */
    int cur_status;             /* rq_cursor_status */
    int answered_inline;        /* answered by the handler's own call */
};

rq_job *rq_job_new(rq_job_kind kind, rq_conn *conn);
/* Try to move PENDING → EXPIRED (timeout/cancel). 1 if this call expired it. */
int rq_job_expire(rq_job *job);
/* Worker: bracket the host call of a QUERY job. A stream answer given
 * during the call (on this thread) is not posted; end() returns 1 if so,
 * and the caller then runs rq_job_finish_inline(). */
void rq_job_host_call_begin(rq_job *job);
int rq_job_host_call_end(rq_job *job);
/* Worker: stream job->cur, then post the job to the loop. */
void rq_job_finish_inline(rq_job *job);

/* ---- cursors (a result being streamed) ---- */

typedef enum rq_cursor_status {
    RQ_CUR_DONE,       /* stream exhausted; rows counted */
    RQ_CUR_SUSPENDED,  /* Execute row limit reached */
    RQ_CUR_FAILED,     /* error in cursor->err */
    RQ_CUR_ABORTED     /* connection gone or cancelled */
} rq_cursor_status;

/* What a cursor task does with the cursor (rq_cursor_work). */
enum { RQ_CT_DESCRIBE, RQ_CT_RUN };
/* Which describe message the task writes: none, RowDescription when there
 * are columns (simple Query), or RowDescription / NoData (Describe). */
enum { RQ_DESC_NONE, RQ_DESC_ROWDESC, RQ_DESC_OR_NODATA };

struct rq_cursor {
    struct ArrowArrayStream stream;
    struct ArrowArray batch;     /* current batch (release != NULL) */
    rq_rowplan *plan;
    int64_t next_row;
    int64_t rows;                /* rows sent so far */
    int64_t run_rows;            /* rows sent by the last rq_cursor_run */
    int64_t count_tag;           /* DuckDB-style "Count" result: rows affected */
    int count_mode;              /* result is a row count, not rows */
    int eof;
    int ncols;                   /* after describe */
    int16_t *formats;            /* result formats (owned) */
    int nexpect;                 /* columns a Describe promised; -1 = no promise */
    uint32_t *expect_oids;       /* their type OIDs (owned) */
    int nformats;
    rq_cmd_kind cmd;
    rq_error err;
    /* the next task (set by the loop before handing the cursor over) */
    int op;                      /* RQ_CT_DESCRIBE / RQ_CT_RUN */
    int desc_msg;                /* RQ_DESC_* */
    int keep;                    /* describe only: keep the stream for Execute */
    int64_t max_rows;            /* RUN: Execute row limit (0 = all) */
    int slow;                    /* a get_next took long: flush before the next */
};

/* ---- events posted to the loop thread ---- */

typedef enum rq_event_kind {
    RQ_EV_JOB,      /* job answered: job ref */
    RQ_EV_CURSOR,   /* cursor task finished: status */
    RQ_EV_FLUSH     /* conn has output queued by a worker */
} rq_event_kind;

typedef struct rq_event {
    rq_event_kind kind;
    rq_conn *conn;  /* ref held */
    rq_job *job;
    rq_cursor *cursor;
    rq_cursor_status status;
    struct rq_event *next;
} rq_event;

/* ---- server ---- */

struct rq_server {
    uv_loop_t loop;
    uv_async_t wake;
    uv_tcp_t listener[RQ_MAX_LISTENERS];
    int nlisteners;
    uv_signal_t sig[2];
    int have_signals;
    pthread_mutex_t ev_mu;
    rq_event *ev_head, *ev_tail;
    atomic_int stopping;
    int shutting;          /* begin_shutdown ran (loop thread) */
    int wake_closed;       /* guarded by ev_mu: events are discarded */
    atomic_int running;
    atomic_int port;
    rq_pool *pool;
    const rq_host_ops *ops;
    void *host;
    int has_connect, has_auth, has_disconnect, has_login, has_param_types;
    rq_server_config cfg;
    rq_tls_ctx *tls_ctx;
    int tls_on;
    char listen_host[256];
    int listen_port;
    atomic_uint_fast64_t next_conn_id;
    rq_conn *conns;  /* all live conns (loop thread) */
    int nconns;
    const rq_tz *default_tz;
    uv_thread_t loop_thread;
    char readbuf[64 * 1024]; /* shared: the loop reads one socket at a time */
};

/* Queue an event for the loop thread (any thread). Takes `ev`. */
void rq_server_post(rq_server *srv, rq_event *ev);
/* Post a small event; on allocation failure the conn is failed later. */
void rq_server_post_job(rq_server *srv, rq_job *job);
/* Cursor task finished; `cur` (may be NULL if the task freed it) travels
 * back to the loop with the event. */
void rq_server_post_cursor(rq_server *srv, rq_conn *conn, rq_cursor *cur, rq_cursor_status st);
void rq_server_post_flush(rq_server *srv, rq_conn *conn);
/* Loop thread: after a connection closed during shutdown. */
void rq_server_maybe_close_wake(rq_server *srv);

/* ---- connections (rq_conn.c) ---- */

typedef struct rq_stmt_entry {
    char *name;
    char *sql;
    int nparams;
    uint32_t *param_oids;
    int ndesc;                /* columns a Describe reported; -1 if never described */
    uint32_t *desc_oids;      /* their type OIDs */
    struct rq_stmt_entry *next;
} rq_stmt_entry;

typedef struct rq_portal {
    char *name;
    rq_stmt_entry *stmt;      /* snapshot copy owned by the portal */
    int nparams;
    rq_param *params;
    int16_t *formats;
    int nformats;
    int state;                /* 0 new, 1 has result, 2 done */
    int res;                  /* RQ_RES_STREAM / RQ_RES_TAG */
    char *tag;
    rq_cursor *cur;
    struct rq_portal *next;
} rq_portal;

typedef enum rq_conn_state {
    RQ_ST_STARTUP,
    RQ_ST_TLS,
    RQ_ST_WAIT_CONNECT,
    RQ_ST_PASSWORD,
    RQ_ST_AUTH_WAIT,
    RQ_ST_READY,
    RQ_ST_CLOSING
} rq_conn_state;

struct rq_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_shutdown_t shut;
    rq_server *srv;
    atomic_int refs;
    uint64_t id;
    uint32_t pid, secret;
    char ip[64];
    int port;
    rq_conn *prev, *next;     /* server list (loop thread) */

    /* loop-thread state */
    rq_conn_state state;
    int connect_verdict;      /* 0 pending, 1 ok, -1 rejected */
    rq_error connect_err;
    int busy;                 /* async work in flight: don't parse input */
    int closing;              /* close requested */
    int ext_error;            /* extended protocol: skip until Sync */
    char txn;                 /* 'I', 'T', 'E' */
    rq_buf in;                /* plaintext input not yet parsed */
    rq_job *job;              /* pending host decision, ref held */
    char *user, *database, *appname, *tzname;
    rq_session_fmt fmt;
    rq_stmt_entry *stmts;
    rq_portal *portals;
    /* simple query in progress */
    char *sq_text;
    char *sq_exec_sql;        /* EXECUTE: the prepared statement's SQL */
    rq_stmt_list sq_list;
    size_t sq_index;
    int sq_active;
    /* extended op in progress */
    rq_portal *op_portal;
    rq_stmt_entry *op_stmt;   /* statement being described */
    int op_kind;              /* 'D' describe portal, 'S' describe stmt, 'E' execute */
    int op_merged;            /* 'E' with the portal's Describe (one job) */
    int32_t op_max_rows;
    rq_cursor *op_cursor;     /* cursor owned by a worker task now */
    rq_stmt_entry *op_parse;  /* statement waiting for its parameter types
                               * (PARAM_TYPES job), not yet in `stmts` */
    atomic_int cancel;        /* CancelRequest received */
    int handles_open;         /* tcp + timer still to be closed */
    int close_after_flush;    /* FATAL sent: shut down once drained */
    int read_paused;          /* input backlog while busy */
    int timer_kind;           /* what the timer is counting */
    /* host call ordering: the disconnect handler runs after the connect
     * handler returned, and for every connection whose connect task was
     * queued (a socket that vanishes at once still gets both) */
    pthread_mutex_t host_mu;
    int connect_queued;       /* host_mu: a connect task will run */
    int connect_state;        /* host_mu: 0 not started, 1 running, 2 returned */
    int disconnect_pending;   /* host_mu: the connect task runs the disconnect */

    /* output side, guarded by mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    rq_buf out;
    size_t inflight;
    int dead;
    int flush_posted;
    rq_tls *tls;
};

void rq_conn_accept(rq_server *srv, uv_stream_t *listener);
void rq_conn_ref(rq_conn *c);
void rq_conn_unref(rq_conn *c);
/* Append protocol bytes to the connection's output (any thread). */
int rq_conn_send(rq_conn *c, const void *data, size_t len);
/* Like rq_conn_send, but may adopt b's storage (zero copy); b is left
 * empty (possibly with another allocation) either way. */
int rq_conn_send_take(rq_conn *c, rq_buf *b);
/* rq_conn_send_take without waking the loop: for a worker that posts an
 * event for this connection right after (the loop flushes then), so a
 * small result leaves in the same write as its CommandComplete. */
int rq_conn_send_take_quiet(rq_conn *c, rq_buf *b);
/* Block while the output is above RQ_OUT_HIGH. RQ_ECLOSED if conn died. */
int rq_conn_wait_writable(rq_conn *c);
/* Loop thread: push queued output to the socket. */
void rq_conn_flush(rq_conn *c);
/* Loop thread: an event for this connection arrived. */
void rq_conn_on_event(rq_conn *c, rq_event *ev);
/* Loop thread: terminate (server shutdown). */
void rq_conn_terminate(rq_conn *c, const rq_error *why);

/* ---- cursors (rq_cursor.c) ---- */

/* A cursor for `stream` (moved in; NULL: attach one later by moving it
 * into cur->stream). */
rq_cursor *rq_cursor_new(struct ArrowArrayStream *stream, rq_cmd_kind cmd);
/* Promise: the result must have these n column types (n < 0: none). */
int rq_cursor_expect(rq_cursor *cur, int n, const uint32_t *oids);
/* Copy the Bind result format codes into the cursor. */
int rq_cursor_set_formats(rq_cursor *cur, const int16_t *formats, int n);
/* Worker thread: get the schema and build the plan; write the describe
 * message cur->desc_msg asks for into `out` (if not NULL). */
rq_cursor_status rq_cursor_describe(rq_cursor *cur, rq_conn *c, rq_buf *out);
/* Worker thread: stream up to max_rows rows (0 = all), after what `out`
 * already holds. Full chunks go to the connection; the last one is left
 * in `out`. */
rq_cursor_status rq_cursor_run(rq_cursor *cur, rq_conn *c, int64_t max_rows, rq_buf *out);
/* Worker thread: the cursor's task (cur->op, desc_msg, max_rows), its
 * output queued without waking the loop (the caller posts an event next),
 * and the stream released when the cursor is finished (anything but a
 * suspended portal or a Describe whose Execute comes later). */
rq_cursor_status rq_cursor_work(rq_cursor *cur, rq_conn *c);
/* 1 while the cursor holds Arrow data (stream or batch): only a worker
 * may free it then. */
int rq_cursor_has_arrow(const rq_cursor *cur);
/* Worker thread: release the stream, batch and plan, free the cursor. Any
 * thread when !rq_cursor_has_arrow(cur). */
void rq_cursor_free(rq_cursor *cur, rq_server *srv);

#endif /* RQ_CORE_H */
