/*
 * rq_cursor.c — streaming one Arrow result to a connection (worker threads).
 *
 * A cursor owns the ArrowArrayStream moved out of the host's answer, the
 * current ArrowArray batch and the row plan. It is only ever touched by one
 * thread at a time: the worker task running it, or the loop thread between
 * tasks (which only reads plan/ncols/rows after the task's event).
 *
 * Memory stays bounded per connection: rows are encoded into chunks of about
 * RQ_CHUNK bytes, each handed to the connection's output queue, and the task
 * blocks while the queue is above RQ_OUT_HIGH (rq_conn_wait_writable).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rq_core.h"
#include "rq_proto.h"

rq_cursor *rq_cursor_new(struct ArrowArrayStream *stream, rq_cmd_kind cmd) {
    rq_cursor *cur = calloc(1, sizeof *cur);
    if (cur == NULL) return NULL;
    if (stream) {
        cur->stream = *stream;
        stream->release = NULL;
    }
    cur->cmd = cmd;
    cur->nexpect = -1;
    cur->op = RQ_CT_RUN;
    return cur;
}

int rq_cursor_set_formats(rq_cursor *cur, const int16_t *formats, int n) {
    free(cur->formats);
    cur->formats = NULL;
    cur->nformats = 0;
    if (n <= 0) return RQ_OK;
    cur->formats = malloc((size_t)n * sizeof *formats);
    if (cur->formats == NULL) return RQ_ENOMEM;
    memcpy(cur->formats, formats, (size_t)n * sizeof *formats);
    cur->nformats = n;
    return RQ_OK;
}

static void release_batch(rq_cursor *cur) {
    if (cur->batch.release) cur->batch.release(&cur->batch);
    cur->batch.release = NULL;
}

int rq_cursor_has_arrow(const rq_cursor *cur) {
    return cur->stream.release != NULL || cur->batch.release != NULL;
}

/* The batch, then the stream (through the host: it may need the GIL). */
static void release_arrow(rq_cursor *cur, rq_server *srv) {
    release_batch(cur);
    if (cur->stream.release) {
        if (srv->ops->release_stream) srv->ops->release_stream(srv->host, &cur->stream);
        else cur->stream.release(&cur->stream);
        cur->stream.release = NULL;
    }
}

void rq_cursor_free(rq_cursor *cur, rq_server *srv) {
    if (cur == NULL) return;
    release_arrow(cur, srv);
    rq_rowplan_free(cur->plan);
    free(cur->formats);
    free(cur->expect_oids);
    free(cur);
}

static rq_cursor_status stream_failed(rq_cursor *cur, const char *what, int code) {
    const char *msg = cur->stream.get_last_error ? cur->stream.get_last_error(&cur->stream) : NULL;
    rq_error_set(&cur->err, RQ_SEV_ERROR, "XX000", "%s (code %d): %s", what, code,
                 msg ? msg : "no message");
    return RQ_CUR_FAILED;
}

/* DuckDB (and others) answer commands with a one-column status result:
 * "Count" (rows affected) for INSERT/UPDATE/DELETE/MERGE/CREATE..., or
 * "Success" for BEGIN/SET/DROP... For a statement that cannot return rows
 * that is a command tag, not a result set, so PostgreSQL clients must not
 * see it as rows. */
static int is_count_result(const rq_cursor *cur) {
    if (cur->ncols != 1) return 0;
    switch (cur->cmd) {
    case RQ_CMD_SELECT: case RQ_CMD_VALUES: case RQ_CMD_SHOW: case RQ_CMD_WITH:
    case RQ_CMD_FETCH: case RQ_CMD_EMPTY:
        return 0;
    default:
        break;
    }
    const rq_colinfo *col = rq_rowplan_col(cur->plan, 0);
    if (strcasecmp(col->name, "count") == 0)
        return col->type_oid == 20 || col->type_oid == 23 || col->type_oid == 21;
    return strcasecmp(col->name, "success") == 0 && col->type_oid == 16;
}

/* The client decodes rows with the types a Describe gave it: a result of
 * another shape would be misread, so it is refused as PostgreSQL does. */
static int matches_promise(const rq_cursor *cur) {
    if (cur->nexpect < 0) return 1;
    int n = cur->count_mode ? 0 : cur->ncols;
    if (n != cur->nexpect) return 0;
    for (int i = 0; i < n; i++)
        if (rq_rowplan_col(cur->plan, i)->type_oid != cur->expect_oids[i]) return 0;
    return 1;
}

int rq_cursor_expect(rq_cursor *cur, int n, const uint32_t *oids) {
    free(cur->expect_oids);
    cur->expect_oids = NULL;
    cur->nexpect = n;
    if (n <= 0) return RQ_OK;
    cur->expect_oids = malloc((size_t)n * sizeof *oids);
    if (cur->expect_oids == NULL) return RQ_ENOMEM;
    memcpy(cur->expect_oids, oids, (size_t)n * sizeof *oids);
    return RQ_OK;
}

rq_cursor_status rq_cursor_describe(rq_cursor *cur, rq_conn *c, rq_buf *out) {
    struct ArrowSchema schema;
    memset(&schema, 0, sizeof schema);
    int rc = cur->stream.get_schema(&cur->stream, &schema);
    if (rc != 0) return stream_failed(cur, "could not read the result schema", rc);
    rc = rq_rowplan_new(&schema, &c->fmt, &cur->plan, &cur->err);
    if (schema.release) schema.release(&schema);
    if (rc != RQ_OK) return RQ_CUR_FAILED;
    cur->ncols = rq_rowplan_ncols(cur->plan);
    cur->count_mode = is_count_result(cur);
    if (rq_rowplan_set_formats(cur->plan, cur->formats, cur->nformats, &cur->err) != RQ_OK)
        return RQ_CUR_FAILED;
    if (!matches_promise(cur))
        return rq_error_set(&cur->err, RQ_SEV_ERROR, "0A000", "cached plan must not change result type"),
               RQ_CUR_FAILED;
    if (out == NULL || cur->desc_msg == RQ_DESC_NONE) return RQ_CUR_DONE;
    if (cur->count_mode || cur->ncols == 0) {
        /* PostgreSQL describes a result without columns as NoData. */
        if (cur->desc_msg != RQ_DESC_OR_NODATA) return RQ_CUR_DONE;
        return rq_be_simple(out, 'n') == RQ_OK ? RQ_CUR_DONE
                                               : (rq_error_nomem(&cur->err), RQ_CUR_FAILED);
    }
    rc = rq_rowplan_write_rowdesc(cur->plan, out, &cur->err);
    return rc == RQ_OK ? RQ_CUR_DONE : RQ_CUR_FAILED;
}

/* Load the next batch; RQ_CUR_DONE with cur->eof set at end of stream. */
static rq_cursor_status next_batch(rq_cursor *cur) {
    release_batch(cur);
    struct ArrowArray a;
    memset(&a, 0, sizeof a);
    int rc = cur->stream.get_next(&cur->stream, &a);
    if (rc != 0) return stream_failed(cur, "could not read the next result batch", rc);
    if (a.release == NULL) {
        cur->eof = 1;
        return RQ_CUR_DONE;
    }
    cur->batch = a;
    cur->next_row = 0;
    if (rq_rowplan_set_batch(cur->plan, &cur->batch, &cur->err) != RQ_OK) return RQ_CUR_FAILED;
    return RQ_CUR_DONE;
}

/* Sum a Count column by decoding the DataRow text we encode for it
 * (the DataRows start at `pos`). */
static void add_counts(rq_cursor *cur, const rq_buf *b, size_t pos) {
    while (pos + 11 <= b->len) {
        uint32_t mlen = rq_be32(b->data + pos + 1);
        int32_t vlen = (int32_t)rq_be32(b->data + pos + 7);
        if (vlen > 0 && vlen < 24) {
            char tmp[24];
            memcpy(tmp, b->data + pos + 11, (size_t)vlen);
            tmp[vlen] = '\0';
            cur->count_tag += strtoll(tmp, NULL, 10);
        }
        pos += (size_t)mlen + 1;
    }
}

/* Hand `out` to the connection (DataRows from `*rows_at` on; the bytes
 * before are a describe message). A Count result is summed instead. */
static int send_chunk(rq_cursor *cur, rq_conn *c, rq_buf *out, size_t *rows_at) {
    if (cur->count_mode) {
        add_counts(cur, out, *rows_at);
        out->len = *rows_at;
        return RQ_OK;
    }
    *rows_at = 0;
    if (out->len == 0) return RQ_OK;
    if (rq_conn_send_take(c, out) != RQ_OK) return RQ_ECLOSED;
    return rq_conn_wait_writable(c);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A get_next slower than this marks the producer slow (see below). */
#define SLOW_NEXT_NS 1000000u
/* Encoded rows held back across a fast get_next, at most (PostgreSQL's
 * own send buffer is 8 KiB and is not flushed before it fills up). */
#define HOLD_BYTES (8u << 10)

rq_cursor_status rq_cursor_run(rq_cursor *cur, rq_conn *c, int64_t max_rows, rq_buf *out) {
    rq_cursor_status st = RQ_CUR_DONE;
    int64_t sent = 0;
    size_t rows_at = out->len;
    while (!cur->eof) {
        if (atomic_load(&c->cancel)) { st = RQ_CUR_ABORTED; break; }
        if (cur->batch.release == NULL || cur->next_row >= rq_rowplan_batch_rows(cur->plan)) {
            /* get_next may block: rows already encoded go out first, so the
             * client sees them without waiting, unless they are few and
             * the producer has been fast so far (a small result then
             * leaves in one write with its CommandComplete). */
            if (out->len > rows_at && (cur->slow || out->len >= HOLD_BYTES) &&
                send_chunk(cur, c, out, &rows_at) != RQ_OK) {
                st = RQ_CUR_ABORTED;
                break;
            }
            uint64_t t0 = now_ns();
            st = next_batch(cur);
            if (now_ns() - t0 > SLOW_NEXT_NS) cur->slow = 1;
            if (st != RQ_CUR_DONE) break;
            continue;
        }
        if (max_rows > 0 && sent >= max_rows) { st = RQ_CUR_SUSPENDED; break; }
        int64_t end = rq_rowplan_batch_rows(cur->plan);
        if (max_rows > 0 && end - cur->next_row > max_rows - sent) end = cur->next_row + (max_rows - sent);
        int64_t before = cur->next_row;
        if (rq_rowplan_encode(cur->plan, &cur->next_row, end, out, RQ_CHUNK, &cur->err) != RQ_OK) {
            st = RQ_CUR_FAILED;
            break;
        }
        sent += cur->next_row - before;
        cur->rows += cur->next_row - before;
        if (out->len >= RQ_CHUNK && send_chunk(cur, c, out, &rows_at) != RQ_OK) {
            st = RQ_CUR_ABORTED;
            break;
        }
    }
    /* A Count result is summed to the end; on failure `out` still holds
     * only whole rows (PostgreSQL too sends the rows before an error). */
    if (cur->count_mode && st != RQ_CUR_ABORTED) send_chunk(cur, c, out, &rows_at);
    cur->run_rows = sent;
    return st;
}

static int conn_dead(rq_conn *c) {
    pthread_mutex_lock(&c->mu);
    int dead = c->dead;
    pthread_mutex_unlock(&c->mu);
    return dead;
}

rq_cursor_status rq_cursor_work(rq_cursor *cur, rq_conn *c) {
    rq_buf out = {0};
    rq_cursor_status st = RQ_CUR_DONE;
    if (cur->plan == NULL) st = rq_cursor_describe(cur, c, &out);
    if (st == RQ_CUR_DONE && cur->op == RQ_CT_RUN) st = rq_cursor_run(cur, c, cur->max_rows, &out);
    if (st != RQ_CUR_ABORTED && out.len > 0 && rq_conn_send_take_quiet(c, &out) != RQ_OK)
        st = RQ_CUR_ABORTED;
    rq_buf_free(&out);
    int keep = st == RQ_CUR_SUSPENDED || (st == RQ_CUR_DONE && cur->op == RQ_CT_DESCRIBE && cur->keep);
    if (keep && conn_dead(c)) {
        keep = 0; /* nobody will resume it */
        st = RQ_CUR_ABORTED;
    }
    /* Finished: release the stream here, off the loop and before the loop
     * hears of it, rather than in a task of its own. */
    if (!keep) release_arrow(cur, c->srv);
    return st;
}
