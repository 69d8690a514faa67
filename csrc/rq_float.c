/*
 * rq_float.c — PostgreSQL-exact text output of float8 / float4.
 *
 * Default path (extra_float_digits > 0): the shortest decimal that reads
 * back to the same binary value, found with the Schubfach method
 * (R. Giulietti, "The Schubfach way to render doubles", 2020), written
 * here from the paper's math:
 *
 *   v = c * 2^q. Its rounding interval R (the reals that read back as v)
 *   is ((c - 1/2) 2^q, (c + 1/2) 2^q), or ((c - 1/4) 2^q, ...) when c is
 *   the smallest normal significand (the gap below is then half as wide).
 *   The bounds are always left out: strtod would read a bound back as v
 *   when c is even, but PostgreSQL's Ryu code is built without
 *   STRICTLY_SHORTEST, so it never prints a bound (PostgreSQL 15 prints
 *   1e23 as "9.999999999999999e+22", not "1e+23").
 *   Pick k = floor(log10(width of R)), so R holds at least one multiple of
 *   10^k but at most one multiple of 10^(k+1). Scale v and the bounds by
 *   10^-k (times 4 to keep the half/quarter offsets integral) using a
 *   126-bit over-approximation g of 10^-k and "round to odd" (floor, with
 *   the lowest bit forced on when the product is not an integer): this
 *   keeps every comparison against a multiple of 4 exact. Then:
 *     1. if exactly one multiple of 10^(k+1) bracketing v is in R, it is
 *        the (unique) shortest answer;
 *     2. else of s = floor(v 10^-k) and s + 1 take the one in R, or the
 *        closer one (ties to even) when both are.
 *   This gives the shortest digits and, among those, the closest to v —
 *   the same digits PostgreSQL's float8out/float4out print.
 *
 * Layout then follows PostgreSQL: plain notation when the decimal exponent
 * X of d.ddd*10^X is in [-4, 15) for float8 ([-4, 6) for float4),
 * otherwise "d.ddde+XX" with at least two exponent digits.
 *
 * extra_float_digits <= 0 keeps PostgreSQL's "%.*g" with 15 (float8) / 6
 * (float4) + extra_float_digits significant digits (at least 1); that path
 * uses snprintf like PostgreSQL does.
 */
#include "rq_float.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rq_common.h"
#include "rq_float_tables.h"

__extension__ typedef unsigned __int128 rq_u128;

/* Force inlining of the small hot helpers even at -O1 (the test build). */
#if defined(__GNUC__)
#define RQ_FLOAT_INLINE static inline __attribute__((always_inline))
#else
#define RQ_FLOAT_INLINE static inline
#endif

#define RQ_MASK63 ((UINT64_C(1) << 63) - 1)
#define RQ_MASK31 ((UINT64_C(1) << 31) - 1)

/* ---- logarithm helpers (constants verified by gen_float_tables.py) ---- */
/* Signed right shifts are arithmetic with GCC/Clang, i.e. floor division. */

RQ_FLOAT_INLINE int flog10_pow2(int q)
{
    return (int)(((int64_t)q * RQ_L10P2_M) >> RQ_L10P2_S);
}

RQ_FLOAT_INLINE int flog10_three_quarters_pow2(int q)
{
    return (int)(((int64_t)q * RQ_L10T_M + RQ_L10T_A) >> RQ_L10T_S);
}

RQ_FLOAT_INLINE int flog2_pow10(int k)
{
    return (int)(((int64_t)k * RQ_L2P10_M) >> RQ_L2P10_S);
}

/* ---- the Schubfach core ---- */

/*
 * Round-to-odd of g * cp / 2^127 with g = g1 * 2^63 + g0. The lowest 64
 * bits of the product are dropped on purpose: g exceeds the true 10^-k
 * scale by less than one unit, which only disturbs those bits, so an exact
 * (integral) scaled value still comes out with a clear sticky bit.
 */
RQ_FLOAT_INLINE uint64_t rop64(uint64_t g1, uint64_t g0, uint64_t cp)
{
    uint64_t x1 = (uint64_t)(((rq_u128)g0 * cp) >> 64);
    rq_u128 y = (rq_u128)g1 * cp;
    uint64_t y1 = (uint64_t)(y >> 64);
    uint64_t z = ((uint64_t)y >> 1) + x1;
    uint64_t vbp = y1 + (z >> 63);
    return vbp | (((z & RQ_MASK63) + RQ_MASK63) >> 63);
}

/* Same for floats with a 64-bit g: round-to-odd of g * cp / 2^95. */
RQ_FLOAT_INLINE uint64_t rop32(uint64_t g, uint64_t cp)
{
    uint64_t x1 = (uint64_t)(((rq_u128)g * cp) >> 64);
    return (x1 >> 31) | (((x1 & RQ_MASK31) + RQ_MASK31) >> 31);
}

/* A decimal m * 10^e (file-local). */
typedef struct rq_dec {
    uint64_t m;
    int e;
} rq_dec;

/*
 * Steps 1-2 of the header comment, shared by both widths once the scaled
 * values are known: vb = 4 v 10^-k, vbl / vbr = 4 * bounds * 10^-k (all
 * round-to-odd, so "<" against 4 * candidate is exact; bounds excluded).
 */
RQ_FLOAT_INLINE rq_dec pick(uint64_t vb, uint64_t vbl, uint64_t vbr, int k)
{
    rq_dec d;
    uint64_t s = vb >> 2;
    uint64_t sp = s / 10;
    uint64_t sp10 = sp * 10, tp10 = sp10 + 10;
    int upin = vbl < sp10 << 2;
    int wpin = tp10 << 2 < vbr;
    if (upin != wpin) {
        d.m = sp + (uint64_t)wpin;
        d.e = k + 1;
        return d;
    }
    uint64_t t = s + 1;
    int uin = vbl < s << 2;
    int win = t << 2 < vbr;
    d.e = k;
    if (uin != win) {
        d.m = uin ? s : t;
        return d;
    }
    int64_t cmp = (int64_t)(vb - ((s + t) << 1));
    d.m = (cmp < 0 || (cmp == 0 && (s & 1) == 0)) ? s : t;
    return d;
}

/* Shortest decimal of the double c * 2^q (c > 0). */
RQ_FLOAT_INLINE rq_dec shortest64(uint64_t c, int q)
{
    const uint64_t c_min = UINT64_C(1) << 52;
    uint64_t cb = c << 2, cbr = cb + 2, cbl;
    int k;
    if (c != c_min || q == -1074) {
        cbl = cb - 2;
        k = flog10_pow2(q);
    } else {
        cbl = cb - 1; /* narrower gap below a power of two */
        k = flog10_three_quarters_pow2(q);
    }
    int h = q + flog2_pow10(-k) + 2;
    const uint64_t *g = rq_float_g[k - RQ_G_KMIN];
    uint64_t vb = rop64(g[0], g[1], cb << h);
    uint64_t vbl = rop64(g[0], g[1], cbl << h);
    uint64_t vbr = rop64(g[0], g[1], cbr << h);
    return pick(vb, vbl, vbr, k);
}

/* Shortest decimal of the float c * 2^q (c > 0). */
RQ_FLOAT_INLINE rq_dec shortest32(uint32_t c, int q)
{
    const uint32_t c_min = UINT32_C(1) << 23;
    uint64_t cb = (uint64_t)c << 2, cbr = cb + 2, cbl;
    int k;
    if (c != c_min || q == -149) {
        cbl = cb - 2;
        k = flog10_pow2(q);
    } else {
        cbl = cb - 1;
        k = flog10_three_quarters_pow2(q);
    }
    int h = q + flog2_pow10(-k) + 33;
    /* Upper 63 bits of the 126-bit g, plus one to stay an over-estimate. */
    uint64_t g = rq_float_g[k - RQ_G_KMIN][0] + 1;
    uint64_t vb = rop32(g, cb << h);
    uint64_t vbl = rop32(g, cbl << h);
    uint64_t vbr = rop32(g, cbr << h);
    return pick(vb, vbl, vbr, k);
}

/* ---- printing ---- */

/* Remove trailing decimal zeros of d.m (d.m > 0), adjusting d.e. */
RQ_FLOAT_INLINE void strip_zeros(rq_dec *d)
{
    if (RQ_LIKELY(d->m % 10 != 0)) /* most outputs of random data */
        return;
    while (d->m % 100000000 == 0) {
        d->m /= 100000000;
        d->e += 8;
    }
    if (d->m % 10000 == 0) {
        d->m /= 10000;
        d->e += 4;
    }
    if (d->m % 100 == 0) {
        d->m /= 100;
        d->e += 2;
    }
    if (d->m % 10 == 0) {
        d->m /= 10;
        d->e += 1;
    }
}

/* Number of decimal digits of m (0 < m < 10^19). */
RQ_FLOAT_INLINE int dec_len(uint64_t m)
{
    int t = ((64 - __builtin_clzll(m)) * 1233) >> 12; /* ~ bits * log10(2) */
    return t + 1 - (m < rq_float_pow10[t]);
}

/*
 * Store the 8 decimal digits of x (< 10^8, zero padded) at p. SWAR on a
 * little-endian word: two 4-digit halves in 32-bit lanes, each split into
 * two 2-digit 16-bit lanes, each of those into two bytes. x / 100 is
 * (x * 5243) >> 19 for x < 10^4 and x / 10 is (x * 103) >> 10 for x < 100,
 * so no lane overflows into its neighbour; the first digit ends up in the
 * lowest byte, i.e. first in memory.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
RQ_FLOAT_INLINE void put8(char *p, uint32_t x)
{
    uint64_t v = (uint64_t)(x / 10000) | ((uint64_t)(x % 10000) << 32);
    uint64_t h = ((v * 5243) >> 19) & UINT64_C(0x0000007F0000007F);
    v = h | ((v - 100 * h) << 16);
    h = ((v * 103) >> 10) & UINT64_C(0x000F000F000F000F);
    v = h | ((v - 10 * h) << 8);
    v += UINT64_C(0x3030303030303030);
    memcpy(p, &v, 8);
}
#else
RQ_FLOAT_INLINE void put8(char *p, uint32_t x)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (char)('0' + x % 10);
        x /= 10;
    }
}
#endif

/*
 * Lay out d (no trailing zeros) with sign at out, PostgreSQL style; plain
 * notation when the exponent X is in [-4, plain_max). Returns the length.
 *
 * The digits go zero padded into tmp (ending at tmp + 24) and are then
 * moved with fixed-size copies, which compile to a few vector moves
 * instead of variable-length memcpy calls. Those copies may leave scratch
 * bytes after the final NUL, always inside the RQ_FLOAT_BUFSZ (32) bytes
 * of out (the "ddd000" case can touch all 32).
 */
RQ_FLOAT_INLINE int layout(char *out, int neg, rq_dec d, int plain_max)
{
    char tmp[48];
    memset(tmp + 24, 0, 24); /* copied as scratch, keep it defined */
    uint64_t m = d.m;
    int n = dec_len(m);
    put8(tmp + 16, (uint32_t)(m % 100000000));
    if (m >= 100000000) {
        uint64_t hi = m / 100000000;
        put8(tmp + 8, (uint32_t)(hi % 100000000));
        put8(tmp, (uint32_t)(hi / 100000000));
    }
    const char *dig = tmp + 24 - n;
    int x = d.e + n - 1;
    char *p = out;
    *p = '-';
    p += neg;
    if (RQ_LIKELY(x < -4 || x >= plain_max)) { /* d.ddde+XX */
        p[0] = dig[0];
        p[1] = '.';
        memcpy(p + 2, dig + 1, 16);
        p += n > 1 ? n + 1 : 1;
        p[0] = 'e';
        p[1] = x < 0 ? '-' : '+';
        unsigned ax = (unsigned)(x < 0 ? -x : x);
        if (ax >= 100) {
            p[2] = (char)('0' + ax / 100);
            memcpy(p + 3, rq_float_digit_pairs + 2 * (ax % 100), 2);
            p += 5;
        } else {
            memcpy(p + 2, rq_float_digit_pairs + 2 * ax, 2);
            p += 4;
        }
    } else if (x < 0) { /* 0.000ddd */
        memcpy(p, "0.000000", 8);
        p += 1 - x;
        memcpy(p, dig, 24);
        p += n;
    } else if (x >= n - 1) { /* ddd000 (x <= 14, so n <= 15) */
        memcpy(p, dig, 16);
        memset(p + n, '0', 16);
        p += x + 1;
    } else { /* dd.ddd: n - x - 1 <= 16 - x digits after the point */
        memcpy(p, dig, 16);
        p[x + 1] = '.';
        if (x >= 8)
            memcpy(p + x + 2, dig + x + 1, 8);
        else
            memcpy(p + x + 2, dig + x + 1, 16);
        p += n + 1;
    }
    *p = '\0';
    return (int)(p - out);
}

/* Copy a constant string with its NUL; return its length. */
static int put_str(char *out, const char *s, int len)
{
    memcpy(out, s, (size_t)len + 1);
    return len;
}

/* NaN / infinities / zeros; `neg` is the sign bit. Returns the length. */
static int special(char *out, int neg, int is_nan, int is_inf)
{
    if (is_nan)
        return put_str(out, "NaN", 3);
    if (is_inf)
        return neg ? put_str(out, "-Infinity", 9) : put_str(out, "Infinity", 8);
    return neg ? put_str(out, "-0", 2) : put_str(out, "0", 1);
}

/* PostgreSQL's extra_float_digits <= 0 path: "%.*g", at least 1 digit. */
static int out_g(double v, int ndig, char *out)
{
    if (isnan(v) || isinf(v))
        return special(out, signbit(v) != 0, isnan(v), isinf(v) != 0);
    if (ndig < 1)
        ndig = 1;
    return snprintf(out, RQ_FLOAT_BUFSZ, "%.*g", ndig, v);
}

/*
 * Write float8 text of v to out (>= RQ_FLOAT_BUFSZ bytes, NUL terminated);
 * return its length. Exactly PostgreSQL 12+ float8out for the given
 * extra_float_digits.
 */
int rq_float8_out(double v, int extra_float_digits, char *out)
{
    if (RQ_UNLIKELY(extra_float_digits <= 0))
        return out_g(v, 15 + extra_float_digits, out);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int neg = (int)(bits >> 63);
    int be = (int)((bits >> 52) & 0x7ff);
    uint64_t f = bits & ((UINT64_C(1) << 52) - 1);
    if (RQ_UNLIKELY(be == 0x7ff || (be == 0 && f == 0)))
        return special(out, neg, be == 0x7ff && f != 0, be == 0x7ff);
    uint64_t c = be ? f | (UINT64_C(1) << 52) : f;
    int q = be ? be - 1075 : -1074;
    rq_dec d;
    if (q <= 0 && q >= -52 && (c & ((UINT64_C(1) << -q) - 1)) == 0) {
        /* An integer below 2^53: its own digits are the shortest. */
        d.m = c >> -q;
        d.e = 0;
    } else {
        d = shortest64(c, q);
    }
    strip_zeros(&d);
    return layout(out, neg, d, 15);
}

/*
 * Write float4 text of v to out (>= RQ_FLOAT_BUFSZ bytes, NUL terminated);
 * return its length. Exactly PostgreSQL 12+ float4out for the given
 * extra_float_digits.
 */
int rq_float4_out(float v, int extra_float_digits, char *out)
{
    if (RQ_UNLIKELY(extra_float_digits <= 0))
        return out_g((double)v, 6 + extra_float_digits, out);
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    int neg = (int)(bits >> 31);
    int be = (int)((bits >> 23) & 0xff);
    uint32_t f = bits & ((UINT32_C(1) << 23) - 1);
    if (RQ_UNLIKELY(be == 0xff || (be == 0 && f == 0)))
        return special(out, neg, be == 0xff && f != 0, be == 0xff);
    uint32_t c = be ? f | (UINT32_C(1) << 23) : f;
    int q = be ? be - 150 : -149;
    rq_dec d;
    if (q <= 0 && q >= -23 && (c & ((UINT32_C(1) << -q) - 1)) == 0) {
        d.m = c >> -q; /* an integer below 2^24 */
        d.e = 0;
    } else {
        d = shortest32(c, q);
    }
    strip_zeros(&d);
    return layout(out, neg, d, 6);
}
