/*
 * rq_session.h — the query phase of a connection (rq_session.c): simple
 * query, extended query (Parse/Bind/Describe/Execute/Sync/Close/Flush),
 * statements and portals, and the hand-off of results to cursor tasks.
 * Also the few rq_conn.c internals the session needs. Loop thread only.
 */
#ifndef RQ_SESSION_H
#define RQ_SESSION_H

#include "rq_core.h"

/* ---- session entry points (called by rq_conn.c) ---- */

/* Handle one complete message at the head of c->in. Returns the bytes to
 * consume, 0 if the message is incomplete, -1 for a FATAL error in err. */
long rq_session_process(rq_conn *c, rq_error *err);
/* A query job was answered (takes the event's job reference). */
void rq_session_on_job(rq_conn *c, rq_job *j);
/* A cursor task finished. `cur` may be NULL if the task freed it. */
void rq_session_on_cursor(rq_conn *c, rq_cursor *cur, rq_cursor_status st);
/* The query timer fired. */
void rq_session_on_timeout(rq_conn *c);
/* A CancelRequest names this connection. */
void rq_session_cancel(rq_conn *c);
/* Drop a job that is no longer wanted (releases its stream on a worker). */
void rq_session_drop_job(rq_conn *c, rq_job *j);
/* Free statements, portals and in-flight work (connection closing). */
void rq_session_close(rq_conn *c);

/* ---- rq_conn.c internals used by the session ---- */
void rq_conn_close(rq_conn *c);
void rq_conn_fatal(rq_conn *c, const rq_error *err);
int rq_conn_send_buf(rq_conn *c, rq_buf *b);
int rq_conn_dispatch(rq_conn *c, rq_job *j, rq_task_fn fn);
void rq_conn_start_query_timer(rq_conn *c);
/* The query timer, for a hook that gets `seconds` (0 = no limit). */
void rq_conn_start_hook_timer(rq_conn *c, double seconds);
void rq_conn_stop_timer(rq_conn *c);
void rq_conn_process(rq_conn *c);
void rq_conn_resume_reading(rq_conn *c);

#endif /* RQ_SESSION_H */
