/*
 * rq_datetime.c — time zones and PostgreSQL date/time text output
 * (DateStyle ISO, IntervalStyle postgres).
 *
 * Two halves:
 *   1. Zones. rq_tz_load() resolves a TimeZone setting the way PostgreSQL 15
 *      does (numeric hours, IANA TZif file found case-insensitively under
 *      RQ_TZDIR, or a POSIX TZ string) into an immutable table of UTC
 *      transition instants plus, for instants past the table, a POSIX DST
 *      rule. Offset lookup is a branch-light binary search: no locks, no
 *      allocation, no libc time functions (localtime/tzset are process-global).
 *   2. Formatting. Hand-written digit output (no snprintf, no locale) of
 *      date, time, timestamp, timestamptz and interval values.
 *
 * Facts about PostgreSQL's behaviour used here were observed on a real
 * PostgreSQL 15 server (see tests/c/test_datetime.c for the vectors).
 */
#include "rq_datetime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RQ_TZDIR "/usr/share/zoneinfo"
#define TZ_NAME_MAX 255            /* PostgreSQL rejects longer TimeZone names */
#define TZ_FILE_MAX (512 * 1024)   /* real TZif files are < 10 KB */
#define TZ_MAX_TRANS 2000          /* PostgreSQL's own limit on transitions */
#define TZ_MAX_TYPES 256

#define SECS_PER_DAY 86400
#define USECS_PER_SEC INT64_C(1000000)
#define USECS_PER_DAY INT64_C(86400000000)
#define USECS_PER_HOUR INT64_C(3600000000)
#define USECS_PER_MIN INT64_C(60000000)

/*
 * PostgreSQL's value ranges, as days relative to 1970-01-01 (checked
 * against days_from_civil() in the unit test):
 *   dates:      4714-11-24 BC (Julian day 0) .. 5874897-12-31
 *   timestamps: 4714-11-24 00:00 BC .. 294276-12-31 23:59:59.999999
 */
#define DATE_MIN_DAYS INT64_C(-2440588)    /* 4714-11-24 BC */
#define DATE_END_DAYS INT64_C(2145042906)  /* 5874898-01-01, exclusive */
#define TS_END_DAYS INT64_C(106762940)     /* 294277-01-01, exclusive */
#define TS_MIN_USEC (DATE_MIN_DAYS * USECS_PER_DAY)

/* Rule-generated transitions are tabulated up to this year; later instants
 * evaluate the rule directly (slower, but such values are rare). */
#define TZ_TABLE_YEAR 2200

/* ------------------------------------------------------------------ */
/* Calendar arithmetic (proleptic Gregorian, astronomical year numbers) */

static int64_t floordiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int is_leap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * Days since 1970-01-01 → (year, month, day). Works on a calendar whose
 * year starts on 1 March, so the leap day is the last day of its year and
 * month lengths follow the 153-days-per-5-months pattern; 400-year eras of
 * 146097 days make the arithmetic exact. Days are first shifted by whole
 * eras to be non-negative so every division is unsigned by a constant
 * (cheap multiply-shifts): this runs once per formatted value.
 */
#define CIVIL_ERA_SHIFT 1000 /* 400k years: covers every value we format */
static void civil_from_days(int64_t days, int64_t *year, int *month, int *day) {
    int64_t zs = days + 719468 + INT64_C(146097) * CIVIL_ERA_SHIFT;
    int64_t era_fix = -400 * CIVIL_ERA_SHIFT;
    if (RQ_UNLIKELY(zs < 0 || zs > INT64_C(1) << 52)) { /* only for absurd inputs */
        int64_t e = floordiv(days + 719468, 146097);
        zs = days + 719468 - e * 146097;
        era_fix = e * 400;
    }
    uint64_t z = (uint64_t)zs;
    uint64_t era = z / 146097;
    uint32_t doe = (uint32_t)(z - era * 146097);                      /* 0..146096 */
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);         /* 0..365 */
    uint32_t mp = (5 * doy + 2) / 153;                               /* 0 = March */
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int64_t)(yoe + era * 400) + era_fix + (*month <= 2);
}

/* Inverse of civil_from_days(). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = floordiv(y, 400);
    int64_t yoe = y - era * 400;
    int64_t mp = m > 2 ? m - 3 : m + 9;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int weekday_of_days(int64_t days) {
    return (int)(((days % 7) + 7 + 4) % 7);
}

static int month_len(int64_t y, int m) {
    static const unsigned char len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && is_leap(y)) ? 29 : len[m - 1];
}

/* ------------------------------------------------------------------ */
/* Zones                                                               */

/* One POSIX date rule: "Jn", "n" or "Mm.w.d", plus "/time" (may be
 * negative or exceed 24h, as IANA extends POSIX). */
typedef struct tz_rule {
    char kind; /* 'J', 'D' (zero-based day of year) or 'M' */
    int day, week, mon;
    int32_t secs;
} tz_rule;

/* A parsed POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0". */
typedef struct tz_posix {
    int32_t std_off, dst_off; /* seconds east of UTC */
    int has_dst;
    tz_rule start, end;
} tz_posix;

struct rq_tz {
    char name[TZ_NAME_MAX + 1];
    int32_t before_off;  /* offset before ats[0] (or always, when ntrans == 0) */
    int rule_before;     /* evaluate `rule` before ats[0] instead of before_off */
    int has_rule;        /* `rule` applies from table_end on */
    tz_posix rule;
    int64_t table_end;   /* ats/offs are authoritative for t < table_end */
    int32_t ntrans;
    int64_t *ats;        /* ascending UTC instants of offset changes */
    int32_t *offs;       /* offset in effect from ats[i] on */
    /* Bucket index over [idx_base, ats[ntrans-1]]: idx[k] is the transition
     * in effect at idx_base + (k << idx_shift), so a lookup is one shift
     * plus a scan of the (0..2) transitions inside the bucket instead of
     * ~10 dependent loads of a binary search. Instants before idx_base
     * (pre-1800) fall back to the binary search. */
    int64_t idx_base;
    int idx_shift;
    uint32_t idx_n;
    uint16_t *idx;
};

/* Set the TimeZone error PostgreSQL sends for an unusable setting. */
static int tz_invalid(rq_error *err, const char *name, const char *detail) {
    rq_error_set(err, RQ_SEV_ERROR, "22023",
                 "invalid value for parameter \"TimeZone\": \"%s\"", name);
    if (err && detail)
        rq_strlcpy(err->detail, detail, sizeof err->detail);
    return RQ_ERR;
}

static int tz_leap_error(rq_error *err, const char *name) {
    rq_error_set(err, RQ_SEV_ERROR, "22023",
                 "time zone \"%s\" appears to use leap seconds", name);
    if (err)
        rq_strlcpy(err->detail, "PostgreSQL does not support leap seconds.",
                   sizeof err->detail);
    return RQ_ERR;
}

static char ascii_upper(char c) {
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* --- POSIX TZ string parsing (the grammar PostgreSQL's tzparse accepts) --- */

/* Unsigned decimal in [lo, hi]; NULL if absent or out of range. */
static const char *tzp_num(const char *p, int *out, int lo, int hi) {
    if (!p || !is_digit(*p))
        return NULL;
    int v = 0;
    while (is_digit(*p)) {
        v = v * 10 + (*p++ - '0');
        if (v > hi)
            return NULL;
    }
    if (v < lo)
        return NULL;
    *out = v;
    return p;
}

/* hh[:mm[:ss]], hours up to 167 (one week, as IANA allows). */
static const char *tzp_secs(const char *p, int32_t *out) {
    int h, m = 0, s = 0;
    p = tzp_num(p, &h, 0, 167);
    if (p && *p == ':') {
        p = tzp_num(p + 1, &m, 0, 59);
        if (p && *p == ':')
            p = tzp_num(p + 1, &s, 0, 60);
    }
    if (p)
        *out = h * 3600 + m * 60 + s;
    return p;
}

/* [+-]hh[:mm[:ss]]; the sign is returned as written (POSIX: + = west). */
static const char *tzp_signed(const char *p, int32_t *out) {
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = (*p++ == '-');
    p = tzp_secs(p, out);
    if (p && neg)
        *out = -*out;
    return p;
}

/* A zone abbreviation: "<...>" quoted, or a run of characters that are
 * not digits, ',', '+', '-'. Sets *len; NULL on an unterminated quote. */
static const char *tzp_abbr(const char *p, size_t *len) {
    if (*p == '<') {
        const char *q = strchr(p + 1, '>');
        if (!q)
            return NULL;
        *len = (size_t)(q - p - 1);
        return q + 1;
    }
    const char *s = p;
    while (*p && !is_digit(*p) && *p != ',' && *p != '-' && *p != '+')
        p++;
    *len = (size_t)(p - s);
    return p;
}

static const char *tzp_rule(const char *p, tz_rule *r) {
    r->secs = 2 * 3600; /* POSIX default transition time 02:00 */
    if (*p == 'J') {
        r->kind = 'J';
        p = tzp_num(p + 1, &r->day, 1, 365);
    } else if (*p == 'M') {
        r->kind = 'M';
        p = tzp_num(p + 1, &r->mon, 1, 12);
        if (p && *p++ == '.') {
            p = tzp_num(p, &r->week, 1, 5);
            if (p && *p++ == '.')
                p = tzp_num(p, &r->day, 0, 6);
            else
                p = NULL;
        } else {
            p = NULL;
        }
    } else if (is_digit(*p)) {
        r->kind = 'D';
        p = tzp_num(p, &r->day, 0, 365);
    } else {
        return NULL;
    }
    if (p && *p == '/')
        p = tzp_signed(p + 1, &r->secs);
    return p;
}

/*
 * Parse a whole POSIX TZ string. Like PostgreSQL, the standard-time
 * abbreviation may be empty ("+05:30" = 5h30 WEST of UTC). A DST zone
 * without rules gets the US rules ",M3.2.0,M11.1.0", which is what
 * PostgreSQL 15 applies to such strings for every year.
 */
static int tz_parse_posix(const char *s, tz_posix *out) {
    size_t len;
    int32_t west;
    memset(out, 0, sizeof *out);
    const char *p = tzp_abbr(s, &len);
    if (!p || *p == '\0')
        return 0;
    p = tzp_signed(p, &west);
    if (!p)
        return 0;
    out->std_off = -west;
    if (*p == '\0')
        return 1;
    p = tzp_abbr(p, &len);
    if (!p || len == 0)
        return 0;
    out->has_dst = 1;
    out->dst_off = out->std_off + 3600;
    if (*p && *p != ',' && *p != ';') {
        p = tzp_signed(p, &west);
        if (!p)
            return 0;
        out->dst_off = -west;
    }
    if (*p == '\0')
        p = ",M3.2.0,M11.1.0";
    if (*p != ',' && *p != ';')
        return 0;
    p = tzp_rule(p + 1, &out->start);
    if (!p || *p != ',')
        return 0;
    p = tzp_rule(p + 1, &out->end);
    return p && *p == '\0';
}

/* Seconds from Jan 1 00:00 (local) of year y to the rule's instant. */
static int64_t rule_secs(const tz_rule *r, int64_t y) {
    int64_t doy;
    if (r->kind == 'J') {
        doy = r->day - 1 + (is_leap(y) && r->day >= 60);
    } else if (r->kind == 'D') {
        doy = r->day;
    } else {
        int64_t first = days_from_civil(y, r->mon, 1);
        int mday = 1 + (r->day - weekday_of_days(first) + 7) % 7 + (r->week - 1) * 7;
        while (mday > month_len(y, r->mon))
            mday -= 7; /* week 5 = "last" */
        doy = first + mday - 1 - days_from_civil(y, 1, 1);
    }
    return doy * SECS_PER_DAY + r->secs;
}

static int64_t year_of_secs(int64_t t) {
    int64_t y;
    int m, d;
    civil_from_days(floordiv(t, SECS_PER_DAY), &y, &m, &d);
    return y;
}

/* DST start/end instants (UTC) of year y. */
static void rule_year(const tz_posix *r, int64_t y, int64_t *start, int64_t *end) {
    int64_t jan1 = days_from_civil(y, 1, 1) * SECS_PER_DAY;
    *start = jan1 + rule_secs(&r->start, y) - r->std_off;
    *end = jan1 + rule_secs(&r->end, y) - r->dst_off;
}

/* Offset a POSIX rule gives at UTC instant t (per UTC calendar year, as
 * tzcode lays its transitions out). */
static int32_t rule_offset(const tz_posix *r, int64_t t) {
    if (!r->has_dst)
        return r->std_off;
    /* keep the calendar arithmetic far from int64 overflow; formatted
     * values never come near this (|t| < 9.3e12 s) */
    const int64_t lim = INT64_C(10000000000000);
    t = t > lim ? lim : t < -lim ? -lim : t;
    int64_t y = year_of_secs(t), s, e;
    rule_year(r, y, &s, &e);
    if (s < e) {
        int64_t ylen = (is_leap(y) ? 366 : 365) * (int64_t)SECS_PER_DAY;
        if (e - s >= ylen)
            return r->dst_off; /* DST all year */
        return (t >= s && t < e) ? r->dst_off : r->std_off;
    }
    if (s == e)
        return r->dst_off; /* no transition at all: permanent DST */
    /* southern hemisphere: DST spans the new year */
    return (t >= e && t < s) ? r->std_off : r->dst_off;
}

int32_t rq_tz_offset(const rq_tz *tz, int64_t utc_sec) {
    if (!tz)
        return 0;
    if (tz->ntrans == 0 || utc_sec < tz->ats[0]) {
        if (tz->rule_before)
            return rule_offset(&tz->rule, utc_sec);
        return tz->before_off;
    }
    if (utc_sec >= tz->table_end)
        return rule_offset(&tz->rule, utc_sec);
    if (RQ_LIKELY(utc_sec >= tz->idx_base)) {
        uint64_t k = (uint64_t)(utc_sec - tz->idx_base) >> tz->idx_shift;
        if (k >= tz->idx_n)
            return tz->offs[tz->ntrans - 1];
        uint32_t i = tz->idx[k], last = (uint32_t)tz->ntrans - 1;
        while (i < last && tz->ats[i + 1] <= utc_sec)
            i++;
        return tz->offs[i];
    }
    /* largest i with ats[i] <= utc_sec; written so the compiler emits cmov */
    const int64_t *base = tz->ats;
    size_t n = (size_t)tz->ntrans;
    while (n > 1) {
        size_t half = n / 2;
        base = (base[half] <= utc_sec) ? base + half : base;
        n -= half;
    }
    return tz->offs[base - tz->ats];
}

/* --- building zones --- */

/* Growable transition list used only while loading. */
typedef struct tz_build {
    int64_t *ats;
    int32_t *offs;
    int32_t n, cap;
} tz_build;

static int tb_push(tz_build *b, int64_t at, int32_t off) {
    if (b->n == b->cap) {
        int32_t cap = b->cap ? b->cap * 2 : 64;
        int64_t *a = realloc(b->ats, (size_t)cap * sizeof *a);
        if (!a)
            return RQ_ENOMEM;
        b->ats = a;
        int32_t *o = realloc(b->offs, (size_t)cap * sizeof *o);
        if (!o)
            return RQ_ENOMEM;
        b->offs = o;
        b->cap = cap;
    }
    b->ats[b->n] = at;
    b->offs[b->n] = off;
    b->n++;
    return RQ_OK;
}

static void tb_free(tz_build *b) {
    free(b->ats);
    free(b->offs);
}

/*
 * Append the transitions `rule` makes after the table's last one (or
 * from year 1900 when the table is empty), up to Jan 1 of TZ_TABLE_YEAR
 * or later, and set *table_end to that instant. Each candidate instant is kept only if the rule's offset there
 * differs from the previous entry, so table and rule_offset() agree.
 */
static int tb_extend(tz_build *b, const tz_posix *rule, int64_t *table_end) {
    int64_t y0 = b->n ? year_of_secs(b->ats[b->n - 1]) : 1900;
    if (y0 < 1800) /* e.g. a lone "big bang" transition at -2^59 */
        y0 = 1800;
    if (y0 > 1000000) { /* absurd data: keep the last offset forever */
        *table_end = INT64_MAX;
        return RQ_OK;
    }
    int64_t y_end = y0 + 2 > TZ_TABLE_YEAR ? y0 + 2 : TZ_TABLE_YEAR;
    *table_end = days_from_civil(y_end, 1, 1) * SECS_PER_DAY;
    if (!rule->has_dst)
        return RQ_OK;
    int64_t last_at = b->n ? b->ats[b->n - 1] : INT64_MIN;
    int32_t last_off = 0;
    int have_last = b->n > 0;
    if (have_last)
        last_off = b->offs[b->n - 1];
    for (int64_t y = y0; y <= y_end + 1; y++) {
        int64_t c[2];
        rule_year(rule, y, &c[0], &c[1]);
        if (c[1] < c[0]) {
            int64_t t = c[0];
            c[0] = c[1];
            c[1] = t;
        }
        for (int i = 0; i < 2; i++) {
            if (c[i] <= last_at || c[i] >= *table_end)
                continue;
            int32_t off = rule_offset(rule, c[i]);
            if (!have_last)
                last_off = rule_offset(rule, c[i] - 1);
            have_last = 1;
            if (off != last_off) {
                int rc = tb_push(b, c[i], off);
                if (rc != RQ_OK)
                    return rc;
                last_off = off;
            }
            last_at = c[i];
        }
    }
    return RQ_OK;
}

#define TZ_IDX_MAX 4096                  /* buckets per zone (8 KB) */
#define TZ_IDX_FROM INT64_C(-5364662400)  /* 1800-01-01: index only later instants */

/* Choose the bucket index geometry for transitions ats[0..n-1]: the
 * smallest power-of-two bucket (>= 2^16 s) giving at most TZ_IDX_MAX
 * buckets from the first transition after 1800. n_out = 0: no index. */
static void tz_index_shape(const int64_t *ats, size_t n, int64_t *base, int *shift,
                           uint32_t *n_out) {
    size_t j = 0;
    while (j < n && ats[j] < TZ_IDX_FROM)
        j++;
    *base = INT64_MAX;
    *shift = 0;
    *n_out = 0;
    if (j == n || n > 65535)
        return;
    uint64_t span = (uint64_t)(ats[n - 1] - ats[j]);
    int sh = 16;
    while (sh < 62 && (span >> sh) + 1 > TZ_IDX_MAX)
        sh++;
    *base = ats[j];
    *shift = sh;
    *n_out = (uint32_t)((span >> sh) + 1);
}

/* Turn a finished build into an rq_tz (one allocation). Frees b's arrays. */
static int tz_finish(tz_build *b, const char *name, rq_tz **out) {
    size_t n = (size_t)b->n;
    int64_t ibase;
    int ishift;
    uint32_t in;
    tz_index_shape(b->ats, n, &ibase, &ishift, &in);
    rq_tz *tz = calloc(1, sizeof *tz + n * (sizeof(int64_t) + sizeof(int32_t)) +
                              in * sizeof(uint16_t));
    if (!tz) {
        tb_free(b);
        return RQ_ENOMEM;
    }
    rq_strlcpy(tz->name, name, sizeof tz->name);
    tz->ntrans = b->n;
    tz->ats = (int64_t *)(tz + 1);
    tz->offs = (int32_t *)(tz->ats + n);
    tz->idx = (uint16_t *)(tz->offs + n);
    if (n) {
        memcpy(tz->ats, b->ats, n * sizeof(int64_t));
        memcpy(tz->offs, b->offs, n * sizeof(int32_t));
    }
    tz->idx_base = ibase;
    tz->idx_shift = ishift;
    tz->idx_n = in;
    size_t i = 0;
    for (uint32_t k = 0; k < in; k++) {
        int64_t start = ibase + (int64_t)((uint64_t)k << ishift);
        while (i + 1 < n && tz->ats[i + 1] <= start)
            i++;
        tz->idx[k] = (uint16_t)i;
    }
    tz->table_end = INT64_MAX;
    tb_free(b);
    *out = tz;
    return RQ_OK;
}

/* Zone from a POSIX TZ string (no file): the rule holds for all time. */
static int tz_from_posix(const tz_posix *p, const char *name, rq_tz **out) {
    tz_build b = {0};
    int64_t table_end = INT64_MAX;
    int rc = tb_extend(&b, p, &table_end);
    if (rc == RQ_OK)
        rc = tz_finish(&b, name, out);
    else
        tb_free(&b);
    if (rc != RQ_OK)
        return rc;
    (*out)->before_off = p->std_off;
    (*out)->rule = *p;
    (*out)->has_rule = 1;
    (*out)->rule_before = p->has_dst;
    (*out)->table_end = p->has_dst ? table_end : INT64_MAX;
    return RQ_OK;
}

/* --- TZif files --- */

static int64_t be32(const unsigned char *p) {
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

static int64_t be64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

/* The parts of a TZif data block we use. */
typedef struct tzif_hdr {
    int64_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
    size_t size; /* bytes of the data block after the 44-byte header */
} tzif_hdr;

static int tzif_header(const unsigned char *p, size_t len, int tsize, tzif_hdr *h) {
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return 0;
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    if (h->typecnt < 1 || h->typecnt > TZ_MAX_TYPES || h->timecnt < 0 ||
        h->timecnt > TZ_MAX_TRANS || h->leapcnt < 0 || h->leapcnt > 1000 ||
        h->charcnt < 0 || h->charcnt > 1000 ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt))
        return 0;
    h->size = (size_t)(h->timecnt * tsize + h->timecnt + h->typecnt * 6 + h->charcnt +
                       h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt);
    return 44 + h->size <= len;
}

/*
 * The type used before the first transition: type 0 for data from any
 * recent tzdb; for older files, the heuristics tzcode (and so PostgreSQL)
 * applies: if type 0 is used by a transition and the first transition is to
 * DST, the closest standard type below it; else the first standard type.
 */
static int tzif_default_type(const unsigned char *types, int64_t timecnt,
                             const unsigned char *ttinfo, int64_t typecnt) {
    int used0 = 0;
    for (int64_t i = 0; i < timecnt; i++)
        used0 |= types[i] == 0;
    if (!used0)
        return 0;
    if (timecnt > 0 && ttinfo[types[0] * 6 + 4]) {
        for (int i = types[0] - 1; i >= 0; i--)
            if (!ttinfo[i * 6 + 4])
                return i;
    }
    for (int i = 0; i < typecnt; i++)
        if (!ttinfo[i * 6 + 4])
            return i;
    return 0;
}

/*
 * Parse TZif bytes into a zone. Returns RQ_OK, RQ_ERR (not a usable TZif:
 * the caller then tries the name as a POSIX string), RQ_ENOMEM, or 1 when
 * the file carries leap seconds (which PostgreSQL refuses).
 */
static int tzif_parse(const unsigned char *p, size_t len, const char *name, rq_tz **out) {
    tzif_hdr h;
    if (!tzif_header(p, len, 4, &h))
        return RQ_ERR;
    int tsize = 4;
    const unsigned char *d = p + 44;
    const char *footer = NULL;
    size_t footer_len = 0;
    if (p[4] >= '2') { /* skip the 32-bit block, use the 64-bit one */
        const unsigned char *p2 = d + h.size;
        size_t len2 = len - (size_t)(p2 - p);
        if (!tzif_header(p2, len2, 8, &h))
            return RQ_ERR;
        tsize = 8;
        d = p2 + 44;
        const unsigned char *f = d + h.size;
        size_t flen = len2 - 44 - h.size;
        if (flen >= 2 && f[0] == '\n') {
            const unsigned char *nl = memchr(f + 1, '\n', flen - 1);
            if (nl) {
                footer = (const char *)f + 1;
                footer_len = (size_t)(nl - f - 1);
            }
        }
    }
    if (h.leapcnt > 0)
        return 1;
    const unsigned char *times = d;
    const unsigned char *types = times + h.timecnt * tsize;
    const unsigned char *ttinfo = types + h.timecnt;
    for (int64_t i = 0; i < h.timecnt; i++)
        if (types[i] >= h.typecnt)
            return RQ_ERR;
    for (int64_t i = 0; i < h.typecnt; i++)
        if (ttinfo[i * 6 + 4] > 1 || ttinfo[i * 6 + 5] > h.charcnt)
            return RQ_ERR;

    tz_posix rule;
    int has_rule = 0;
    if (footer && footer_len > 0 && footer_len < 256) {
        char buf[256];
        memcpy(buf, footer, footer_len);
        buf[footer_len] = '\0';
        has_rule = tz_parse_posix(buf, &rule);
    }

    tz_build b = {0};
    int rc = RQ_OK;
    int64_t prev = INT64_MIN;
    for (int64_t i = 0; i < h.timecnt && rc == RQ_OK; i++) {
        int64_t at = tsize == 8 ? be64(times + i * 8) : be32(times + i * 4);
        if (i > 0 && at <= prev)
            break; /* out of order: ignore the rest, as tzcode does */
        prev = at;
        rc = tb_push(&b, at, (int32_t)be32(ttinfo + types[i] * 6));
    }
    int64_t table_end = INT64_MAX;
    int rule_everywhere = has_rule && rule.has_dst && b.n == 0;
    if (rc == RQ_OK && has_rule)
        rc = tb_extend(&b, &rule, &table_end);
    if (rc == RQ_OK)
        rc = tz_finish(&b, name, out);
    else
        tb_free(&b);
    if (rc != RQ_OK)
        return rc;
    rq_tz *tz = *out;
    int dt = tzif_default_type(types, h.timecnt, ttinfo, h.typecnt);
    tz->before_off = (int32_t)be32(ttinfo + dt * 6);
    if (has_rule) {
        tz->rule = rule;
        tz->has_rule = rule.has_dst;
        tz->rule_before = rule_everywhere;
        tz->table_end = rule.has_dst ? table_end : INT64_MAX;
    }
    return RQ_OK;
}

/*
 * Find `upper` under RQ_TZDIR one path component at a time, matching
 * names case-insensitively (ASCII) like PostgreSQL. Components that are
 * empty or start with '.' never match, so "..", "/etc/..." and "a//b"
 * cannot escape the directory. Writes the on-disk spelling to `canon`.
 */
static int tz_find_file(const char *upper, char *path, size_t path_cap, char *canon) {
    size_t plen = strlen(RQ_TZDIR), clen = 0;
    memcpy(path, RQ_TZDIR, plen + 1);
    canon[0] = '\0';
    const char *comp = upper;
    for (;;) {
        const char *slash = strchr(comp, '/');
        size_t n = slash ? (size_t)(slash - comp) : strlen(comp);
        if (n == 0 || comp[0] == '.')
            return 0;
        DIR *dir = opendir(path);
        if (!dir)
            return 0;
        struct dirent *de;
        int found = 0;
        while ((de = readdir(dir)) != NULL) {
            const char *dn = de->d_name;
            if (dn[0] == '.' || strlen(dn) != n)
                continue;
            size_t i = 0;
            while (i < n && ascii_upper(dn[i]) == comp[i])
                i++;
            if (i == n) {
                found = plen + 1 + n < path_cap && clen + n + 1 <= TZ_NAME_MAX;
                if (found) {
                    path[plen++] = '/';
                    memcpy(path + plen, dn, n + 1);
                    plen += n;
                    if (clen)
                        canon[clen++] = '/';
                    memcpy(canon + clen, dn, n + 1);
                    clen += n;
                }
                break;
            }
        }
        closedir(dir);
        if (!found)
            return 0;
        if (!slash)
            return 1;
        comp = slash + 1;
    }
}

/* Read a regular file of at most TZ_FILE_MAX bytes into a malloc'd buffer. */
static int read_small_file(const char *path, unsigned char **buf, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return RQ_ERR;
    struct stat st;
    int rc = RQ_ERR;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        st.st_size <= TZ_FILE_MAX) {
        size_t want = (size_t)st.st_size, got = 0;
        unsigned char *b = malloc(want);
        rc = b ? RQ_OK : RQ_ENOMEM;
        while (rc == RQ_OK && got < want) {
            ssize_t r = read(fd, b + got, want - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                rc = RQ_ERR;
            else
                got += (size_t)r;
        }
        if (rc == RQ_OK) {
            *buf = b;
            *len = got;
        } else {
            free(b);
        }
    }
    close(fd);
    return rc;
}

/*
 * Load zone `upper` from the TZif database. RQ_OK, RQ_ERR (no such
 * usable file), RQ_ENOMEM, or 1 for a leap-second file.
 */
static int tz_load_file(const char *upper, rq_tz **out) {
    char path[sizeof RQ_TZDIR + TZ_NAME_MAX + 2];
    char canon[TZ_NAME_MAX + 1];
    if (!tz_find_file(upper, path, sizeof path, canon))
        return RQ_ERR;
    unsigned char *buf;
    size_t len;
    int rc = read_small_file(path, &buf, &len);
    if (rc != RQ_OK)
        return rc;
    rc = tzif_parse(buf, len, canon, out);
    free(buf);
    return rc;
}

/* PostgreSQL's name for a fixed offset given in seconds WEST of UTC:
 * "<-08>+08" for 8 h west, "<+05:30>-05:30" for 5 h 30 east. */
static void fixed_name(long west, char *canon) {
    long a = west < 0 ? -west : west;
    char hms[32], *p = hms;
    long h = a / 3600, m = a / 60 % 60, s = a % 60;
    if (h >= 100)
        *p++ = (char)('0' + h / 100);
    *p++ = (char)('0' + h / 10 % 10);
    *p++ = (char)('0' + h % 10);
    if (m || s) {
        *p++ = ':';
        *p++ = (char)('0' + m / 10);
        *p++ = (char)('0' + m % 10);
        if (s) {
            *p++ = ':';
            *p++ = (char)('0' + s / 10);
            *p++ = (char)('0' + s % 10);
        }
    }
    *p = '\0';
    size_t n = strlen(hms), k = 0;
    canon[k++] = '<';
    canon[k++] = west > 0 ? '-' : '+';
    memcpy(canon + k, hms, n);
    k += n;
    canon[k++] = '>';
    canon[k++] = west > 0 ? '+' : '-';
    memcpy(canon + k, hms, n + 1);
}

/*
 * A TimeZone value that is entirely a number (as strtod reads it) means
 * hours EAST of UTC (SQL convention), the reverse of POSIX strings.
 * Returns 1 if `name` is numeric, with *west set (seconds, truncated like
 * PostgreSQL's C cast); *ok = 0 when |offset| is not below 168 hours.
 */
static int tz_numeric(const char *name, long *west, int *ok) {
    char *end;
    double hours = strtod(name, &end);
    if (end == name || *end != '\0')
        return 0;
    double secs = -hours * 3600.0;
    *ok = isfinite(secs) && fabs(secs) < 604800.0;
    *west = *ok ? (long)secs : 0;
    return 1;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Unsigned decimal with optional fraction; value scaled by 1e6. */
static const char *ival_num(const char *p, int64_t *micro, int allow_frac) {
    int64_t v = 0;
    int nd = 0;
    while (is_digit(*p) && nd < 12) {
        v = v * 10 + (*p++ - '0');
        nd++;
    }
    if (nd == 0 || is_digit(*p))
        return NULL;
    v *= 1000000;
    if (allow_frac && *p == '.') {
        int64_t scale = 100000;
        p++;
        while (is_digit(*p)) {
            v += (*p++ - '0') * scale;
            scale /= 10;
        }
    }
    *micro = v;
    return p;
}

/* Unit word → microseconds per unit; -1 for days, -2 for months. */
static int64_t ival_unit(const char *w, size_t n) {
    static const struct { const char *w; int64_t us; } units[] = {
        {"year", -24}, {"years", -24}, {"y", -24}, {"mon", -2}, {"mons", -2},
        {"month", -2}, {"months", -2}, {"day", -1}, {"days", -1}, {"d", -1},
        {"hour", USECS_PER_HOUR}, {"hours", USECS_PER_HOUR}, {"h", USECS_PER_HOUR},
        {"hr", USECS_PER_HOUR}, {"hrs", USECS_PER_HOUR}, {"minute", USECS_PER_MIN},
        {"minutes", USECS_PER_MIN}, {"min", USECS_PER_MIN}, {"mins", USECS_PER_MIN},
        {"m", USECS_PER_MIN}, {"second", USECS_PER_SEC}, {"seconds", USECS_PER_SEC},
        {"sec", USECS_PER_SEC}, {"secs", USECS_PER_SEC}, {"s", USECS_PER_SEC},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t k = 0;
        while (k < n && units[i].w[k] && ascii_upper(w[k]) == ascii_upper(units[i].w[k]))
            k++;
        if (k == n && units[i].w[k] == '\0')
            return units[i].us;
    }
    return 0;
}

/*
 * Parse the subset of interval syntax a TimeZone setting can carry
 * ("INTERVAL '-08:00:00'" is what SET TIME ZONE INTERVAL ... becomes):
 * space-separated "[+-]H:MM[:SS[.f]]", "[+-]N[.f]" (seconds) and
 * "[+-]N unit" terms. Returns 0 on anything else.
 */
static int ival_parse(const char *p, int *has_mon, int *has_day, int64_t *usec) {
    *has_mon = *has_day = 0;
    *usec = 0;
    int terms = 0;
    for (;;) {
        while (is_space(*p))
            p++;
        if (*p == '\0')
            return terms > 0;
        int neg = 0;
        if (*p == '+' || *p == '-')
            neg = (*p++ == '-');
        int64_t v, part;
        const char *q = ival_num(p, &v, 1);
        if (!q)
            return 0;
        if (*q == ':') { /* H:MM[:SS[.f]] */
            if (v % 1000000 || !(q = ival_num(q + 1, &part, 0)) || part >= 60 * USECS_PER_SEC)
                return 0;
            if (v > 1000000 * USECS_PER_SEC)
                v = 1000000 * USECS_PER_SEC; /* far out of range anyway */
            v = v * 3600 + part * 60;
            if (*q == ':') {
                if (!(q = ival_num(q + 1, &part, 1)) || part >= 60 * USECS_PER_SEC)
                    return 0;
                v += part;
            }
        } else {
            const char *w = q;
            while (is_space(*w))
                w++;
            const char *we = w;
            while ((*we >= 'a' && *we <= 'z') || (*we >= 'A' && *we <= 'Z'))
                we++;
            if (we > w) {
                int64_t us = ival_unit(w, (size_t)(we - w));
                if (us == 0)
                    return 0;
                if (us < 0) { /* any nonzero year/month/day count */
                    *(us == -1 ? has_day : has_mon) |= v != 0;
                    v = 0;
                } else {
                    double d = (double)v / 1e6 * (double)us;
                    v = d > 1e15 ? INT64_C(1000000000000000) : (int64_t)d;
                }
                q = we;
            }
        }
        if (*q && !is_space(*q))
            return 0;
        *usec += neg ? -v : v;
        p = q;
        terms++;
    }
}

/*
 * "interval '...'" settings. Returns 0 if `name` does not start with
 * "interval", else 1 with *west set, or -1 with err filled.
 */
static int tz_interval(const char *name, long *west, rq_error *err) {
    static const char kw[] = "INTERVAL";
    for (int i = 0; i < 8; i++)
        if (ascii_upper(name[i]) != kw[i])
            return 0;
    const char *p = name + 8;
    while (is_space(*p))
        p++;
    size_t n = strlen(p);
    const char *close = n ? strchr(p + 1, '\'') : NULL;
    if (p[0] != '\'' || !close || close[1] != '\0' || close - p > 200) {
        tz_invalid(err, name, NULL);
        return -1;
    }
    char body[208];
    memcpy(body, p + 1, (size_t)(close - p - 1));
    body[close - p - 1] = '\0';
    int has_mon, has_day;
    int64_t usec;
    if (!ival_parse(body, &has_mon, &has_day, &usec)) {
        rq_error_set(err, RQ_SEV_ERROR, "22007",
                     "invalid input syntax for type interval: \"%s\"", body);
        return -1;
    }
    const char *detail = has_mon ? "Cannot specify months in time zone interval."
                         : has_day ? "Cannot specify days in time zone interval."
                         : NULL;
    if (!detail && (usec <= -168 * USECS_PER_HOUR || usec >= 168 * USECS_PER_HOUR))
        detail = "UTC timezone offset is out of range.";
    if (detail) {
        tz_invalid(err, name, detail);
        return -1;
    }
    *west = (long)-(usec / USECS_PER_SEC);
    return 1;
}

/* PostgreSQL refuses zones whose local time at 2000-01-01 00:00 UTC has
 * nonzero seconds (its test for leap-second data). */
static int tz_acceptable(const rq_tz *tz) {
    int32_t off = rq_tz_offset(tz, INT64_C(946684800));
    return off % 60 == 0;
}

/* Resolve a non-numeric name: builtin GMT, TZif file, then POSIX string. */
static int tz_load_named(const char *name, const char *upper, rq_tz **out, rq_error *err) {
    int rc = RQ_ERR;
    if (upper[0] == ':') /* ":Zone" names a file, never a POSIX string */
        rc = tz_load_file(upper + 1, out);
    else if (strcmp(upper, "GMT") != 0)
        rc = tz_load_file(upper, out);
    if (rc == RQ_ENOMEM)
        return rq_error_nomem(err);
    if (rc == 1)
        return tz_leap_error(err, name);
    if (rc != RQ_OK) {
        tz_posix px;
        /* GMT is built in; UTC too when the tz database is missing */
        if (upper[0] == ':')
            rc = RQ_ERR;
        else if (strcmp(upper, "GMT") == 0 || strcmp(upper, "UTC") == 0)
            rc = tz_from_posix(&(tz_posix){0}, upper, out);
        else if (tz_parse_posix(upper, &px))
            rc = tz_from_posix(&px, upper, out);
        if (rc == RQ_ENOMEM)
            return rq_error_nomem(err);
        if (rc != RQ_OK)
            return tz_invalid(err, name, NULL);
    }
    if (!tz_acceptable(*out)) {
        rq_tz_free(*out);
        *out = NULL;
        return tz_leap_error(err, name);
    }
    return RQ_OK;
}

/*
 * Classify `name`: a fixed offset (numeric or "interval '...'"; returns
 * 'N', canonical "<+05>-05" name in key+1, *east set) or a name to resolve
 * (returns 'P', upper-cased name in key+1). key[0] holds the class so the
 * two kinds never share a cache slot. Returns 0 (with err filled) when the
 * name is unusable before any lookup.
 */
static char tz_key(const char *name, char key[TZ_NAME_MAX + 2], int32_t *east, rq_error *err) {
    int ok;
    long west;
    int iv = tz_interval(name, &west, err);
    if (iv < 0)
        return 0;
    if (iv || tz_numeric(name, &west, &ok)) {
        if (!iv && !ok) {
            tz_invalid(err, name, "UTC timezone offset is out of range.");
            return 0;
        }
        fixed_name(west, key + 1);
        *east = (int32_t)-west;
        key[0] = 'N';
        return 'N';
    }
    size_t n = strlen(name);
    if (n == 0 || n > TZ_NAME_MAX) {
        tz_invalid(err, name, NULL);
        return 0;
    }
    for (size_t i = 0; i <= n; i++)
        key[1 + i] = ascii_upper(name[i]);
    key[0] = 'P';
    return 'P';
}

static int tz_load_key(const char *name, const char *key, int32_t east, rq_tz **out,
                       rq_error *err) {
    if (key[0] == 'N') {
        tz_posix px = {.std_off = east};
        int rc = tz_from_posix(&px, key + 1, out);
        return rc == RQ_OK ? RQ_OK : rq_error_nomem(err);
    }
    return tz_load_named(name, key + 1, out, err);
}

int rq_tz_load(const char *name, rq_tz **out, rq_error *err) {
    char key[TZ_NAME_MAX + 2];
    int32_t east = 0;
    *out = NULL;
    if (!name)
        return tz_invalid(err, "", NULL);
    if (!tz_key(name, key, &east, err))
        return RQ_ERR;
    return tz_load_key(name, key, east, out, err);
}

void rq_tz_free(rq_tz *tz) { free(tz); }

const char *rq_tz_name(const rq_tz *tz) { return tz ? tz->name : "UTC"; }

/* --- process-wide cache --- */

#define TZ_CACHE_BUCKETS 256
#define TZ_CACHE_MAX 4096

typedef struct tz_cache_ent {
    struct tz_cache_ent *next;
    rq_tz *tz;
    char key[];
} tz_cache_ent;

static pthread_mutex_t g_tz_mu = PTHREAD_MUTEX_INITIALIZER;
static tz_cache_ent *g_tz_buckets[TZ_CACHE_BUCKETS];
static size_t g_tz_count;

static unsigned tz_hash(const char *s) {
    uint32_t h = 2166136261u; /* FNV-1a */
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h % TZ_CACHE_BUCKETS;
}

/* Caller holds g_tz_mu. */
static rq_tz *tz_cache_find(const char *key, unsigned h) {
    for (tz_cache_ent *e = g_tz_buckets[h]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e->tz;
    return NULL;
}

int rq_tz_cache_get(const char *name, const rq_tz **out, rq_error *err) {
    char key[TZ_NAME_MAX + 2];
    int32_t east = 0;
    *out = NULL;
    if (!name)
        return tz_invalid(err, "", NULL);
    if (!tz_key(name, key, &east, err))
        return RQ_ERR;
    unsigned h = tz_hash(key);
    pthread_mutex_lock(&g_tz_mu);
    rq_tz *hit = tz_cache_find(key, h);
    pthread_mutex_unlock(&g_tz_mu);
    if (hit) {
        *out = hit;
        return RQ_OK;
    }
    /* Load without the lock (file I/O); another thread may race us. */
    rq_tz *tz;
    int rc = tz_load_key(name, key, east, &tz, err);
    if (rc != RQ_OK)
        return rc;
    size_t klen = strlen(key);
    tz_cache_ent *e = malloc(sizeof *e + klen + 1);
    if (!e) {
        rq_tz_free(tz);
        return rq_error_nomem(err);
    }
    memcpy(e->key, key, klen + 1);
    e->tz = tz;
    pthread_mutex_lock(&g_tz_mu);
    hit = tz_cache_find(key, h);
    int full = !hit && g_tz_count >= TZ_CACHE_MAX;
    if (!hit && !full) {
        e->next = g_tz_buckets[h];
        g_tz_buckets[h] = e;
        g_tz_count++;
        hit = tz;
        e = NULL;
    }
    pthread_mutex_unlock(&g_tz_mu);
    if (e) {
        free(e);
        rq_tz_free(tz);
    }
    if (full)
        return rq_error_set(err, RQ_SEV_ERROR, "54000",
                            "too many distinct time zones in use");
    *out = hit;
    return RQ_OK;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */

static const char k_digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static char *put2(char *p, unsigned v) {
    memcpy(p, k_digits2 + v * 2, 2);
    return p + 2;
}

/* Decimal digits of v, at least `width` wide (zero padded). */
static char *put_uint(char *p, uint64_t v, int width) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* ".ffffff" without trailing zeros; nothing for 0. usec in [0, 999999]. */
static char *put_frac(char *p, uint32_t usec) {
    if (!usec)
        return p;
    int n = 6;
    while (usec % 10 == 0) {
        usec /= 10;
        n--;
    }
    *p++ = '.';
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + usec % 10);
        usec /= 10;
    }
    return p + n;
}

/* "YYYY-MM-DD" (year at least 4 digits; BC years as 1 - y, suffix added
 * by the caller). Returns the end; *bc set for years <= 0. */
static char *put_date(char *p, int64_t days, int *bc) {
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    *bc = y <= 0;
    uint64_t shown = (uint64_t)(y > 0 ? y : 1 - y);
    if (shown < 10000) {
        p = put2(p, (unsigned)(shown / 100));
        p = put2(p, (unsigned)(shown % 100));
    } else {
        p = put_uint(p, shown, 4);
    }
    *p++ = '-';
    p = put2(p, (unsigned)m);
    *p++ = '-';
    return put2(p, (unsigned)d);
}

/* "HH:MM:SS[.ffffff]" from microseconds since midnight (<= 24:00:00). */
static char *put_time(char *p, int64_t usec) {
    uint64_t s = (uint64_t)usec / 1000000u;
    p = put2(p, (unsigned)(s / 3600));
    *p++ = ':';
    p = put2(p, (unsigned)(s / 60 % 60));
    *p++ = ':';
    p = put2(p, (unsigned)(s % 60));
    return put_frac(p, (uint32_t)((uint64_t)usec % 1000000u));
}

/* "+HH", "+HH:MM" or "+HH:MM:SS" for an offset east of UTC. */
static char *put_offset(char *p, int32_t east) {
    *p++ = east >= 0 ? '+' : '-';
    uint32_t a = east >= 0 ? (uint32_t)east : (uint32_t)(-(int64_t)east);
    uint32_t h = a / 3600, m = a / 60 % 60, s = a % 60;
    p = h < 100 ? put2(p, h) : put_uint(p, h, 2);
    if (m || s) {
        *p++ = ':';
        p = put2(p, m);
        if (s) {
            *p++ = ':';
            p = put2(p, s);
        }
    }
    return p;
}

static int finish(char *out, char *p, int bc) {
    if (bc) {
        memcpy(p, " BC", 3);
        p += 3;
    }
    *p = '\0';
    return (int)(p - out);
}

int rq_fmt_date(int64_t days, char *out, rq_error *err) {
    if (RQ_UNLIKELY(days < DATE_MIN_DAYS || days >= DATE_END_DAYS))
        return rq_error_set(err, RQ_SEV_ERROR, "22008", "date out of range");
    int bc;
    char *p = put_date(out, days, &bc);
    return finish(out, p, bc);
}

int rq_fmt_time(int64_t usec, char *out, rq_error *err) {
    if (RQ_UNLIKELY(usec < 0 || usec > USECS_PER_DAY))
        return rq_error_set(err, RQ_SEV_ERROR, "22008", "time out of range");
    return finish(out, put_time(out, usec), 0);
}

int rq_fmt_timestamp(int64_t usec, char *out, rq_error *err) {
    int64_t days = floordiv(usec, USECS_PER_DAY);
    if (RQ_UNLIKELY(days < DATE_MIN_DAYS || days >= TS_END_DAYS))
        return rq_error_set(err, RQ_SEV_ERROR, "22008", "timestamp out of range");
    int bc;
    char *p = put_date(out, days, &bc);
    *p++ = ' ';
    p = put_time(p, usec - days * USECS_PER_DAY);
    return finish(out, p, bc);
}

int rq_fmt_timestamptz(int64_t usec, const rq_tz *tz, char *out, rq_error *err) {
    /* The range check is on the UTC value; local time may lie just
     * outside it, and PostgreSQL prints that too. */
    if (RQ_UNLIKELY(floordiv(usec, USECS_PER_DAY) < DATE_MIN_DAYS ||
                    floordiv(usec, USECS_PER_DAY) >= TS_END_DAYS))
        return rq_error_set(err, RQ_SEV_ERROR, "22008", "timestamp out of range");
    int64_t sec = floordiv(usec, USECS_PER_SEC);
    uint32_t frac = (uint32_t)(usec - sec * USECS_PER_SEC);
    int32_t off = tz ? rq_tz_offset(tz, sec) : 0;
    int64_t local = sec + off;
    int64_t days = floordiv(local, SECS_PER_DAY);
    int bc;
    char *p = put_date(out, days, &bc);
    *p++ = ' ';
    p = put_time(p, (local - days * SECS_PER_DAY) * USECS_PER_SEC + frac);
    p = put_offset(p, off);
    return finish(out, p, bc);
}

/* One "N unit(s)" field of a postgres-style interval. A positive field
 * right after a negative one gets an explicit '+'. */
static char *put_ival_part(char *p, int64_t v, const char *unit, int *is_zero, int *is_before) {
    if (v == 0)
        return p;
    if (!*is_zero)
        *p++ = ' ';
    if (*is_before && v > 0)
        *p++ = '+';
    if (v < 0)
        *p++ = '-';
    p = put_uint(p, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 1);
    *p++ = ' ';
    size_t n = strlen(unit);
    memcpy(p, unit, n);
    p += n;
    if (v != 1)
        *p++ = 's';
    *is_before = v < 0;
    *is_zero = 0;
    return p;
}

int rq_fmt_interval(int32_t months, int32_t days, int64_t usec, char *out, rq_error *err) {
    (void)err; /* every (months, days, usec) triple is printable */
    int is_zero = 1, is_before = 0;
    char *p = out;
    p = put_ival_part(p, months / 12, "year", &is_zero, &is_before);
    p = put_ival_part(p, months % 12, "mon", &is_zero, &is_before);
    p = put_ival_part(p, days, "day", &is_zero, &is_before);
    if (is_zero || usec != 0) {
        if (!is_zero)
            *p++ = ' ';
        if (usec < 0)
            *p++ = '-';
        else if (is_before)
            *p++ = '+';
        uint64_t a = usec < 0 ? (uint64_t)0 - (uint64_t)usec : (uint64_t)usec;
        uint64_t s = a / 1000000u;
        p = put_uint(p, s / 3600, 2);
        *p++ = ':';
        p = put2(p, (unsigned)(s / 60 % 60));
        *p++ = ':';
        p = put2(p, (unsigned)(s % 60));
        p = put_frac(p, (uint32_t)(a % 1000000u));
    }
    *p = '\0';
    return (int)(p - out);
}
