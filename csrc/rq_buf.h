/*
 * rq_buf.h — growable byte buffer and PostgreSQL message builder.
 *
 * Ownership: an rq_buf owns `data` (malloc'd). rq_buf_free() releases it;
 * rq_buf_steal() hands it to the caller. A zero-initialised rq_buf is a valid
 * empty buffer. Not thread-safe: one owner at a time.
 *
 * Messages: rq_msg_begin() writes the type byte and a length placeholder and
 * returns the offset of the message start; rq_msg_end() patches the length.
 * All integers are written big-endian (network order) as the protocol wants.
 */
#ifndef RQ_BUF_H
#define RQ_BUF_H

#include <stdint.h>
#include <string.h>

#include "rq_common.h"

typedef struct rq_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} rq_buf;

/* Grow slow path: make room for `extra` more bytes. RQ_OK or RQ_ENOMEM. */
int rq_buf_grow(rq_buf *b, size_t extra);

/* Make room for `extra` more bytes. RQ_OK or RQ_ENOMEM. */
static inline int rq_buf_reserve(rq_buf *b, size_t extra) {
    if (RQ_LIKELY(b->cap - b->len >= extra)) return RQ_OK;
    return rq_buf_grow(b, extra);
}

/* Release storage and reset to empty. */
void rq_buf_free(rq_buf *b);

/* Drop content, keep capacity. */
static inline void rq_buf_reset(rq_buf *b) { b->len = 0; }

/* Remove the first `n` bytes (n <= len), shifting the rest down. */
void rq_buf_consume(rq_buf *b, size_t n);

/* Unchecked writers: the caller reserved the space first. */
static inline void rq_buf_put_u8_unchecked(rq_buf *b, uint8_t v) { b->data[b->len++] = v; }
static inline void rq_buf_put_be16_unchecked(rq_buf *b, uint16_t v) {
    b->data[b->len] = (uint8_t)(v >> 8);
    b->data[b->len + 1] = (uint8_t)v;
    b->len += 2;
}
static inline void rq_buf_put_be32_unchecked(rq_buf *b, uint32_t v) {
    uint8_t *p = b->data + b->len;
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    b->len += 4;
}
static inline void rq_buf_put_unchecked(rq_buf *b, const void *p, size_t n) {
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* Checked writers: RQ_OK or RQ_ENOMEM. */
int rq_buf_put(rq_buf *b, const void *p, size_t n);
int rq_buf_put_u8(rq_buf *b, uint8_t v);
int rq_buf_put_be16(rq_buf *b, uint16_t v);
int rq_buf_put_be32(rq_buf *b, uint32_t v);
int rq_buf_put_be64(rq_buf *b, uint64_t v);
/* Writes the string and its NUL terminator. */
int rq_buf_put_cstr(rq_buf *b, const char *s);

/* Patch a big-endian int32 at `off` (off + 4 <= len). */
static inline void rq_buf_patch_be32(rq_buf *b, size_t off, uint32_t v) {
    uint8_t *p = b->data + off;
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Start a backend message of `type`; returns RQ_OK and sets *start. */
int rq_msg_begin(rq_buf *b, char type, size_t *start);
/* Finish the message begun at `start` by writing its length. */
static inline void rq_msg_end(rq_buf *b, size_t start) {
    rq_buf_patch_be32(b, start + 1, (uint32_t)(b->len - start - 1));
}

/* Big-endian readers over raw memory (no bounds checks). */
static inline uint16_t rq_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t rq_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t rq_be64(const uint8_t *p) {
    return ((uint64_t)rq_be32(p) << 32) | rq_be32(p + 4);
}

#endif /* RQ_BUF_H */
