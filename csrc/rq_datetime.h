/*
 * rq_datetime.h — time zones and PostgreSQL date/time text output
 * (DateStyle ISO, IntervalStyle postgres).
 *
 * Time zones: rq_tz_load() resolves a TimeZone setting exactly as
 * PostgreSQL 15's SET TimeZone does:
 *   - a string that is entirely a number (strtod) is hours EAST of UTC
 *     ("5.5", "-8"); |offset| must be below 168 h. Its name becomes
 *     PostgreSQL's "<+05:30>-05:30" form.
 *   - otherwise the name is upper-cased (ASCII) and looked up
 *     case-insensitively in the TZif database (/usr/share/zoneinfo):
 *     "Europe/Istanbul", "utc", "america/new_york" (name becomes the on-disk
 *     spelling). "GMT" is built in.
 *   - failing that it is parsed as a POSIX TZ string, where offsets are WEST
 *     of UTC: "UTC+3" and "+05:30" mean 3 h / 5 h 30 west (-03, -05:30);
 *     "CET-1CEST,M3.5.0,M10.5.0/3". The name becomes the upper-cased string.
 * "Z" is NOT accepted (PostgreSQL rejects it too). Names with empty or
 * dot-leading path components never reach the file system.
 * An rq_tz is immutable once loaded and may be shared between threads.
 */
#ifndef RQ_DATETIME_H
#define RQ_DATETIME_H

#include <stdint.h>

#include "rq_common.h"

typedef struct rq_tz rq_tz;

/*
 * Load zone `name` into a new rq_tz owned by the caller (free with
 * rq_tz_free). Errors (all SQLSTATE 22023, wording as PostgreSQL's):
 *   invalid value for parameter "TimeZone": "Foo/Bar"
 *     (numeric out of range adds detail "UTC timezone offset is out of range.")
 *   time zone "right/UTC" appears to use leap seconds
 *     (detail "PostgreSQL does not support leap seconds.")
 * or RQ_ENOMEM. Does file I/O: not for per-value paths; sessions should
 * use rq_tz_cache_get().
 */
int rq_tz_load(const char *name, rq_tz **out, rq_error *err);

/*
 * Like rq_tz_load(), but through a process-wide, thread-safe cache keyed by
 * the upper-cased name (or, for numeric settings, the canonical
 * "<+05>-05" name). The returned zone belongs to the cache and is never
 * freed: do NOT pass it to rq_tz_free(). Failed loads are not cached.
 * At most 4096 distinct zones are kept; beyond that new zones fail with
 * 54000 "too many distinct time zones in use" (a client cycling through
 * endless "5.0001"-style settings cannot grow memory without bound).
 */
int rq_tz_cache_get(const char *name, const rq_tz **out, rq_error *err);

/* Free a zone from rq_tz_load(). NULL is accepted. */
void rq_tz_free(rq_tz *tz);

/* The zone's name as PostgreSQL echoes it in SHOW TimeZone ("UTC" for
 * 'utc', "America/New_York" for 'america/new_york', "<-08>+08" for '-8',
 * "UTC+3" for 'utc+3'). Owned by the zone. NULL tz gives "UTC". */
const char *rq_tz_name(const rq_tz *tz);

/* Offset in seconds east of UTC in effect at UTC instant `utc_sec` (NULL tz
 * = UTC). Lock-free, no allocation: a binary search over the zone's
 * transitions (tabulated up to year 2200, the POSIX rule beyond). */
int32_t rq_tz_offset(const rq_tz *tz, int64_t utc_sec);

/* ---- Text output (DateStyle ISO, IntervalStyle postgres) ----
 * Each writes a NUL-terminated string to `out` (at least RQ_DT_BUFSZ bytes)
 * and returns its length, or a negative status with `err` filled (22008
 * datetime_field_overflow: "date out of range" / "timestamp out of range"
 * when the value is outside PostgreSQL's range: dates 4714-11-24 BC ..
 * 5874897-12-31, timestamps 4714-11-24 00:00 BC .. 294276-12-31 23:59:59.999999;
 * times: "time out of range" outside 0..24:00:00). Dates/timestamps carry no
 * infinity here: PostgreSQL's infinities are sentinels of its own epoch.
 * No malloc, no locale, no libc time functions: safe for hot loops.
 * Years before 1 AD print as PostgreSQL does ("0044-03-15 BC").
 */
#define RQ_DT_BUFSZ 80

/* date: days since 1970-01-01 → "2024-01-31" */
int rq_fmt_date(int64_t days, char *out, rq_error *err);

/* time without time zone: microseconds since midnight (0..86400000000) →
 * "13:45:06" or "13:45:06.5" (fraction without trailing zeros) */
int rq_fmt_time(int64_t usec, char *out, rq_error *err);

/* timestamp: microseconds since 1970-01-01 00:00 → "2024-01-31 13:45:06.123" */
int rq_fmt_timestamp(int64_t usec, char *out, rq_error *err);

/* timestamptz: UTC microseconds since the epoch, rendered in `tz` (NULL =
 * UTC) → "2024-01-31 16:45:06.123+03", "...+05:30", "...-04:56:02" (LMT),
 * "...-04:56:02 BC". The range check applies to the UTC value; the local
 * rendering may fall just outside it, as in PostgreSQL. */
int rq_fmt_timestamptz(int64_t usec, const rq_tz *tz, char *out, rq_error *err);

/* interval (IntervalStyle postgres) → "1 year 2 mons 3 days 04:05:06.789",
 * "-1 days +02:00:00", "00:00:00" ... exactly as interval_out. Fields are
 * PostgreSQL's: months (years = months / 12), days, microseconds. Never
 * fails (every triple is printable). */
int rq_fmt_interval(int32_t months, int32_t days, int64_t usec, char *out,
                    rq_error *err);

#endif /* RQ_DATETIME_H */
