/*
 * rq_enc_binary.c — binary result format (format code 1) for scalar types,
 * as PostgreSQL 15's typsend functions write them: big-endian integers and
 * IEEE floats (int2send ... float8send), boolsend (one byte 0/1), textsend
 * and json_send (the UTF-8 text), byteasend (raw bytes), uuid_send (16
 * bytes), date_send (int32 days since 2000-01-01), time_send (int64 µs),
 * timestamp_send / timestamptz_send (int64 µs since 2000-01-01 00:00 UTC)
 * interval_send (int64 µs, int32 days, int32 months) and numeric_send
 * (below). Arrays (array_send) are written by rq_enc_nested.c; json from
 * structs and maps is its text.
 */
#include "rq_enc_internal.h"

#define RQ_RESERVE(out, n)                                             \
    do {                                                               \
        if (RQ_UNLIKELY(rq_buf_reserve((out), (n)) != RQ_OK))          \
            return rq_error_nomem(err);                                \
    } while (0)

/* PostgreSQL epoch (2000-01-01) minus the Unix epoch. */
#define RQ_PG_EPOCH_DAYS 10957
#define RQ_PG_EPOCH_SECS INT64_C(946684800)
/* Valid PostgreSQL dates / timestamps (in the PostgreSQL epoch): Julian day
 * 0 (4714-11-24 BC) up to, excluding, 5874898-01-01 / 294277-01-01. */
#define RQ_PG_DATE_MIN (-2451545)
#define RQ_PG_DATE_END (2147483494 - 2451545)
#define RQ_PG_TS_MIN INT64_C(-211813488000000000)
#define RQ_PG_TS_END INT64_C(9223371331200000000)

static void put_be(rq_buf *out, uint64_t v, int nbytes) {
    for (int k = nbytes - 1; k >= 0; k--) out->data[out->len++] = (uint8_t)(v >> (8 * k));
}

/* int2/int4/int8 of the mapped width (pg typlen) */
static int b_int(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t v = n->kind == RQ_K_INT ? rq_enc_ld_sint(n, i) : (int64_t)rq_enc_ld_uint(n, i);
    RQ_RESERVE(out, 8);
    put_be(out, (uint64_t)v, n->typlen);
    return RQ_OK;
}

static int b_bool(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t j = n->off + i;
    RQ_RESERVE(out, 1);
    out->data[out->len++] = (uint8_t)((n->data[j >> 3] >> (j & 7)) & 1);
    return RQ_OK;
}

static int b_bool8(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    RQ_RESERVE(out, 1);
    out->data[out->len++] = n->data[n->off + i] ? 1 : 0;
    return RQ_OK;
}

static int b_f32(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    float f = rq_enc_ld_f32(n, i);
    uint32_t bits;
    memcpy(&bits, &f, 4);
    RQ_RESERVE(out, 4);
    put_be(out, bits, 4);
    return RQ_OK;
}

static int b_f64(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    uint64_t bits;
    memcpy(&bits, n->data + (n->off + i) * 8, 8);
    RQ_RESERVE(out, 8);
    put_be(out, bits, 8);
    return RQ_OK;
}

/* text, json: the (validated) UTF-8 bytes; bytea, uuid: raw bytes */
static int b_bytes(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    const uint8_t *p = NULL;
    int64_t len = 0;
    int rc = rq_enc_get_bytes(n, i, &p, &len, err);
    if (rc != RQ_OK) return rc;
    if (n->sem == RQ_SEM_TEXT || n->sem == RQ_SEM_JSON) {
        rc = rq_enc_check_utf8(p, (size_t)len, err);
        if (rc != RQ_OK) return rc;
    }
    return rq_enc_put(out, p, (size_t)len) ? rq_error_nomem(err) : RQ_OK;
}

static int b_date(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    const uint8_t *p = n->data + (n->off + i) * n->width;
    int64_t days;
    int inf = 0;
    if (n->kind == RQ_K_DATE32) {
        int32_t d = rq_enc_ld_i32(p);
        inf = d == INT32_MAX ? 1 : (d == INT32_MIN || d == -INT32_MAX) ? -1 : 0;
        days = d;
    } else {
        int64_t ms = rq_enc_ld_i64(p);
        inf = rq_enc_infinite64(ms);
        days = rq_enc_floor_div(ms, 86400000);
    }
    int64_t pg = inf > 0 ? INT32_MAX : inf < 0 ? INT32_MIN : days - RQ_PG_EPOCH_DAYS;
    if (!inf && (pg < RQ_PG_DATE_MIN || pg >= RQ_PG_DATE_END)) return rq_enc_out_of_range("date", err);
    RQ_RESERVE(out, 4);
    put_be(out, (uint64_t)pg, 4);
    return RQ_OK;
}

static int b_time(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    const uint8_t *p = n->data + (n->off + i) * n->width;
    int64_t v = n->width == 4 ? rq_enc_ld_i32(p) : rq_enc_ld_i64(p), us;
    if (v < 0 || !rq_enc_to_us(v, n->unit, 0, &us) || us > INT64_C(86400000000))
        return rq_enc_out_of_range("time", err);
    RQ_RESERVE(out, 8);
    put_be(out, (uint64_t)us, 8);
    return RQ_OK;
}

/* timestamp and timestamptz: the same UTC-based microsecond count. */
static int b_timestamp(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    static const int64_t per_sec[4] = {1, 1000, 1000000, 1000000000};
    int64_t v = rq_enc_ld_i64(n->data + (n->off + i) * 8), w, pg;
    int inf = rq_enc_infinite64(v);
    if (inf) {
        pg = inf > 0 ? INT64_MAX : INT64_MIN;
    } else if (n->unit >= RQ_U_MICRO) {
        /* µs / ns: convert first (ns rounding is relative to the Unix
         * epoch, and shifting ns near INT64_MIN would overflow) */
        if (!rq_enc_to_us(v, n->unit, 0, &w) ||
            __builtin_sub_overflow(w, RQ_PG_EPOCH_SECS * 1000000, &pg) ||
            pg < RQ_PG_TS_MIN || pg >= RQ_PG_TS_END)
            return rq_enc_out_of_range("timestamp", err);
    } else {
        /* s / ms: shift epochs in the source unit first: the far end of
         * PostgreSQL's range does not fit int64 Unix microseconds */
        if (__builtin_sub_overflow(v, RQ_PG_EPOCH_SECS * per_sec[n->unit], &w) ||
            !rq_enc_to_us(w, n->unit, 0, &pg) || pg < RQ_PG_TS_MIN || pg >= RQ_PG_TS_END)
            return rq_enc_out_of_range("timestamp", err);
    }
    RQ_RESERVE(out, 8);
    put_be(out, (uint64_t)pg, 8);
    return RQ_OK;
}

/* ------------------------------------------------------------------ */
/* numeric                                                             */
/* ------------------------------------------------------------------ */

/*
 * numeric_send: int16 ndigits, int16 weight, int16 sign (0 or 0x4000),
 * int16 dscale, then ndigits base-10000 digits, most significant first.
 * As PostgreSQL stores a numeric, leading and trailing zero digits are
 * dropped and zero is {0 digits, weight 0, positive}. `weight` is the
 * power of 10000 of the first digit; dscale is the column's scale
 * (apply_typmod rounds to it, never below 0).
 *
 * A decimal is m × 10^-scale. Base-10000 digits must line up with the
 * decimal point, so m's lowest group holds its r = scale mod 4 lowest
 * decimal digits (shifted up by 4 - r places), then plain groups of 4
 * follow; that lowest group's power of 10000 is floor(-scale / 4).
 */
#define RQ_NUM_MAXGROUPS 24 /* 77 decimal digits → at most 21 groups */

static const uint32_t rq_pow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000,
                                     10000000, 100000000};

/* Groups of m (least significant first) for alignment r; returns count. */
static int groups_u64(uint64_t m, int r, uint16_t *g) {
    int ng = 0;
    if (m == 0) return 0;
    if (r) {
        g[ng++] = (uint16_t)((m % rq_pow10[r]) * rq_pow10[4 - r]);
        m /= rq_pow10[r];
    }
    while (m) {
        g[ng++] = (uint16_t)(m % 10000);
        m /= 10000;
    }
    return ng;
}

/* limb[0..*nl) /= d (little-endian 32-bit limbs); returns the remainder
 * and drops high zero limbs. */
static uint32_t limbs_divmod(uint32_t *limb, int *nl, uint32_t d) {
    uint64_t rem = 0;
    for (int k = *nl - 1; k >= 0; k--) {
        uint64_t cur = (rem << 32) | limb[k];
        limb[k] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    while (*nl > 0 && limb[*nl - 1] == 0) (*nl)--;
    return (uint32_t)rem;
}

/* Groups of the magnitude of the 16/32-byte two's complement at p. */
static int groups_wide(const uint8_t *p, int width, int r, uint16_t *g, int *neg) {
    uint32_t limb[8];
    int nl = rq_enc_wide_magnitude(p, width, limb, neg);
    if (nl <= 2) {
        uint64_t m = nl == 0 ? 0 : nl == 1 ? limb[0] : ((uint64_t)limb[1] << 32) | limb[0];
        return groups_u64(m, r, g);
    }
    int ng = 0;
    if (r) g[ng++] = (uint16_t)(limbs_divmod(limb, &nl, rq_pow10[r]) * rq_pow10[4 - r]);
    while (nl > 0) { /* two groups per division */
        uint32_t rem = limbs_divmod(limb, &nl, 100000000u);
        g[ng++] = (uint16_t)(rem % 10000);
        g[ng++] = (uint16_t)(rem / 10000);
    }
    while (ng > 0 && g[ng - 1] == 0) ng--;
    return ng;
}

/* Write numeric_send of groups g[0..ng) (least significant first, top
 * group non-zero), lowest group at power w0 of 10000. */
static int put_numeric(rq_buf *out, const uint16_t *g, int ng, int w0, int neg,
                       int scale, rq_error *err) {
    int lo = 0;
    while (lo < ng && g[lo] == 0) lo++; /* trailing zero digits */
    int nd = ng - lo;
    int weight = nd ? w0 + ng - 1 : 0;
    RQ_RESERVE(out, 8 + 2 * (size_t)nd);
    put_be(out, (uint32_t)nd, 2);
    put_be(out, (uint32_t)weight, 2);
    put_be(out, nd && neg ? 0x4000 : 0, 2);
    put_be(out, (uint32_t)(scale > 0 ? scale : 0), 2);
    for (int k = ng - 1; k >= lo; k--) put_be(out, g[k], 2);
    return RQ_OK;
}

static int b_decimal(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    const uint8_t *p = n->data + (n->off + i) * n->width;
    int s = n->scale;
    int r = ((s % 4) + 4) % 4; /* scale mod 4, also for negative scales */
    uint16_t g[RQ_NUM_MAXGROUPS];
    int ng, neg;
    if (n->width <= 8) {
        int64_t v = n->width == 4 ? rq_enc_ld_i32(p) : rq_enc_ld_i64(p);
        neg = v < 0;
        ng = groups_u64(neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, r, g);
    } else {
        ng = groups_wide(p, n->width, r, g, &neg);
    }
    return put_numeric(out, g, ng, (int)rq_enc_floor_div(-s, 4), neg, s, err);
}

/* uint64 → numeric (scale 0) */
static int b_u64_numeric(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    uint16_t g[RQ_NUM_MAXGROUPS];
    int ng = groups_u64(rq_enc_ld_uint(n, i), 0, g);
    return put_numeric(out, g, ng, 0, 0, 0, err);
}

/* ------------------------------------------------------------------ */
/* interval                                                            */
/* ------------------------------------------------------------------ */

static int b_interval(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    const uint8_t *p = n->data + (n->off + i) * n->width;
    int64_t us = 0;
    int32_t days = 0, months = 0;
    switch (n->kind) {
    case RQ_K_DURATION:
        if (!rq_enc_to_us(rq_enc_ld_i64(p), n->unit, 1, &us)) return rq_enc_out_of_range("interval", err);
        break;
    case RQ_K_IV_MONTHS:
        months = rq_enc_ld_i32(p);
        break;
    case RQ_K_IV_DAYTIME:
        days = rq_enc_ld_i32(p);
        us = (int64_t)rq_enc_ld_i32(p + 4) * 1000;
        break;
    default: /* RQ_K_IV_MDN */
        months = rq_enc_ld_i32(p);
        days = rq_enc_ld_i32(p + 4);
        us = rq_enc_ns_to_us_sym(rq_enc_ld_i64(p + 8));
        break;
    }
    RQ_RESERVE(out, 16);
    put_be(out, (uint64_t)us, 8);
    put_be(out, (uint32_t)days, 4);
    put_be(out, (uint32_t)months, 4);
    return RQ_OK;
}

void rq_enc_binary_setup(rq_enc_node *n) {
    if (n->text_only) {
        n->bin = NULL;
        return;
    }
    switch (n->kind) {
    case RQ_K_NULL: n->bin = n->text; break; /* never called: all NULL */
    case RQ_K_BOOL: n->bin = b_bool; break;
    case RQ_K_BOOL8: n->bin = b_bool8; break;
    case RQ_K_INT: n->bin = b_int; break;
    case RQ_K_UINT: n->bin = n->oid == RQ_OID_NUMERIC ? b_u64_numeric : b_int; break;
    case RQ_K_DECIMAL: n->bin = b_decimal; break;
    case RQ_K_HALF:
    case RQ_K_FLOAT: n->bin = b_f32; break;
    case RQ_K_DOUBLE: n->bin = b_f64; break;
    case RQ_K_BYTES: n->bin = b_bytes; break;
    case RQ_K_DATE32:
    case RQ_K_DATE64: n->bin = b_date; break;
    case RQ_K_TIME: n->bin = b_time; break;
    case RQ_K_TIMESTAMP: n->bin = b_timestamp; break;
    case RQ_K_DURATION:
    case RQ_K_IV_MONTHS:
    case RQ_K_IV_DAYTIME:
    case RQ_K_IV_MDN: n->bin = b_interval; break;
    default: n->bin = NULL; break; /* nested kinds: rq_enc_nested.c */
    }
}
