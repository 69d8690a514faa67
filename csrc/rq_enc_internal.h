/*
 * rq_enc_internal.h — private to the encoder (rq_encode.c, rq_enc_*.c).
 *
 * A row plan is a tree of rq_enc_node: one node per Arrow field (column,
 * list element, struct field, map entry, dictionary values). A node knows
 * its PostgreSQL type and holds three writer functions chosen once when the
 * plan is built, so the hot loop is a bitmap test plus one indirect call:
 *
 *   text  — PostgreSQL text output of a non-NULL value (typoutput)
 *   json  — the value as PostgreSQL's to_json() would render it
 *   bin   — binary output (typsend), NULL when not supported
 *
 * Every writer takes the value's *logical* index `i` in the node's bound
 * array (the physical slot is n->off + i), appends to `out` (reserving what
 * it needs), and returns RQ_OK or an error status with `err` filled. On
 * error the caller truncates `out` to the row start, so writers need not
 * undo partial output.
 *
 * Arrow's rule that a struct's offset also applies to its children is
 * applied by the struct writer (child index = struct.off + i); list writers
 * pass child indices taken from their offsets buffer.
 */
#ifndef RQ_ENC_INTERNAL_H
#define RQ_ENC_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "rq_encode.h"

/* Maximum nesting depth of Arrow types accepted in a schema. */
#define RQ_ENC_MAX_DEPTH 64
/* PostgreSQL's MAXDIM: arrays have at most 6 dimensions. */
#define RQ_ENC_PG_MAXDIM 6

/* PostgreSQL type OIDs used by the encoder. */
#define RQ_OID_BOOL 16
#define RQ_OID_BYTEA 17
#define RQ_OID_CHAR 18
#define RQ_OID_NAME 19
#define RQ_OID_INT8 20
#define RQ_OID_INT2 21
#define RQ_OID_INT2VECTOR 22
#define RQ_OID_OIDVECTOR 30
#define RQ_OID_INT4 23
#define RQ_OID_TEXT 25
#define RQ_OID_OID 26
#define RQ_OID_XID 28
#define RQ_OID_CID 29
#define RQ_OID_JSON 114
#define RQ_OID_PG_NODE_TREE 194
#define RQ_OID_FLOAT4 700
#define RQ_OID_FLOAT8 701
#define RQ_OID_ACLITEM 1033
#define RQ_OID_VARCHAR 1043
#define RQ_OID_DATE 1082
#define RQ_OID_TIME 1083
#define RQ_OID_TIMESTAMP 1114
#define RQ_OID_TIMESTAMPTZ 1184
#define RQ_OID_INTERVAL 1186
#define RQ_OID_NUMERIC 1700
#define RQ_OID_UUID 2950

typedef enum rq_enc_kind {
    RQ_K_NULL,
    RQ_K_BOOL,
    RQ_K_BOOL8,    /* arrow.bool8 extension: one int8 byte per value, nonzero = true */
    RQ_K_INT,      /* signed integer, width 1/2/4/8 */
    RQ_K_UINT,     /* unsigned integer, width 1/2/4/8 */
    RQ_K_HALF,
    RQ_K_FLOAT,
    RQ_K_DOUBLE,
    RQ_K_DECIMAL,  /* width 4/8/16/32 bytes, `scale` */
    RQ_K_BYTES,    /* utf8/binary family: `layout` + `sem` */
    RQ_K_DATE32,
    RQ_K_DATE64,
    RQ_K_TIME,     /* width 4 or 8, `unit` */
    RQ_K_TIMESTAMP,/* `unit`, `has_tz` */
    RQ_K_DURATION, /* `unit` */
    RQ_K_IV_MONTHS,
    RQ_K_IV_DAYTIME,
    RQ_K_IV_MDN,
    RQ_K_LIST,     /* `layout`, child[0] */
    RQ_K_STRUCT,   /* child[0..nchild-1] */
    RQ_K_MAP,      /* child[0] = entries struct (key, value) */
    RQ_K_DICT      /* indices of `width`/`is_signed`, values in `dict` */
} rq_enc_kind;

/* Physical layouts of variable-size values (strings, lists). */
enum {
    RQ_L_OFF32,   /* int32 offsets */
    RQ_L_OFF64,   /* int64 offsets */
    RQ_L_VIEW,    /* 16-byte views (strings) / offsets+sizes (lists, 32-bit) */
    RQ_L_VIEW64,  /* list view with int64 offsets+sizes */
    RQ_L_FIXED    /* fixed width `width` */
};

/* What the bytes of an RQ_K_BYTES node mean. */
enum { RQ_SEM_TEXT, RQ_SEM_BYTEA, RQ_SEM_JSON, RQ_SEM_UUID };

/* Time units, as in the Arrow format strings s/m/u/n. */
enum { RQ_U_SEC, RQ_U_MILLI, RQ_U_MICRO, RQ_U_NANO };

typedef struct rq_enc_node rq_enc_node;
typedef int (*rq_enc_fn)(const rq_enc_node *n, int64_t i, rq_buf *out,
                         rq_error *err);

struct rq_enc_node {
    /* ---- set when the plan is built ---- */
    rq_enc_kind kind;
    int width;        /* bytes per value / fixed size (see kind) */
    int layout;       /* RQ_L_* for BYTES and LIST */
    int sem;          /* RQ_SEM_* for BYTES */
    int unit;         /* RQ_U_* for temporal kinds */
    int scale;        /* decimal scale (may be negative) */
    int is_signed;    /* dictionary index signedness */
    int has_tz;       /* timestamp with a time zone → timestamptz */
    int ndim;         /* LIST: number of nested list levels (>= 1) */
    int quote;        /* text may need quoting as an array element */
    int text_only;    /* no binary form (a reg* type holding the name) */
    int slow_null;    /* isnull must use rq_enc_isnull_slow (null, dict) */
    int fixed_max;    /* upper bound of text bytes for fixed-size kinds */
    uint32_t oid;
    uint32_t elem_oid; /* LIST: element type OID (the leaf's) for array_send */
    int16_t typlen;
    int32_t typmod;
    rq_enc_fn text, json, bin;
    const rq_session_fmt *fmt; /* borrowed from the plan */
    const char *colname;       /* top-level column name, for messages */
    char *format;              /* copy of the Arrow format string */
    int nchild;
    rq_enc_node **child;       /* owned */
    char **jkey;               /* STRUCT: pre-rendered `"name":` (owned) */
    size_t *jkeylen;
    rq_enc_node *dict;         /* DICT: value node (owned) */

    /* ---- set by rq_enc_bind() for the current batch ---- */
    const struct ArrowArray *arr;
    const uint8_t *validity;   /* NULL when the array has no nulls */
    int64_t off, len;
    const uint8_t *data;       /* buffers[1] */
    const uint8_t *data2;      /* buffers[2] (string bytes, view sizes) */
    int64_t lo, hi;            /* string offsets: valid range of bytes */
    int64_t nvbufs;            /* string views: variadic buffers */
    const uint8_t *const *vbufs;
    const int64_t *vsizes;
    int64_t child_len;         /* LIST/MAP: length of the child array */
};

/* ---- node construction / binding (rq_encode.c) ---- */

/* Bind `arr` (and its children/dictionary) to `n`; XX000 on mismatch. */
int rq_enc_bind(rq_enc_node *n, const struct ArrowArray *arr, rq_error *err);

/* ---- writers chosen by the plan builder ---- */

/* rq_enc_scalar.c: fills text/json/bin/quote/fixed_max for scalar kinds. */
void rq_enc_scalar_setup(rq_enc_node *n);
/* rq_enc_nested.c: same for LIST/STRUCT/MAP/DICT (children set up first). */
void rq_enc_nested_setup(rq_enc_node *n);
/* Turn a one-dimensional list of integers (after rq_enc_nested_setup) into
 * PostgreSQL's int2vector (`is_oid` 0) or oidvector (1): text "1 2 3",
 * binary an array with lower bound 0, as int2vectorsend/oidvectorsend. */
void rq_enc_nested_vector(rq_enc_node *n, int is_oid);
/* rq_enc_binary.c: sets n->bin for scalar kinds that have a binary form
 * (called after rq_enc_scalar_setup); leaves it NULL otherwise. */
void rq_enc_binary_setup(rq_enc_node *n);

/* ---- value access / conversions shared by the writers (rq_enc_scalar.c) ---- */

int64_t rq_enc_ld_sint(const rq_enc_node *n, int64_t i);   /* RQ_K_INT */
uint64_t rq_enc_ld_uint(const rq_enc_node *n, int64_t i);  /* RQ_K_UINT */
float rq_enc_ld_f32(const rq_enc_node *n, int64_t i);      /* HALF / FLOAT */
/* v in time unit `unit` → microseconds; nanoseconds rounded as PostgreSQL's
 * input rounds a 9-digit fraction (sym: sign-magnitude, for durations).
 * Returns 0 when the result does not fit int64. */
int rq_enc_to_us(int64_t v, int unit, int sym, int64_t *us);
int64_t rq_enc_ns_to_us_sym(int64_t ns);
int64_t rq_enc_floor_div(int64_t a, int64_t b);
/* 1 / -1 when a raw 64-bit date/timestamp value stands for ±infinity. */
int rq_enc_infinite64(int64_t v);
/* 22008 "<what> out of range"; returns RQ_ERR. */
int rq_enc_out_of_range(const char *what, rq_error *err);

/* ---- shared helpers ---- */

int rq_enc_isnull_slow(const rq_enc_node *n, int64_t i);

static inline int rq_enc_isnull(const rq_enc_node *n, int64_t i) {
    if (RQ_UNLIKELY(n->slow_null)) return rq_enc_isnull_slow(n, i);
    if (n->validity == NULL) return 0;
    int64_t j = n->off + i;
    return !((n->validity[j >> 3] >> (j & 7)) & 1);
}

/* Malformed producer data (bad offsets, indices...): XX000. */
int rq_enc_malformed(const rq_enc_node *n, rq_error *err, const char *what);

/* Value i of a BYTES node: pointer and length (validated bounds). */
int rq_enc_get_bytes(const rq_enc_node *n, int64_t i, const uint8_t **p,
                     int64_t *len, rq_error *err);

/* Magnitude of the little-endian two's complement integer of `width`
 * (16 or 32) bytes at p, as 32-bit limbs (least significant first); sets
 * *neg; returns the number of significant limbs (0 for zero). */
int rq_enc_wide_magnitude(const uint8_t *p, int width, uint32_t limb[8], int *neg);

/* rq_enc_check_utf8() is declared in rq_encode.h. */

/* Element of a PostgreSQL array: "NULL" or the text, quoted as array_out. */
int rq_enc_elem(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err);

/* Turn out[start..len) into a JSON string literal (escape_json), in place. */
int rq_enc_json_quote_inplace(rq_buf *out, size_t start);

/* Write `s` (n bytes, already valid UTF-8) as a JSON string literal. */
int rq_enc_json_string(rq_buf *out, const uint8_t *s, size_t n);

static inline int rq_enc_put(rq_buf *out, const void *p, size_t n) {
    if (RQ_UNLIKELY(rq_buf_reserve(out, n) != RQ_OK)) return RQ_ENOMEM;
    memcpy(out->data + out->len, p, n);
    out->len += n;
    return RQ_OK;
}

/* Decimal digits of v (v > 0 or 0 → 1). */
static inline int rq_enc_ndigits(uint64_t v) {
    int n = 1;
    for (;;) {
        if (v < 10) return n;
        if (v < 100) return n + 1;
        if (v < 1000) return n + 2;
        if (v < 10000) return n + 3;
        v /= 10000;
        n += 4;
    }
}

extern const char rq_enc_digits2[201];

/* Write v in decimal at p (room for 20 bytes); return the length. */
static inline int rq_enc_fmt_u64(char *p, uint64_t v) {
    int n = rq_enc_ndigits(v);
    char *e = p + n;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        e -= 2;
        memcpy(e, rq_enc_digits2 + 2 * r, 2);
    }
    if (v >= 10) {
        memcpy(e - 2, rq_enc_digits2 + 2 * v, 2);
    } else {
        e[-1] = (char)('0' + v);
    }
    return n;
}

/* Write v in decimal at p (room for 20 bytes); return the length. */
static inline int rq_enc_fmt_i64(char *p, int64_t v) {
    if (v < 0) {
        *p = '-';
        return 1 + rq_enc_fmt_u64(p + 1, (uint64_t)0 - (uint64_t)v);
    }
    return rq_enc_fmt_u64(p, (uint64_t)v);
}

/* Unaligned little-endian-native loads (Arrow buffers are native order). */
static inline int64_t rq_enc_ld_i64(const uint8_t *p) {
    int64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline int32_t rq_enc_ld_i32(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

#endif /* RQ_ENC_INTERNAL_H */
