/*
 * rq_buf.c — growable byte buffer (see rq_buf.h) and rq_error helpers.
 */
#include "rq_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int rq_buf_grow(rq_buf *b, size_t extra) {
    size_t need = b->len + extra;
    if (need < b->len) return RQ_ENOMEM; /* overflow */
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) return RQ_ENOMEM;
        cap *= 2;
    }
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL) return RQ_ENOMEM;
    b->data = p;
    b->cap = cap;
    return RQ_OK;
}

void rq_buf_free(rq_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void rq_buf_consume(rq_buf *b, size_t n) {
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

int rq_buf_put(rq_buf *b, const void *p, size_t n) {
    if (rq_buf_reserve(b, n) != RQ_OK) return RQ_ENOMEM;
    if (n) rq_buf_put_unchecked(b, p, n);
    return RQ_OK;
}

int rq_buf_put_u8(rq_buf *b, uint8_t v) {
    if (rq_buf_reserve(b, 1) != RQ_OK) return RQ_ENOMEM;
    rq_buf_put_u8_unchecked(b, v);
    return RQ_OK;
}

int rq_buf_put_be16(rq_buf *b, uint16_t v) {
    if (rq_buf_reserve(b, 2) != RQ_OK) return RQ_ENOMEM;
    rq_buf_put_be16_unchecked(b, v);
    return RQ_OK;
}

int rq_buf_put_be32(rq_buf *b, uint32_t v) {
    if (rq_buf_reserve(b, 4) != RQ_OK) return RQ_ENOMEM;
    rq_buf_put_be32_unchecked(b, v);
    return RQ_OK;
}

int rq_buf_put_be64(rq_buf *b, uint64_t v) {
    if (rq_buf_reserve(b, 8) != RQ_OK) return RQ_ENOMEM;
    rq_buf_put_be32_unchecked(b, (uint32_t)(v >> 32));
    rq_buf_put_be32_unchecked(b, (uint32_t)v);
    return RQ_OK;
}

int rq_buf_put_cstr(rq_buf *b, const char *s) {
    return rq_buf_put(b, s, strlen(s) + 1);
}

int rq_msg_begin(rq_buf *b, char type, size_t *start) {
    if (rq_buf_reserve(b, 5) != RQ_OK) return RQ_ENOMEM;
    *start = b->len;
    rq_buf_put_u8_unchecked(b, (uint8_t)type);
    rq_buf_put_be32_unchecked(b, 0);
    return RQ_OK;
}

/* ---- rq_error helpers (declared in rq_common.h) ---- */

void rq_strlcpy(char *dst, const char *src, size_t cap) {
    if (cap == 0) return;
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int rq_error_set(rq_error *err, const char *severity, const char *sqlstate,
                 const char *fmt, ...) {
    if (err == NULL) return RQ_ERR;
    rq_strlcpy(err->severity, severity, sizeof err->severity);
    rq_strlcpy(err->sqlstate, sqlstate, sizeof err->sqlstate);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->detail[0] = '\0';
    err->hint[0] = '\0';
    return RQ_ERR;
}

int rq_error_nomem(rq_error *err) {
    rq_error_set(err, RQ_SEV_ERROR, "53200", "out of memory");
    return RQ_ENOMEM;
}

void rq_error_clear(rq_error *err) {
    if (err == NULL) return;
    err->severity[0] = err->sqlstate[0] = err->message[0] = '\0';
    err->detail[0] = err->hint[0] = '\0';
}
