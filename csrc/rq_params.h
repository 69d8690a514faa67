/*
 * rq_params.h — typed decoding of extended-protocol Bind parameters.
 *
 * A Bind message carries each parameter as bytes in text (format 0) or
 * binary (format 1) representation of a type OID (declared by the client
 * in Parse, 0 when unspecified). rq_param_decode() turns one parameter into
 * an rq_pvalue: a small, Python-free value tree that the host binding
 * (csrc/rq_py_params.c) maps onto host objects.
 *
 * Decoding follows PostgreSQL 15's input (typinput, text format) and
 * receive (typreceive, binary format) functions, and rejects what they
 * reject with the same SQLSTATE and message (observed on a real server):
 *   - text format: the bytes up to the first NUL must be valid UTF-8
 *     (22021 `invalid byte sequence for encoding "UTF8": 0xc3 0x28`);
 *     PostgreSQL ignores anything after a NUL, and so do we.
 *   - binary format: too few bytes → 08P01 "insufficient data left in
 *     message"; bytes left over → 22P03 "incorrect binary data format in
 *     bind parameter N" (N is 1-based); textual types must be valid
 *     UTF-8 without NUL.
 *   - per type: 22P02 `invalid input syntax for type integer: "x"`,
 *     22003 out of range, 22007/22008/22009 date/time errors, 22P03 bad
 *     binary numeric/array headers, 42804 binary array of another element
 *     type, 54000 too many array dimensions / elements ...
 * PostgreSQL's ErrorResponse also carries a CONTEXT line ("unnamed portal
 * parameter $1 = '...'"); rq_error has no such field, it is not produced.
 *
 * Types decoded (OIDs as in pg_type):
 *   bool 16, bytea 17, name 19, int8 20, int2 21, int4 23, text 25, oid 26,
 *   json 114, float4 700, float8 701, unknown 705, bpchar 1042,
 *   varchar 1043, date 1082, time 1083, timestamp 1114, timestamptz 1184,
 *   interval 1186, timetz 1266, numeric 1700, uuid 2950, jsonb 3802, and
 *   the one-dimensional-or-more arrays of each of them. OID 0 (unspecified)
 *   and 705 (unknown) are text.
 *   Any other OID: text format → RQ_PV_TEXT (validated UTF-8), binary
 *   format → RQ_PV_BYTES (raw bytes).
 *
 * Documented differences from PostgreSQL (by design):
 *   - json and jsonb are validated (with PostgreSQL's messages) but kept as
 *     the client's text: jsonb is not normalised (key order, spacing);
 *     binary jsonb loses its version byte.
 *   - date/time text input covers the formats clients send (ISO 8601 with
 *     ' ' or 'T', BC/AD, M/D/Y and D Mon Y forms with month/day names,
 *     YYYYMMDD, AM/PM, numeric zones, 'Z', common zone abbreviations,
 *     IANA zone names, epoch/infinity/now/today/tomorrow/yesterday/allballs);
 *     rarer forms PostgreSQL accepts (Julian days, 'J' prefixes, ordinal
 *     dates, DateStyle other than "ISO, MDY") are rejected with 22007.
 *   - interval text input: postgres style ("1 year 2 mons -3 days
 *     04:05:06", "@ 1 minute ago", unit abbreviations, fractional units),
 *     SQL standard ("1-2", "3 4:05:06") and ISO 8601 ("P1Y2M3DT4H5M6S",
 *     "P0001-02-03T04:05:06").
 *   - 'now'/'today' use the wall clock when the context was initialised,
 *     not a transaction start time.
 *
 * Threads: no global mutable state; an rq_param_ctx is used by one thread.
 * Nothing here allocates per byte: values point into the caller's data or
 * into the context's arena (strings that had to be rewritten: numeric
 * canonical text, decoded bytea, truncated names, array elements).
 */
#ifndef RQ_PARAMS_H
#define RQ_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "rq_common.h"
#include "rq_datetime.h"

/* PostgreSQL's MAXDIM: arrays have at most 6 dimensions. */
#define RQ_PARAM_MAXDIM 6

/* Date/timestamp infinities (PostgreSQL's DATEVAL_NOEND/NOBEGIN and
 * DT_NOEND/NOBEGIN sentinels, also used on the wire). */
#define RQ_PV_DATE_INF INT32_MAX
#define RQ_PV_DATE_NINF INT32_MIN
#define RQ_PV_TS_INF INT64_MAX
#define RQ_PV_TS_NINF INT64_MIN

typedef enum rq_pv_kind {
    RQ_PV_NULL = 0,
    RQ_PV_BOOL,        /* u.b: 0 or 1 */
    RQ_PV_INT,         /* u.i: int2, int4, int8, oid (0..4294967295) */
    RQ_PV_FLOAT,       /* u.f: float8; float4 as the double nearest to its
                        * shortest decimal text (float4 1.1 → 1.1, not
                        * 1.100000023841858) */
    RQ_PV_NUMERIC,     /* u.s: numeric_out's text: "-12.50", "0.000",
                        * "NaN", "Infinity", "-Infinity"; beyond 8 bytes
                        * of text per input byte (+64 KiB) per parameter,
                        * "<digits>E<exp>" with the same value and, for
                        * fractions, exponent == -dscale (Decimal reads
                        * both forms alike) */
    RQ_PV_TEXT,        /* u.s: valid UTF-8, no NUL (text types, json,
                        * jsonb, unknown, other types in text format) */
    RQ_PV_BYTES,       /* u.s: bytea, or binary bytes of an undecoded type */
    RQ_PV_DATE,        /* u.date: days since 2000-01-01, or ±INF sentinel */
    RQ_PV_TIME,        /* u.time.usec: 0..86400000000 (24:00:00 included) */
    RQ_PV_TIMETZ,      /* u.time.usec, u.time.zone: seconds EAST of UTC */
    RQ_PV_TIMESTAMP,   /* u.ts: microseconds since 2000-01-01 00:00, ±INF */
    RQ_PV_TIMESTAMPTZ, /* u.ts: same, in UTC */
    RQ_PV_INTERVAL,    /* u.iv: PostgreSQL's (months, days, microseconds) */
    RQ_PV_UUID,        /* u.uuid: 16 bytes, network order */
    RQ_PV_ARRAY        /* u.arr */
} rq_pv_kind;

typedef struct rq_pvalue rq_pvalue;

struct rq_pvalue {
    rq_pv_kind kind;
    uint32_t type_oid; /* the scalar type (element type inside arrays) */
    union {
        int b;
        int64_t i;
        double f;
        struct {
            const char *p; /* not NUL-terminated; len bytes */
            size_t len;
        } s;
        int32_t date;
        struct {
            int64_t usec;
            int32_t zone;
        } time;
        int64_t ts;
        struct {
            int32_t months;
            int32_t days;
            int64_t usec;
        } iv;
        uint8_t uuid[16];
        struct {
            int ndim; /* 0 for an empty array */
            int32_t dims[RQ_PARAM_MAXDIM];
            int32_t lbounds[RQ_PARAM_MAXDIM];
            size_t nitems; /* product of dims */
            rq_pvalue *items; /* row-major, nitems values (NULL if 0) */
        } arr;
    } u;
};

struct rq_param_chunk;

/*
 * Decoding context: the session facts that text input depends on, and the
 * arena that owns every rewritten string and array item of the values it
 * decoded. Zero-initialising and calling rq_param_ctx_init() is required;
 * rq_param_ctx_free() releases the arena (values decoded with the context
 * become invalid).
 */
typedef struct rq_param_ctx {
    const rq_tz *tz;       /* session TimeZone (NULL = UTC): timestamptz and
                            * timetz text without an explicit zone */
    int64_t now_usec;      /* 'now' as microseconds since 2000-01-01 UTC */
    struct rq_param_chunk *chunks; /* arena (owned) */
    size_t budget;         /* internal: numeric text expansion left */
} rq_param_ctx;

/* Set up `ctx` (tz may be NULL; not owned, must outlive ctx). Never fails. */
void rq_param_ctx_init(rq_param_ctx *ctx, const rq_tz *tz);

/* Free the arena. `ctx` may be re-initialised afterwards. */
void rq_param_ctx_free(rq_param_ctx *ctx);

/*
 * Decode parameter number `paramno` (0-based; messages print paramno + 1)
 * of type `oid` in `format` (0 text, any other value binary, as PostgreSQL
 * treats format codes) from `data`/`len`. `len` < 0 (or data NULL) is SQL
 * NULL → RQ_PV_NULL. On success fills *out and returns RQ_OK; strings in
 * *out point into `data` or into ctx's arena, so `data` and `ctx` must
 * outlive *out. On failure returns RQ_ERR (or RQ_ENOMEM) with `err` filled
 * (severity ERROR, SQLSTATE and message as PostgreSQL 15 sends them).
 */
int rq_param_decode(rq_param_ctx *ctx, int paramno, uint32_t oid, int16_t format,
                    const uint8_t *data, int32_t len, rq_pvalue *out, rq_error *err);

/* The element type OID of array type `oid`, or 0 if it is not one of the
 * array types decoded here. */
uint32_t rq_param_array_elem(uint32_t oid);

/* PostgreSQL's format_type_be() name of `oid` ("integer", "timestamp with
 * time zone", "text[]"...), "???" for OIDs not known here. Static string. */
const char *rq_param_type_name(uint32_t oid);

/* Proleptic Gregorian calendar date of `days` since 2000-01-01 (year 0 is
 * 1 BC, -1 is 2 BC ...). Valid for any int32 day count. */
void rq_param_civil(int64_t days, int64_t *year, int *month, int *day);

#endif /* RQ_PARAMS_H */
