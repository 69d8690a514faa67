/*
 * rq_params.c — typed decoding of Bind parameters (see rq_params.h).
 *
 * Layout of this file:
 *   1. arena, errors, UTF-8 validation
 *   2. text input of scalar types (bool, integers, oid, floats, numeric,
 *      uuid, bytea, name, json)
 *   3. date/time text input (tokenizer + field decoder), interval input
 *   4. binary receive of every type, binary arrays
 *   5. text arrays
 *   6. dispatch: rq_param_decode()
 *
 * Behaviour (accepted syntax, SQLSTATEs, message wording) was established
 * by sending the same bytes to a PostgreSQL 15 server; tests/c/test_params.c
 * and tests/test_params.py hold those observations as vectors.
 */
#include "rq_params.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rq_buf.h"
#include "rq_float.h"

/* ---- type OIDs ---- */
enum {
    OID_BOOL = 16, OID_BYTEA = 17, OID_NAME = 19, OID_INT8 = 20, OID_INT2 = 21,
    OID_INT4 = 23, OID_TEXT = 25, OID_OID = 26, OID_JSON = 114, OID_FLOAT4 = 700,
    OID_FLOAT8 = 701, OID_UNKNOWN = 705, OID_BPCHAR = 1042, OID_VARCHAR = 1043,
    OID_DATE = 1082, OID_TIME = 1083, OID_TIMESTAMP = 1114, OID_TIMESTAMPTZ = 1184,
    OID_INTERVAL = 1186, OID_TIMETZ = 1266, OID_NUMERIC = 1700, OID_UUID = 2950,
    OID_JSONB = 3802
};

typedef struct type_info {
    uint32_t oid;
    uint32_t array_oid;
    const char *name;       /* format_type_be() */
    const char *array_name; /* format_type_be() of the array type */
} type_info;

static const type_info TYPES[] = {
    {OID_BOOL, 1000, "boolean", "boolean[]"},
    {OID_BYTEA, 1001, "bytea", "bytea[]"},
    {OID_NAME, 1003, "name", "name[]"},
    {OID_INT8, 1016, "bigint", "bigint[]"},
    {OID_INT2, 1005, "smallint", "smallint[]"},
    {OID_INT4, 1007, "integer", "integer[]"},
    {OID_TEXT, 1009, "text", "text[]"},
    {OID_OID, 1028, "oid", "oid[]"},
    {OID_JSON, 199, "json", "json[]"},
    {OID_FLOAT4, 1021, "real", "real[]"},
    {OID_FLOAT8, 1022, "double precision", "double precision[]"},
    {OID_UNKNOWN, 0, "unknown", NULL},
    {OID_BPCHAR, 1014, "character", "character[]"},
    {OID_VARCHAR, 1015, "character varying", "character varying[]"},
    {OID_DATE, 1182, "date", "date[]"},
    {OID_TIME, 1183, "time without time zone", "time without time zone[]"},
    {OID_TIMESTAMP, 1115, "timestamp without time zone", "timestamp without time zone[]"},
    {OID_TIMESTAMPTZ, 1185, "timestamp with time zone", "timestamp with time zone[]"},
    {OID_INTERVAL, 1187, "interval", "interval[]"},
    {OID_TIMETZ, 1270, "time with time zone", "time with time zone[]"},
    {OID_NUMERIC, 1231, "numeric", "numeric[]"},
    {OID_UUID, 2951, "uuid", "uuid[]"},
    {OID_JSONB, 3807, "jsonb", "jsonb[]"},
};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])

uint32_t rq_param_array_elem(uint32_t oid) {
    for (size_t i = 0; i < NTYPES; i++)
        if (TYPES[i].array_oid == oid && oid != 0) return TYPES[i].oid;
    return 0;
}

const char *rq_param_type_name(uint32_t oid) {
    for (size_t i = 0; i < NTYPES; i++) {
        if (TYPES[i].oid == oid) return TYPES[i].name;
        if (TYPES[i].array_oid == oid && oid != 0) return TYPES[i].array_name;
    }
    return "???";
}

/* ======================================================================
 * 1. arena, errors, UTF-8
 * ====================================================================== */

struct rq_param_chunk {
    struct rq_param_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

#define CHUNK_MIN 8192

/* n bytes, max_align_t aligned, owned by ctx; NULL on OOM. */
static void *arena_alloc(rq_param_ctx *ctx, size_t n) {
    const size_t al = sizeof(max_align_t);
    n = (n + al - 1) / al * al;
    if (n == 0) n = al;
    struct rq_param_chunk *c = ctx->chunks;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (cap > SIZE_MAX - sizeof *c) return NULL;
        c = malloc(sizeof *c + cap);
        if (c == NULL) return NULL;
        c->used = 0;
        c->cap = cap;
        /* A big one-off block goes behind the current chunk so the current
         * chunk's free space stays usable for small strings. */
        if (ctx->chunks != NULL && cap > CHUNK_MIN) {
            c->next = ctx->chunks->next;
            ctx->chunks->next = c;
        } else {
            c->next = ctx->chunks;
            ctx->chunks = c;
        }
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

/* NUL-terminated copy of p[0..n) in the arena. */
static char *arena_strndup(rq_param_ctx *ctx, const char *p, size_t n) {
    char *s = arena_alloc(ctx, n + 1);
    if (s == NULL) return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

void rq_param_ctx_init(rq_param_ctx *ctx, const rq_tz *tz) {
    struct timespec ts;
    ctx->tz = tz;
    ctx->chunks = NULL;
    ctx->now_usec = 0;
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
        ctx->now_usec = ((int64_t)ts.tv_sec - 946684800) * 1000000 + ts.tv_nsec / 1000;
}

void rq_param_ctx_free(rq_param_ctx *ctx) {
    struct rq_param_chunk *c = ctx->chunks;
    while (c != NULL) {
        struct rq_param_chunk *next = c->next;
        free(c);
        c = next;
    }
    ctx->chunks = NULL;
}

static int nomem(rq_error *err) { return rq_error_nomem(err); }

static int fail(rq_error *err, const char *state, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int fail(rq_error *err, const char *state, const char *fmt, ...) {
    char msg[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rq_error_set(err, RQ_SEV_ERROR, state, "%s", msg);
}

/* 22P02 invalid input syntax for type T: "s" */
static int bad_syntax(rq_error *err, const char *type, const char *s) {
    return fail(err, "22P02", "invalid input syntax for type %s: \"%s\"", type, s);
}

static int out_of_range(rq_error *err, const char *type, const char *s) {
    return fail(err, "22003", "value \"%s\" is out of range for type %s", s, type);
}

static int insufficient(rq_error *err) {
    return fail(err, "08P01", "insufficient data left in message");
}

static void set_detail(rq_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void set_detail(rq_error *err, const char *fmt, ...) {
    if (err == NULL) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
}

/* pg_utf_mblen(): the sequence length announced by a lead byte. */
static int utf8_seqlen(uint8_t c) {
    if (c < 0x80) return 1;
    if ((c & 0xe0) == 0xc0) return 2;
    if ((c & 0xf0) == 0xe0) return 3;
    if ((c & 0xf8) == 0xf0) return 4;
    return 1;
}

/* Is p[0..n) (n = utf8_seqlen(p[0])) a legal, non-NUL UTF-8 character?
 * Overlong forms, surrogates and code points above U+10FFFF are not. */
static bool utf8_legal(const uint8_t *p, int n) {
    uint8_t c = p[0];
    if (c == 0) return false;
    if (n == 1) return c < 0x80;
    if (c < 0xc2 || c > 0xf4) return false;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c == 0xe0) lo = 0xa0;
    else if (c == 0xed) hi = 0x9f;
    else if (c == 0xf0) lo = 0x90;
    else if (c == 0xf4) hi = 0x8f;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf) return false;
    return true;
}

/* Validate p[0..n) as UTF-8 without NUL; 22021 naming the bad bytes as
 * PostgreSQL does ("0xc3 0x28": the announced length, cut at the end). */
static int check_utf8(const uint8_t *p, size_t n, rq_error *err) {
    size_t i = 0;
    while (i < n) {
        if (p[i] >= 0x01 && p[i] < 0x80) { /* ASCII fast path */
            i++;
            continue;
        }
        int l = utf8_seqlen(p[i]);
        if ((size_t)l <= n - i && utf8_legal(p + i, l)) {
            i += (size_t)l;
            continue;
        }
        char bytes[64] = "";
        size_t lim = n - i < (size_t)l ? n - i : (size_t)l, off = 0;
        for (size_t j = 0; j < lim; j++)
            off += (size_t)snprintf(bytes + off, sizeof bytes - off, "%s0x%02x", j ? " " : "", p[i + j]);
        return fail(err, "22021", "invalid byte sequence for encoding \"UTF8\": %s", bytes);
    }
    return RQ_OK;
}

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void set_str(rq_pvalue *out, rq_pv_kind kind, const char *p, size_t n) {
    out->kind = kind;
    out->u.s.p = p;
    out->u.s.len = n;
}

/* ======================================================================
 * 2. scalar text input
 * ====================================================================== */

/* boolin: trimmed, case-insensitive prefixes of true/false/yes/no, on/off
 * (at least "on"/"of"), 1/0. */
static int text_bool(const char *s, rq_pvalue *out, rq_error *err) {
    const char *b = s, *e = s + strlen(s);
    while (b < e && is_space(*b)) b++;
    while (e > b && is_space(e[-1])) e--;
    size_t n = (size_t)(e - b);
    static const struct { const char *word; size_t min; int val; } W[] = {
        {"true", 1, 1}, {"false", 1, 0}, {"yes", 1, 1}, {"no", 1, 0},
        {"on", 2, 1}, {"off", 2, 0}, {"1", 1, 1}, {"0", 1, 0},
    };
    for (size_t i = 0; n > 0 && i < sizeof W / sizeof W[0]; i++) {
        if (n >= W[i].min && n <= strlen(W[i].word) && strncasecmp(b, W[i].word, n) == 0) {
            out->kind = RQ_PV_BOOL;
            out->u.b = W[i].val;
            return RQ_OK;
        }
    }
    return bad_syntax(err, "boolean", s);
}

/* pg_strtoint16/32/64: spaces, sign, decimal digits, spaces. */
static int text_int(const char *s, int bits, const char *type, rq_pvalue *out, rq_error *err) {
    const char *p = s;
    bool neg = false;
    uint64_t lim = bits == 16 ? 32767u : bits == 32 ? 2147483647u : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    while (is_space(*p)) p++;
    if (*p == '-' || *p == '+') neg = *p++ == '-';
    if (!isdigit((unsigned char)*p)) return bad_syntax(err, type, s);
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (lim + neg - d) / 10) return out_of_range(err, type, s);
        v = v * 10 + d;
    }
    while (is_space(*p)) p++;
    if (*p != '\0') return bad_syntax(err, type, s);
    out->kind = RQ_PV_INT;
    out->u.i = neg ? (int64_t)(0 - v) : (int64_t)v;
    return RQ_OK;
}

/* oidin: strtoul semantics in base 10 (a leading '-' wraps: "-1" is
 * 4294967295), values that fit neither uint32 nor int32 are out of range. */
static int text_oid(const char *s, rq_pvalue *out, rq_error *err) {
    char *end;
    if (*s == '\0') return bad_syntax(err, "oid", s);
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return bad_syntax(err, "oid", s);
    if (errno == ERANGE) return out_of_range(err, "oid", s);
    while (is_space(*end)) end++;
    if (*end != '\0') return bad_syntax(err, "oid", s);
    if (v != (uint32_t)v && v != (unsigned long long)(long long)(int32_t)(uint32_t)v)
        return out_of_range(err, "oid", s);
    out->kind = RQ_PV_INT;
    out->u.i = (int64_t)(uint32_t)v;
    return RQ_OK;
}

/* float4in/float8in: strtof/strtod after leading spaces; NaN/Infinity
 * spellings strtod knows; ERANGE to 0 or ±HUGE is out of range (denormals
 * are fine); trailing spaces. float4 is stored as the double nearest to its
 * shortest round-trip text. */
static int text_float(const char *s, bool is4, rq_pvalue *out, rq_error *err) {
    const char *type = is4 ? "real" : "double precision";
    const char *num = s;
    char *end;
    double v;
    while (is_space(*num)) num++;
    if (*num == '\0') return bad_syntax(err, type, s);
    errno = 0;
    if (is4) {
        float f = strtof(num, &end);
        v = f;
        if (end != num && errno == ERANGE && (f == 0.0f || isinf(f)))
            return fail(err, "22003", "\"%.*s\" is out of range for type real", (int)(end - num), num);
    } else {
        v = strtod(num, &end);
        if (end != num && errno == ERANGE && (v == 0.0 || isinf(v)))
            return fail(err, "22003", "\"%.*s\" is out of range for type double precision",
                        (int)(end - num), num);
    }
    if (end == num) return bad_syntax(err, type, s);
    while (is_space(*end)) end++;
    if (*end != '\0') return bad_syntax(err, type, s);
    if (is4 && isfinite(v)) {
        char buf[RQ_FLOAT_BUFSZ];
        rq_float4_out((float)v, 1, buf);
        v = strtod(buf, NULL);
    }
    out->kind = RQ_PV_FLOAT;
    out->u.f = v;
    return RQ_OK;
}

/* ---- numeric ----
 * A parsed numeric: `dig` holds significant decimal digits (no leading
 * zeros; empty for zero), value = 0.dig × 10^point, shown with `dscale`
 * fractional digits. */
typedef struct num_parts {
    bool neg;
    const char *dig;
    size_t ndig;
    int64_t point;
    int64_t dscale;
} num_parts;

#define NUMERIC_DSCALE_MAX 16383
#define NUMERIC_DIGITS_MAX 131072 /* decimal digits before the point */

/* Canonical text of `n` into the arena: numeric_out's plain form while the
 * parameter's expansion budget lasts (ctx->budget: 1e131071 is 8 bytes of
 * input and 131072 digits of output), else the same number as
 * "<digits>E<exp>" — with exponent -dscale for fractions, which Python's
 * Decimal reads as the very same value and exponent; integers with many
 * trailing zeros keep a positive exponent ("1E+131071"). */
static int numeric_emit(rq_param_ctx *ctx, const num_parts *n, rq_pvalue *out, rq_error *err) {
    bool zero = n->ndig == 0;
    int64_t point = zero ? 0 : n->point;
    int64_t ipart = point > 0 ? point : 1;
    int64_t plain = (n->neg && !zero) + ipart + (n->dscale ? n->dscale + 1 : 0);
    char *s;
    size_t k = 0;
    if ((uint64_t)plain <= ctx->budget) {
        ctx->budget -= (size_t)plain;
        s = arena_alloc(ctx, (size_t)plain + 1);
        if (s == NULL) return nomem(err);
        if (n->neg && !zero) s[k++] = '-';
        if (point <= 0) s[k++] = '0';
        for (int64_t i = 0; i < point; i++) s[k++] = (size_t)i < n->ndig ? n->dig[i] : '0';
        if (n->dscale > 0) {
            s[k++] = '.';
            for (int64_t j = 0; j < n->dscale; j++) {
                int64_t i = point + j;
                s[k++] = (i >= 0 && (size_t)i < n->ndig) ? n->dig[i] : '0';
            }
        }
    } else {
        /* coefficient: digits down to the last displayed position */
        int64_t keep = n->point + n->dscale;
        if (keep > (int64_t)n->ndig) keep = (int64_t)n->ndig;
        if (keep < 0) keep = 0;
        int64_t exp = n->point - keep;
        if (keep == 0) exp = -n->dscale;
        s = arena_alloc(ctx, (size_t)keep + 32);
        if (s == NULL) return nomem(err);
        if (n->neg && keep > 0) s[k++] = '-';
        if (keep == 0) s[k++] = '0';
        memcpy(s + k, n->dig, (size_t)keep);
        k += (size_t)keep;
        k += (size_t)snprintf(s + k, 32, "E%+lld", (long long)exp);
    }
    s[k] = '\0';
    set_str(out, RQ_PV_NUMERIC, s, k);
    return RQ_OK;
}

/* Range checks of make_result(): display scale and weight. */
static int numeric_check(const num_parts *n, rq_error *err) {
    if (n->dscale > NUMERIC_DSCALE_MAX || (n->ndig > 0 && n->point > NUMERIC_DIGITS_MAX))
        return fail(err, "22003", "value overflows numeric format");
    return RQ_OK;
}

static int numeric_special(const char *p, rq_pvalue *out, const char **rest) {
    static const struct { const char *w; const char *v; } S[] = {
        {"NaN", "NaN"}, {"Infinity", "Infinity"}, {"+Infinity", "Infinity"},
        {"-Infinity", "-Infinity"}, {"inf", "Infinity"}, {"+inf", "Infinity"},
        {"-inf", "-Infinity"},
    };
    for (size_t i = 0; i < sizeof S / sizeof S[0]; i++) {
        size_t l = strlen(S[i].w);
        if (strncasecmp(p, S[i].w, l) == 0) {
            set_str(out, RQ_PV_NUMERIC, S[i].v, strlen(S[i].v));
            *rest = p + l;
            return 1;
        }
    }
    return 0;
}

/* numeric_in */
static int text_numeric(rq_param_ctx *ctx, const char *s, rq_pvalue *out, rq_error *err) {
    const char *p = s, *rest;
    while (is_space(*p)) p++;
    if (numeric_special(p, out, &rest)) {
        while (is_space(*rest)) rest++;
        return *rest ? bad_syntax(err, "numeric", s) : RQ_OK;
    }
    num_parts n = {0};
    if (*p == '+' || *p == '-') n.neg = *p++ == '-';
    size_t len = strlen(p);
    char *dig = arena_alloc(ctx, len + 1);
    if (dig == NULL) return nomem(err);
    bool dp = false;
    int64_t before = 0; /* significant digits before the point */
    if (*p == '.') { dp = true; p++; }
    if (!isdigit((unsigned char)*p)) return bad_syntax(err, "numeric", s);
    for (;; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n.ndig == 0 && *p == '0') { /* leading zero */
                if (dp) { n.dscale++; before--; }
                continue;
            }
            dig[n.ndig++] = *p;
            if (dp) n.dscale++; else before++;
        } else if (*p == '.') {
            if (dp) return bad_syntax(err, "numeric", s);
            dp = true;
        } else {
            break;
        }
    }
    n.point = before;
    if (*p == 'e' || *p == 'E') {
        char *end;
        errno = 0;
        long e = strtol(p + 1, &end, 10);
        if (end == p + 1) return bad_syntax(err, "numeric", s);
        p = end;
        if (e >= INT_MAX / 2 || e <= -(INT_MAX / 2))
            return fail(err, "22003", "value overflows numeric format");
        n.point += e;
        n.dscale -= e;
        if (n.dscale < 0) n.dscale = 0;
    }
    while (is_space(*p)) p++;
    if (*p != '\0') return bad_syntax(err, "numeric", s);
    /* strip trailing zeros of the significand (they are implied by point) */
    while (n.ndig > 0 && dig[n.ndig - 1] == '0') n.ndig--;
    n.dig = dig;
    if (n.ndig == 0) n.neg = false;
    if (numeric_check(&n, err) != RQ_OK) return RQ_ERR;
    return numeric_emit(ctx, &n, out, err);
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* uuid_in: 32 hex digits, an optional '-' after any group of four,
 * optionally in braces; nothing else (no spaces). */
static int text_uuid(const char *s, rq_pvalue *out, rq_error *err) {
    const char *p = s;
    bool braces = *p == '{';
    if (braces) p++;
    for (int i = 0; i < 16; i++) {
        int h = hexval((unsigned char)p[0]), l = h < 0 ? -1 : hexval((unsigned char)p[1]);
        if (h < 0 || l < 0) return bad_syntax(err, "uuid", s);
        out->u.uuid[i] = (uint8_t)(h << 4 | l);
        p += 2;
        if (*p == '-' && i % 2 == 1 && i < 15) p++;
    }
    if (braces && *p++ != '}') return bad_syntax(err, "uuid", s);
    if (*p != '\0') return bad_syntax(err, "uuid", s);
    out->kind = RQ_PV_UUID;
    return RQ_OK;
}

/* byteain: "\x" hex (spaces between pairs allowed) or escape format. */
static int text_bytea(rq_param_ctx *ctx, const char *s, rq_pvalue *out, rq_error *err) {
    size_t n = strlen(s), k = 0;
    uint8_t *b = arena_alloc(ctx, n + 1);
    if (b == NULL) return nomem(err);
    if (s[0] == '\\' && s[1] == 'x') {
        for (const char *p = s + 2; *p;) {
            if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') { p++; continue; }
            int h = hexval((unsigned char)*p);
            if (h < 0)
                return fail(err, "22023", "invalid hexadecimal digit: \"%.*s\"",
                            utf8_seqlen((uint8_t)*p), p);
            if (p[1] == '\0') return fail(err, "22023", "invalid hexadecimal data: odd number of digits");
            int l = hexval((unsigned char)p[1]);
            if (l < 0)
                return fail(err, "22023", "invalid hexadecimal digit: \"%.*s\"",
                            utf8_seqlen((uint8_t)p[1]), p + 1);
            b[k++] = (uint8_t)(h << 4 | l);
            p += 2;
        }
    } else {
        for (const char *p = s; *p;) {
            if (*p != '\\') { b[k++] = (uint8_t)*p++; continue; }
            if (p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
                b[k++] = (uint8_t)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
                p += 4;
            } else if (p[1] == '\\') {
                b[k++] = '\\';
                p += 2;
            } else {
                return fail(err, "22P02", "invalid input syntax for type bytea");
            }
        }
    }
    set_str(out, RQ_PV_BYTES, (const char *)b, k);
    return RQ_OK;
}

/* namein: at most NAMEDATALEN-1 = 63 bytes, cut at a character boundary. */
static size_t name_clip(const char *s, size_t n) {
    if (n < 64) return n;
    size_t k = 0;
    while (k < n) {
        size_t l = (size_t)utf8_seqlen((uint8_t)s[k]);
        if (k + l > 63) break;
        k += l;
    }
    return k;
}

/* ---- JSON validation (json_in / jsonb_in) ---- */

typedef enum jtok { J_END, J_OBJ_START, J_OBJ_END, J_ARR_START, J_ARR_END, J_COMMA, J_COLON,
                    J_STRING, J_NUMBER, J_TRUE, J_FALSE, J_NULL } jtok;

typedef struct jlex {
    const char *s, *end;
    const char *tok, *tok_end; /* current token */
    jtok type;
    bool jsonb; /* de-escaping checks (surrogates, \u0000) */
} jlex;

static bool j_alnum(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static int json_fail(rq_error *err, const char *state, const char *msg, const char *detail_fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int json_fail(rq_error *err, const char *state, const char *msg, const char *detail_fmt, ...) {
    fail(err, state, "%s", msg);
    if (err != NULL) {
        va_list ap;
        va_start(ap, detail_fmt);
        vsnprintf(err->detail, sizeof err->detail, detail_fmt, ap);
        va_end(ap);
    }
    return RQ_ERR;
}

#define JSON_SYNTAX "invalid input syntax for type json"

static int j_invalid_token(const char *from, const char *to, rq_error *err) {
    return json_fail(err, "22P02", JSON_SYNTAX, "Token \"%.*s\" is invalid.", (int)(to - from), from);
}

static int j_string(jlex *l, rq_error *err) {
    const char *p = l->tok + 1;
    long hi = -1; /* pending high surrogate (jsonb only) */
    for (;;) {
        if (p >= l->end) return j_invalid_token(l->tok, l->end, err);
        unsigned char c = (unsigned char)*p;
        if (c == '"') break;
        if (c < 0x20)
            return json_fail(err, "22P02", JSON_SYNTAX, "Character with value 0x%02x must be escaped.", c);
        if (c != '\\') {
            if (hi >= 0) goto low_missing;
            p++;
            continue;
        }
        p++;
        if (p >= l->end) return j_invalid_token(l->tok, l->end, err);
        if (*p == 'u') {
            long cp = 0;
            for (int i = 1; i <= 4; i++) {
                int h = p + i < l->end ? hexval((unsigned char)p[i]) : -1;
                if (h < 0)
                    return json_fail(err, "22P02", JSON_SYNTAX,
                                     "\"\\u\" must be followed by four hexadecimal digits.");
                cp = cp * 16 + h;
            }
            p += 5;
            if (!l->jsonb) continue;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (hi >= 0)
                    return json_fail(err, "22P02", JSON_SYNTAX,
                                     "Unicode high surrogate must not follow a high surrogate.");
                hi = cp;
                continue;
            }
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                if (hi < 0) goto low_missing;
                hi = -1;
                continue;
            }
            if (hi >= 0) goto low_missing;
            if (cp == 0)
                return json_fail(err, "22P05", "unsupported Unicode escape sequence",
                                 "\\u0000 cannot be converted to text.");
            continue;
        }
        if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0')
            return json_fail(err, "22P02", JSON_SYNTAX, "Escape sequence \"\\%.*s\" is invalid.",
                             utf8_seqlen((uint8_t)*p), p);
        if (hi >= 0) goto low_missing;
        p++;
    }
    if (hi >= 0) goto low_missing;
    l->tok_end = p + 1;
    l->type = J_STRING;
    return RQ_OK;
low_missing:
    return json_fail(err, "22P02", JSON_SYNTAX, "Unicode low surrogate must follow a high surrogate.");
}

static int j_number(jlex *l, rq_error *err) {
    const char *p = l->tok, *e = l->end;
    bool bad = false;
    if (p < e && *p == '-') p++;
    if (p < e && *p == '0') {
        p++;
    } else if (p < e && *p >= '1' && *p <= '9') {
        while (p < e && isdigit((unsigned char)*p)) p++;
    } else {
        bad = true;
    }
    if (!bad && p < e && *p == '.') {
        p++;
        if (p >= e || !isdigit((unsigned char)*p)) bad = true;
        while (p < e && isdigit((unsigned char)*p)) p++;
    }
    if (!bad && p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-')) p++;
        if (p >= e || !isdigit((unsigned char)*p)) bad = true;
        while (p < e && isdigit((unsigned char)*p)) p++;
    }
    while (p < e && j_alnum((unsigned char)*p)) {
        p++;
        bad = true;
    }
    if (bad) return j_invalid_token(l->tok, p, err);
    l->tok_end = p;
    l->type = J_NUMBER;
    return RQ_OK;
}

/* Next token of `l`; RQ_ERR on a lexical error. */
static int j_lex(jlex *l, rq_error *err) {
    const char *p = l->tok_end;
    while (p < l->end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    l->tok = p;
    if (p >= l->end) {
        l->tok_end = p;
        l->type = J_END;
        return RQ_OK;
    }
    static const char punct[] = "{}[],:";
    static const jtok ptype[] = {J_OBJ_START, J_OBJ_END, J_ARR_START, J_ARR_END, J_COMMA, J_COLON};
    const char *q = strchr(punct, *p);
    if (q != NULL && *p != '\0') {
        l->tok_end = p + 1;
        l->type = ptype[q - punct];
        return RQ_OK;
    }
    if (*p == '"') return j_string(l, err);
    if (*p == '-' || isdigit((unsigned char)*p)) return j_number(l, err);
    const char *e = p;
    while (e < l->end && j_alnum((unsigned char)*e)) e++;
    if (e == p) return j_invalid_token(p, p + utf8_seqlen((uint8_t)*p), err);
    size_t n = (size_t)(e - p);
    l->tok_end = e;
    if (n == 4 && memcmp(p, "true", 4) == 0) l->type = J_TRUE;
    else if (n == 5 && memcmp(p, "false", 5) == 0) l->type = J_FALSE;
    else if (n == 4 && memcmp(p, "null", 4) == 0) l->type = J_NULL;
    else return j_invalid_token(p, e, err);
    return RQ_OK;
}

/* "Expected ..., but found "tok"." or "The input string ended unexpectedly." */
static int j_expected(jlex *l, const char *what, rq_error *err) {
    if (l->type == J_END)
        return json_fail(err, "22P02", JSON_SYNTAX, "The input string ended unexpectedly.");
    return json_fail(err, "22P02", JSON_SYNTAX, "Expected %s, but found \"%.*s\".", what,
                     (int)(l->tok_end - l->tok), l->tok);
}

static bool j_scalar(jtok t) {
    return t == J_STRING || t == J_NUMBER || t == J_TRUE || t == J_FALSE || t == J_NULL;
}

/* Validate JSON text without recursion: `stack` (one byte per open
 * container, from the arena) records '[' or '{'. */
static int json_validate(rq_param_ctx *ctx, const char *s, size_t n, bool jsonb, rq_error *err) {
    jlex l = {.s = s, .end = s + n, .tok = s, .tok_end = s, .jsonb = jsonb};
    char *stack = arena_alloc(ctx, n + 1);
    size_t depth = 0;
    if (stack == NULL) return nomem(err);
    enum { VALUE, ARR_FIRST, OBJ_FIRST, OBJ_KEY, COLON, AFTER } st = VALUE;
    for (;;) {
        if (j_lex(&l, err) != RQ_OK) return RQ_ERR;
        switch (st) {
        case ARR_FIRST:
            if (l.type == J_ARR_END) { depth--; st = AFTER; break; }
            /* fall through */
        case VALUE:
            if (l.type == J_ARR_START) { stack[depth++] = '['; st = ARR_FIRST; }
            else if (l.type == J_OBJ_START) { stack[depth++] = '{'; st = OBJ_FIRST; }
            else if (j_scalar(l.type)) st = AFTER;
            else return j_expected(&l, "JSON value", err);
            break;
        case OBJ_FIRST:
            if (l.type == J_OBJ_END) { depth--; st = AFTER; break; }
            if (l.type != J_STRING) return j_expected(&l, "string or \"}\"", err);
            st = COLON;
            break;
        case OBJ_KEY:
            if (l.type != J_STRING) return j_expected(&l, "string", err);
            st = COLON;
            break;
        case COLON:
            if (l.type != J_COLON) return j_expected(&l, "\":\"", err);
            st = VALUE;
            break;
        case AFTER:
            if (depth == 0) {
                if (l.type == J_END) return RQ_OK;
                return j_expected(&l, "end of input", err);
            }
            if (stack[depth - 1] == '[') {
                if (l.type == J_COMMA) st = VALUE;
                else if (l.type == J_ARR_END) depth--;
                else return j_expected(&l, "\",\" or \"]\"", err);
            } else {
                if (l.type == J_COMMA) st = OBJ_KEY;
                else if (l.type == J_OBJ_END) depth--;
                else return j_expected(&l, "\",\" or \"}\"", err);
            }
            break;
        }
    }
}

/* ======================================================================
 * 3. date/time text input
 * ====================================================================== */

#define USECS_PER_SEC INT64_C(1000000)
#define USECS_PER_DAY INT64_C(86400000000)
#define MAX_DT_FIELDS 25 /* PostgreSQL's MAXDATEFIELDS */
#define MAX_TZDISP_HOUR 15

/* Days since 2000-01-01 of proleptic Gregorian y-m-d (y astronomical). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - 10957;
}

void rq_param_civil(int64_t days, int64_t *year, int *month, int *day) {
    int64_t z = days + 10957 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *day = d;
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int64_t y, int m) {
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* PostgreSQL's supported ranges (days since 2000-01-01 / usec since then). */
#define DATE_MIN_DAYS (-2451545)     /* 4714-11-24 BC, Julian day 0 */
#define DATE_END_DAYS 2145031949     /* 5874898-01-01 */
#define TS_MIN_USEC (INT64_C(-211813488000000000))
#define TS_END_USEC (INT64_C(9223371331200000000))

/* Offset (seconds east) of zone `tz` (NULL = UTC) for LOCAL time `local`
 * (seconds since 2000-01-01): in a spring-forward gap the offset in force
 * before the transition, in a fall-back overlap the one after it, as
 * PostgreSQL resolves them. */
static int32_t local_offset(const rq_tz *tz, int64_t local) {
    if (tz == NULL) return 0;
    const int64_t e = 946684800; /* 2000-01-01 in Unix seconds */
    int32_t before = rq_tz_offset(tz, local + e - 86400);
    int32_t after = rq_tz_offset(tz, local + e + 86400);
    bool bok = rq_tz_offset(tz, local - before + e) == before;
    bool aok = rq_tz_offset(tz, local - after + e) == after;
    if (before == after || (bok && aok)) return after;
    if (aok) return after;
    if (bok) return before;
    return before; /* inside a gap */
}

typedef enum ftype { F_NUMBER, F_STRING, F_DATE, F_TIME, F_TZ, F_SPECIAL } ftype;

typedef struct dfield {
    ftype t;
    char *s;
} dfield;

/* A field that starts with a digit: a number, a time "13:45:06", a date
 * "2024-01-31" / "1/2/3" / "2024.01.31" / "31-jan-2024", or "12.5". */
static ftype dt_tok_digits(const char **cpp, char **bp) {
    const char *cp = *cpp;
    char *b = *bp;
    ftype t = F_NUMBER;
    while (isdigit((unsigned char)*cp)) *b++ = *cp++;
    if (*cp == ':') {
        t = F_TIME;
        while (isdigit((unsigned char)*cp) || *cp == ':' || *cp == '.') *b++ = *cp++;
    } else if (*cp == '-' || *cp == '/' || *cp == '.') {
        char delim = *cp;
        *b++ = *cp++;
        if (isdigit((unsigned char)*cp)) {
            t = delim == '.' ? F_NUMBER : F_DATE;
            while (isdigit((unsigned char)*cp)) *b++ = *cp++;
            if (*cp == delim) { /* three fields need matching delimiters */
                t = F_DATE;
                while (isdigit((unsigned char)*cp) || *cp == delim) *b++ = *cp++;
            }
        } else { /* embedded month name */
            t = F_DATE;
            while (isalnum((unsigned char)*cp) || *cp == delim) *b++ = (char)tolower((unsigned char)*cp++);
        }
    }
    *cpp = cp;
    *bp = b;
    return t;
}

/* A field that starts with a letter: a keyword, or — followed by date
 * punctuation, '+' or a digit and not a keyword — a date with a month name
 * or a zone name such as "america/new_york", "gmt+2", "est5edt". */
static ftype dt_tok_alpha(const char **cpp, char **bp, bool is_keyword(const char *)) {
    const char *cp = *cpp;
    char *b = *bp, *start = b;
    while (isalpha((unsigned char)*cp)) *b++ = (char)tolower((unsigned char)*cp++);
    bool is_date = *cp == '-' || *cp == '/' || *cp == '.';
    if (!is_date && (*cp == '+' || isdigit((unsigned char)*cp))) {
        *b = '\0';
        is_date = !is_keyword(start);
    }
    if (is_date) {
        do {
            *b++ = (char)tolower((unsigned char)*cp++);
        } while (*cp == '+' || *cp == '-' || *cp == '/' || *cp == '_' || *cp == '.' || *cp == ':' ||
                 isalnum((unsigned char)*cp));
    }
    *cpp = cp;
    *bp = b;
    return is_date ? F_DATE : F_STRING;
}

/* Split `s` into at most MAX_DT_FIELDS lower-cased, NUL-terminated fields
 * copied into `buf` (2 * strlen(s) + MAX_DT_FIELDS + 2 bytes), the way
 * PostgreSQL's ParseDateTime does. Returns the field count, or -1 for a
 * syntax error. */
static int dt_tokenize(const char *s, char *buf, dfield *f, bool is_keyword(const char *)) {
    int nf = 0;
    const char *cp = s;
    char *b = buf;
    while (*cp) {
        unsigned char c = (unsigned char)*cp;
        if (is_space(*cp) || (ispunct(c) && c != '.' && c != '+' && c != '-')) { /* delimiters */
            cp++;
            continue;
        }
        if (nf >= MAX_DT_FIELDS) return -1;
        f[nf].s = b;
        if (isdigit(c)) {
            f[nf].t = dt_tok_digits(&cp, &b);
        } else if (c == '.') { /* ".5": fractional seconds */
            *b++ = *cp++;
            while (isdigit((unsigned char)*cp)) *b++ = *cp++;
            f[nf].t = F_NUMBER;
        } else if (isalpha(c)) {
            f[nf].t = dt_tok_alpha(&cp, &b, is_keyword);
        } else if (c == '+' || c == '-') { /* numeric zone, signed number, or "-infinity" */
            *b++ = *cp++;
            while (is_space(*cp)) cp++;
            if (isdigit((unsigned char)*cp)) {
                f[nf].t = F_TZ;
                while (isdigit((unsigned char)*cp) || *cp == ':' || *cp == '.' || *cp == '-') *b++ = *cp++;
            } else if (isalpha((unsigned char)*cp)) {
                f[nf].t = F_SPECIAL;
                while (isalpha((unsigned char)*cp)) *b++ = (char)tolower((unsigned char)*cp++);
            } else {
                return -1;
            }
        } else {
            return -1;
        }
        *b++ = '\0';
        nf++;
    }
    return nf;
}

/* ---- keywords ---- */
enum { K_NONE, K_MONTH, K_DOW, K_AM, K_PM, K_BC, K_AD, K_EPOCH, K_LATE, K_EARLY, K_NOW,
       K_TODAY, K_TOMORROW, K_YESTERDAY, K_ALLBALLS, K_ISOTIME, K_ZONE };

typedef struct dt_keyword {
    const char *word;
    int kind;
    int value; /* month number, or zone offset seconds east */
} dt_keyword;

static const dt_keyword DT_KEYWORDS[] = {
    {"jan", K_MONTH, 1}, {"january", K_MONTH, 1}, {"feb", K_MONTH, 2}, {"february", K_MONTH, 2},
    {"mar", K_MONTH, 3}, {"march", K_MONTH, 3}, {"apr", K_MONTH, 4}, {"april", K_MONTH, 4},
    {"may", K_MONTH, 5}, {"jun", K_MONTH, 6}, {"june", K_MONTH, 6}, {"jul", K_MONTH, 7},
    {"july", K_MONTH, 7}, {"aug", K_MONTH, 8}, {"august", K_MONTH, 8}, {"sep", K_MONTH, 9},
    {"sept", K_MONTH, 9}, {"september", K_MONTH, 9}, {"oct", K_MONTH, 10}, {"october", K_MONTH, 10},
    {"nov", K_MONTH, 11}, {"november", K_MONTH, 11}, {"dec", K_MONTH, 12}, {"december", K_MONTH, 12},
    {"sun", K_DOW, 0}, {"sunday", K_DOW, 0}, {"mon", K_DOW, 1}, {"monday", K_DOW, 1},
    {"tue", K_DOW, 2}, {"tues", K_DOW, 2}, {"tuesday", K_DOW, 2}, {"wed", K_DOW, 3},
    {"wednesday", K_DOW, 3}, {"thu", K_DOW, 4}, {"thur", K_DOW, 4}, {"thurs", K_DOW, 4},
    {"thursday", K_DOW, 4}, {"fri", K_DOW, 5}, {"friday", K_DOW, 5}, {"sat", K_DOW, 6},
    {"saturday", K_DOW, 6},
    {"am", K_AM, 0}, {"pm", K_PM, 0}, {"bc", K_BC, 0}, {"ad", K_AD, 0},
    {"epoch", K_EPOCH, 0}, {"infinity", K_LATE, 0}, {"+infinity", K_LATE, 0},
    {"-infinity", K_EARLY, 0}, {"now", K_NOW, 0}, {"today", K_TODAY, 0},
    {"tomorrow", K_TOMORROW, 0}, {"yesterday", K_YESTERDAY, 0}, {"allballs", K_ALLBALLS, 0},
    {"t", K_ISOTIME, 0},
    /* Fixed-offset abbreviations of PostgreSQL's "Default" set (offsets
     * read from pg_timezone_abbrevs on PostgreSQL 15). */
    {"z", K_ZONE, 0}, {"zulu", K_ZONE, 0}, {"utc", K_ZONE, 0}, {"ut", K_ZONE, 0},
    {"gmt", K_ZONE, 0}, {"wet", K_ZONE, 0},
    {"est", K_ZONE, -18000}, {"edt", K_ZONE, -14400}, {"cst", K_ZONE, -21600},
    {"cdt", K_ZONE, -18000}, {"mst", K_ZONE, -25200}, {"mdt", K_ZONE, -21600},
    {"pst", K_ZONE, -28800}, {"pdt", K_ZONE, -25200}, {"akst", K_ZONE, -32400},
    {"akdt", K_ZONE, -28800}, {"hst", K_ZONE, -36000}, {"ast", K_ZONE, -14400},
    {"adt", K_ZONE, -10800}, {"nst", K_ZONE, -12600}, {"ndt", K_ZONE, -9000},
    {"cet", K_ZONE, 3600}, {"cest", K_ZONE, 7200}, {"met", K_ZONE, 3600},
    {"mest", K_ZONE, 7200}, {"eet", K_ZONE, 7200}, {"eest", K_ZONE, 10800},
    {"bst", K_ZONE, 3600}, {"ist", K_ZONE, 7200}, {"jst", K_ZONE, 32400},
    {"kst", K_ZONE, 32400}, {"aest", K_ZONE, 36000}, {"aedt", K_ZONE, 39600},
    {"acst", K_ZONE, 34200}, {"acdt", K_ZONE, 37800}, {"awst", K_ZONE, 28800},
    {"nzst", K_ZONE, 43200}, {"nzdt", K_ZONE, 46800},
};

static const dt_keyword *dt_lookup(const char *s) {
    for (size_t i = 0; i < sizeof DT_KEYWORDS / sizeof DT_KEYWORDS[0]; i++)
        if (strcmp(DT_KEYWORDS[i].word, s) == 0) return &DT_KEYWORDS[i];
    return NULL;
}

/* Core keywords (not zone abbreviations) stop "jan" in "jan31" from being
 * read as a zone name; PostgreSQL's tokenizer makes the same check. */
static bool dt_is_core_keyword(const char *s) {
    /* ISO "y2001m02d04" unit letters are core keywords too */
    static const char *const units[] = {"d", "h", "j", "m", "mm", "s", "y"};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(s, units[i]) == 0) return true;
    const dt_keyword *k = dt_lookup(s);
    return k != NULL && (k->kind != K_ZONE || strcmp(s, "z") == 0 || strcmp(s, "zulu") == 0);
}

/* ---- decoded fields ---- */
enum { M_YEAR = 1, M_MONTH = 2, M_DAY = 4, M_HOUR = 8, M_MINUTE = 16, M_SECOND = 32, M_TZ = 64,
       M_AMPM = 128, M_BC = 256, M_DOW = 512, M_SPECIAL = 1024 };
#define M_DATE (M_YEAR | M_MONTH | M_DAY)
#define M_TIME (M_HOUR | M_MINUTE | M_SECOND)

/* DTERR_* of PostgreSQL's datetime.c */
enum { DT_OK = 0, DTE_BAD_FORMAT = -1, DTE_FIELD_OVERFLOW = -2, DTE_MD_FIELD_OVERFLOW = -3,
       DTE_TZDISP_OVERFLOW = -4, DTE_ZONE_UNKNOWN = -5 };

typedef struct dt_tm {
    int64_t year, mon, mday, hour, min, sec, fsec; /* fsec: microseconds */
    unsigned fmask;
    bool is2digits, bc, text_month;
    int mer; /* 0 24h, K_AM, K_PM */
    int special; /* K_EPOCH ... or 0 */
    bool have_tz;
    int32_t tz;              /* explicit offset, seconds east */
    const rq_tz *named;      /* named zone (offset depends on the date) */
    const char *bad_zone;    /* unknown zone name (22023) */
} dt_tm;

/* strtol over a digit run (no sign): value, or -1 if more than 9 digits. */
static int64_t dt_int(const char *s, const char **end) {
    int64_t v = 0;
    int n = 0;
    while (isdigit((unsigned char)*s)) {
        if (n < 18) v = v * 10 + (*s - '0');
        n++;
        s++;
    }
    *end = s;
    return n > 9 ? INT64_C(99999999999) : v;
}

/* ".123" → rint(0.123 × 1e6); "." alone is 0. */
static int dt_fraction(const char *cp, int64_t *fsec) {
    if (cp[0] == '.' && cp[1] == '\0') { *fsec = 0; return DT_OK; }
    char *end;
    errno = 0;
    double frac = strtod(cp, &end);
    if (*end != '\0' || errno != 0 || end == cp) return DTE_BAD_FORMAT;
    *fsec = (int64_t)rint(frac * 1000000);
    return DT_OK;
}

/* "hh:mm", "hh:mm:ss", "hh:mm:ss.fff", "mm:ss.fff" */
static int dt_time(const char *s, dt_tm *tm) {
    const char *cp;
    int64_t h = dt_int(s, &cp), m, sec = 0, fs = 0;
    if (*cp != ':') return DTE_BAD_FORMAT;
    m = dt_int(cp + 1, &cp);
    if (*cp == '.') { /* mm:ss.fff */
        if (dt_fraction(cp, &fs) != DT_OK) return DTE_BAD_FORMAT;
        sec = m;
        m = h;
        h = 0;
    } else if (*cp == ':') {
        sec = dt_int(cp + 1, &cp);
        if (*cp == '.') {
            if (dt_fraction(cp, &fs) != DT_OK) return DTE_BAD_FORMAT;
        } else if (*cp != '\0') {
            return DTE_BAD_FORMAT;
        }
    } else if (*cp != '\0') {
        return DTE_BAD_FORMAT;
    }
    if (m > 59 || sec > 60 || fs > USECS_PER_SEC) return DTE_FIELD_OVERFLOW;
    tm->hour = h;
    tm->min = m;
    tm->sec = sec;
    tm->fsec = fs;
    return DT_OK;
}

/* "+hh", "+hh:mm", "+hh:mm:ss", "+hhmm" → seconds east */
static int dt_tzoff(const char *s, int32_t *tz) {
    const char *cp;
    int64_t h = dt_int(s + 1, &cp), m = 0, sec = 0;
    if (*cp == ':') {
        m = dt_int(cp + 1, &cp);
        if (*cp == ':') sec = dt_int(cp + 1, &cp);
    } else if (*cp == '\0' && strlen(s) > 3) {
        m = h % 100;
        h /= 100;
    }
    if (h > MAX_TZDISP_HOUR || m >= 60 || sec >= 60) return DTE_TZDISP_OVERFLOW;
    int32_t v = (int32_t)((h * 60 + m) * 60 + sec);
    *tz = s[0] == '-' ? -v : v;
    return *cp == '\0' ? DT_OK : DTE_BAD_FORMAT;
}

/* One numeric date sub-field, assigned by what is known so far (ISO
 * year-first when it has 3+ digits, else DateStyle MDY). */
static int dt_number(int64_t val, size_t flen, dt_tm *tm, unsigned *tmask) {
    switch (tm->fmask & M_DATE) {
    case 0:
        if (flen >= 3) { *tmask = M_YEAR; tm->year = val; }
        else { *tmask = M_MONTH; tm->mon = val; }
        break;
    case M_YEAR:
        *tmask = M_MONTH;
        tm->mon = val;
        break;
    case M_MONTH:
        if (tm->text_month && flen >= 3) { *tmask = M_YEAR; tm->year = val; }
        else { *tmask = M_DAY; tm->mday = val; }
        break;
    case M_YEAR | M_MONTH:
        if (tm->text_month && flen >= 3 && tm->is2digits) {
            *tmask = M_DAY;
            tm->mday = tm->year;
            tm->year = val;
            tm->is2digits = false;
        } else {
            *tmask = M_DAY;
            tm->mday = val;
        }
        break;
    case M_DAY:
        *tmask = M_MONTH;
        tm->mon = val;
        break;
    case M_MONTH | M_DAY:
        *tmask = M_YEAR;
        tm->year = val;
        break;
    default:
        return DTE_BAD_FORMAT;
    }
    if (*tmask == M_YEAR) tm->is2digits = flen <= 2;
    return DT_OK;
}

/* Concatenated digits: YYYYMMDD / YYMMDD (no date yet), HHMMSS / HHMM,
 * with an optional fraction. */
static int dt_number_field(char *s, bool date_known, dt_tm *tm, unsigned *tmask) {
    char *dot = strchr(s, '.');
    if (dot != NULL) {
        if (dt_fraction(dot, &tm->fsec) != DT_OK) return DTE_BAD_FORMAT;
        *dot = '\0';
    }
    size_t len = strlen(s);
    const char *e;
    if (dot == NULL && !date_known && (tm->fmask & M_DATE) != M_DATE && len >= 6) {
        *tmask = M_DATE;
        tm->mday = dt_int(s + len - 2, &e);
        s[len - 2] = '\0';
        tm->mon = dt_int(s + len - 4, &e);
        s[len - 4] = '\0';
        tm->year = dt_int(s, &e);
        tm->is2digits = len - 4 == 2;
        return DT_OK;
    }
    if ((tm->fmask & M_TIME) != M_TIME && (len == 6 || len == 4)) {
        *tmask = M_TIME;
        tm->sec = 0;
        if (len == 6) {
            tm->sec = dt_int(s + 4, &e);
            s[4] = '\0';
        }
        tm->min = dt_int(s + 2, &e);
        s[2] = '\0';
        tm->hour = dt_int(s, &e);
        return DT_OK;
    }
    return DTE_BAD_FORMAT;
}

/* A date field "2024-01-31", "1/2/3", "2024.01.31", "jan-31-2024". */
static int dt_date(char *s, dt_tm *tm, unsigned *dmask_out) {
    char *sub[MAX_DT_FIELDS];
    int nf = 0;
    unsigned dmask = 0, fmask = tm->fmask, tmask;
    for (char *p = s; *p;) {
        while (*p && !isalnum((unsigned char)*p)) p++;
        if (*p == '\0') break;
        if (nf >= MAX_DT_FIELDS) return DTE_BAD_FORMAT;
        sub[nf++] = p;
        if (isdigit((unsigned char)*p)) while (isdigit((unsigned char)*p)) p++;
        else while (isalpha((unsigned char)*p)) p++;
        if (*p) *p++ = '\0';
    }
    /* textual months first: they settle the order */
    for (int i = 0; i < nf; i++) {
        if (!isalpha((unsigned char)sub[i][0])) continue;
        const dt_keyword *k = dt_lookup(sub[i]);
        if (k == NULL || k->kind != K_MONTH || (fmask & M_MONTH)) return DTE_BAD_FORMAT;
        tm->mon = k->value;
        tm->text_month = true;
        fmask |= M_MONTH;
        dmask |= M_MONTH;
        sub[i] = NULL;
    }
    for (int i = 0; i < nf; i++) {
        if (sub[i] == NULL) continue;
        const char *e;
        size_t flen = strlen(sub[i]);
        if (flen == 0) return DTE_BAD_FORMAT;
        int64_t v = dt_int(sub[i], &e);
        unsigned saved = tm->fmask;
        tm->fmask = fmask;
        int rc = dt_number(v, flen, tm, &tmask);
        tm->fmask = saved;
        if (rc != DT_OK) return rc;
        if (fmask & tmask) return DTE_BAD_FORMAT;
        fmask |= tmask;
        dmask |= tmask;
    }
    /* nothing but the date (and a zone) may precede a date field */
    if ((fmask & ~M_TZ) != M_DATE) return DTE_BAD_FORMAT;
    *dmask_out = dmask;
    return DT_OK;
}

/* Resolve a zone name (lower-cased) through the zone database. */
static int dt_named_zone(const char *name, dt_tm *tm) {
    const rq_tz *z;
    rq_error e;
    if (rq_tz_cache_get(name, &z, &e) != RQ_OK) return DTE_ZONE_UNKNOWN;
    tm->named = z;
    return DT_OK;
}

/* A keyword field. */
static int dt_keyword_field(const char *s, bool special, bool time_only, dt_tm *tm, unsigned *tmask,
                            bool *iso_t) {
    const dt_keyword *k = dt_lookup(s);
    if (k != NULL && time_only &&
        (k->kind == K_EPOCH || k->kind == K_LATE || k->kind == K_EARLY || k->kind == K_TODAY ||
         k->kind == K_TOMORROW || k->kind == K_YESTERDAY))
        return DTE_BAD_FORMAT;
    if (k == NULL || (special && k->kind != K_LATE && k->kind != K_EARLY)) {
        if (special || time_only || strspn(s, "abcdefghijklmnopqrstuvwxyz") != strlen(s))
            return DTE_BAD_FORMAT;
        /* an all-alpha zone name such as "japan" */
        if (dt_named_zone(s, tm) != DT_OK) return DTE_BAD_FORMAT;
        *tmask = M_TZ;
        tm->have_tz = true;
        return DT_OK;
    }
    switch (k->kind) {
    case K_MONTH:
        *tmask = M_MONTH;
        /* "31 Jan": the number read as a month was the day */
        if ((tm->fmask & M_MONTH) && !tm->text_month && !(tm->fmask & M_DAY) && tm->mon >= 1 &&
            tm->mon <= 31) {
            tm->mday = tm->mon;
            *tmask = M_DAY;
        }
        tm->mon = k->value;
        tm->text_month = true;
        return DT_OK;
    case K_DOW: *tmask = M_DOW; return DT_OK;
    case K_AM:
    case K_PM:
        *tmask = M_AMPM;
        tm->mer = k->kind;
        return DT_OK;
    case K_BC:
    case K_AD:
        *tmask = M_BC;
        tm->bc = k->kind == K_BC;
        return DT_OK;
    case K_ZONE:
        *tmask = M_TZ;
        tm->have_tz = true;
        tm->tz = k->value;
        return DT_OK;
    case K_ISOTIME:
        *tmask = 0;
        *iso_t = true;
        return DT_OK;
    case K_TODAY:
    case K_TOMORROW:
    case K_YESTERDAY:
        *tmask = M_DATE;
        tm->special = k->kind;
        return DT_OK;
    case K_ALLBALLS:
        *tmask = M_TIME;
        tm->hour = tm->min = tm->sec = tm->fsec = 0;
        return DT_OK;
    default: /* epoch, infinity, -infinity, now */
        *tmask = M_DATE | M_TIME | M_TZ | M_SPECIAL;
        tm->special = k->kind;
        return DT_OK;
    }
}

/* Decode the fields of a date, time or timestamp literal into tm.
 * time_only: the value is a time/timetz (numbers mean hhmm[ss]). */
static int dt_decode(dfield *f, int nf, bool time_only, dt_tm *tm) {
    bool iso_t = false;
    for (int i = 0; i < nf; i++) {
        unsigned tmask = 0;
        int rc = DT_OK;
        char *s = f[i].s;
        bool after_t = iso_t;
        iso_t = false;
        switch (f[i].t) {
        case F_DATE:
            if ((tm->fmask & M_DATE) == M_DATE || after_t) {
                if (isdigit((unsigned char)s[0])) return DTE_BAD_FORMAT;
                if (dt_named_zone(s, tm) != DT_OK) {
                    tm->bad_zone = s;
                    return DTE_ZONE_UNKNOWN;
                }
                tm->have_tz = true;
                tmask = M_TZ;
            } else {
                rc = dt_date(s, tm, &tmask);
            }
            break;
        case F_TIME:
            rc = dt_time(s, tm);
            tmask = M_TIME;
            break;
        case F_TZ:
            rc = dt_tzoff(s, &tm->tz);
            tm->have_tz = true;
            tmask = M_TZ;
            break;
        case F_NUMBER: {
            size_t flen = strlen(s);
            char *dot = strchr(s, '.');
            if (after_t || time_only) {
                /* a time: hhmm, hhmmss[.fff] (the date counts as known) */
                rc = dot != NULL && (size_t)(dot - s) <= 2 ? DTE_BAD_FORMAT
                                                            : dt_number_field(s, true, tm, &tmask);
            } else if (dot != NULL && !(tm->fmask & M_DATE)) {
                rc = dt_date(s, tm, &tmask);
            } else if (dot != NULL && (size_t)(dot - s) > 2) {
                rc = dt_number_field(s, false, tm, &tmask);
            } else if (dot != NULL) {
                /* seconds fraction after hh:mm? PostgreSQL reads it as
                 * fractional seconds only in rare layouts: reject */
                rc = DTE_BAD_FORMAT;
            } else if (flen >= 6 && (!(tm->fmask & M_DATE) || !(tm->fmask & M_TIME))) {
                rc = dt_number_field(s, false, tm, &tmask);
            } else if ((tm->fmask & M_DATE) == M_DATE) {
                /* all of the date is known: a run-together time */
                rc = dt_number_field(s, false, tm, &tmask);
            } else {
                const char *e;
                rc = dt_number(dt_int(s, &e), flen, tm, &tmask);
            }
            break;
        }
        case F_STRING:
        case F_SPECIAL:
            rc = dt_keyword_field(s, f[i].t == F_SPECIAL, time_only, tm, &tmask, &iso_t);
            break;
        }
        if (rc != DT_OK) return rc;
        if (tm->fmask & tmask) return DTE_BAD_FORMAT;
        tm->fmask |= tmask;
    }
    if (iso_t) return DTE_BAD_FORMAT;
    return DT_OK;
}

/* ValidateDate + time-of-day checks, once every field is in. */
static int dt_validate(dt_tm *tm) {
    if (tm->special) return DT_OK;
    if (tm->fmask & M_AMPM) {
        if (tm->hour > 12) return DTE_FIELD_OVERFLOW;
        if (tm->mer == K_AM && tm->hour == 12) tm->hour = 0;
        else if (tm->mer == K_PM && tm->hour != 12) tm->hour += 12;
    }
    if (tm->fmask & M_YEAR) {
        if (tm->bc) {
            if (tm->year <= 0) return DTE_FIELD_OVERFLOW;
            tm->year = -(tm->year - 1);
        } else if (tm->is2digits) {
            if (tm->year < 70) tm->year += 2000;
            else if (tm->year < 100) tm->year += 1900;
        } else if (tm->year <= 0) {
            return DTE_FIELD_OVERFLOW;
        }
        if (tm->year > INT32_MAX) return DTE_FIELD_OVERFLOW;
    }
    if ((tm->fmask & M_MONTH) && (tm->mon < 1 || tm->mon > 12)) return DTE_MD_FIELD_OVERFLOW;
    if ((tm->fmask & M_DAY) && (tm->mday < 1 || tm->mday > 31)) return DTE_MD_FIELD_OVERFLOW;
    if ((tm->fmask & M_DATE) == M_DATE && tm->mday > month_days(tm->year, (int)tm->mon))
        return DTE_FIELD_OVERFLOW;
    if (tm->hour > 24 || ((tm->hour * 60 + tm->min) * 60 + tm->sec) * USECS_PER_SEC + tm->fsec > USECS_PER_DAY)
        return DTE_FIELD_OVERFLOW;
    return DT_OK;
}

static int64_t tm_time_usec(const dt_tm *tm) {
    return ((tm->hour * 60 + tm->min) * 60 + tm->sec) * USECS_PER_SEC + tm->fsec;
}

/* Current local date/time parts in `tz` (for today/now). */
static void dt_now_local(const rq_param_ctx *ctx, int64_t *days, int64_t *usec_of_day) {
    int64_t utc_sec = ctx->now_usec / USECS_PER_SEC;
    int64_t local = ctx->now_usec + (int64_t)rq_tz_offset(ctx->tz, utc_sec + 946684800) * USECS_PER_SEC;
    int64_t d = local >= 0 ? local / USECS_PER_DAY : -((-local + USECS_PER_DAY - 1) / USECS_PER_DAY);
    *days = d;
    *usec_of_day = local - d * USECS_PER_DAY;
}

typedef enum dt_target { T_DATE, T_TIME, T_TIMETZ, T_TIMESTAMP, T_TIMESTAMPTZ } dt_target;

static const char *dt_type_name(dt_target t) {
    static const char *const N[] = {"date", "time", "time with time zone", "timestamp",
                                    "timestamp with time zone"};
    return N[t];
}

/* Report a DTE_* code for input `s` of type t as PostgreSQL does. */
static int dt_error(int code, const char *s, dt_target t, const dt_tm *tm, rq_error *err) {
    switch (code) {
    case DTE_FIELD_OVERFLOW:
        return fail(err, "22008", "date/time field value out of range: \"%s\"", s);
    case DTE_MD_FIELD_OVERFLOW:
        fail(err, "22008", "date/time field value out of range: \"%s\"", s);
        if (err) rq_strlcpy(err->hint, "Perhaps you need a different \"datestyle\" setting.", sizeof err->hint);
        return RQ_ERR;
    case DTE_TZDISP_OVERFLOW:
        return fail(err, "22009", "time zone displacement out of range: \"%s\"", s);
    case DTE_ZONE_UNKNOWN:
        return fail(err, "22023", "time zone \"%s\" not recognized", tm->bad_zone ? tm->bad_zone : "");
    default:
        return fail(err, "22007", "invalid input syntax for type %s: \"%s\"", dt_type_name(t), s);
    }
}

/* Offset east of UTC for the local time `local_usec` (usec since 2000) of tm. */
static int32_t dt_zone_offset(const rq_param_ctx *ctx, const dt_tm *tm, int64_t local_usec) {
    int64_t sec = local_usec >= 0 ? local_usec / USECS_PER_SEC : -((-local_usec + USECS_PER_SEC - 1) / USECS_PER_SEC);
    if (tm->have_tz && tm->named == NULL) return tm->tz;
    return local_offset(tm->named ? tm->named : ctx->tz, sec);
}

/* Day (since 2000-01-01) and time of day of a decoded literal, with
 * epoch/now/today/tomorrow/yesterday resolved in the session zone. */
static void dt_day_time(const rq_param_ctx *ctx, const dt_tm *tm, int64_t *days, int64_t *tod, bool *have_date) {
    int64_t today, now_tod;
    dt_now_local(ctx, &today, &now_tod);
    *have_date = (tm->fmask & M_DATE) == M_DATE;
    *days = 0;
    *tod = tm_time_usec(tm);
    switch (tm->special) {
    case K_EPOCH:
        *days = days_from_civil(1970, 1, 1);
        *tod = 0;
        *have_date = true;
        break;
    case K_NOW:
        *days = today;
        *tod = now_tod;
        *have_date = true;
        break;
    case K_TODAY:
    case K_TOMORROW:
    case K_YESTERDAY:
        *days = today + (tm->special == K_TOMORROW) - (tm->special == K_YESTERDAY);
        *have_date = true;
        break;
    default:
        if (*have_date) *days = days_from_civil(tm->year, (int)tm->mon, (int)tm->mday);
    }
}

/* time / timetz from the decoded fields. */
static int dt_finish_time(rq_param_ctx *ctx, const dt_tm *tm, dt_target t, const char *s, rq_pvalue *out,
                          rq_error *err) {
    int64_t days, tod;
    bool have_date;
    if (!(tm->fmask & M_TIME) && tm->special != K_NOW) return dt_error(DTE_BAD_FORMAT, s, t, tm, err);
    if (t == T_TIMETZ && tm->named != NULL && !(tm->fmask & M_DATE)) return dt_error(DTE_BAD_FORMAT, s, t, tm, err);
    dt_day_time(ctx, tm, &days, &tod, &have_date);
    out->kind = t == T_TIME ? RQ_PV_TIME : RQ_PV_TIMETZ;
    out->u.time.usec = tod;
    out->u.time.zone = 0;
    if (t == T_TIMETZ) {
        /* the zone's offset on that date (today's when none or absurd) */
        if (!have_date || days < DATE_MIN_DAYS || days > TS_END_USEC / USECS_PER_DAY) {
            int64_t now_tod;
            dt_now_local(ctx, &days, &now_tod);
        }
        out->u.time.zone = dt_zone_offset(ctx, tm, days * USECS_PER_DAY + tod);
    }
    return RQ_OK;
}

/* date / timestamp / timestamptz from the decoded fields. */
static int dt_finish_stamp(rq_param_ctx *ctx, const dt_tm *tm, dt_target t, const char *s, rq_pvalue *out,
                           rq_error *err) {
    int64_t days, tod;
    bool have_date;
    if (tm->special == K_LATE || tm->special == K_EARLY) {
        bool late = tm->special == K_LATE;
        out->kind = t == T_DATE ? RQ_PV_DATE : t == T_TIMESTAMP ? RQ_PV_TIMESTAMP : RQ_PV_TIMESTAMPTZ;
        if (t == T_DATE) out->u.date = late ? RQ_PV_DATE_INF : RQ_PV_DATE_NINF;
        else out->u.ts = late ? RQ_PV_TS_INF : RQ_PV_TS_NINF;
        return RQ_OK;
    }
    if (tm->special == K_NOW && t == T_TIMESTAMPTZ) {
        out->kind = RQ_PV_TIMESTAMPTZ;
        out->u.ts = ctx->now_usec;
        return RQ_OK;
    }
    dt_day_time(ctx, tm, &days, &tod, &have_date);
    if (!have_date) return dt_error(DTE_BAD_FORMAT, s, t, tm, err);
    if (t == T_DATE) {
        if (days < DATE_MIN_DAYS || days >= DATE_END_DAYS)
            return fail(err, "22008", "date out of range: \"%s\"", s);
        out->kind = RQ_PV_DATE;
        out->u.date = (int32_t)days;
        return RQ_OK;
    }
    /* check the day first so that the product cannot overflow */
    if (days < DATE_MIN_DAYS || days > TS_END_USEC / USECS_PER_DAY)
        return fail(err, "22008", "timestamp out of range: \"%s\"", s);
    int64_t ts = days * USECS_PER_DAY + tod;
    if (t == T_TIMESTAMPTZ && tm->special != K_EPOCH)
        ts -= (int64_t)dt_zone_offset(ctx, tm, ts) * USECS_PER_SEC;
    if (days >= DATE_END_DAYS || ts < TS_MIN_USEC || ts >= TS_END_USEC)
        return fail(err, "22008", "timestamp out of range: \"%s\"", s);
    out->kind = t == T_TIMESTAMP ? RQ_PV_TIMESTAMP : RQ_PV_TIMESTAMPTZ;
    out->u.ts = ts;
    return RQ_OK;
}

/* Parse date/time text `s` for target type t into out. */
static int text_datetime(rq_param_ctx *ctx, const char *s, dt_target t, rq_pvalue *out, rq_error *err) {
    size_t n = strlen(s);
    char *buf = arena_alloc(ctx, 2 * n + MAX_DT_FIELDS + 2);
    dfield f[MAX_DT_FIELDS];
    dt_tm tm = {0};
    if (buf == NULL) return nomem(err);
    int nf = dt_tokenize(s, buf, f, dt_is_core_keyword);
    if (nf <= 0) return dt_error(DTE_BAD_FORMAT, s, t, &tm, err);
    bool time_only = t == T_TIME || t == T_TIMETZ;
    int rc = dt_decode(f, nf, time_only, &tm);
    if (rc == DT_OK) rc = dt_validate(&tm);
    if (rc != DT_OK) return dt_error(rc, s, t, &tm, err);
    if (time_only) return dt_finish_time(ctx, &tm, t, s, out, err);
    return dt_finish_stamp(ctx, &tm, t, s, out, err);
}

/* ---- interval ---- */

enum { U_NONE, U_MICROSEC, U_MILLISEC, U_SECOND, U_MINUTE, U_HOUR, U_DAY, U_WEEK, U_MONTH,
       U_YEAR, U_DECADE, U_CENTURY, U_MILLENNIUM, U_AGO, U_IGNORE };

static int iv_unit(const char *s) {
    static const struct { const char *w; int u; } T[] = {
        {"@", U_IGNORE}, {"ago", U_AGO}, {"c", U_CENTURY}, {"cent", U_CENTURY},
        {"centuries", U_CENTURY}, {"century", U_CENTURY}, {"d", U_DAY}, {"day", U_DAY},
        {"days", U_DAY}, {"dec", U_DECADE}, {"decade", U_DECADE}, {"decades", U_DECADE},
        {"decs", U_DECADE}, {"h", U_HOUR}, {"hour", U_HOUR}, {"hours", U_HOUR}, {"hr", U_HOUR},
        {"hrs", U_HOUR}, {"m", U_MINUTE}, {"microsecon", U_MICROSEC}, {"mil", U_MILLENNIUM},
        {"millennia", U_MILLENNIUM}, {"millennium", U_MILLENNIUM}, {"millisecon", U_MILLISEC},
        {"mils", U_MILLENNIUM}, {"min", U_MINUTE}, {"mins", U_MINUTE}, {"minute", U_MINUTE},
        {"minutes", U_MINUTE}, {"mon", U_MONTH}, {"mons", U_MONTH}, {"month", U_MONTH},
        {"months", U_MONTH}, {"ms", U_MILLISEC}, {"msec", U_MILLISEC}, {"msecond", U_MILLISEC},
        {"mseconds", U_MILLISEC}, {"msecs", U_MILLISEC}, {"s", U_SECOND}, {"sec", U_SECOND},
        {"second", U_SECOND}, {"seconds", U_SECOND}, {"secs", U_SECOND}, {"us", U_MICROSEC},
        {"usec", U_MICROSEC}, {"usecond", U_MICROSEC}, {"useconds", U_MICROSEC},
        {"usecs", U_MICROSEC}, {"w", U_WEEK}, {"week", U_WEEK}, {"weeks", U_WEEK},
        {"y", U_YEAR}, {"year", U_YEAR}, {"years", U_YEAR}, {"yr", U_YEAR}, {"yrs", U_YEAR},
    };
    char key[11];
    rq_strlcpy(key, s, sizeof key); /* PostgreSQL compares at most 10 characters */
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (strcmp(T[i].w, key) == 0) return T[i].u;
    return U_NONE;
}

static bool iv_is_keyword(const char *s) { return dt_is_core_keyword(s) || iv_unit(s) != U_NONE; }

/* Interval accumulator (PostgreSQL's pg_itm_in). */
typedef struct iv_acc {
    int64_t usec;
    int32_t days, months, years;
} iv_acc;

static bool add32(int32_t *a, int64_t b) {
    int64_t r = (int64_t)*a + b;
    if (b > INT32_MAX || b < INT32_MIN || r > INT32_MAX || r < INT32_MIN) return false;
    *a = (int32_t)r;
    return true;
}

static bool add64(int64_t *a, int64_t b) { return !__builtin_add_overflow(*a, b, a); }

static bool iv_fract_usec(iv_acc *a, double frac, int64_t scale) {
    if (frac == 0) return true;
    frac *= (double)scale;
    if (!(frac > -9.2e18 && frac < 9.2e18)) return false;
    int64_t u = (int64_t)frac;
    u += (int64_t)rint(frac - (double)u);
    return add64(&a->usec, u);
}

static bool iv_fract_days(iv_acc *a, double frac, int scale) {
    if (frac == 0) return true;
    frac *= scale;
    int32_t extra = (int32_t)frac;
    if (!add32(&a->days, extra)) return false;
    return iv_fract_usec(a, frac - extra, USECS_PER_DAY);
}

static bool iv_usec(iv_acc *a, int64_t val, double fval, int64_t scale) {
    int64_t v;
    if (__builtin_mul_overflow(val, scale, &v) || !add64(&a->usec, v)) return false;
    return iv_fract_usec(a, fval, scale);
}

static bool iv_years(iv_acc *a, int64_t val, double fval, int scale) {
    int64_t y;
    if (__builtin_mul_overflow(val, (int64_t)scale, &y) || !add32(&a->years, y)) return false;
    return add32(&a->months, (int64_t)rint(fval * scale * 12));
}

/* Apply a number of `unit` to a. Returns the field mask bit, or 0 on
 * overflow, -1 for an unknown unit. */
static int iv_apply(iv_acc *a, int unit, int64_t val, double fval) {
    bool ok;
    switch (unit) {
    case U_MICROSEC: ok = iv_usec(a, val, fval, 1); break;
    case U_MILLISEC: ok = iv_usec(a, val, fval, 1000); break;
    case U_SECOND: ok = iv_usec(a, val, fval, USECS_PER_SEC); break;
    case U_MINUTE: ok = iv_usec(a, val, fval, 60 * USECS_PER_SEC); break;
    case U_HOUR: ok = iv_usec(a, val, fval, 3600 * USECS_PER_SEC); break;
    case U_DAY: ok = add32(&a->days, val) && iv_fract_usec(a, fval, USECS_PER_DAY); break;
    case U_WEEK: ok = val <= INT32_MAX && val >= INT32_MIN && add32(&a->days, val * 7) && iv_fract_days(a, fval, 7); break;
    case U_MONTH: ok = add32(&a->months, val) && iv_fract_days(a, fval, 30); break;
    case U_YEAR: ok = iv_years(a, val, fval, 1); break;
    case U_DECADE: ok = iv_years(a, val, fval, 10); break;
    case U_CENTURY: ok = iv_years(a, val, fval, 100); break;
    case U_MILLENNIUM: ok = iv_years(a, val, fval, 1000); break;
    default: return -1;
    }
    return ok ? 1 << unit : 0;
}

#define IV_TIME_MASK ((1 << U_HOUR) | (1 << U_MINUTE) | (1 << U_SECOND))
#define IV_ALL_SECS ((1 << U_SECOND) | (1 << U_MILLISEC) | (1 << U_MICROSEC))

/* "h:m", "h:m:s[.f]", "m:s.f" as microseconds (hours unbounded). */
static int iv_time(const char *s, int64_t *usec) {
    char *cp;
    errno = 0;
    long long h = strtoll(s, &cp, 10), m, sec = 0;
    int64_t fs = 0;
    if (errno == ERANGE || *cp != ':') return errno == ERANGE ? DTE_FIELD_OVERFLOW : DTE_BAD_FORMAT;
    m = strtoll(cp + 1, &cp, 10);
    if (*cp == '.') {
        if (dt_fraction(cp, &fs) != DT_OK) return DTE_BAD_FORMAT;
        sec = m;
        m = h;
        h = 0;
    } else if (*cp == ':') {
        sec = strtoll(cp + 1, &cp, 10);
        if (*cp == '.') {
            if (dt_fraction(cp, &fs) != DT_OK) return DTE_BAD_FORMAT;
        } else if (*cp != '\0') {
            return DTE_BAD_FORMAT;
        }
    } else if (*cp != '\0') {
        return DTE_BAD_FORMAT;
    }
    if (h < 0 || m < 0 || m > 59 || sec < 0 || sec > 60 || fs < 0 || fs > USECS_PER_SEC)
        return DTE_FIELD_OVERFLOW;
    int64_t v;
    if (__builtin_mul_overflow((int64_t)h, 3600 * USECS_PER_SEC, &v) ||
        __builtin_add_overflow(v, (m * 60 + sec) * USECS_PER_SEC + fs, &v))
        return DTE_FIELD_OVERFLOW;
    *usec = v;
    return DT_OK;
}

/* One numeric field "n", "n.f", "y-m" (SQL year-month) as (val, fval);
 * *unit becomes U_MONTH for y-m. */
static int iv_number(const char *s, int64_t *val, double *fval, int *unit) {
    char *cp;
    errno = 0;
    long long v = strtoll(s, &cp, 10);
    if (errno == ERANGE) return DTE_FIELD_OVERFLOW;
    if (cp == s && *cp != '.') return DTE_BAD_FORMAT;
    *fval = 0;
    if (*cp == '-') { /* SQL-standard years-months */
        errno = 0;
        long long v2 = strtoll(cp + 1, &cp, 10);
        if (errno == ERANGE || v2 < 0 || v2 >= 12) return DTE_FIELD_OVERFLOW;
        if (*cp != '\0') return DTE_BAD_FORMAT;
        if (s[0] == '-') v2 = -v2;
        if (__builtin_mul_overflow(v, 12, &v) || __builtin_add_overflow(v, v2, &v)) return DTE_FIELD_OVERFLOW;
        *unit = U_MONTH;
    } else if (*cp == '.') {
        errno = 0;
        double f = strtod(cp, &cp);
        if (*cp != '\0' || errno != 0) return DTE_BAD_FORMAT;
        *fval = s[0] == '-' ? -f : f;
    } else if (*cp != '\0') {
        return DTE_BAD_FORMAT;
    }
    *val = v;
    return DT_OK;
}

/* PostgreSQL's DecodeInterval: fields right to left, a unit applies to the
 * number before it, a bare number before a time is days, else seconds. */
static int iv_decode(dfield *f, int nf, iv_acc *a) {
    int type = U_SECOND;
    unsigned fmask = 0;
    bool ago = false;
    for (int i = nf - 1; i >= 0; i--) {
        unsigned tmask = 0;
        const char *s = f[i].s;
        switch (f[i].t) {
        case F_TIME:
        case F_TZ:
            if (f[i].t == F_TIME || strchr(s, ':') != NULL) {
                int64_t u;
                bool neg = s[0] == '-';
                int rc = iv_time(f[i].t == F_TZ ? s + 1 : s, &u);
                if (rc != DT_OK) return rc;
                if (!add64(&a->usec, neg ? -u : u)) return DTE_FIELD_OVERFLOW;
                tmask = IV_TIME_MASK;
                type = U_DAY;
                break;
            }
            /* a signed number */
            /* fall through */
        case F_DATE:
        case F_NUMBER: {
            int64_t val;
            double fval;
            int unit = type;
            int rc = iv_number(s, &val, &fval, &unit);
            if (rc != DT_OK) return rc;
            int bit = iv_apply(a, unit, val, fval);
            if (bit < 0) return DTE_BAD_FORMAT;
            if (bit == 0) return DTE_FIELD_OVERFLOW;
            tmask = (unsigned)bit;
            if (unit == U_SECOND && fval != 0) tmask = IV_ALL_SECS;
            if (unit == U_HOUR) type = U_DAY;
            break;
        }
        case F_STRING:
        case F_SPECIAL: {
            int u = iv_unit(s);
            if (u == U_IGNORE) continue;
            if (u == U_NONE) return DTE_BAD_FORMAT;
            if (u == U_AGO) {
                ago = true;
                type = U_NONE; /* the number before "ago" needs its unit */
            } else {
                type = u;
            }
            break;
        }
        }
        if (fmask & tmask) return DTE_BAD_FORMAT;
        fmask |= tmask;
    }
    if (fmask == 0) return DTE_BAD_FORMAT;
    if (ago) {
        if (a->usec == INT64_MIN || a->days == INT32_MIN || a->months == INT32_MIN || a->years == INT32_MIN)
            return DTE_FIELD_OVERFLOW;
        a->usec = -a->usec;
        a->days = -a->days;
        a->months = -a->months;
        a->years = -a->years;
    }
    return DT_OK;
}

/* ISO 8601 number: strtod, truncated toward zero into (ipart, fpart). */
static int iso_number(const char *s, const char **end, int64_t *ip, double *fp) {
    if (!(isdigit((unsigned char)*s) || *s == '-' || *s == '.')) return DTE_BAD_FORMAT;
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    if (e == s || errno != 0) return DTE_BAD_FORMAT;
    if (isnan(v) || v < -1.0e15 || v > 1.0e15) return DTE_FIELD_OVERFLOW;
    *ip = v >= 0 ? (int64_t)floor(v) : (int64_t)-floor(-v);
    *fp = v - (double)*ip;
    *end = e;
    return DT_OK;
}

static int iso_int_width(const char *s) {
    int n = 0;
    if (*s == '-') s++;
    while (isdigit((unsigned char)s[n])) n++;
    return n;
}

#define ISO_TRY(x) do { if (!(x)) return DTE_FIELD_OVERFLOW; } while (0)
#define ISO_NUM(p) do { int rc_ = iso_number((p), &(p), &val, &fval); if (rc_) return rc_; } while (0)

/* Alternative extended date part "Y-M-D" (after P, up to T or end). */
static int iso_alt_date(iv_acc *a, const char **sp, int64_t val, double fval, char unit, bool *datepart) {
    const char *s = *sp;
    ISO_TRY(iv_years(a, val, fval, 1));
    if (unit == '\0') { *sp = s - 1; return DT_OK; }
    if (unit == 'T') { *datepart = false; *sp = s; return 1; }
    ISO_NUM(s);
    ISO_TRY(add32(&a->months, val) && iv_fract_days(a, fval, 30));
    if (*s == '\0') { *sp = s; return DT_OK; }
    if (*s == 'T') { *datepart = false; *sp = s + 1; return 1; }
    if (*s++ != '-') return DTE_BAD_FORMAT;
    ISO_NUM(s);
    ISO_TRY(add32(&a->days, val) && iv_fract_usec(a, fval, USECS_PER_DAY));
    if (*s == '\0') { *sp = s; return DT_OK; }
    if (*s == 'T') { *datepart = false; *sp = s + 1; return 1; }
    return DTE_BAD_FORMAT;
}

/* Alternative extended time part "H:M:S". */
static int iso_alt_time(iv_acc *a, const char *s, int64_t val, double fval, char unit) {
    ISO_TRY(iv_usec(a, val, fval, 3600 * USECS_PER_SEC));
    if (unit == '\0') return DT_OK;
    ISO_NUM(s);
    ISO_TRY(iv_usec(a, val, fval, 60 * USECS_PER_SEC));
    if (*s == '\0') return DT_OK;
    if (*s++ != ':') return DTE_BAD_FORMAT;
    ISO_NUM(s);
    ISO_TRY(iv_usec(a, val, fval, USECS_PER_SEC));
    return *s == '\0' ? DT_OK : DTE_BAD_FORMAT;
}

/* ISO 8601 durations: "P1Y2M3DT4H5M6S", "P1W", "P0001-02-03T04:05:06",
 * "P00010203T040506". */
static int iv_iso8601(const char *s, iv_acc *a) {
    if (strlen(s) < 2 || s[0] != 'P') return DTE_BAD_FORMAT;
    s++;
    bool datepart = true, havefield = false;
    int64_t val;
    double fval;
    while (*s) {
        if (*s == 'T') { datepart = false; havefield = false; s++; continue; }
        const char *start = s;
        ISO_NUM(s);
        char unit = *s++;
        if (datepart) {
            switch (unit) {
            case 'Y': ISO_TRY(iv_years(a, val, fval, 1)); break;
            case 'M': ISO_TRY(add32(&a->months, val) && iv_fract_days(a, fval, 30)); break;
            case 'W': ISO_TRY(add32(&a->days, val * 7) && iv_fract_days(a, fval, 7)); break;
            case 'D': ISO_TRY(add32(&a->days, val) && iv_fract_usec(a, fval, USECS_PER_DAY)); break;
            case 'T':
            case '\0':
                if (iso_int_width(start) == 8 && !havefield) {
                    ISO_TRY(iv_years(a, val / 10000, 0, 1) && add32(&a->months, (val / 100) % 100) &&
                            add32(&a->days, val % 100) && iv_fract_usec(a, fval, USECS_PER_DAY));
                    if (unit == '\0') return DT_OK;
                    datepart = false;
                    havefield = false;
                    continue;
                }
                /* fall through */
            case '-': {
                if (havefield) return DTE_BAD_FORMAT;
                int rc = iso_alt_date(a, &s, val, fval, unit, &datepart);
                if (rc < 0) return rc;
                if (rc == DT_OK) return DT_OK;
                havefield = false;
                continue;
            }
            default:
                return DTE_BAD_FORMAT;
            }
        } else {
            switch (unit) {
            case 'H': ISO_TRY(iv_usec(a, val, fval, 3600 * USECS_PER_SEC)); break;
            case 'M': ISO_TRY(iv_usec(a, val, fval, 60 * USECS_PER_SEC)); break;
            case 'S': ISO_TRY(iv_usec(a, val, fval, USECS_PER_SEC)); break;
            case '\0':
                if (iso_int_width(start) == 6 && !havefield) {
                    ISO_TRY(iv_usec(a, val / 10000, 0, 3600 * USECS_PER_SEC) &&
                            iv_usec(a, (val / 100) % 100, 0, 60 * USECS_PER_SEC) &&
                            iv_usec(a, val % 100, fval, USECS_PER_SEC));
                    return DT_OK;
                }
                /* fall through */
            case ':':
                if (havefield) return DTE_BAD_FORMAT;
                return iso_alt_time(a, s, val, fval, unit);
            default:
                return DTE_BAD_FORMAT;
            }
        }
        havefield = true;
    }
    return DT_OK;
}

/* interval_in */
static int text_interval(rq_param_ctx *ctx, const char *s, rq_pvalue *out, rq_error *err) {
    size_t n = strlen(s);
    char *buf = arena_alloc(ctx, 2 * n + MAX_DT_FIELDS + 2);
    dfield f[MAX_DT_FIELDS];
    iv_acc a = {0};
    if (buf == NULL) return nomem(err);
    int nf = dt_tokenize(s, buf, f, iv_is_keyword);
    int rc = nf < 0 ? DTE_BAD_FORMAT : iv_decode(f, nf, &a);
    if (rc == DTE_BAD_FORMAT) {
        memset(&a, 0, sizeof a);
        rc = iv_iso8601(s, &a);
    }
    if (rc == DTE_FIELD_OVERFLOW || rc == DTE_MD_FIELD_OVERFLOW)
        return fail(err, "22015", "interval field value out of range: \"%s\"", s);
    if (rc != DT_OK) return fail(err, "22007", "invalid input syntax for type interval: \"%s\"", s);
    int64_t months = (int64_t)a.years * 12 + a.months;
    if (months > INT32_MAX || months < INT32_MIN) return fail(err, "22008", "interval out of range");
    out->kind = RQ_PV_INTERVAL;
    out->u.iv.months = (int32_t)months;
    out->u.iv.days = a.days;
    out->u.iv.usec = a.usec;
    return RQ_OK;
}

/* ======================================================================
 * 4. dispatch of one text value, binary receive
 * ====================================================================== */

/* Is the text input of `oid` just validated text (text types, json, jsonb,
 * unknown and undecoded OIDs) rather than something to parse? */
static bool is_texty(uint32_t oid) {
    switch (oid) {
    case OID_BOOL: case OID_BYTEA: case OID_INT8: case OID_INT2: case OID_INT4: case OID_OID:
    case OID_FLOAT4: case OID_FLOAT8: case OID_DATE: case OID_TIME: case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ: case OID_INTERVAL: case OID_TIMETZ: case OID_NUMERIC: case OID_UUID:
        return false;
    default:
        return rq_param_array_elem(oid) == 0;
    }
}

/* Text that needs no parsing: validated JSON, clipped name, or as is. */
static int text_plain(rq_param_ctx *ctx, uint32_t oid, const char *s, size_t n, rq_pvalue *out,
                      rq_error *err) {
    if (oid == OID_JSON || oid == OID_JSONB) {
        if (json_validate(ctx, s, n, oid == OID_JSONB, err) != RQ_OK) return RQ_ERR;
    } else if (oid == OID_NAME) {
        n = name_clip(s, n);
    }
    set_str(out, RQ_PV_TEXT, s, n);
    return RQ_OK;
}

static int text_array(rq_param_ctx *ctx, uint32_t elem, const char *s, rq_pvalue *out, rq_error *err);

/* Text input of scalar type `oid`: `s` is NUL-terminated, n = strlen(s),
 * already valid UTF-8. */
static int text_value(rq_param_ctx *ctx, uint32_t oid, const char *s, size_t n, rq_pvalue *out,
                      rq_error *err) {
    out->type_oid = oid;
    switch (oid) {
    case OID_BOOL: return text_bool(s, out, err);
    case OID_INT2: return text_int(s, 16, "smallint", out, err);
    case OID_INT4: return text_int(s, 32, "integer", out, err);
    case OID_INT8: return text_int(s, 64, "bigint", out, err);
    case OID_OID: return text_oid(s, out, err);
    case OID_FLOAT4: return text_float(s, true, out, err);
    case OID_FLOAT8: return text_float(s, false, out, err);
    case OID_NUMERIC: return text_numeric(ctx, s, out, err);
    case OID_UUID: return text_uuid(s, out, err);
    case OID_BYTEA: return text_bytea(ctx, s, out, err);
    case OID_DATE: return text_datetime(ctx, s, T_DATE, out, err);
    case OID_TIME: return text_datetime(ctx, s, T_TIME, out, err);
    case OID_TIMETZ: return text_datetime(ctx, s, T_TIMETZ, out, err);
    case OID_TIMESTAMP: return text_datetime(ctx, s, T_TIMESTAMP, out, err);
    case OID_TIMESTAMPTZ: return text_datetime(ctx, s, T_TIMESTAMPTZ, out, err);
    case OID_INTERVAL: return text_interval(ctx, s, out, err);
    default: {
        uint32_t elem = rq_param_array_elem(oid);
        if (elem != 0) {
            out->type_oid = elem;
            return text_array(ctx, elem, s, out, err);
        }
        return text_plain(ctx, oid, s, n, out, err);
    }
    }
}

typedef struct rbuf {
    const uint8_t *p;
    size_t len, pos;
} rbuf;

static int rd(rbuf *b, size_t n, const uint8_t **at, rq_error *err) {
    if (b->len - b->pos < n) return insufficient(err);
    *at = b->p + b->pos;
    b->pos += n;
    return RQ_OK;
}

#define RD(n) do { if (rd(b, (n), &v, err) != RQ_OK) return RQ_ERR; } while (0)

/* numeric_recv: base-10000 digits → decimal parts, truncated to dscale. */
static int recv_numeric(rq_param_ctx *ctx, rbuf *b, rq_pvalue *out, rq_error *err) {
    const uint8_t *v = NULL;
    RD(2);
    unsigned ndigits = rq_be16(v);
    RD(2);
    int weight = (int16_t)rq_be16(v);
    RD(2);
    unsigned sign = rq_be16(v);
    if (sign != 0 && sign != 0x4000 && sign != 0xC000 && sign != 0xD000 && sign != 0xF000)
        return fail(err, "22P03", "invalid sign in external \"numeric\" value");
    RD(2);
    unsigned dscale = rq_be16(v);
    if ((dscale & 0x3FFF) != dscale) return fail(err, "22P03", "invalid scale in external \"numeric\" value");
    char *dig = arena_alloc(ctx, (size_t)ndigits * 4 + 1);
    if (dig == NULL) return nomem(err);
    for (unsigned i = 0; i < ndigits; i++) {
        RD(2);
        int d = (int16_t)rq_be16(v);
        if (d < 0 || d >= 10000) return fail(err, "22P03", "invalid digit in external \"numeric\" value");
        snprintf(dig + 4 * i, 5, "%04d", d);
    }
    if (sign >= 0xC000) {
        const char *t = sign == 0xC000 ? "NaN" : sign == 0xD000 ? "Infinity" : "-Infinity";
        set_str(out, RQ_PV_NUMERIC, t, strlen(t));
        return RQ_OK;
    }
    num_parts n = {.neg = sign == 0x4000, .dig = dig, .ndig = (size_t)ndigits * 4,
                   .point = ((int64_t)weight + 1) * 4, .dscale = dscale};
    while (n.ndig > 0 && n.dig[0] == '0') { n.dig++; n.ndig--; n.point--; }
    int64_t keep = n.point + n.dscale; /* trunc_var(): hide nothing, drop the rest */
    if (keep < 0) keep = 0;
    if ((int64_t)n.ndig > keep) n.ndig = (size_t)keep;
    while (n.ndig > 0 && n.dig[n.ndig - 1] == '0') n.ndig--;
    if (n.ndig == 0) n.neg = false;
    if (numeric_check(&n, err) != RQ_OK) return RQ_ERR;
    return numeric_emit(ctx, &n, out, err);
}

/* The rest of b as validated text. */
static int recv_text(rq_param_ctx *ctx, uint32_t oid, rbuf *b, rq_pvalue *out, rq_error *err) {
    const char *s = (const char *)b->p + b->pos;
    size_t n = b->len - b->pos;
    b->pos = b->len;
    if (check_utf8((const uint8_t *)s, n, err) != RQ_OK) return RQ_ERR;
    if (oid == OID_NAME && n >= 64) { /* namerecv does not truncate */
        fail(err, "42622", "identifier too long");
        set_detail(err, "Identifier must be less than 64 characters.");
        return RQ_ERR;
    }
    return text_plain(ctx, oid, s, n, out, err);
}

static int recv_array(rq_param_ctx *ctx, uint32_t elem, rbuf *b, rq_pvalue *out, rq_error *err);

/* float4send / float8send: IEEE 754, big-endian. float4 becomes the double
 * nearest to its shortest decimal text. */
static int recv_float(rbuf *b, bool is4, rq_pvalue *out, rq_error *err) {
    const uint8_t *v = NULL;
    out->kind = RQ_PV_FLOAT;
    if (!is4) {
        RD(8);
        uint64_t bits = rq_be64(v);
        memcpy(&out->u.f, &bits, 8);
        return RQ_OK;
    }
    RD(4);
    uint32_t bits = rq_be32(v);
    float f;
    memcpy(&f, &bits, 4);
    out->u.f = f;
    if (isfinite(f)) {
        char buf[RQ_FLOAT_BUFSZ];
        rq_float4_out(f, 1, buf);
        out->u.f = strtod(buf, NULL);
    }
    return RQ_OK;
}

/* date_recv, time_recv, timetz_recv, timestamp(tz)_recv, interval_recv,
 * with their range checks. */
static int recv_datetime(uint32_t oid, rbuf *b, rq_pvalue *out, rq_error *err) {
    const uint8_t *v = NULL;
    if (oid == OID_DATE) {
        RD(4);
        int32_t d = (int32_t)rq_be32(v);
        if (d != RQ_PV_DATE_INF && d != RQ_PV_DATE_NINF && (d < DATE_MIN_DAYS || d >= DATE_END_DAYS))
            return fail(err, "22008", "date out of range");
        out->kind = RQ_PV_DATE;
        out->u.date = d;
        return RQ_OK;
    }
    if (oid == OID_INTERVAL) {
        RD(16);
        out->kind = RQ_PV_INTERVAL;
        out->u.iv.usec = (int64_t)rq_be64(v);
        out->u.iv.days = (int32_t)rq_be32(v + 8);
        out->u.iv.months = (int32_t)rq_be32(v + 12);
        return RQ_OK;
    }
    RD(8);
    int64_t t = (int64_t)rq_be64(v);
    if (oid == OID_TIMESTAMP || oid == OID_TIMESTAMPTZ) {
        if (t != RQ_PV_TS_INF && t != RQ_PV_TS_NINF && (t < TS_MIN_USEC || t >= TS_END_USEC))
            return fail(err, "22008", "timestamp out of range");
        out->kind = oid == OID_TIMESTAMP ? RQ_PV_TIMESTAMP : RQ_PV_TIMESTAMPTZ;
        out->u.ts = t;
        return RQ_OK;
    }
    if (t < 0 || t > USECS_PER_DAY) return fail(err, "22008", "time out of range");
    out->kind = oid == OID_TIME ? RQ_PV_TIME : RQ_PV_TIMETZ;
    out->u.time.usec = t;
    out->u.time.zone = 0;
    if (oid == OID_TIMETZ) {
        RD(4);
        int32_t west = (int32_t)rq_be32(v); /* PostgreSQL stores seconds WEST */
        if (west <= -57600 || west >= 57600) return fail(err, "22009", "time zone displacement out of range");
        out->u.time.zone = -west;
    }
    return RQ_OK;
}

static int recv_value(rq_param_ctx *ctx, uint32_t oid, rbuf *b, rq_pvalue *out, rq_error *err) {
    const uint8_t *v = NULL;
    out->type_oid = oid;
    switch (oid) {
    case OID_BOOL:
        if (b->pos >= b->len) return fail(err, "08P01", "no data left in message");
        out->kind = RQ_PV_BOOL;
        out->u.b = b->p[b->pos++] != 0;
        return RQ_OK;
    case OID_INT2: RD(2); out->kind = RQ_PV_INT; out->u.i = (int16_t)rq_be16(v); return RQ_OK;
    case OID_INT4: RD(4); out->kind = RQ_PV_INT; out->u.i = (int32_t)rq_be32(v); return RQ_OK;
    case OID_INT8: RD(8); out->kind = RQ_PV_INT; out->u.i = (int64_t)rq_be64(v); return RQ_OK;
    case OID_OID: RD(4); out->kind = RQ_PV_INT; out->u.i = rq_be32(v); return RQ_OK;
    case OID_FLOAT4:
    case OID_FLOAT8: return recv_float(b, oid == OID_FLOAT4, out, err);
    case OID_NUMERIC: return recv_numeric(ctx, b, out, err);
    case OID_BYTEA:
        set_str(out, RQ_PV_BYTES, (const char *)b->p + b->pos, b->len - b->pos);
        b->pos = b->len;
        return RQ_OK;
    case OID_DATE:
    case OID_TIME:
    case OID_TIMETZ:
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ:
    case OID_INTERVAL: return recv_datetime(oid, b, out, err);
    case OID_UUID:
        RD(16);
        out->kind = RQ_PV_UUID;
        memcpy(out->u.uuid, v, 16);
        return RQ_OK;
    case OID_JSONB:
        RD(1);
        if (v[0] != 1) return fail(err, "XX000", "unsupported jsonb version number %d", v[0]);
        return recv_text(ctx, oid, b, out, err);
    default: {
        uint32_t elem = rq_param_array_elem(oid);
        if (elem != 0) {
            out->type_oid = elem;
            return recv_array(ctx, elem, b, out, err);
        }
        if (oid == 0 || oid == OID_UNKNOWN || oid == OID_TEXT || oid == OID_VARCHAR || oid == OID_BPCHAR ||
            oid == OID_NAME || oid == OID_JSON)
            return recv_text(ctx, oid, b, out, err);
        /* a type not decoded here: its raw binary form */
        set_str(out, RQ_PV_BYTES, (const char *)b->p + b->pos, b->len - b->pos);
        b->pos = b->len;
        return RQ_OK;
    }
    }
}

#define MAX_ARRAY_SIZE 134217727 /* MaxAllocSize / sizeof(Datum) */

/* ArrayGetNItems + ArrayCheckBounds */
static int array_size(int ndim, const int32_t *dims, const int32_t *lbs, size_t *nitems, rq_error *err) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 0) goto too_big;
        n *= dims[i];
        if (n > MAX_ARRAY_SIZE) goto too_big;
    }
    for (int i = 0; i < ndim; i++)
        if ((int64_t)dims[i] + lbs[i] > INT32_MAX)
            return fail(err, "54000", "array lower bound is too large: %d", lbs[i]);
    *nitems = ndim == 0 ? 0 : (size_t)n;
    return RQ_OK;
too_big:
    return fail(err, "54000", "array size exceeds the maximum allowed (%d)", MAX_ARRAY_SIZE);
}

static void set_empty_array(rq_pvalue *out) {
    out->kind = RQ_PV_ARRAY;
    out->u.arr.ndim = 0;
    out->u.arr.nitems = 0;
    out->u.arr.items = NULL;
}

/* array_recv */
static int recv_array(rq_param_ctx *ctx, uint32_t elem, rbuf *b, rq_pvalue *out, rq_error *err) {
    const uint8_t *v = NULL;
    RD(4);
    int32_t ndim = (int32_t)rq_be32(v);
    if (ndim < 0) return fail(err, "22P03", "invalid number of dimensions: %d", ndim);
    if (ndim > RQ_PARAM_MAXDIM)
        return fail(err, "54000", "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                    ndim, RQ_PARAM_MAXDIM);
    RD(4);
    int32_t flags = (int32_t)rq_be32(v);
    if (flags != 0 && flags != 1) return fail(err, "22P03", "invalid array flags");
    RD(4);
    uint32_t got = rq_be32(v);
    if (got != elem)
        return fail(err, "42804", "binary data has array element type %u (%s) instead of expected %u (%s)",
                    got, rq_param_type_name(got), elem, rq_param_type_name(elem));
    set_empty_array(out);
    for (int i = 0; i < ndim; i++) {
        RD(8);
        out->u.arr.dims[i] = (int32_t)rq_be32(v);
        out->u.arr.lbounds[i] = (int32_t)rq_be32(v + 4);
    }
    size_t nitems;
    if (array_size(ndim, out->u.arr.dims, out->u.arr.lbounds, &nitems, err) != RQ_OK) return RQ_ERR;
    if (nitems == 0) return RQ_OK;
    /* Each element takes 4 bytes at least: when they cannot all be there,
     * decode into a scratch value until the data runs out (same error as
     * PostgreSQL, without allocating for a claimed size). */
    bool store = nitems <= (b->len - b->pos) / 4;
    rq_pvalue scratch, *items = store ? arena_alloc(ctx, nitems * sizeof *items) : NULL;
    if (store && items == NULL) return nomem(err);
    for (size_t i = 0; i < nitems; i++) {
        rq_pvalue *it = store ? &items[i] : &scratch;
        RD(4);
        int32_t len = (int32_t)rq_be32(v);
        if (len < -1 || (int64_t)len > (int64_t)(b->len - b->pos))
            return fail(err, "22P03", "insufficient data left in message");
        memset(it, 0, sizeof *it);
        it->type_oid = elem;
        if (len == -1) continue;
        rbuf eb = {b->p + b->pos, (size_t)len, 0};
        b->pos += (size_t)len;
        if (recv_value(ctx, elem, &eb, it, err) != RQ_OK) return RQ_ERR;
        if (eb.pos != eb.len)
            return fail(err, "22P03", "improper binary format in array element %zu", i + 1);
    }
    out->u.arr.ndim = ndim;
    out->u.arr.nitems = nitems;
    out->u.arr.items = items;
    return RQ_OK;
}

/* ======================================================================
 * 5. text arrays (array_in)
 * ====================================================================== */

typedef struct arr_parser {
    rq_param_ctx *ctx;
    const char *s; /* the literal, for messages */
    const char *p;
    uint32_t elem;
    bool decode;   /* second pass: decode elements */
    int ndim;      /* depth of the elements, 0 while unknown */
    int32_t dims[RQ_PARAM_MAXDIM];
    rq_pvalue *items;
    size_t n, cap;
    char *scratch; /* element text buffer, strlen(s) + 1 bytes */
    rq_error *err;
} arr_parser;

static bool arr_space(char c) { return is_space(c); }

static int arr_malformed(arr_parser *ap, const char *detail) {
    fail(ap->err, "22P02", "malformed array literal: \"%s\"", ap->s);
    set_detail(ap->err, "%s", detail);
    return RQ_ERR;
}

static int arr_unexpected(arr_parser *ap, char c) {
    char d[64];
    snprintf(d, sizeof d, "Unexpected \"%c\" character.", c);
    return arr_malformed(ap, d);
}

static int arr_push(arr_parser *ap, const char *txt, bool is_null) {
    if (!ap->decode) return RQ_OK;
    if (ap->n == ap->cap) {
        size_t cap = ap->cap ? ap->cap * 2 : 16;
        rq_pvalue *items = realloc(ap->items, cap * sizeof *items);
        if (items == NULL) return nomem(ap->err);
        ap->items = items;
        ap->cap = cap;
    }
    rq_pvalue *it = &ap->items[ap->n++];
    memset(it, 0, sizeof *it);
    it->type_oid = ap->elem;
    if (is_null) return RQ_OK;
    size_t len = strlen(txt);
    char *copy = arena_strndup(ap->ctx, txt, len);
    if (copy == NULL) return nomem(ap->err);
    return text_value(ap->ctx, ap->elem, copy, len, it, ap->err);
}

/* One element at ap->p (not '{', '}', ','). */
static int arr_element(arr_parser *ap) {
    char *o = ap->scratch;
    const char *p = ap->p;
    bool quoted = false, escaped = false;
    size_t keep = 0; /* length up to the last significant character */
    if (*p == '"') {
        quoted = true;
        for (p++;; p++) {
            if (*p == '\0') return arr_malformed(ap, "Unexpected end of input.");
            if (*p == '"') { p++; break; }
            if (*p == '\\') {
                if (*++p == '\0') return arr_malformed(ap, "Unexpected end of input.");
            }
            *o++ = *p;
        }
        keep = (size_t)(o - ap->scratch);
    } else {
        for (; *p && *p != ',' && *p != '}'; p++) {
            if (*p == '"') return arr_malformed(ap, "Unexpected array element.");
            if (*p == '{') return arr_unexpected(ap, '{');
            if (*p == '\\') {
                if (*++p == '\0') return arr_malformed(ap, "Unexpected end of input.");
                escaped = true;
                *o++ = *p;
                keep = (size_t)(o - ap->scratch);
                continue;
            }
            *o++ = *p;
            if (!arr_space(*p)) keep = (size_t)(o - ap->scratch);
        }
    }
    ap->scratch[keep] = '\0';
    ap->p = p;
    if (quoted) {
        while (arr_space(*ap->p)) ap->p++;
        if (*ap->p != ',' && *ap->p != '}' && *ap->p != '\0')
            return arr_malformed(ap, "Unexpected array element.");
    }
    bool is_null = !quoted && !escaped && strcasecmp(ap->scratch, "NULL") == 0;
    return arr_push(ap, ap->scratch, is_null);
}

/* A brace level at ap->p == '{' at nesting `depth` (0 = outermost). */
static int arr_level(arr_parser *ap, int depth) {
    if (depth >= RQ_PARAM_MAXDIM) {
        fail(ap->err, "54000", "number of array dimensions (%d) exceeds the maximum allowed (%d)",
             depth + 1, RQ_PARAM_MAXDIM);
        return RQ_ERR;
    }
    ap->p++;
    while (arr_space(*ap->p)) ap->p++;
    if (*ap->p == '}') {
        if (depth > 0) return arr_unexpected(ap, '}');
        ap->p++;
        return RQ_OK; /* "{}" */
    }
    int kind = 0; /* 1: sub-arrays, 2: elements */
    int32_t count = 0;
    for (;;) {
        while (arr_space(*ap->p)) ap->p++;
        char c = *ap->p;
        if (c == '\0') return arr_malformed(ap, "Unexpected end of input.");
        if (c == '{') {
            if (kind == 2) return arr_unexpected(ap, '{');
            kind = 1;
            if (arr_level(ap, depth + 1) != RQ_OK) return RQ_ERR;
        } else if (c == '}' || c == ',') {
            return arr_unexpected(ap, c);
        } else {
            if (kind == 1) return arr_malformed(ap, "Unexpected array element.");
            kind = 2;
            if (arr_element(ap) != RQ_OK) return RQ_ERR;
        }
        if (count == INT32_MAX) goto mismatch;
        count++;
        while (arr_space(*ap->p)) ap->p++;
        if (*ap->p == ',') { ap->p++; continue; }
        if (*ap->p == '}') { ap->p++; break; }
        if (*ap->p == '\0') return arr_malformed(ap, "Unexpected end of input.");
        return arr_unexpected(ap, *ap->p);
    }
    if (kind == 2) {
        if (ap->ndim == 0) ap->ndim = depth + 1;
        else if (ap->ndim != depth + 1) goto mismatch;
    } else if (ap->ndim != 0 && ap->ndim <= depth + 1) {
        goto mismatch;
    }
    if (ap->dims[depth] == 0) ap->dims[depth] = count;
    else if (ap->dims[depth] != count) goto mismatch;
    return RQ_OK;
mismatch:
    return arr_malformed(ap, "Multidimensional arrays must have sub-arrays with matching dimensions.");
}

/* Explicit "[lb:ub][lb:ub]=" prefix; *ndim 0 when absent. */
static int arr_dims(arr_parser *ap, int *ndim, int32_t *dims, int32_t *lbs) {
    const char *p = ap->s;
    *ndim = 0;
    for (;;) {
        while (arr_space(*p)) p++;
        if (*p != '[') break;
        p++;
        if (*ndim >= RQ_PARAM_MAXDIM)
            return fail(ap->err, "54000", "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                        *ndim + 1, RQ_PARAM_MAXDIM);
        const char *q = p;
        while (isdigit((unsigned char)*q) || *q == '-' || *q == '+') q++;
        if (q == p) return arr_malformed(ap, "\"[\" must introduce explicitly-specified array dimensions.");
        int lb = 1;
        if (*q == ':') {
            lb = atoi(p);
            p = q + 1;
            for (q = p; isdigit((unsigned char)*q) || *q == '-' || *q == '+'; q++) {}
            if (q == p) return arr_malformed(ap, "Missing array dimension value.");
        }
        if (*q != ']') return arr_malformed(ap, "Missing \"]\" after array dimensions.");
        int ub = atoi(p);
        p = q + 1;
        if (ub < lb) return fail(ap->err, "2202E", "upper bound cannot be less than lower bound");
        dims[*ndim] = (int32_t)((int64_t)ub - lb + 1);
        lbs[*ndim] = lb;
        (*ndim)++;
    }
    if (*ndim == 0) {
        if (*p != '{') return arr_malformed(ap, "Array value must start with \"{\" or dimension information.");
    } else {
        if (*p != '=') return arr_malformed(ap, "Missing \"=\" after array dimensions.");
        p++;
        while (arr_space(*p)) p++;
        if (*p != '{') return arr_malformed(ap, "Array contents must start with \"{\".");
    }
    ap->p = p;
    return RQ_OK;
}

/* One pass over the braces from ap->p; then only spaces may follow. */
static int arr_pass(arr_parser *ap, const char *start) {
    ap->p = start;
    ap->ndim = 0;
    memset(ap->dims, 0, sizeof ap->dims);
    if (arr_level(ap, 0) != RQ_OK) return RQ_ERR;
    while (arr_space(*ap->p)) ap->p++;
    if (*ap->p != '\0') return arr_malformed(ap, "Junk after closing right brace.");
    return RQ_OK;
}

static int text_array(rq_param_ctx *ctx, uint32_t elem, const char *s, rq_pvalue *out, rq_error *err) {
    arr_parser ap = {.ctx = ctx, .s = s, .elem = elem, .err = err};
    int ndim;
    int32_t dims[RQ_PARAM_MAXDIM], lbs[RQ_PARAM_MAXDIM];
    if (arr_dims(&ap, &ndim, dims, lbs) != RQ_OK) return RQ_ERR;
    ap.scratch = arena_alloc(ctx, strlen(s) + 1);
    if (ap.scratch == NULL) return nomem(err);
    const char *start = ap.p;
    /* pass 1: structure and dimensions, as PostgreSQL's ArrayCount */
    if (arr_pass(&ap, start) != RQ_OK) return RQ_ERR;
    if (ndim == 0) {
        ndim = ap.ndim;
        for (int i = 0; i < ndim; i++) {
            dims[i] = ap.dims[i];
            lbs[i] = 1;
        }
    } else {
        bool same = ap.ndim == ndim;
        for (int i = 0; same && i < ndim; i++) same = ap.dims[i] == dims[i];
        if (!same) return arr_malformed(&ap, "Specified array dimensions do not match array contents.");
    }
    size_t nitems;
    if (array_size(ndim, dims, lbs, &nitems, err) != RQ_OK) return RQ_ERR;
    set_empty_array(out);
    if (nitems == 0) return RQ_OK;
    /* pass 2: decode the elements */
    ap.decode = true;
    int rc = arr_pass(&ap, start);
    if (rc == RQ_OK) {
        out->u.arr.items = arena_alloc(ctx, ap.n * sizeof *ap.items);
        if (out->u.arr.items == NULL) rc = nomem(err);
        else memcpy(out->u.arr.items, ap.items, ap.n * sizeof *ap.items);
    }
    free(ap.items);
    if (rc != RQ_OK) return rc;
    out->u.arr.ndim = ndim;
    out->u.arr.nitems = ap.n;
    memcpy(out->u.arr.dims, dims, sizeof dims);
    memcpy(out->u.arr.lbounds, lbs, sizeof lbs);
    return RQ_OK;
}

/* ======================================================================
 * 6. rq_param_decode
 * ====================================================================== */

int rq_param_decode(rq_param_ctx *ctx, int paramno, uint32_t oid, int16_t format,
                    const uint8_t *data, int32_t len, rq_pvalue *out, rq_error *err) {
    memset(out, 0, sizeof *out);
    out->type_oid = oid;
    /* numeric text may expand (1e131071): at most this much per parameter */
    ctx->budget = 8 * (size_t)(len > 0 ? len : 0) + 65536;
    if (data == NULL || len < 0) {
        out->kind = RQ_PV_NULL;
        return RQ_OK;
    }
    if (format != 0) {
        rbuf b = {data, (size_t)len, 0};
        if (recv_value(ctx, oid, &b, out, err) != RQ_OK) return RQ_ERR;
        if (b.pos != b.len)
            return fail(err, "22P03", "incorrect binary data format in bind parameter %d", paramno + 1);
        return RQ_OK;
    }
    /* Text: PostgreSQL reads a C string (stops at NUL), then checks it. */
    const uint8_t *nul = memchr(data, 0, (size_t)len);
    size_t n = nul ? (size_t)(nul - data) : (size_t)len;
    if (check_utf8(data, n, err) != RQ_OK) return RQ_ERR;
    if (is_texty(oid)) return text_plain(ctx, oid, (const char *)data, n, out, err);
    char *s = arena_strndup(ctx, (const char *)data, n);
    if (s == NULL) return nomem(err);
    return text_value(ctx, oid, s, n, out, err);
}
