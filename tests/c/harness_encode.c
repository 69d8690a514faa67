/*
 * harness_encode.c — lets Python (ctypes) drive the Arrow → PostgreSQL
 * encoder with real pyarrow data. Built into tests/c/build/libriffq_harness.so
 * (see the Makefile target of that name); used by tests/test_encode_types.py.
 *
 * The output JSON is decoded from the actual wire bytes (RowDescription and
 * DataRow messages), so framing is checked too:
 *   {"columns": [{"name", "oid", "typlen", "typmod", "format"}...],
 *    "rows": [[text-or-null, ...], ...],
 *    "error": null | {"sqlstate": "...", "message": "..."},
 *    "limit_violations": n}
 * Binary-format values are given as lowercase hex strings.
 * "limit_violations" counts encode calls that returned early (rows left)
 * with less than soft_limit bytes of output, which the API forbids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rq_buf.h"
#include "rq_datetime.h"
#include "rq_encode.h"

/* Append s (n bytes) as a JSON string literal. */
static void js_str(rq_buf *j, const uint8_t *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    rq_buf_put_u8(j, '"');
    for (size_t k = 0; k < n; k++) {
        uint8_t c = s[k];
        if (c == '"' || c == '\\') {
            rq_buf_put_u8(j, '\\');
            rq_buf_put_u8(j, c);
        } else if (c < 0x20) {
            char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            rq_buf_put(j, e, 6);
        } else {
            rq_buf_put_u8(j, c);
        }
    }
    rq_buf_put_u8(j, '"');
}

static void js_hex(rq_buf *j, const uint8_t *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    rq_buf_put_u8(j, '"');
    for (size_t k = 0; k < n; k++) {
        rq_buf_put_u8(j, (uint8_t)hex[s[k] >> 4]);
        rq_buf_put_u8(j, (uint8_t)hex[s[k] & 15]);
    }
    rq_buf_put_u8(j, '"');
}

static void js_raw(rq_buf *j, const char *s) { rq_buf_put(j, s, strlen(s)); }

static void js_int(rq_buf *j, long long v) {
    char t[32];
    snprintf(t, sizeof t, "%lld", v);
    js_raw(j, t);
}

/* Decode the RowDescription at b[0..n) into the "columns" array. */
static int dump_rowdesc(rq_buf *j, const uint8_t *b, size_t n, int16_t *fmts, int maxc) {
    if (n < 7 || b[0] != 'T' || rq_be32(b + 1) != n - 1) return -1;
    int nc = rq_be16(b + 5);
    size_t p = 7;
    js_raw(j, "\"columns\":[");
    for (int c = 0; c < nc; c++) {
        const uint8_t *name = b + p;
        size_t l = strnlen((const char *)name, n - p);
        if (p + l + 19 > n) return -1;
        p += l + 1;
        if (c) js_raw(j, ",");
        js_raw(j, "{\"name\":");
        js_str(j, name, l);
        js_raw(j, ",\"table\":");
        js_int(j, (long long)rq_be32(b + p));
        js_raw(j, ",\"attnum\":");
        js_int(j, (int16_t)rq_be16(b + p + 4));
        js_raw(j, ",\"oid\":");
        js_int(j, (long long)rq_be32(b + p + 6));
        js_raw(j, ",\"typlen\":");
        js_int(j, (int16_t)rq_be16(b + p + 10));
        js_raw(j, ",\"typmod\":");
        js_int(j, (int32_t)rq_be32(b + p + 12));
        js_raw(j, ",\"format\":");
        int16_t f = (int16_t)rq_be16(b + p + 16);
        js_int(j, f);
        if (c < maxc) fmts[c] = f;
        js_raw(j, "}");
        p += 18;
    }
    js_raw(j, "]");
    return p == n ? 0 : -1;
}

/* Decode DataRow messages in b[0..n) into JSON rows; returns rows or -1. */
static long dump_rows(rq_buf *j, const uint8_t *b, size_t n, const int16_t *fmts,
                      int ncols, long *nrows) {
    size_t p = 0;
    long rows = 0;
    while (p < n) {
        if (n - p < 7 || b[p] != 'D') return -1;
        size_t mlen = rq_be32(b + p + 1);
        if (p + 1 + mlen > n) return -1;
        size_t q = p + 7, end = p + 1 + mlen;
        int nc = rq_be16(b + p + 5);
        if (nc != ncols) return -1;
        if (*nrows) js_raw(j, ",");
        js_raw(j, "[");
        for (int c = 0; c < nc; c++) {
            if (q + 4 > end) return -1;
            int32_t fl = (int32_t)rq_be32(b + q);
            q += 4;
            if (c) js_raw(j, ",");
            if (fl == -1) {
                js_raw(j, "null");
                continue;
            }
            if (fl < 0 || q + (size_t)fl > end) return -1;
            if (fmts[c]) js_hex(j, b + q, (size_t)fl);
            else js_str(j, b + q, (size_t)fl);
            q += (size_t)fl;
        }
        js_raw(j, "]");
        if (q != end) return -1;
        p = end;
        (*nrows)++;
        rows++;
    }
    return rows;
}

static void js_error(rq_buf *j, const char *sqlstate, const char *msg) {
    js_raw(j, "\"error\":{\"sqlstate\":");
    js_str(j, (const uint8_t *)sqlstate, strlen(sqlstate));
    js_raw(j, ",\"message\":");
    js_str(j, (const uint8_t *)msg, strlen(msg));
    js_raw(j, "}");
}

/*
 * Encode every batch of `stream` (consumed and released) and describe the
 * result as JSON in *out_json (free with rq_harness_free). `timezone` NULL
 * means UTC. `formats`/`nformats` as rq_rowplan_set_formats (nformats 0 =
 * text). Returns 0, or -1 on a harness failure (malformed output).
 */
int rq_harness_encode_ex(struct ArrowArrayStream *stream, const char *timezone,
                         int extra_float_digits, size_t soft_limit,
                         const int16_t *formats, int nformats, char **out_json) {
    rq_buf j = {0}, out = {0};
    rq_error err;
    rq_error_clear(&err);
    rq_tz *tz = NULL;
    rq_rowplan *plan = NULL;
    struct ArrowSchema schema = {0};
    int16_t fmts[2048] = {0};
    int rc = 0, failed = 0;
    long nrows = 0, violations = 0;

    js_raw(&j, "{");
    if (timezone && rq_tz_load(timezone, &tz, &err) != RQ_OK) failed = 1;
    rq_session_fmt sf = {tz, extra_float_digits};
    if (!failed && stream->get_schema(stream, &schema) != 0) {
        rq_error_set(&err, "ERROR", "XX000", "get_schema failed");
        failed = 1;
    }
    if (!failed && rq_rowplan_new(&schema, &sf, &plan, &err) != RQ_OK) failed = 1;
    if (schema.release) schema.release(&schema);
    if (!failed && nformats > 0 && rq_rowplan_set_formats(plan, formats, nformats, &err) != RQ_OK)
        failed = 1;
    if (!failed) {
        if (rq_rowplan_write_rowdesc(plan, &out, &err) != RQ_OK) failed = 1;
        else if (dump_rowdesc(&j, out.data, out.len, fmts, 2048) != 0) rc = -1;
        js_raw(&j, ",");
        out.len = 0;
    }
    js_raw(&j, "\"rows\":[");
    while (!failed && rc == 0) {
        struct ArrowArray batch = {0};
        if (stream->get_next(stream, &batch) != 0) {
            rq_error_set(&err, "ERROR", "XX000", "get_next failed");
            failed = 1;
            break;
        }
        if (batch.release == NULL) break;
        if (rq_rowplan_set_batch(plan, &batch, &err) != RQ_OK) failed = 1;
        int64_t next = 0, rows = failed ? 0 : rq_rowplan_batch_rows(plan);
        while (!failed && next < rows) {
            int64_t before = next;
            int erc = rq_rowplan_encode(plan, &next, rows, &out, soft_limit, &err);
            if (erc == RQ_OK && next < rows && out.len < soft_limit) violations++;
            long got = dump_rows(&j, out.data, out.len, fmts, rq_rowplan_ncols(plan), &nrows);
            if (got < 0 || got != next - before) rc = -1;
            out.len = 0;
            if (erc != RQ_OK) failed = 1;
            if (erc == RQ_OK && next == before) rc = -1; /* no progress */
            if (rc) break;
        }
        batch.release(&batch);
    }
    js_raw(&j, "],");
    if (failed) js_error(&j, err.sqlstate, err.message);
    else js_raw(&j, "\"error\":null");
    js_raw(&j, ",\"limit_violations\":");
    js_int(&j, violations);
    js_raw(&j, "}");
    rq_buf_put_u8(&j, 0);
    rq_rowplan_free(plan);
    rq_tz_free(tz);
    rq_buf_free(&out);
    if (stream->release) stream->release(stream);
    *out_json = (char *)j.data;
    return rc;
}

int rq_harness_encode(struct ArrowArrayStream *stream, const char *timezone,
                      int extra_float_digits, char **out_json) {
    return rq_harness_encode_ex(stream, timezone, extra_float_digits, 4096, NULL, 0,
                                out_json);
}

void rq_harness_free(char *p) { free(p); }

/*
 * Throughput: read all batches of `stream` first, then time only
 * rq_rowplan_encode() over them with `soft_limit`, discarding output after
 * each call (as a server flushing its buffer would). Returns 0 and fills
 * the totals, or -1 (message in errbuf).
 */
int rq_harness_bench(struct ArrowArrayStream *stream, size_t soft_limit,
                     double *seconds, int64_t *rows_out, int64_t *bytes_out,
                     char *errbuf, size_t errcap) {
    struct ArrowSchema schema = {0};
    struct ArrowArray *batches = NULL;
    size_t nb = 0, cap = 0;
    rq_rowplan *plan = NULL;
    rq_session_fmt sf = {NULL, 1};
    rq_error err;
    rq_buf out = {0};
    int rc = -1;
    rq_error_clear(&err);
    if (stream->get_schema(stream, &schema) != 0) goto done;
    for (;;) {
        if (nb == cap) {
            cap = cap ? 2 * cap : 16;
            struct ArrowArray *nbp = realloc(batches, cap * sizeof *batches);
            if (!nbp) goto done;
            batches = nbp;
        }
        memset(&batches[nb], 0, sizeof batches[nb]);
        if (stream->get_next(stream, &batches[nb]) != 0) goto done;
        if (batches[nb].release == NULL) break;
        nb++;
    }
    if (rq_rowplan_new(&schema, &sf, &plan, &err) != RQ_OK) goto done;
    struct timespec t0, t1;
    int64_t rows = 0, bytes = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t b = 0; b < nb; b++) {
        if (rq_rowplan_set_batch(plan, &batches[b], &err) != RQ_OK) goto done;
        int64_t next = 0, n = rq_rowplan_batch_rows(plan);
        while (next < n) {
            if (rq_rowplan_encode(plan, &next, n, &out, soft_limit, &err) != RQ_OK) goto done;
            bytes += (int64_t)out.len;
            out.len = 0;
        }
        rows += n;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    *rows_out = rows;
    *bytes_out = bytes;
    rc = 0;
done:
    if (rc != 0 && errbuf && errcap) snprintf(errbuf, errcap, "%s %s", err.sqlstate, err.message);
    for (size_t b = 0; b < nb; b++) batches[b].release(&batches[b]);
    free(batches);
    if (schema.release) schema.release(&schema);
    rq_rowplan_free(plan);
    rq_buf_free(&out);
    if (stream->release) stream->release(stream);
    return rc;
}
