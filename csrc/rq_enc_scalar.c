/*
 * rq_enc_scalar.c — text / JSON writers for scalar Arrow types (see
 * rq_enc_internal.h for the writer contract).
 *
 * Output formats follow PostgreSQL 15's output functions as observed on a
 * real server: int2out/int4out/int8out, float4out/float8out (rq_float.c),
 * numeric_out (exactly `scale` fraction digits), textout, byteaout (hex),
 * uuid_out, date_out/time_out/timestamp_out/timestamptz_out/interval_out
 * (rq_datetime.c), and to_json() for the JSON forms.
 */
#include <math.h>

#include "rq_enc_internal.h"
#include "rq_float.h"

#define RQ_RESERVE(out, n)                                             \
    do {                                                               \
        if (RQ_UNLIKELY(rq_buf_reserve((out), (n)) != RQ_OK))          \
            return rq_error_nomem(err);                                \
    } while (0)

const char rq_enc_digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536"
    "37383940414243444546474849505152535455565758596061626364656667686970717273"
    "7475767778798081828384858687888990919293949596979899";

static const char rq_hex[] = "0123456789abcdef";

/* ------------------------------------------------------------------ */
/* bool, integers                                                      */
/* ------------------------------------------------------------------ */

static int t_bool(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t j = n->off + i;
    RQ_RESERVE(out, 1);
    out->data[out->len++] = ((n->data[j >> 3] >> (j & 7)) & 1) ? 't' : 'f';
    return RQ_OK;
}

static int j_bool(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t j = n->off + i;
    if ((n->data[j >> 3] >> (j & 7)) & 1) return rq_enc_put(out, "true", 4) ? rq_error_nomem(err) : RQ_OK;
    return rq_enc_put(out, "false", 5) ? rq_error_nomem(err) : RQ_OK;
}

static int t_bool8(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    RQ_RESERVE(out, 1);
    out->data[out->len++] = n->data[n->off + i] ? 't' : 'f';
    return RQ_OK;
}

static int j_bool8(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    if (n->data[n->off + i]) return rq_enc_put(out, "true", 4) ? rq_error_nomem(err) : RQ_OK;
    return rq_enc_put(out, "false", 5) ? rq_error_nomem(err) : RQ_OK;
}

int rq_enc_wide_magnitude(const uint8_t *p, int width, uint32_t limb[8], int *neg) {
    int nl = width / 4;
    memcpy(limb, p, (size_t)width);
    *neg = (int)((limb[nl - 1] >> 31) & 1);
    if (*neg) { /* two's complement negate */
        uint64_t carry = 1;
        for (int k = 0; k < nl; k++) {
            uint64_t s = (uint64_t)(uint32_t)~limb[k] + carry;
            limb[k] = (uint32_t)s;
            carry = s >> 32;
        }
    }
    while (nl > 0 && limb[nl - 1] == 0) nl--;
    return nl;
}

/* Read integer value i of an INT/UINT node widened to 64 bits. */
int64_t rq_enc_ld_sint(const rq_enc_node *n, int64_t i) {
    const uint8_t *p = n->data + (n->off + i) * n->width;
    switch (n->width) {
    case 1: return (int8_t)p[0];
    case 2: { int16_t v; memcpy(&v, p, 2); return v; }
    case 4: return rq_enc_ld_i32(p);
    default: return rq_enc_ld_i64(p);
    }
}

uint64_t rq_enc_ld_uint(const rq_enc_node *n, int64_t i) {
    const uint8_t *p = n->data + (n->off + i) * n->width;
    switch (n->width) {
    case 1: return p[0];
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

/* int64 is the hot case: specialised to a single load. */
static int t_i64(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t v = rq_enc_ld_i64(n->data + (n->off + i) * 8);
    RQ_RESERVE(out, 20);
    out->len += (size_t)rq_enc_fmt_i64((char *)out->data + out->len, v);
    return RQ_OK;
}

static int t_i32(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int32_t v = rq_enc_ld_i32(n->data + (n->off + i) * 4);
    RQ_RESERVE(out, 11);
    out->len += (size_t)rq_enc_fmt_i64((char *)out->data + out->len, v);
    return RQ_OK;
}

static int t_sint(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    RQ_RESERVE(out, 20);
    out->len += (size_t)rq_enc_fmt_i64((char *)out->data + out->len, rq_enc_ld_sint(n, i));
    return RQ_OK;
}

static int t_uint(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    RQ_RESERVE(out, 20);
    out->len += (size_t)rq_enc_fmt_u64((char *)out->data + out->len, rq_enc_ld_uint(n, i));
    return RQ_OK;
}

/* ------------------------------------------------------------------ */
/* floating point                                                      */
/* ------------------------------------------------------------------ */

/* IEEE half → float, exact (every half value is a float value). */
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else {
        /* zero or subnormal: mant * 2^-24, exact in float */
        float f = (float)mant * 0x1p-24f;
        memcpy(&bits, &f, 4);
        bits |= sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

float rq_enc_ld_f32(const rq_enc_node *n, int64_t i) {
    const uint8_t *p = n->data + (n->off + i) * n->width;
    if (n->kind == RQ_K_HALF) {
        uint16_t h;
        memcpy(&h, p, 2);
        return half_to_float(h);
    }
    float f;
    memcpy(&f, p, 4);
    return f;
}

static int t_f32(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    RQ_RESERVE(out, RQ_FLOAT_BUFSZ);
    out->len += (size_t)rq_float4_out(rq_enc_ld_f32(n, i), n->fmt->extra_float_digits,
                                      (char *)out->data + out->len);
    return RQ_OK;
}

static int t_f64(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    double v;
    memcpy(&v, n->data + (n->off + i) * 8, 8);
    RQ_RESERVE(out, RQ_FLOAT_BUFSZ);
    out->len += (size_t)rq_float8_out(v, n->fmt->extra_float_digits,
                                      (char *)out->data + out->len);
    return RQ_OK;
}

/* to_json() quotes NaN and the infinities (they are not JSON numbers). */
static int j_float(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    double v;
    if (n->kind == RQ_K_DOUBLE) memcpy(&v, n->data + (n->off + i) * 8, 8);
    else v = rq_enc_ld_f32(n, i);
    if (isfinite(v)) return n->text(n, i, out, err);
    RQ_RESERVE(out, RQ_FLOAT_BUFSZ + 2);
    out->data[out->len++] = '"';
    int rc = n->text(n, i, out, err);
    if (rc != RQ_OK) return rc;
    out->data[out->len++] = '"';
    return RQ_OK;
}

/* ------------------------------------------------------------------ */
/* decimal → numeric                                                   */
/* ------------------------------------------------------------------ */

/*
 * Magnitude of the two's-complement little-endian integer at p (width 4,
 * 8, 16 or 32 bytes) as decimal digits, written right-aligned ending at
 * `end`. Returns the digit count ("0" for zero) and sets *neg.
 */
static int dec_digits(const uint8_t *p, int width, char *end, int *neg) {
    if (width <= 8) {
        int64_t v = width == 4 ? rq_enc_ld_i32(p) : rq_enc_ld_i64(p);
        *neg = v < 0;
        uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        char tmp[20];
        int nd = rq_enc_fmt_u64(tmp, m);
        memcpy(end - nd, tmp, (size_t)nd);
        return nd;
    }
    /* 32-bit limbs so that division by 1e9 stays in 64-bit arithmetic */
    uint32_t limb[8];
    int nl = rq_enc_wide_magnitude(p, width, limb, neg);
    char *q = end;
    while (nl > 0) {
        uint64_t rem = 0;
        for (int k = nl - 1; k >= 0; k--) {
            uint64_t cur = (rem << 32) | limb[k];
            limb[k] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        while (nl > 0 && limb[nl - 1] == 0) nl--;
        /* nine digits per chunk, except the leading chunk: no zero padding */
        for (int d = 0; d < 9 && (nl > 0 || rem != 0); d++) {
            *--q = (char)('0' + rem % 10);
            rem /= 10;
        }
    }
    if (q == end) *--q = '0';
    return (int)(end - q);
}

static int t_decimal(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    char buf[96];
    int neg;
    int nd = dec_digits(n->data + (n->off + i) * n->width, n->width, buf + sizeof buf, &neg);
    const char *dg = buf + sizeof buf - nd;
    int s = n->scale;
    int zero = nd == 1 && dg[0] == '0';
    RQ_RESERVE(out, (size_t)nd + (size_t)(s < 0 ? -s : s) + 3);
    char *o = (char *)out->data + out->len;
    char *o0 = o;
    if (neg) *o++ = '-';
    if (s <= 0) {
        memcpy(o, dg, (size_t)nd);
        o += nd;
        if (!zero) { /* negative scale: the value is digits × 10^-s */
            memset(o, '0', (size_t)-s);
            o += -s;
        }
    } else if (nd <= s) {
        *o++ = '0';
        *o++ = '.';
        memset(o, '0', (size_t)(s - nd));
        o += s - nd;
        memcpy(o, dg, (size_t)nd);
        o += nd;
    } else {
        memcpy(o, dg, (size_t)(nd - s));
        o += nd - s;
        *o++ = '.';
        memcpy(o, dg + nd - s, (size_t)s);
        o += s;
    }
    out->len += (size_t)(o - o0);
    return RQ_OK;
}

/* ------------------------------------------------------------------ */
/* strings, binary, uuid, json                                         */
/* ------------------------------------------------------------------ */

int rq_enc_get_bytes(const rq_enc_node *n, int64_t i, const uint8_t **p,
                     int64_t *len, rq_error *err) {
    int64_t j = n->off + i, s, e;
    switch (n->layout) {
    case RQ_L_OFF32:
        s = rq_enc_ld_i32(n->data + j * 4);
        e = rq_enc_ld_i32(n->data + j * 4 + 4);
        break;
    case RQ_L_OFF64:
        s = rq_enc_ld_i64(n->data + j * 8);
        e = rq_enc_ld_i64(n->data + j * 8 + 8);
        break;
    case RQ_L_VIEW: {
        const uint8_t *v = n->data + j * 16;
        int32_t l = rq_enc_ld_i32(v);
        if (l <= 12) {
            if (l < 0) return rq_enc_malformed(n, err, "negative view length");
            *p = v + 4;
            *len = l;
            return RQ_OK;
        }
        int32_t bi = rq_enc_ld_i32(v + 8), o = rq_enc_ld_i32(v + 12);
        if (bi < 0 || bi >= n->nvbufs || o < 0 || (int64_t)o + l > n->vsizes[bi])
            return rq_enc_malformed(n, err, "view out of its data buffer");
        *p = n->vbufs[bi] + o;
        *len = l;
        return RQ_OK;
    }
    default: /* RQ_L_FIXED */
        *p = n->width ? n->data + j * n->width : (const uint8_t *)"";
        *len = n->width;
        return RQ_OK;
    }
    if (RQ_UNLIKELY(s < n->lo || e < s || e > n->hi))
        return rq_enc_malformed(n, err, "string offsets out of range");
    *len = e - s;
    *p = *len ? n->data2 + s : (const uint8_t *)"";
    return RQ_OK;
}

/* Length of the UTF-8 character at s if legal (as pg_utf8_islegal), else 0. */
static int utf8_legal_len(const uint8_t *s, size_t rem) {
    uint8_t c = s[0];
#define RQ_CONT(x) (((x) & 0xc0) == 0x80)
    if (c < 0xc2) return 0;
    if (c < 0xe0) return rem >= 2 && RQ_CONT(s[1]) ? 2 : 0;
    if (c < 0xf0) {
        if (rem < 3 || !RQ_CONT(s[2])) return 0;
        uint8_t lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return s[1] >= lo && s[1] <= hi ? 3 : 0;
    }
    if (c < 0xf5) {
        if (rem < 4 || !RQ_CONT(s[2]) || !RQ_CONT(s[3])) return 0;
        uint8_t lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return s[1] >= lo && s[1] <= hi ? 4 : 0;
    }
    return 0;
#undef RQ_CONT
}

/* PostgreSQL's report_invalid_encoding(): the bytes of the bad character
 * (as many as its lead byte announces, at most what remains). */
static int utf8_error(const uint8_t *s, size_t rem, rq_error *err) {
    uint8_t c = s[0];
    size_t l = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
             : (c & 0xf8) == 0xf0 ? 4 : 1;
    if (l > rem) l = rem;
    char hex[40], *h = hex;
    for (size_t k = 0; k < l; k++) {
        if (k) *h++ = ' ';
        *h++ = '0';
        *h++ = 'x';
        *h++ = rq_hex[s[k] >> 4];
        *h++ = rq_hex[s[k] & 15];
    }
    *h = '\0';
    return rq_error_set(err, RQ_SEV_ERROR, "22021",
                        "invalid byte sequence for encoding \"UTF8\": %s", hex);
}

int rq_enc_check_utf8(const uint8_t *p, size_t n, rq_error *err) {
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, p + i, 8);
            /* no byte >= 0x80 and no zero byte: plain ASCII, skip 8 */
            if (((v | ((v - ones) & ~v)) & highs) == 0) {
                i += 8;
                continue;
            }
        }
        uint8_t c = p[i];
        if (c < 0x80) {
            if (RQ_UNLIKELY(c == 0)) return utf8_error(p + i, n - i, err);
            i++;
            continue;
        }
        int l = utf8_legal_len(p + i, n - i);
        if (RQ_UNLIKELY(l == 0)) return utf8_error(p + i, n - i, err);
        i += (size_t)l;
    }
    return RQ_OK;
}

static int t_text(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    const uint8_t *p = NULL;
    int64_t len = 0;
    int rc = rq_enc_get_bytes(n, i, &p, &len, err);
    if (rc != RQ_OK) return rc;
    rc = rq_enc_check_utf8(p, (size_t)len, err);
    if (rc != RQ_OK) return rc;
    return rq_enc_put(out, p, (size_t)len) ? rq_error_nomem(err) : RQ_OK;
}

static int j_text(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    const uint8_t *p = NULL;
    int64_t len = 0;
    int rc = rq_enc_get_bytes(n, i, &p, &len, err);
    if (rc != RQ_OK) return rc;
    rc = rq_enc_check_utf8(p, (size_t)len, err);
    if (rc != RQ_OK) return rc;
    return rq_enc_json_string(out, p, (size_t)len) ? rq_error_nomem(err) : RQ_OK;
}

static void hex_bytes(uint8_t *o, const uint8_t *p, int64_t len) {
    for (int64_t k = 0; k < len; k++) {
        o[2 * k] = (uint8_t)rq_hex[p[k] >> 4];
        o[2 * k + 1] = (uint8_t)rq_hex[p[k] & 15];
    }
}

/* byteaout with bytea_output = hex: "\x" then two lowercase digits a byte. */
static int t_bytea(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    const uint8_t *p = NULL;
    int64_t len = 0;
    int rc = rq_enc_get_bytes(n, i, &p, &len, err);
    if (rc != RQ_OK) return rc;
    RQ_RESERVE(out, 2 + 2 * (size_t)len);
    out->data[out->len] = '\\';
    out->data[out->len + 1] = 'x';
    hex_bytes(out->data + out->len + 2, p, len);
    out->len += 2 + 2 * (size_t)len;
    return RQ_OK;
}

/* to_json(bytea) is the JSON string of the text: "\\x0a..." */
static int j_bytea(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    const uint8_t *p = NULL;
    int64_t len = 0;
    int rc = rq_enc_get_bytes(n, i, &p, &len, err);
    if (rc != RQ_OK) return rc;
    RQ_RESERVE(out, 5 + 2 * (size_t)len);
    memcpy(out->data + out->len, "\"\\\\x", 4);
    hex_bytes(out->data + out->len + 4, p, len);
    out->len += 4 + 2 * (size_t)len;
    out->data[out->len++] = '"';
    return RQ_OK;
}

static void uuid_fmt(uint8_t *o, const uint8_t *p) {
    for (int k = 0; k < 16; k++) {
        if (k == 4 || k == 6 || k == 8 || k == 10) *o++ = '-';
        *o++ = (uint8_t)rq_hex[p[k] >> 4];
        *o++ = (uint8_t)rq_hex[p[k] & 15];
    }
}

static int t_uuid(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    RQ_RESERVE(out, 36);
    uuid_fmt(out->data + out->len, n->data + (n->off + i) * 16);
    out->len += 36;
    return RQ_OK;
}

static int j_uuid(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    RQ_RESERVE(out, 38);
    out->data[out->len] = '"';
    uuid_fmt(out->data + out->len + 1, n->data + (n->off + i) * 16);
    out->data[out->len + 37] = '"';
    out->len += 38;
    return RQ_OK;
}

/* ------------------------------------------------------------------ */
/* JSON string escaping (PostgreSQL's escape_json)                     */
/* ------------------------------------------------------------------ */

/* Extra bytes escape_json needs for byte c (0 when copied verbatim). */
static inline size_t json_extra(uint8_t c) {
    if (c >= 0x20) return (c == '"' || c == '\\') ? 1 : 0;
    switch (c) {
    case '\b': case '\f': case '\n': case '\r': case '\t': return 1;
    default: return 5; /* \u00XX */
    }
}

/* Write the escaped form of c ending at `e` (backwards); return new end. */
static inline uint8_t *json_put_back(uint8_t *e, uint8_t c) {
    size_t x = json_extra(c);
    if (x == 0) {
        *--e = c;
    } else if (x == 1) {
        char r = c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n'
               : c == '\r' ? 'r' : c == '\t' ? 't' : (char)c;
        *--e = (uint8_t)r;
        *--e = '\\';
    } else {
        *--e = (uint8_t)rq_hex[c & 15];
        *--e = (uint8_t)rq_hex[c >> 4];
        *--e = '0';
        *--e = '0';
        *--e = 'u';
        *--e = '\\';
    }
    return e;
}

int rq_enc_json_quote_inplace(rq_buf *out, size_t start) {
    size_t n = out->len - start, extra = 0;
    for (size_t k = 0; k < n; k++) extra += json_extra(out->data[start + k]);
    if (rq_buf_reserve(out, extra + 2) != RQ_OK) return RQ_ENOMEM;
    uint8_t *s = out->data + start;
    uint8_t *e = s + n + extra + 2;
    *--e = '"';
    if (extra == 0) {
        memmove(s + 1, s, n);
    } else {
        for (size_t k = n; k-- > 0;) e = json_put_back(e, s[k]);
    }
    s[0] = '"';
    out->len += extra + 2;
    return RQ_OK;
}

int rq_enc_json_string(rq_buf *out, const uint8_t *s, size_t n) {
    size_t start = out->len;
    if (rq_buf_reserve(out, n + 2) != RQ_OK) return RQ_ENOMEM;
    if (n) memcpy(out->data + start, s, n);
    out->len += n;
    return rq_enc_json_quote_inplace(out, start);
}

/* ------------------------------------------------------------------ */
/* date / time / timestamp / interval                                  */
/* ------------------------------------------------------------------ */

/* Nanoseconds since an epoch → microseconds, rounded the way PostgreSQL's
 * input rounds a 9-digit fraction: fsec = rint(strtod(".fffffffff") * 1e6).
 * (double)frac / 1e9 is the correctly rounded quotient, i.e. exactly what
 * strtod returns for that literal. Floor-based: the fraction of a
 * timestamp's text is the non-negative part within its second. */
static int64_t ns_to_us_floor(int64_t ns) {
    int64_t sec = ns / 1000000000, frac = ns % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        sec--;
    }
    return sec * 1000000 + (int64_t)rint((double)frac / 1e9 * 1e6);
}

/* Same for a duration, whose text carries a sign and a magnitude. */
int64_t rq_enc_ns_to_us_sym(int64_t ns) {
    uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    int64_t us = (int64_t)(a / 1000000000u) * 1000000 +
                 (int64_t)rint((double)(a % 1000000000u) / 1e9 * 1e6);
    return ns < 0 ? -us : us;
}

/* v in `unit` → microseconds; 0 on overflow of int64. */
int rq_enc_to_us(int64_t v, int unit, int sym, int64_t *us) {
    switch (unit) {
    case RQ_U_SEC: return !__builtin_mul_overflow(v, (int64_t)1000000, us);
    case RQ_U_MILLI: return !__builtin_mul_overflow(v, (int64_t)1000, us);
    case RQ_U_MICRO: *us = v; return 1;
    default: *us = sym ? rq_enc_ns_to_us_sym(v) : ns_to_us_floor(v); return 1;
    }
}

int64_t rq_enc_floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int put_word(char *dst, const char *w) {
    size_t l = strlen(w);
    memcpy(dst, w, l + 1);
    return (int)l;
}

/*
 * ±infinity: PostgreSQL has infinite dates/timestamps; Arrow has none.
 * Producers that model them (DuckDB) use the extreme integers, so the
 * extreme values of the raw Arrow integer map to 'infinity'/'-infinity'.
 */
int rq_enc_infinite64(int64_t v) {
    return v == INT64_MAX ? 1 : (v == INT64_MIN || v == -INT64_MAX) ? -1 : 0;
}

int rq_enc_out_of_range(const char *what, rq_error *err) {
    return rq_error_set(err, RQ_SEV_ERROR, "22008", "%s out of range", what);
}

/*
 * Timestamps in seconds / milliseconds between 294247-01-10 (the int64
 * limit of microseconds since 1970, which rq_fmt_timestamp takes) and
 * PostgreSQL's end, 294276-12-31 23:59:59.999999: render the instant 400
 * Gregorian years earlier — the calendar (and any time zone rule that far
 * out) repeats every 400 years — then add 400 to the year in the text.
 */
static int render_far_ts(const rq_enc_node *n, int64_t v, char *dst, rq_error *err) {
    const int64_t s400 = INT64_C(146097) * 86400; /* seconds in 400 years */
    int64_t per_sec = n->unit == RQ_U_SEC ? 1 : 1000;
    int64_t max = INT64_C(9224318016000) * per_sec - 1; /* last PG instant */
    if (n->unit > RQ_U_MILLI || v < 0 || v > max) return rq_enc_out_of_range("timestamp", err);
    int64_t us = (v - s400 * per_sec) * (1000000 / per_sec);
    int l = n->has_tz ? rq_fmt_timestamptz(us, n->fmt->tz, dst, err)
                      : rq_fmt_timestamp(us, dst, err);
    if (l < 0) return l;
    int yl = 0;
    int64_t year = 0;
    while (yl < l && dst[yl] >= '0' && dst[yl] <= '9') year = year * 10 + (dst[yl++] - '0');
    char ybuf[24];
    int nl = rq_enc_fmt_i64(ybuf, year + 400);
    memmove(dst + nl, dst + yl, (size_t)(l - yl) + 1);
    memcpy(dst, ybuf, (size_t)nl);
    return l - yl + nl;
}

/* Render temporal value i as PostgreSQL text into dst (RQ_DT_BUFSZ). */
static int render_dt(const rq_enc_node *n, int64_t i, char *dst, rq_error *err) {
    const uint8_t *p = n->data + (n->off + i) * n->width;
    int64_t v, us;
    switch (n->kind) {
    case RQ_K_DATE32: {
        int32_t d = rq_enc_ld_i32(p);
        if (d == INT32_MAX) return put_word(dst, "infinity");
        if (d == INT32_MIN || d == -INT32_MAX) return put_word(dst, "-infinity");
        return rq_fmt_date(d, dst, err);
    }
    case RQ_K_DATE64:
        v = rq_enc_ld_i64(p);
        if (rq_enc_infinite64(v)) return put_word(dst, rq_enc_infinite64(v) > 0 ? "infinity" : "-infinity");
        return rq_fmt_date(rq_enc_floor_div(v, 86400000), dst, err);
    case RQ_K_TIME:
        v = n->width == 4 ? rq_enc_ld_i32(p) : rq_enc_ld_i64(p);
        if (v < 0 || !rq_enc_to_us(v, n->unit, 0, &us) || us > INT64_C(86400000000))
            return rq_enc_out_of_range("time", err);
        return rq_fmt_time(us, dst, err);
    case RQ_K_TIMESTAMP:
        v = rq_enc_ld_i64(p);
        if (rq_enc_infinite64(v)) return put_word(dst, rq_enc_infinite64(v) > 0 ? "infinity" : "-infinity");
        if (!rq_enc_to_us(v, n->unit, 0, &us)) return render_far_ts(n, v, dst, err);
        return n->has_tz ? rq_fmt_timestamptz(us, n->fmt->tz, dst, err)
                         : rq_fmt_timestamp(us, dst, err);
    case RQ_K_DURATION:
        if (!rq_enc_to_us(rq_enc_ld_i64(p), n->unit, 1, &us)) return rq_enc_out_of_range("interval", err);
        return rq_fmt_interval(0, 0, us, dst, err);
    case RQ_K_IV_MONTHS:
        return rq_fmt_interval(rq_enc_ld_i32(p), 0, 0, dst, err);
    case RQ_K_IV_DAYTIME:
        return rq_fmt_interval(0, rq_enc_ld_i32(p), (int64_t)rq_enc_ld_i32(p + 4) * 1000,
                               dst, err);
    default: /* RQ_K_IV_MDN: int32 months, int32 days, int64 nanoseconds */
        return rq_fmt_interval(rq_enc_ld_i32(p), rq_enc_ld_i32(p + 4),
                               rq_enc_ns_to_us_sym(rq_enc_ld_i64(p + 8)), dst, err);
    }
}

static int t_dt(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    RQ_RESERVE(out, RQ_DT_BUFSZ);
    int l = render_dt(n, i, (char *)out->data + out->len, err);
    if (l < 0) return l;
    out->len += (size_t)l;
    return RQ_OK;
}

/* timestamp(tz) text → to_json form: 'T' between date and time, and the
 * UTC offset always with minutes ("+03" → "+03:00"). s has room for +3. */
static int json_ts_fix(char *s, int len) {
    char *sp = memchr(s, ' ', (size_t)len);
    if (sp == NULL) return len; /* infinity */
    *sp = 'T';
    for (char *q = sp + 1; q < s + len; q++) {
        if (*q != '+' && *q != '-') continue;
        char *h = q + 3; /* just after the two hour digits */
        if (h <= s + len && (h == s + len || *h == ' ')) {
            memmove(h + 3, h, (size_t)(s + len - h));
            memcpy(h, ":00", 3);
            len += 3;
        }
        break;
    }
    return len;
}

static int j_dt(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    RQ_RESERVE(out, RQ_DT_BUFSZ + 8);
    char *dst = (char *)out->data + out->len;
    int l = render_dt(n, i, dst + 1, err);
    if (l < 0) return l;
    if (n->kind == RQ_K_TIMESTAMP) l = json_ts_fix(dst + 1, l);
    dst[0] = '"';
    dst[l + 1] = '"';
    out->len += (size_t)l + 2;
    return RQ_OK;
}

/* ------------------------------------------------------------------ */

void rq_enc_scalar_setup(rq_enc_node *n) {
    n->json = NULL;
    n->quote = 0;
    n->fixed_max = 0;
    switch (n->kind) {
    case RQ_K_NULL:
        n->text = n->json = t_bool; /* never called: every value is NULL */
        n->slow_null = 1;
        break;
    case RQ_K_BOOL:
        n->text = t_bool;
        n->json = j_bool;
        n->fixed_max = 1;
        break;
    case RQ_K_BOOL8:
        n->text = t_bool8;
        n->json = j_bool8;
        n->fixed_max = 1;
        break;
    case RQ_K_INT:
        n->text = n->width == 8 ? t_i64 : n->width == 4 ? t_i32 : t_sint;
        n->fixed_max = 20;
        break;
    case RQ_K_UINT:
        n->text = t_uint;
        n->fixed_max = 20;
        break;
    case RQ_K_HALF:
    case RQ_K_FLOAT:
    case RQ_K_DOUBLE:
        n->text = n->kind == RQ_K_DOUBLE ? t_f64 : t_f32;
        n->json = j_float;
        n->fixed_max = RQ_FLOAT_BUFSZ;
        break;
    case RQ_K_DECIMAL:
        n->text = t_decimal;
        break;
    case RQ_K_BYTES:
        switch (n->sem) {
        case RQ_SEM_BYTEA: n->text = t_bytea; n->json = j_bytea; n->quote = 1; break;
        case RQ_SEM_UUID: n->text = t_uuid; n->json = j_uuid; n->fixed_max = 36; break;
        case RQ_SEM_JSON: n->text = n->json = t_text; n->quote = 1; break;
        default: n->text = t_text; n->json = j_text; n->quote = 1; break;
        }
        break;
    default: /* temporal kinds */
        n->text = t_dt;
        n->json = j_dt;
        /* time text never needs quoting; dates can end in " BC" */
        n->quote = n->kind != RQ_K_TIME;
        n->fixed_max = RQ_DT_BUFSZ;
        break;
    }
    if (n->json == NULL) n->json = n->text; /* numbers: same text */
}
