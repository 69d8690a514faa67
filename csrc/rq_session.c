/*
 * rq_session.c — the query phase of a connection (see rq_session.h).
 *
 * Flow: a message that needs the host (a statement of a simple Query, a
 * Describe or Execute of a portal without a result yet) creates a query job,
 * marks the connection busy and returns; input parsing pauses. The job
 * carries a cursor prepared here: what to do with a stream answer (describe
 * and/or run, result formats, the columns a Describe promised). A stream
 * answer is streamed through it by a worker before the job comes back (by
 * the worker that ran the handler, when the handler answered before
 * returning: one pool task per query), and the job's event brings the
 * cursor's outcome; a tag or error is written when the event arrives. A
 * portal's Describe followed by its Execute in the same input runs as one
 * job. Then parsing resumes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rq_params.h"
#include "rq_proto.h"
#include "rq_session.h"

enum { OP_NONE, OP_SIMPLE = 'Q', OP_DESC_STMT = 'S', OP_DESC_PORTAL = 'D', OP_EXECUTE = 'E',
       OP_PARSE = 'P' };
enum { CT_WORK, CT_FREE };
enum { PORTAL_NEW, PORTAL_READY, PORTAL_DONE };

typedef struct cursor_task {
    rq_conn *conn;  /* ref held */
    rq_cursor *cur;
    int op;         /* CT_WORK: rq_cursor_work (cur->op...); CT_FREE */
} cursor_task;

/* ---- small helpers ---- */

static void send_error(rq_conn *c, const rq_error *e) {
    if (strcmp(e->severity, RQ_SEV_FATAL) == 0) {
        rq_conn_fatal(c, e);
        return;
    }
    rq_buf b = {0};
    rq_be_error(&b, e);
    rq_conn_send_buf(c, &b);
    rq_buf_free(&b);
    if (c->txn == 'T') c->txn = 'E';
}

static void send_simple(rq_conn *c, char type) {
    rq_buf b = {0};
    rq_be_simple(&b, type);
    rq_conn_send_buf(c, &b);
    rq_buf_free(&b);
}

static void send_ready(rq_conn *c) {
    rq_buf b = {0};
    rq_be_ready(&b, c->txn);
    rq_conn_send_buf(c, &b);
    rq_buf_free(&b);
}

static void send_complete(rq_conn *c, const char *tag) {
    rq_buf b = {0};
    rq_be_command_complete(&b, tag);
    rq_conn_send_buf(c, &b);
    rq_buf_free(&b);
}

/* Transaction status as PostgreSQL would report it after `sql` succeeded. */
static void track_txn(rq_conn *c, const char *sql, size_t len) {
    switch (rq_sql_classify(sql, len)) {
    case RQ_CMD_BEGIN: c->txn = 'T'; break;
    case RQ_CMD_COMMIT:
    case RQ_CMD_ROLLBACK: c->txn = 'I'; break;
    default: break;
    }
}

static void set_idle(rq_conn *c) {
    c->busy = 0;
    c->op_merged = 0;
    c->op_kind = OP_NONE;
    c->op_portal = NULL;
    c->op_stmt = NULL;
    c->op_cursor = NULL;
}

/* ---- cursor tasks (worker threads) ---- */

static void cursor_task_run(void *arg) {
    cursor_task *t = arg;
    rq_conn *c = t->conn;
    rq_cursor *cur = t->cur;
    if (t->op == CT_FREE) {
        rq_cursor_free(cur, c->srv);
    } else {
        rq_cursor_status st = rq_cursor_work(cur, c);
        rq_server_post_cursor(c->srv, c, cur, st);
    }
    rq_conn_unref(c);
    free(t);
}

static int submit_cursor(rq_conn *c, rq_cursor *cur, int op) {
    cursor_task *t = calloc(1, sizeof *t);
    if (t == NULL) return RQ_ENOMEM;
    t->conn = c;
    t->cur = cur;
    t->op = op;
    rq_conn_ref(c);
    if (rq_pool_submit(c->srv->pool, cursor_task_run, t) != RQ_OK) {
        rq_conn_unref(c);
        free(t);
        return RQ_ERR;
    }
    return RQ_OK;
}

/* Free a cursor without blocking the loop: one that still holds Arrow
 * data (its stream may need the GIL) on a worker, else right here. */
static void free_cursor_async(rq_conn *c, rq_cursor *cur) {
    if (cur == NULL) return;
    if (!rq_cursor_has_arrow(cur) || submit_cursor(c, cur, CT_FREE) != RQ_OK)
        rq_cursor_free(cur, c->srv);
}

void rq_session_drop_job(rq_conn *c, rq_job *j) {
    free_cursor_async(c, j->cur);
    j->cur = NULL;
    if (j->stream.release) {
        rq_cursor *cur = rq_cursor_new(&j->stream, RQ_CMD_OTHER);
        if (cur) free_cursor_async(c, cur);
    }
    rq_job_unref(j);
}

/* ---- statements and portals ---- */

static void stmt_free(rq_stmt_entry *s) {
    if (s == NULL) return;
    free(s->name);
    free(s->sql);
    free(s->param_oids);
    free(s->desc_oids);
    free(s);
}

static rq_stmt_entry *stmt_find(rq_conn *c, const char *name, rq_stmt_entry ***link) {
    rq_stmt_entry **pp = &c->stmts;
    for (; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->name, name) == 0) {
            if (link) *link = pp;
            return *pp;
        }
    }
    return NULL;
}

static void stmt_remove(rq_conn *c, const char *name) {
    rq_stmt_entry **link;
    rq_stmt_entry *s = stmt_find(c, name, &link);
    if (s) {
        *link = s->next;
        stmt_free(s);
    }
}

static void stmts_clear(rq_conn *c) {
    while (c->stmts) {
        rq_stmt_entry *st = c->stmts;
        c->stmts = st->next;
        stmt_free(st);
    }
}

static void params_free(rq_param *p, int n) {
    for (int i = 0; i < n; i++) free(p[i].val);
    free(p);
}

static void portal_free(rq_conn *c, rq_portal *p) {
    if (p == NULL) return;
    free(p->name);
    stmt_free(p->stmt);
    params_free(p->params, p->nparams);
    free(p->formats);
    free(p->tag);
    free_cursor_async(c, p->cur);
    free(p);
}

static rq_portal *portal_find(rq_conn *c, const char *name, rq_portal ***link) {
    rq_portal **pp = &c->portals;
    for (; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->name, name) == 0) {
            if (link) *link = pp;
            return *pp;
        }
    }
    return NULL;
}

static void portal_remove(rq_conn *c, const char *name) {
    rq_portal **link;
    rq_portal *p = portal_find(c, name, &link);
    if (p) {
        *link = p->next;
        portal_free(c, p);
    }
}

static void portals_clear(rq_conn *c) {
    while (c->portals) {
        rq_portal *p = c->portals;
        c->portals = p->next;
        portal_free(c, p);
    }
}

/* Highest $n outside strings and comments: the parameter count of SQL
 * whose Parse message declared fewer types than it uses. */
static int infer_nparams(const char *s) {
    int maxn = 0;
    for (size_t i = 0; s[i]; i++) {
        char ch = s[i];
        if (ch == '\'' || ch == '"') {
            for (i++; s[i] && s[i] != ch; i++) {}
            if (!s[i]) break;
        } else if (ch == '-' && s[i + 1] == '-') {
            while (s[i] && s[i] != '\n') i++;
            if (!s[i]) break;
        } else if (ch == '/' && s[i + 1] == '*') {
            const char *end = strstr(s + i + 2, "*/");
            if (!end) break;
            i = (size_t)(end - s) + 1;
        } else if (ch == '$' && isdigit((unsigned char)s[i + 1])) {
            int n = 0;
            for (i++; isdigit((unsigned char)s[i]) && n < 100000; i++) n = n * 10 + (s[i] - '0');
            if (n > maxn) maxn = n;
            i--;
        } else if (ch == '$') {
            /* dollar quote $tag$...$tag$ */
            size_t j = i + 1;
            while (isalnum((unsigned char)s[j]) || s[j] == '_') j++;
            if (s[j] != '$') continue;
            size_t taglen = j - i + 1;
            const char *p = s + j + 1, *end;
            while ((end = strchr(p, '$')) != NULL && strncmp(end, s + i, taglen) != 0) p = end + 1;
            if (!end) break;
            i = (size_t)(end - s) + taglen - 1;
        }
    }
    return maxn;
}

/* ---- query jobs ---- */

static void query_task(void *arg) {
    rq_job *j = arg;
    rq_server *s = j->conn->srv;
    rq_job_ref(j); /* ours: the host may drop its reference in the call */
    rq_job_host_call_begin(j);
    s->ops->query(s->host, j);
    /* Answered with a stream before returning: stream it on this worker
     * now rather than through the loop and another task. */
    if (rq_job_host_call_end(j)) rq_job_finish_inline(j);
    rq_job_unref(j);
}

static int copy_params(rq_job *j, const rq_param *src, int n, int null_values) {
    j->nparams = 0;
    j->params = calloc((size_t)(n ? n : 1), sizeof *j->params);
    if (j->params == NULL) return RQ_ENOMEM;
    for (int i = 0; i < n; i++) {
        rq_param *d = &j->params[i];
        *d = src[i];
        d->val = NULL;
        if (null_values) d->len = -1;
        if (d->len >= 0) {
            d->val = malloc((size_t)d->len + 1);
            if (d->val == NULL) return RQ_ENOMEM;
            memcpy(d->val, src[i].val, (size_t)d->len);
            d->val[d->len] = 0;
        }
        j->nparams = i + 1;
    }
    if (n == 0) j->nparams = 0;
    return RQ_OK;
}

/* The cursor a stream answer of the current operation goes through
 * (c->op_kind, c->op_portal, c->op_merged, c->op_max_rows set). */
static rq_cursor *prepare_cursor(rq_conn *c, const char *sql, size_t len) {
    rq_cursor *cur = rq_cursor_new(NULL, rq_sql_classify(sql, len));
    if (cur == NULL) return NULL;
    switch (c->op_kind) {
    case OP_SIMPLE:
        cur->desc_msg = RQ_DESC_ROWDESC;
        break;
    case OP_EXECUTE:
        cur->desc_msg = c->op_merged ? RQ_DESC_OR_NODATA : RQ_DESC_NONE;
        cur->max_rows = c->op_max_rows;
        break;
    default: /* Describe: the rows wait for an Execute (portal) or never come */
        cur->op = RQ_CT_DESCRIBE;
        cur->desc_msg = RQ_DESC_OR_NODATA;
        cur->keep = c->op_kind == OP_DESC_PORTAL;
        break;
    }
    rq_portal *p = c->op_portal;
    if (p && (rq_cursor_set_formats(cur, p->formats, p->nformats) != RQ_OK ||
              rq_cursor_expect(cur, p->stmt->ndesc, p->stmt->desc_oids) != RQ_OK)) {
        rq_cursor_free(cur, c->srv);
        return NULL;
    }
    return cur;
}

/* Start a query job; on failure the error is written to `err`. */
static int start_query(rq_conn *c, const char *sql, size_t len, const rq_param *params,
                       int nparams, int describe, rq_error *err) {
    rq_job *j = rq_job_new(RQ_JOB_QUERY, c);
    if (j == NULL) return rq_error_nomem(err);
    j->sql = strndup(sql, len);
    j->do_describe = describe;
    j->cur = prepare_cursor(c, sql, len);
    if (j->sql == NULL || j->cur == NULL ||
        (nparams >= 0 && copy_params(j, params, nparams, describe) != RQ_OK)) {
        rq_job_unref(j);
        return rq_error_nomem(err);
    }
    atomic_store(&c->cancel, 0);
    if (rq_conn_dispatch(c, j, query_task) != RQ_OK) {
        rq_job_unref(j);
        return rq_error_set(err, RQ_SEV_FATAL, "57P01", "server is shutting down");
    }
    rq_job_unref(j);
    c->busy = 1;
    rq_conn_start_query_timer(c);
    return RQ_OK;
}

/* ---- simple query ---- */

static void simple_finish(rq_conn *c) {
    free(c->sq_text);
    c->sq_text = NULL;
    free(c->sq_exec_sql);
    c->sq_exec_sql = NULL;
    rq_stmt_list_free(&c->sq_list);
    c->sq_active = 0;
    set_idle(c);
    send_ready(c);
}

static const char *sq_current(rq_conn *c, size_t *len) {
    rq_stmt *st = &c->sq_list.items[c->sq_index];
    *len = st->len;
    return c->sq_text + st->off;
}

/* The SQL that defines the current statement's result: for EXECUTE, the
 * prepared statement's text (its tag is the tag PostgreSQL reports). */
static const char *sq_effective(rq_conn *c, size_t *len) {
    if (c->sq_exec_sql) {
        *len = strlen(c->sq_exec_sql);
        return c->sq_exec_sql;
    }
    return sq_current(c, len);
}

static void link_statement(rq_conn *c, rq_stmt_entry *s) {
    if (s->name[0] == '\0') stmt_remove(c, "");
    s->next = c->stmts;
    c->stmts = s;
}

/* ---- parameter types from the host's hook ---- */

static void types_task(void *arg) {
    rq_job *j = arg;
    rq_server *s = j->conn->srv;
    s->ops->param_types(s->host, j); /* the host owns the task's reference */
}

/* Types neither declared nor cast: ask the host, when it has a hook. */
static int needs_types(const rq_conn *c, const rq_stmt_entry *s) {
    if (!c->srv->has_param_types || c->srv->ops->param_types == NULL) return 0;
    for (int i = 0; i < s->nparams; i++)
        if (s->param_oids[i] == 0) return 1;
    return 0;
}

/* Ask the host for `s`'s parameter types; the statement waits in
 * c->op_parse (taken, freed on failure) until types_done(). */
static int start_types_job(rq_conn *c, rq_stmt_entry *s, rq_error *err) {
    rq_job *j = rq_job_new(RQ_JOB_PARAM_TYPES, c);
    if (j) {
        j->sql = strdup(s->sql);
        j->types = malloc(((size_t)s->nparams + 1) * sizeof *j->types);
    }
    if (j == NULL || j->sql == NULL || j->types == NULL) {
        rq_job_unref(j);
        stmt_free(s);
        return rq_error_nomem(err);
    }
    j->ntypes = s->nparams;
    memcpy(j->types, s->param_oids, (size_t)s->nparams * sizeof *j->types);
    if (rq_conn_dispatch(c, j, types_task) != RQ_OK) {
        rq_job_unref(j);
        stmt_free(s);
        return rq_error_set(err, RQ_SEV_FATAL, "57P01", "server is shutting down");
    }
    rq_job_unref(j);
    c->op_parse = s;
    c->busy = 1;
    rq_conn_start_hook_timer(c, c->srv->cfg.param_types_timeout);
    return RQ_OK;
}

static void simple_next(rq_conn *c);

/* The statement in c->op_parse gets the hook's types (`j` NULL: none, the
 * hook was too slow) and completes its Parse or PREPARE. */
static void types_done(rq_conn *c, const rq_job *j) {
    rq_stmt_entry *s = c->op_parse;
    c->op_parse = NULL;
    if (j && j->res == RQ_RES_TYPES)
        for (int i = 0; i < s->nparams && i < j->ntypes; i++)
            if (s->param_oids[i] == 0) s->param_oids[i] = j->types[i];
    link_statement(c, s);
    if (c->op_kind == OP_SIMPLE) {
        send_complete(c, "PREPARE");
        simple_next(c);
        return;
    }
    send_simple(c, '1');
    set_idle(c);
}

/* PREPARE: 1 when the statement was added, 2 when it waits for the
 * parameter-types hook, RQ_ERR with `err`. */
static int add_statement(rq_conn *c, const char *name, const char *sql, size_t len,
                         const uint32_t *types, int ntypes, rq_error *err) {
    if (stmt_find(c, name, NULL))
        return rq_error_set(err, RQ_SEV_ERROR, "42P05", "prepared statement \"%s\" already exists", name);
    rq_stmt_entry *s = calloc(1, sizeof *s);
    if (s == NULL) return rq_error_nomem(err);
    s->ndesc = -1;
    s->name = strdup(name);
    s->sql = strndup(sql, len);
    int inferred = s->sql ? infer_nparams(s->sql) : 0;
    s->nparams = inferred > ntypes ? inferred : ntypes;
    s->param_oids = calloc((size_t)s->nparams + 1, sizeof(uint32_t));
    if (!s->name || !s->sql || !s->param_oids) {
        stmt_free(s);
        return rq_error_nomem(err);
    }
    if (ntypes > 0) memcpy(s->param_oids, types, (size_t)ntypes * sizeof(uint32_t));
    if (rq_sql_param_types(s->sql, strlen(s->sql), s->nparams, s->param_oids) != RQ_OK) {
        stmt_free(s);
        return rq_error_nomem(err);
    }
    if (needs_types(c, s)) return start_types_job(c, s, err) == RQ_OK ? 2 : RQ_ERR;
    link_statement(c, s);
    return 1;
}

static int util_execute(rq_conn *c, const rq_util *u, rq_error *err) {
    rq_stmt_entry *s = stmt_find(c, u->name, NULL);
    if (s == NULL)
        return rq_error_set(err, RQ_SEV_ERROR, "26000", "prepared statement \"%s\" does not exist", u->name);
    if (u->nargs != s->nparams) {
        rq_error_set(err, RQ_SEV_ERROR, "42601", "wrong number of parameters for prepared statement \"%s\"", u->name);
        snprintf(err->detail, sizeof err->detail, "Expected %d parameters but got %d.", s->nparams, u->nargs);
        return RQ_ERR;
    }
    rq_param *params = calloc((size_t)u->nargs + 1, sizeof *params);
    c->sq_exec_sql = strdup(s->sql);
    if (params == NULL || c->sq_exec_sql == NULL) {
        free(params);
        return rq_error_nomem(err);
    }
    for (int i = 0; i < u->nargs; i++) {
        params[i].val = u->arg_null[i] ? NULL : (uint8_t *)u->args[i];
        params[i].len = u->arg_null[i] ? -1 : (int32_t)strlen(u->args[i]);
        params[i].type_oid = s->param_oids[i];
    }
    int rc = start_query(c, s->sql, strlen(s->sql), params, u->nargs, 0, err);
    free(params);
    return rc;
}

/* PREPARE/EXECUTE/DEALLOCATE/DISCARD ALL are the server's, as in
 * PostgreSQL (they share the namespace of protocol-level statements).
 * Returns 0 if `sql` is none of them, 1 if answered, 2 if a query started,
 * -1 on error (already reported). */
static int simple_utility(rq_conn *c, const char *sql, size_t len) {
    rq_util u;
    rq_error e;
    int rc = rq_sql_parse_utility(sql, len, &u, &e), out = 1;
    if (rc == RQ_OK) {
        switch (u.kind) {
        case RQ_UTIL_NONE:
            out = 0;
            break;
        case RQ_UTIL_PREPARE:
            rc = add_statement(c, u.name, sql + u.body_off, len - u.body_off, u.types, u.ntypes, &e);
            if (rc == 1) send_complete(c, "PREPARE");
            out = rc == 2 ? 2 : 1; /* 2: waiting for the parameter-types hook */
            if (rc > 0) rc = RQ_OK;
            break;
        case RQ_UTIL_EXECUTE:
            rc = util_execute(c, &u, &e);
            out = 2;
            break;
        case RQ_UTIL_DEALLOCATE:
            if (u.all) {
                stmts_clear(c);
            } else if (stmt_find(c, u.name, NULL) == NULL) {
                rc = rq_error_set(&e, RQ_SEV_ERROR, "26000", "prepared statement \"%s\" does not exist", u.name);
            } else {
                stmt_remove(c, u.name);
            }
            if (rc == RQ_OK) send_complete(c, u.all ? "DEALLOCATE ALL" : "DEALLOCATE");
            break;
        case RQ_UTIL_DISCARD_ALL:
            if (c->txn != 'I') {
                rc = rq_error_set(&e, RQ_SEV_ERROR, "25001", "DISCARD ALL cannot run inside a transaction block");
                break;
            }
            portals_clear(c);
            stmts_clear(c);
            send_complete(c, "DISCARD ALL");
            break;
        }
        rq_util_free(&u);
    }
    if (rc != RQ_OK) {
        send_error(c, &e);
        return -1;
    }
    return out;
}

/* In a failed transaction block PostgreSQL only accepts its end. */
static int refused_in_failed_txn(rq_conn *c, const char *sql, size_t len, rq_error *err) {
    if (c->txn != 'E') return 0;
    rq_cmd_kind k = rq_sql_classify(sql, len);
    if (k == RQ_CMD_COMMIT || k == RQ_CMD_ROLLBACK) return 0;
    size_t i = 0;
    while (i < len && isspace((unsigned char)sql[i])) i++;
    if (len - i >= 8 && strncasecmp(sql + i, "rollback", 8) == 0) return 0; /* ROLLBACK TO SAVEPOINT */
    rq_error_set(err, RQ_SEV_ERROR, "25P02",
                 "current transaction is aborted, commands ignored until end of transaction block");
    return 1;
}

/* Run statements until one goes asynchronous (handler) or all are done. */
static void simple_run(rq_conn *c) {
    while (c->sq_index < c->sq_list.n) {
        size_t len;
        const char *sql = sq_current(c, &len);
        c->op_kind = OP_SIMPLE;
        rq_error aborted;
        if (refused_in_failed_txn(c, sql, len, &aborted)) {
            send_error(c, &aborted);
            break;
        }
        int u = simple_utility(c, sql, len);
        if (u < 0) break;       /* error: the rest is skipped */
        if (u == 2) return;     /* EXECUTE, or PREPARE asking the host for types */
        if (u == 0) {
            rq_error err;
            if (start_query(c, sql, len, NULL, -1, 0, &err) == RQ_OK) return;
            send_error(c, &err);
            break;
        }
        c->sq_index++;
    }
    if (!c->close_after_flush) simple_finish(c);
}

static void simple_next(rq_conn *c) {
    free(c->sq_exec_sql);
    c->sq_exec_sql = NULL;
    c->sq_index++;
    simple_run(c);
}

static long on_query(rq_conn *c, const uint8_t *body, size_t n, rq_error *err) {
    const char *sql;
    if (rq_proto_parse_cstring_body(body, n, &sql, err) != RQ_OK) return -1;
    portal_remove(c, "");
    rq_error bad;
    if (rq_enc_check_utf8((const uint8_t *)sql, n - 1, &bad) != RQ_OK) {
        send_error(c, &bad);
        send_ready(c);
        return 1;
    }
    c->sq_text = strdup(sql);
    if (c->sq_text == NULL) {
        rq_error_nomem(err);
        return -1;
    }
    rq_error e;
    if (rq_sql_split(c->sq_text, strlen(c->sq_text), &c->sq_list, &e) != RQ_OK) {
        send_error(c, &e);
        simple_finish(c);
        return 1;
    }
    c->sq_active = 1;
    c->sq_index = 0;
    if (c->sq_list.n == 0) {
        send_simple(c, 'I'); /* EmptyQueryResponse */
        simple_finish(c);
    } else {
        simple_run(c);
    }
    return 1;
}

/* Tag for a finished cursor of statement `sql`. */
static void cursor_tag(const rq_cursor *cur, const char *sql, size_t len, char *out, size_t cap) {
    if (cur->count_mode) rq_sql_command_tag(sql, len, cur->count_tag, 0, out, cap);
    /* After PortalSuspended, PostgreSQL counts the rows of the last Execute. */
    else rq_sql_command_tag(sql, len, cur->run_rows, cur->ncols > 0, out, cap);
}

/* ---- extended protocol messages ---- */

static int do_parse(rq_conn *c, const uint8_t *body, size_t n, rq_error *err) {
    rq_msg_parse m;
    if (rq_proto_parse_parse(body, n, &m, err) != RQ_OK) return RQ_ERR;
    if (refused_in_failed_txn(c, m.query, strlen(m.query), err)) return RQ_ERR;
    if (rq_enc_check_utf8((const uint8_t *)m.query, strlen(m.query), err) != RQ_OK ||
        rq_enc_check_utf8((const uint8_t *)m.name, strlen(m.name), err) != RQ_OK)
        return RQ_ERR;
    if (m.name[0] && stmt_find(c, m.name, NULL))
        return rq_error_set(err, RQ_SEV_ERROR, "42P05", "prepared statement \"%s\" already exists", m.name);
    rq_stmt_entry *s = calloc(1, sizeof *s);
    if (s == NULL) return rq_error_nomem(err);
    s->ndesc = -1;
    int inferred = infer_nparams(m.query);
    s->nparams = inferred > m.nparams ? inferred : m.nparams;
    s->name = strdup(m.name);
    s->sql = strdup(m.query);
    s->param_oids = calloc((size_t)s->nparams + 1, sizeof(uint32_t));
    if (!s->name || !s->sql || !s->param_oids) {
        stmt_free(s);
        return rq_error_nomem(err);
    }
    for (int i = 0; i < m.nparams; i++) s->param_oids[i] = rq_be32(m.param_oids + 4 * i);
    /* Types the client left open come from casts in the text ($1::int8). */
    if (rq_sql_param_types(s->sql, strlen(s->sql), s->nparams, s->param_oids) != RQ_OK) {
        stmt_free(s);
        return rq_error_nomem(err);
    }
    if (needs_types(c, s)) {
        c->op_kind = OP_PARSE;
        return start_types_job(c, s, err);
    }
    link_statement(c, s);
    send_simple(c, '1');
    return RQ_OK;
}

static rq_stmt_entry *stmt_copy(const rq_stmt_entry *s) {
    rq_stmt_entry *d = calloc(1, sizeof *d);
    if (d == NULL) return NULL;
    d->nparams = s->nparams;
    d->name = strdup(s->name);
    d->sql = strdup(s->sql);
    d->param_oids = calloc((size_t)s->nparams + 1, sizeof(uint32_t));
    if (!d->name || !d->sql || !d->param_oids) {
        stmt_free(d);
        return NULL;
    }
    memcpy(d->param_oids, s->param_oids, (size_t)s->nparams * sizeof(uint32_t));
    d->ndesc = s->ndesc;
    if (s->ndesc > 0) {
        d->desc_oids = malloc((size_t)s->ndesc * sizeof(uint32_t));
        if (d->desc_oids == NULL) {
            stmt_free(d);
            return NULL;
        }
        memcpy(d->desc_oids, s->desc_oids, (size_t)s->ndesc * sizeof(uint32_t));
    }
    return d;
}

static int bind_values(rq_portal *p, const rq_msg_bind *m) {
    rq_reader r;
    rq_reader_init(&r, m->params, m->params_len);
    p->params = calloc((size_t)m->nparams + 1, sizeof *p->params);
    if (p->params == NULL) return RQ_ENOMEM;
    for (int i = 0; i < m->nparams; i++) {
        rq_param *d = &p->params[i];
        d->len = rq_rd_i32(&r);
        d->format = rq_bind_format(m->formats, m->nformats, i);
        d->type_oid = p->stmt->param_oids[i];
        if (d->len >= 0) {
            const uint8_t *v = rq_rd_bytes(&r, (size_t)d->len);
            d->val = malloc((size_t)d->len + 1);
            if (d->val == NULL) return RQ_ENOMEM;
            memcpy(d->val, v, (size_t)d->len);
            d->val[d->len] = 0;
        }
        p->nparams = i + 1;
    }
    return RQ_OK;
}

/* Decode every parameter once at Bind, as PostgreSQL does: malformed
 * values fail here (22P02, 22P03...) instead of BindComplete. */
static int check_params(rq_conn *c, const rq_portal *p, rq_error *err) {
    int rc = RQ_OK;
    for (int i = 0; i < p->nparams && rc == RQ_OK; i++) {
        const rq_param *d = &p->params[i];
        rq_param_ctx pc;
        rq_pvalue v;
        rq_param_ctx_init(&pc, c->fmt.tz);
        rc = rq_param_decode(&pc, i, d->type_oid, d->format, d->val, d->len, &v, err);
        rq_param_ctx_free(&pc);
    }
    return rc;
}

static int do_bind(rq_conn *c, const uint8_t *body, size_t n, rq_error *err) {
    rq_msg_bind m;
    if (rq_proto_parse_bind(body, n, &m, err) != RQ_OK) return RQ_ERR;
    rq_stmt_entry *s = stmt_find(c, m.stmt, NULL);
    if (s == NULL)
        return rq_error_set(err, RQ_SEV_ERROR, "26000", "prepared statement \"%s\" does not exist", m.stmt);
    if (m.nparams != s->nparams)
        return rq_error_set(err, RQ_SEV_ERROR, "08P01",
                            "bind message supplies %d parameters, but prepared statement \"%s\" requires %d",
                            m.nparams, m.stmt, s->nparams);
    if (m.portal[0] && portal_find(c, m.portal, NULL))
        return rq_error_set(err, RQ_SEV_ERROR, "42P03", "cursor \"%s\" already exists", m.portal);
    rq_portal *p = calloc(1, sizeof *p);
    if (p == NULL) return rq_error_nomem(err);
    p->name = strdup(m.portal);
    p->stmt = stmt_copy(s);
    p->nformats = m.nresult_formats;
    p->formats = calloc((size_t)m.nresult_formats + 1, sizeof(int16_t));
    if (!p->name || !p->stmt || !p->formats || bind_values(p, &m) != RQ_OK) {
        portal_free(c, p);
        return rq_error_nomem(err);
    }
    for (int i = 0; i < m.nresult_formats; i++)
        p->formats[i] = (int16_t)rq_be16(m.result_formats + 2 * i);
    if (check_params(c, p, err) != RQ_OK) {
        portal_free(c, p);
        return RQ_ERR;
    }
    if (m.portal[0] == '\0') portal_remove(c, "");
    p->next = c->portals;
    c->portals = p;
    send_simple(c, '2');
    return RQ_OK;
}

/* Statements that change data never return rows unless they say RETURNING:
 * describing them must not run them (that would execute an INSERT twice). */
static int may_return_rows(const char *sql) {
    switch (rq_sql_classify(sql, strlen(sql))) {
    case RQ_CMD_INSERT:
    case RQ_CMD_UPDATE:
    case RQ_CMD_DELETE:
    case RQ_CMD_MERGE:
        return strcasestr(sql, "returning") != NULL;
    case RQ_CMD_BEGIN:
    case RQ_CMD_COMMIT:
    case RQ_CMD_ROLLBACK:
    case RQ_CMD_SET:
    case RQ_CMD_EMPTY:
        return 0;
    default:
        return 1;
    }
}

static int do_describe_stmt(rq_conn *c, const char *name, rq_error *err) {
    rq_stmt_entry *s = stmt_find(c, name, NULL);
    if (s == NULL)
        return rq_error_set(err, RQ_SEV_ERROR, "26000", "prepared statement \"%s\" does not exist", name);
    uint32_t *oids = calloc((size_t)s->nparams + 1, sizeof *oids);
    if (oids == NULL) return rq_error_nomem(err);
    for (int i = 0; i < s->nparams; i++) oids[i] = s->param_oids[i] ? s->param_oids[i] : 25;
    rq_buf b = {0};
    rq_be_param_desc(&b, s->nparams, oids);
    rq_conn_send_buf(c, &b);
    rq_buf_free(&b);
    free(oids);
    if (!may_return_rows(s->sql)) {
        send_simple(c, 'n');
        return RQ_OK;
    }
    rq_param *nulls = calloc((size_t)s->nparams + 1, sizeof *nulls);
    if (nulls == NULL) return rq_error_nomem(err);
    for (int i = 0; i < s->nparams; i++) {
        nulls[i].len = -1;
        nulls[i].type_oid = s->param_oids[i];
    }
    c->op_kind = OP_DESC_STMT;
    c->op_stmt = s;
    int rc = start_query(c, s->sql, strlen(s->sql), nulls, s->nparams, 1, err);
    free(nulls);
    return rc;
}

static int portal_query(rq_conn *c, rq_portal *p, int op, rq_error *err) {
    c->op_kind = op;
    c->op_portal = p;
    return start_query(c, p->stmt->sql, strlen(p->stmt->sql), p->params, p->nparams, 0, err);
}

/* The portal's RowDescription again (a second Describe). */
static int write_rowdesc_of(rq_conn *c, rq_cursor *cur, rq_error *err) {
    if (cur->count_mode || cur->ncols == 0) {
        send_simple(c, 'n');
        return RQ_OK;
    }
    rq_buf b = {0};
    int rc = rq_rowplan_write_rowdesc(cur->plan, &b, err);
    if (rc == RQ_OK) rq_conn_send_buf(c, &b);
    rq_buf_free(&b);
    return rc;
}

/* `exec` (may be NULL): the Execute of this portal that follows the
 * Describe in the input; *merged is set when both run as one job (the
 * handler runs at the Describe anyway, so its worker streams the rows
 * too). */
static int do_describe_portal(rq_conn *c, const char *name, const rq_msg_execute *exec,
                              int *merged, rq_error *err) {
    rq_portal *p = portal_find(c, name, NULL);
    if (p == NULL)
        return rq_error_set(err, RQ_SEV_ERROR, "34000", "portal \"%s\" does not exist", name);
    if (p->state == PORTAL_NEW) {
        if (!may_return_rows(p->stmt->sql)) {
            send_simple(c, 'n');
            return RQ_OK;
        }
        rq_error refused;
        if (exec && !refused_in_failed_txn(c, p->stmt->sql, strlen(p->stmt->sql), &refused)) {
            *merged = 1;
            c->op_merged = 1;
            c->op_max_rows = exec->max_rows;
            return portal_query(c, p, OP_EXECUTE, err);
        }
        return portal_query(c, p, OP_DESC_PORTAL, err);
    }
    if (p->res == RQ_RES_STREAM && p->cur && p->cur->plan) return write_rowdesc_of(c, p->cur, err);
    send_simple(c, 'n');
    return RQ_OK;
}

/* The Execute message right after `skip` bytes of input, if it is
 * complete and names `portal`: its length, else 0. */
static size_t next_execute_of(rq_conn *c, size_t skip, const char *portal, rq_msg_execute *m) {
    char type;
    const uint8_t *body;
    size_t n, total;
    rq_error ignored;
    if (c->in.len <= skip || c->in.data[skip] != 'E') return 0;
    if (rq_proto_frame(c->in.data + skip, c->in.len - skip, RQ_MAX_MESSAGE_LEN, &type, &body, &n,
                       &total, &ignored) != RQ_OK ||
        rq_proto_parse_execute(body, n, m, &ignored) != RQ_OK || strcmp(m->portal, portal) != 0)
        return 0;
    return total;
}

/* Describe; *extra receives the length of an Execute that was run with it
 * (consumed with the Describe). */
static int do_describe(rq_conn *c, const uint8_t *body, size_t n, size_t total, size_t *extra,
                       rq_error *err) {
    rq_msg_target t;
    if (rq_proto_parse_target(body, n, &t, err) != RQ_OK) return RQ_ERR;
    if (t.kind == 'S') return do_describe_stmt(c, t.name, err);
    rq_msg_execute m;
    size_t exec_len = next_execute_of(c, total, t.name, &m);
    int merged = 0;
    int rc = do_describe_portal(c, t.name, exec_len ? &m : NULL, &merged, err);
    if (merged) *extra = exec_len;
    return rc;
}

static void portal_complete(rq_conn *c, rq_portal *p) {
    char tag[64];
    if (p->res == RQ_RES_TAG && p->tag) {
        send_complete(c, p->tag);
        track_txn(c, p->stmt->sql, strlen(p->stmt->sql));
    } else {
        rq_sql_command_tag(p->stmt->sql, strlen(p->stmt->sql), 0, 1, tag, sizeof tag);
        send_complete(c, tag);
    }
    p->state = PORTAL_DONE;
}

static int run_portal(rq_conn *c, rq_portal *p, int32_t max_rows, rq_error *err) {
    c->op_kind = OP_EXECUTE;
    c->op_portal = p;
    c->op_max_rows = max_rows;
    rq_cursor *cur = p->cur;
    p->cur = NULL; /* the task owns it until its event */
    c->op_cursor = cur;
    cur->op = RQ_CT_RUN;
    cur->desc_msg = RQ_DESC_NONE;
    cur->max_rows = max_rows;
    if (submit_cursor(c, cur, CT_WORK) != RQ_OK) {
        p->cur = cur;
        c->op_cursor = NULL;
        return rq_error_set(err, RQ_SEV_FATAL, "57P01", "server is shutting down");
    }
    c->busy = 1;
    return RQ_OK;
}

static int do_execute(rq_conn *c, const uint8_t *body, size_t n, rq_error *err) {
    rq_msg_execute m;
    if (rq_proto_parse_execute(body, n, &m, err) != RQ_OK) return RQ_ERR;
    rq_portal *p = portal_find(c, m.portal, NULL);
    if (p == NULL)
        return rq_error_set(err, RQ_SEV_ERROR, "34000", "portal \"%s\" does not exist", m.portal);
    if (refused_in_failed_txn(c, p->stmt->sql, strlen(p->stmt->sql), err)) return RQ_ERR;
    if (p->state == PORTAL_NEW) {
        c->op_max_rows = m.max_rows;
        return portal_query(c, p, OP_EXECUTE, err);
    }
    if (p->state == PORTAL_READY && p->res == RQ_RES_STREAM && p->cur)
        return run_portal(c, p, m.max_rows, err);
    if (p->state == PORTAL_READY && p->res == RQ_RES_TAG) {
        portal_complete(c, p);
        return RQ_OK;
    }
    portal_complete(c, p); /* already drained: PostgreSQL reports zero rows */
    return RQ_OK;
}

static int do_close(rq_conn *c, const uint8_t *body, size_t n, rq_error *err) {
    rq_msg_target t;
    if (rq_proto_parse_target(body, n, &t, err) != RQ_OK) return RQ_ERR;
    if (t.kind == 'S') stmt_remove(c, t.name);
    else portal_remove(c, t.name);
    send_simple(c, '3');
    return RQ_OK;
}

static void do_sync(rq_conn *c) {
    c->ext_error = 0;
    if (c->txn != 'T') portals_clear(c);
    send_ready(c);
}

/* Dispatch one extended-protocol message (`total` bytes of input; *extra:
 * more bytes it consumed). */
static int extended(rq_conn *c, char type, const uint8_t *body, size_t n, size_t total,
                    size_t *extra, rq_error *err) {
    switch (type) {
    case 'P': return do_parse(c, body, n, err);
    case 'B': return do_bind(c, body, n, err);
    case 'D': return do_describe(c, body, n, total, extra, err);
    case 'E': return do_execute(c, body, n, err);
    case 'C': return do_close(c, body, n, err);
    case 'H': return RQ_OK; /* Flush: we flush after every batch of input */
    default:
        return rq_error_set(err, RQ_SEV_ERROR, "0A000", "function call protocol is not supported");
    }
}

/* Message types a client may send after startup. */
static int known_type(uint8_t t) {
    return t && strchr("QXSdcfPBDECHF", t) != NULL;
}

long rq_session_process(rq_conn *c, rq_error *err) {
    /* PostgreSQL judges the type byte before the length. */
    if (c->in.len > 0 && !known_type(c->in.data[0])) {
        rq_error_set(err, RQ_SEV_FATAL, "08P01", "invalid frontend message type %d", c->in.data[0]);
        return -1;
    }
    char type;
    const uint8_t *body;
    size_t n, total;
    int rc = rq_proto_frame(c->in.data, c->in.len, RQ_MAX_MESSAGE_LEN, &type, &body, &n, &total, err);
    if (rc == RQ_EAGAIN) return 0;
    if (rc != RQ_OK) return -1;
    switch (type) {
    case 'Q':
        if (on_query(c, body, n, err) < 0) return -1;
        return (long)total;
    case 'X':
        rq_conn_close(c);
        return (long)total;
    case 'S':
        do_sync(c);
        return (long)total;
    case 'd': case 'c': case 'f':
        return (long)total; /* COPY data outside COPY: ignored, as PostgreSQL does */
    case 'P': case 'B': case 'D': case 'E': case 'C': case 'H': case 'F':
        if (c->ext_error) return (long)total;
        break;
    default: /* unreachable: known_type() let it through */
        rq_error_set(err, RQ_SEV_FATAL, "08P01", "invalid frontend message type %d", (int)(unsigned char)type);
        return -1;
    }
    rq_error e;
    rq_error_clear(&e);
    size_t extra = 0;
    if (extended(c, type, body, n, total, &extra, &e) != RQ_OK) {
        if (strcmp(e.severity, RQ_SEV_FATAL) == 0) {
            *err = e;
            return -1;
        }
        send_error(c, &e);
        c->ext_error = 1;
        set_idle(c);
    }
    return (long)(total + extra);
}

/* ---- results coming back ---- */

/* The current operation failed with `e`. */
static void op_failed(rq_conn *c, const rq_error *e) {
    int op = c->op_kind;
    stmt_free(c->op_parse); /* a Parse/PREPARE waiting for types: not created */
    c->op_parse = NULL;
    if (c->op_portal) c->op_portal->state = PORTAL_DONE;
    send_error(c, e);
    if (c->close_after_flush) return;
    if (op == OP_SIMPLE) {
        simple_finish(c);
        return;
    }
    c->ext_error = 1;
    set_idle(c);
}

static void on_cursor(rq_conn *c, rq_cursor *cur, rq_cursor_status st);

/* A stream answer, already streamed through the job's cursor by a worker. */
static void on_stream(rq_conn *c, rq_job *j) {
    rq_cursor *cur = j->cur;
    j->cur = NULL;
    if (cur && j->cur_ran) {
        c->op_cursor = NULL;
        on_cursor(c, cur, (rq_cursor_status)j->cur_status);
        return;
    }
    free_cursor_async(c, cur); /* its task could not start: shutting down */
    rq_error e;
    rq_error_set(&e, RQ_SEV_FATAL, "57P01", "server is shutting down");
    op_failed(c, &e);
}

static void on_tag(rq_conn *c, const char *tag) {
    switch (c->op_kind) {
    case OP_SIMPLE: {
        size_t len;
        const char *sql = sq_effective(c, &len);
        send_complete(c, tag);
        track_txn(c, sql, len);
        simple_next(c);
        return;
    }
    case OP_DESC_STMT:
        send_simple(c, 'n');
        break;
    case OP_DESC_PORTAL:
        c->op_portal->res = RQ_RES_TAG;
        c->op_portal->tag = strdup(tag);
        c->op_portal->state = PORTAL_READY;
        send_simple(c, 'n');
        break;
    case OP_EXECUTE:
        if (c->op_merged) send_simple(c, 'n'); /* the Describe before it */
        c->op_portal->res = RQ_RES_TAG;
        c->op_portal->tag = strdup(tag);
        portal_complete(c, c->op_portal);
        break;
    }
    set_idle(c);
}

void rq_session_on_job(rq_conn *c, rq_job *j) {
    rq_conn_stop_timer(c);
    if (j->kind == RQ_JOB_PARAM_TYPES) {
        if (c->op_parse) types_done(c, j);
        rq_session_drop_job(c, j);
        return;
    }
    switch (j->res) {
    case RQ_RES_STREAM: on_stream(c, j); break;
    case RQ_RES_TAG: on_tag(c, j->tag); break;
    case RQ_RES_ERROR: op_failed(c, &j->err); break;
    default: {
        rq_error e;
        rq_error_set(&e, RQ_SEV_ERROR, "XX000", "query handler gave no result");
        op_failed(c, &e);
    }
    }
    rq_session_drop_job(c, j);
}

static void cursor_done_simple(rq_conn *c, rq_cursor *cur) {
    size_t len;
    const char *sql = sq_effective(c, &len);
    char tag[64];
    cursor_tag(cur, sql, len, tag, sizeof tag);
    send_complete(c, tag);
    track_txn(c, sql, len);
    free_cursor_async(c, cur);
    c->op_cursor = NULL;
    simple_next(c);
}

/* What a statement Describe told the client, checked again at Execute. */
static void remember_description(rq_stmt_entry *s, const rq_cursor *cur) {
    int n = cur->count_mode ? 0 : cur->ncols;
    uint32_t *oids = n > 0 ? malloc((size_t)n * sizeof *oids) : NULL;
    if (n > 0 && oids == NULL) return; /* no promise recorded: no check */
    for (int i = 0; i < n; i++) oids[i] = rq_rowplan_col(cur->plan, i)->type_oid;
    free(s->desc_oids);
    s->desc_oids = oids;
    s->ndesc = n;
}

static void cursor_done_extended(rq_conn *c, rq_cursor *cur, rq_cursor_status st) {
    rq_portal *p = c->op_portal;
    /* The worker wrote RowDescription or NoData for a Describe. */
    if (c->op_kind == OP_DESC_STMT) {
        remember_description(c->op_stmt, cur);
        free_cursor_async(c, cur);
    } else if (c->op_kind == OP_DESC_PORTAL) {
        p->res = RQ_RES_STREAM;
        p->cur = cur;
        p->state = PORTAL_READY;
    } else if (st == RQ_CUR_SUSPENDED) {
        p->res = RQ_RES_STREAM;
        p->cur = cur;
        p->state = PORTAL_READY;
        send_simple(c, 's');
    } else {
        char tag[64];
        cursor_tag(cur, p->stmt->sql, strlen(p->stmt->sql), tag, sizeof tag);
        send_complete(c, tag);
        track_txn(c, p->stmt->sql, strlen(p->stmt->sql));
        p->state = PORTAL_DONE;
        free_cursor_async(c, cur);
    }
    c->op_cursor = NULL;
    set_idle(c);
}

void rq_session_on_cursor(rq_conn *c, rq_cursor *cur, rq_cursor_status st) {
    if (c->closing || cur == NULL) {
        if (cur) free_cursor_async(c, cur);
        return;
    }
    on_cursor(c, cur, st);
}

/* A cursor's task finished with `st` (the job's, or Execute's). */
static void on_cursor(rq_conn *c, rq_cursor *cur, rq_cursor_status st) {
    rq_error e;
    if (st == RQ_CUR_FAILED || st == RQ_CUR_ABORTED) {
        if (st == RQ_CUR_FAILED) e = cur->err;
        else rq_error_set(&e, RQ_SEV_ERROR, "57014", "canceling statement due to user request");
        free_cursor_async(c, cur);
        c->op_cursor = NULL;
        op_failed(c, &e);
        return;
    }
    if (c->op_kind == OP_SIMPLE) cursor_done_simple(c, cur);
    else cursor_done_extended(c, cur, st);
}

/* ---- timeouts, cancel, close ---- */

static void expire_job(rq_conn *c, const char *why) {
    rq_job *j = c->job;
    if (j == NULL || !rq_job_expire(j)) return;
    c->job = NULL;
    rq_job_unref(j);
    rq_error e;
    rq_error_set(&e, RQ_SEV_ERROR, "57014", "canceling statement due to %s", why);
    op_failed(c, &e);
    rq_conn_process(c);
}

void rq_session_on_timeout(rq_conn *c) {
    if (c->op_parse) {
        /* The parameter-types hook is late: go on without its answer. */
        rq_job *j = c->job;
        if (j == NULL || !rq_job_expire(j)) return;
        c->job = NULL;
        rq_job_unref(j);
        types_done(c, NULL);
        rq_conn_process(c);
        return;
    }
    expire_job(c, "statement timeout");
}

void rq_session_cancel(rq_conn *c) {
    if (c->state != RQ_ST_READY || !c->busy) return;
    atomic_store(&c->cancel, 1);
    expire_job(c, "user request");
}

void rq_session_close(rq_conn *c) {
    if (c->job) {
        rq_job_expire(c->job);
        rq_job_unref(c->job);
        c->job = NULL;
    }
    portals_clear(c);
    stmts_clear(c);
    stmt_free(c->op_parse);
    c->op_parse = NULL;
    free(c->sq_text);
    c->sq_text = NULL;
    free(c->sq_exec_sql);
    c->sq_exec_sql = NULL;
    rq_stmt_list_free(&c->sq_list);
    c->sq_active = 0;
}
