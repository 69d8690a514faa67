/*
 * test_datetime.c — rq_datetime against vectors observed on a real
 * PostgreSQL 15.18 server (DateStyle 'ISO, MDY', IntervalStyle 'postgres',
 * Debian tzdata 2025b). Expected strings were produced by psql, e.g.
 *   set timezone='America/New_York';
 *   select timestamptz 'epoch' + '<h> hours <us> microseconds'::interval;
 * and names/errors by `set timezone='...'; show timezone;` with
 * VERBOSITY verbose. Time-zone vectors need the system tz database
 * (/usr/share/zoneinfo, package tzdata); they are skipped without it.
 * Prints an informative per-value benchmark, then "N passed, N failed".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rq_datetime.h"

static int g_pass, g_fail, g_skip;

static void check_str(const char *what, const char *got, const char *want) {
    if (strcmp(got, want) == 0) {
        g_pass++;
    } else {
        g_fail++;
        printf("FAIL %s: got \"%s\" want \"%s\"\n", what, got, want);
    }
}

static void check(int ok, const char *what) {
    if (ok) {
        g_pass++;
    } else {
        g_fail++;
        printf("FAIL %s\n", what);
    }
}

/* ---- vectors from PostgreSQL 15 ---- */
static const struct { int64_t v; const char *s; } k_dates[] = {
    {0, "1970-01-01"},
    {-1, "1969-12-31"},
    {-719162, "0001-01-01"},
    {-719163, "0001-12-31 BC"},
    {-719528, "0001-01-01 BC"},
    {-719529, "0002-12-31 BC"},
    {-2440588, "4714-11-24 BC"},
    {2145042905, "5874897-12-31"},
    {11016, "2000-02-29"},
    {-25508, "1900-03-01"},
    {-25509, "1900-02-28"},
    {-25567, "1900-01-01"},
    {10957, "2000-01-01"},
    {-1000000, "0769-02-04 BC"},
    {-1736445, "2786-10-11 BC"},
    {-1735716, "2784-10-09 BC"},
    {-719893, "0002-01-01 BC"},
    {2932896, "9999-12-31"},
    {-141427, "1582-10-15"},
    {100000000, "275760-09-13"},
};
static const struct { int64_t v; const char *s; } k_times[] = {
    {INT64_C(0), "00:00:00"},
    {INT64_C(1), "00:00:00.000001"},
    {INT64_C(10), "00:00:00.00001"},
    {INT64_C(120000), "00:00:00.12"},
    {INT64_C(500000), "00:00:00.5"},
    {INT64_C(999999), "00:00:00.999999"},
    {INT64_C(1000000), "00:00:01"},
    {INT64_C(45296000000), "12:34:56"},
    {INT64_C(45296500000), "12:34:56.5"},
    {INT64_C(45296050000), "12:34:56.05"},
    {INT64_C(45296123456), "12:34:56.123456"},
    {INT64_C(45296100000), "12:34:56.1"},
    {INT64_C(86399999999), "23:59:59.999999"},
    {INT64_C(86400000000), "24:00:00"},
    {INT64_C(43200000000), "12:00:00"},
};
static const struct { int64_t v; const char *s; } k_timestamps[] = {
    {INT64_C(0), "1970-01-01 00:00:00"},
    {INT64_C(-1), "1969-12-31 23:59:59.999999"},
    {INT64_C(1), "1970-01-01 00:00:00.000001"},
    {INT64_C(1706708706000000), "2024-01-31 13:45:06"},
    {INT64_C(1706708706100000), "2024-01-31 13:45:06.1"},
    {INT64_C(1706708706120000), "2024-01-31 13:45:06.12"},
    {INT64_C(1706708706123000), "2024-01-31 13:45:06.123"},
    {INT64_C(1706708706123400), "2024-01-31 13:45:06.1234"},
    {INT64_C(1706708706123450), "2024-01-31 13:45:06.12345"},
    {INT64_C(1706708706123456), "2024-01-31 13:45:06.123456"},
    {INT64_C(-62135596800000000), "0001-01-01 00:00:00"},
    {INT64_C(-62135596800000001), "0001-12-31 23:59:59.999999 BC"},
    {INT64_C(-62167219200000000), "0001-01-01 00:00:00 BC"},
    {INT64_C(-210866803200000000), "4714-11-24 00:00:00 BC"},
    {INT64_C(-210866803199999999), "4714-11-24 00:00:00.000001 BC"},
    {INT64_C(9223372036854775807), "294247-01-10 04:00:54.775807"},
    {INT64_C(951782400000000), "2000-02-29 00:00:00"},
    {INT64_C(951868799999999), "2000-02-29 23:59:59.999999"},
    {INT64_C(-2208988800000000), "1900-01-01 00:00:00"},
    {INT64_C(-2203891200000000), "1900-03-01 00:00:00"},
    {INT64_C(253402300799999999), "9999-12-31 23:59:59.999999"},
    {INT64_C(253402300800000000), "10000-01-01 00:00:00"},
    {INT64_C(-12219292800000000), "1582-10-15 00:00:00"},
    {INT64_C(-86400000001), "1969-12-30 23:59:59.999999"},
    {INT64_C(-500000), "1969-12-31 23:59:59.5"},
    {INT64_C(-62198755200000000), "0002-01-01 00:00:00 BC"},
    {INT64_C(-210835267200000000), "4713-11-23 00:00:00 BC"},
};
static const struct { const char *zone; int64_t v; const char *s; } k_tstz[] = {
    {"UTC", INT64_C(0), "1970-01-01 00:00:00+00"},
    {"UTC", INT64_C(1706708706123456), "2024-01-31 13:45:06.123456+00"},
    {"UTC", INT64_C(-62135596800000001), "0001-12-31 23:59:59.999999+00 BC"},
    {"UTC", INT64_C(-210866803200000000), "4714-11-24 00:00:00+00 BC"},
    {"UTC", INT64_C(9223372036854775807), "294247-01-10 04:00:54.775807+00"},
    {"Europe/Istanbul", INT64_C(-5364662400000000), "1800-01-01 01:55:52+01:55:52"},
    {"Europe/Istanbul", INT64_C(-2840141000000000), "1880-01-01 01:53:36+01:56:56"},
    {"Europe/Istanbul", INT64_C(-1869875817000000), "1910-09-30 23:59:59+01:56:56"},
    {"Europe/Istanbul", INT64_C(0), "1970-01-01 02:00:00+02"},
    {"Europe/Istanbul", INT64_C(1199059200000000), "2007-12-31 02:00:00+02"},
    {"Europe/Istanbul", INT64_C(1459040399999999), "2016-03-27 02:59:59.999999+02"},
    {"Europe/Istanbul", INT64_C(1459040400000000), "2016-03-27 04:00:00+03"},
    {"Europe/Istanbul", INT64_C(1478768400000000), "2016-11-10 12:00:00+03"},
    {"Europe/Istanbul", INT64_C(1719835200000000), "2024-07-01 15:00:00+03"},
    {"Europe/Istanbul", INT64_C(2224267200000000), "2040-06-25 23:00:00+03"},
    {"Europe/Istanbul", INT64_C(1459040399999999), "2016-03-27 02:59:59.999999+02"},
    {"Europe/Istanbul", INT64_C(1459040400000000), "2016-03-27 04:00:00+03"},
    {"Europe/Istanbul", INT64_C(260323199999999), "1978-04-02 01:59:59.999999+02"},
    {"Europe/Istanbul", INT64_C(260323200000000), "1978-04-02 03:00:00+03"},
    {"America/New_York", INT64_C(-5364662400000000), "1799-12-31 19:03:58-04:56:02"},
    {"America/New_York", INT64_C(-2717650800000001), "1883-11-18 12:03:57.999999-04:56:02"},
    {"America/New_York", INT64_C(-2717650800000000), "1883-11-18 12:00:00-05"},
    {"America/New_York", INT64_C(0), "1969-12-31 19:00:00-05"},
    {"America/New_York", INT64_C(1710053999999999), "2024-03-10 01:59:59.999999-05"},
    {"America/New_York", INT64_C(1710054000000000), "2024-03-10 03:00:00-04"},
    {"America/New_York", INT64_C(1730613599999999), "2024-11-03 01:59:59.999999-04"},
    {"America/New_York", INT64_C(1730613600000000), "2024-11-03 01:00:00-05"},
    {"America/New_York", INT64_C(1730617200000000), "2024-11-03 02:00:00-05"},
    {"America/New_York", INT64_C(2224267200000000), "2040-06-25 16:00:00-04"},
    {"America/New_York", INT64_C(2235999600000000), "2040-11-08 10:00:00-05"},
    {"America/New_York", INT64_C(2235999599999999), "2040-11-08 09:59:59.999999-05"},
    {"America/New_York", INT64_C(2256559200000000), "2041-07-04 10:00:00-04"},
    {"America/New_York", INT64_C(2256559199999999), "2041-07-04 09:59:59.999999-04"},
    {"America/New_York", INT64_C(7258118400000000), "2199-12-31 19:00:00-05"},
    {"America/New_York", INT64_C(9000000000000000), "2255-03-14 12:00:00-04"},
    {"America/New_York", INT64_C(-210866803200000000), "4714-11-23 19:03:58-04:56:02 BC"},
    {"America/New_York", INT64_C(9223372036854775807), "294247-01-09 23:00:54.775807-05"},
    {"America/New_York", INT64_C(1710053999999999), "2024-03-10 01:59:59.999999-05"},
    {"America/New_York", INT64_C(1710054000000000), "2024-03-10 03:00:00-04"},
    {"America/New_York", INT64_C(1730613599999999), "2024-11-03 01:59:59.999999-04"},
    {"America/New_York", INT64_C(1730613600000000), "2024-11-03 01:00:00-05"},
    {"America/New_York", INT64_C(2215061999999999), "2040-03-11 01:59:59.999999-05"},
    {"America/New_York", INT64_C(2215062000000000), "2040-03-11 03:00:00-04"},
    {"America/New_York", INT64_C(2235621599999999), "2040-11-04 01:59:59.999999-04"},
    {"America/New_York", INT64_C(2235621600000000), "2040-11-04 01:00:00-05"},
    {"Asia/Kolkata", INT64_C(-5364662400000000), "1800-01-01 05:53:28+05:53:28"},
    {"Asia/Kolkata", INT64_C(-3645237208000000), "1854-06-27 23:59:52+05:53:20"},
    {"Asia/Kolkata", INT64_C(-883634400000000), "1942-01-01 00:30:00+06:30"},
    {"Asia/Kolkata", INT64_C(0), "1970-01-01 05:30:00+05:30"},
    {"Asia/Kolkata", INT64_C(1719835200000000), "2024-07-01 17:30:00+05:30"},
    {"Asia/Kolkata", INT64_C(-62135596800000000), "0001-01-01 05:53:28+05:53:28"},
    {"Australia/Lord_Howe", INT64_C(0), "1970-01-01 10:00:00+10"},
    {"Australia/Lord_Howe", INT64_C(1712419199999999), "2024-04-07 02:29:59.999999+10:30"},
    {"Australia/Lord_Howe", INT64_C(1712419200000000), "2024-04-07 02:30:00+10:30"},
    {"Australia/Lord_Howe", INT64_C(1727971199999999), "2024-10-04 02:29:59.999999+10:30"},
    {"Australia/Lord_Howe", INT64_C(1727971200000000), "2024-10-04 02:30:00+10:30"},
    {"Australia/Lord_Howe", INT64_C(1719835200000000), "2024-07-01 22:30:00+10:30"},
    {"Australia/Lord_Howe", INT64_C(1704110400000000), "2024-01-01 23:00:00+11"},
    {"Australia/Lord_Howe", INT64_C(2224267200000000), "2040-06-26 06:30:00+10:30"},
    {"Australia/Lord_Howe", INT64_C(1712415599999999), "2024-04-07 01:59:59.999999+11"},
    {"Australia/Lord_Howe", INT64_C(1712415600000000), "2024-04-07 01:30:00+10:30"},
    {"Australia/Lord_Howe", INT64_C(1728142199999999), "2024-10-06 01:59:59.999999+10:30"},
    {"Australia/Lord_Howe", INT64_C(1728142200000000), "2024-10-06 02:30:00+11"},
    {"Australia/Lord_Howe", INT64_C(2216818799999999), "2040-04-01 01:59:59.999999+11"},
    {"Australia/Lord_Howe", INT64_C(2216818800000000), "2040-04-01 01:30:00+10:30"},
    {"Australia/Lord_Howe", INT64_C(2233150199999999), "2040-10-07 01:59:59.999999+10:30"},
    {"Australia/Lord_Howe", INT64_C(2233150200000000), "2040-10-07 02:30:00+11"},
    {"+05:30", INT64_C(0), "1969-12-31 18:30:00-05:30"},
    {"+05:30", INT64_C(1719835200000000), "2024-07-01 06:30:00-05:30"},
    {"5.5", INT64_C(0), "1970-01-01 05:30:00+05:30"},
    {"5.5", INT64_C(1719835200000000), "2024-07-01 17:30:00+05:30"},
    {"UTC+3", INT64_C(0), "1969-12-31 21:00:00-03"},
    {"UTC+3", INT64_C(1719835200000000), "2024-07-01 09:00:00-03"},
    {"-8", INT64_C(0), "1969-12-31 16:00:00-08"},
    {"EST5EDT", INT64_C(1719835200000000), "2024-07-01 08:00:00-04"},
    {"EST5EDT", INT64_C(1704110400000000), "2024-01-01 07:00:00-05"},
    {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1711846799999999), "2024-03-31 01:59:59.999999+01"},
    {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1711846800000000), "2024-03-31 03:00:00+02"},
    {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1729990799999999), "2024-10-27 02:59:59.999999+02"},
    {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(1729990800000000), "2024-10-27 02:00:00+01"},
    {"CET-1CEST,M3.5.0,M10.5.0/3", INT64_C(-5364662400000000), "1800-01-01 01:00:00+01"},
    {"XYZ+3ABC", INT64_C(1719835200000000), "2024-07-01 10:00:00-02"},
    {"XYZ+3ABC", INT64_C(1704110400000000), "2024-01-01 09:00:00-03"},
    {"XYZ+3ABC", INT64_C(-5364662400000000), "1799-12-31 21:00:00-03"},
    {"Europe/Dublin", INT64_C(1719835200000000), "2024-07-01 13:00:00+01"},
    {"Europe/Dublin", INT64_C(1704110400000000), "2024-01-01 12:00:00+00"},
    {"Europe/Dublin", INT64_C(2224267200000000), "2040-06-25 21:00:00+01"},
    {"Europe/Dublin", INT64_C(-5364662400000000), "1799-12-31 23:34:39-00:25:21"},
    {"Europe/Dublin", INT64_C(1711846799999999), "2024-03-31 00:59:59.999999+00"},
    {"Europe/Dublin", INT64_C(1711846800000000), "2024-03-31 02:00:00+01"},
    {"Europe/Dublin", INT64_C(1729990799999999), "2024-10-27 01:59:59.999999+01"},
    {"Europe/Dublin", INT64_C(1729990800000000), "2024-10-27 01:00:00+00"},
    {"Europe/Dublin", INT64_C(2216249999999999), "2040-03-25 00:59:59.999999+00"},
    {"Europe/Dublin", INT64_C(2216250000000000), "2040-03-25 02:00:00+01"},
    {"Europe/Dublin", INT64_C(2234998799999999), "2040-10-28 01:59:59.999999+01"},
    {"Europe/Dublin", INT64_C(2234998800000000), "2040-10-28 01:00:00+00"},
    {"America/Sao_Paulo", INT64_C(1719835200000000), "2024-07-01 09:00:00-03"},
    {"America/Sao_Paulo", INT64_C(1545000000000000), "2018-12-16 20:40:00-02"},
    {"Pacific/Chatham", INT64_C(1719835200000000), "2024-07-02 00:45:00+12:45"},
    {"Pacific/Chatham", INT64_C(1704110400000000), "2024-01-02 01:45:00+13:45"},
    {"Pacific/Chatham", INT64_C(2216815199999999), "2040-04-01 03:44:59.999999+13:45"},
    {"Pacific/Chatham", INT64_C(2216815200000000), "2040-04-01 02:45:00+12:45"},
    {"Pacific/Chatham", INT64_C(2232539999999999), "2040-09-30 02:44:59.999999+12:45"},
    {"Pacific/Chatham", INT64_C(2232540000000000), "2040-09-30 03:45:00+13:45"},
    {"Antarctica/Troll", INT64_C(1719835200000000), "2024-07-01 14:00:00+02"},
    {"Antarctica/Troll", INT64_C(1704110400000000), "2024-01-01 12:00:00+00"},
    {"Antarctica/Troll", INT64_C(1711846800000000), "2024-03-31 03:00:00+02"},
    {"Antarctica/Troll", INT64_C(1711846799999999), "2024-03-31 00:59:59.999999+00"},
    {"Antarctica/Troll", INT64_C(1711846799999999), "2024-03-31 00:59:59.999999+00"},
    {"Antarctica/Troll", INT64_C(1711846800000000), "2024-03-31 03:00:00+02"},
    {"Antarctica/Troll", INT64_C(1729990799999999), "2024-10-27 02:59:59.999999+02"},
    {"Antarctica/Troll", INT64_C(1729990800000000), "2024-10-27 01:00:00+00"},
    {"America/Nuuk", INT64_C(1719835200000000), "2024-07-01 11:00:00-01"},
    {"America/Nuuk", INT64_C(1704110400000000), "2024-01-01 10:00:00-02"},
    {"America/Nuuk", INT64_C(2224267200000000), "2040-06-25 19:00:00-01"},
    {"America/Nuuk", INT64_C(2240352000000000), "2040-12-28 22:00:00-02"},
    {"America/Nuuk", INT64_C(1711846799999999), "2024-03-30 22:59:59.999999-02"},
    {"America/Nuuk", INT64_C(1711846800000000), "2024-03-31 00:00:00-01"},
    {"America/Nuuk", INT64_C(1729990799999999), "2024-10-26 23:59:59.999999-01"},
    {"America/Nuuk", INT64_C(1729990800000000), "2024-10-26 23:00:00-02"},
    {"America/Nuuk", INT64_C(2216249999999999), "2040-03-24 22:59:59.999999-02"},
    {"America/Nuuk", INT64_C(2216250000000000), "2040-03-25 00:00:00-01"},
    {"America/Nuuk", INT64_C(2234998799999999), "2040-10-27 23:59:59.999999-01"},
    {"America/Nuuk", INT64_C(2234998800000000), "2040-10-27 23:00:00-02"},
    {"Africa/Casablanca", INT64_C(1719835200000000), "2024-07-01 13:00:00+01"},
    {"Africa/Casablanca", INT64_C(1710640800000000), "2024-03-17 02:00:00+00"},
    {"Africa/Casablanca", INT64_C(3786825600000000), "2089-12-31 01:00:00+01"},
    {"Africa/Casablanca", INT64_C(1710035999999999), "2024-03-10 02:59:59.999999+01"},
    {"Africa/Casablanca", INT64_C(1710036000000000), "2024-03-10 02:00:00+00"},
    {"Africa/Casablanca", INT64_C(1713059999999999), "2024-04-14 01:59:59.999999+00"},
    {"Africa/Casablanca", INT64_C(1713060000000000), "2024-04-14 03:00:00+01"},
    {"Africa/Casablanca", INT64_C(3699827999999999), "2087-03-30 02:59:59.999999+01"},
    {"Africa/Casablanca", INT64_C(3699828000000000), "2087-03-30 02:00:00+00"},
    {"Africa/Casablanca", INT64_C(3703456799999999), "2087-05-11 01:59:59.999999+00"},
    {"Africa/Casablanca", INT64_C(3703456800000000), "2087-05-11 03:00:00+01"},
    {"America/Santiago", INT64_C(1719835200000000), "2024-07-01 08:00:00-04"},
    {"America/Santiago", INT64_C(1704110400000000), "2024-01-01 09:00:00-03"},
    {"America/Santiago", INT64_C(2224267200000000), "2040-06-25 16:00:00-04"},
    {"America/Santiago", INT64_C(1712458799999999), "2024-04-06 23:59:59.999999-03"},
    {"America/Santiago", INT64_C(1712458800000000), "2024-04-06 23:00:00-04"},
    {"America/Santiago", INT64_C(1725767999999999), "2024-09-07 23:59:59.999999-04"},
    {"America/Santiago", INT64_C(1725768000000000), "2024-09-08 01:00:00-03"},
    {"America/Santiago", INT64_C(2217466799999999), "2040-04-07 23:59:59.999999-03"},
    {"America/Santiago", INT64_C(2217466800000000), "2040-04-07 23:00:00-04"},
    {"America/Santiago", INT64_C(2230171199999999), "2040-09-01 23:59:59.999999-04"},
    {"America/Santiago", INT64_C(2230171200000000), "2040-09-02 01:00:00-03"},
    {"Asia/Jerusalem", INT64_C(1719835200000000), "2024-07-01 15:00:00+03"},
    {"Asia/Jerusalem", INT64_C(1704110400000000), "2024-01-01 14:00:00+02"},
    {"Asia/Jerusalem", INT64_C(2224267200000000), "2040-06-25 23:00:00+03"},
    {"Asia/Jerusalem", INT64_C(2216073599999999), "2040-03-23 01:59:59.999999+02"},
    {"Asia/Jerusalem", INT64_C(2216073600000000), "2040-03-23 03:00:00+03"},
    {"Asia/Jerusalem", INT64_C(2234991599999999), "2040-10-28 01:59:59.999999+03"},
    {"Asia/Jerusalem", INT64_C(2234991600000000), "2040-10-28 01:00:00+02"},
    {"Pacific/Apia", INT64_C(1325239199999999), "2011-12-29 23:59:59.999999-10"},
    {"Pacific/Apia", INT64_C(1325239200000000), "2011-12-31 00:00:00+14"},
    {"Asia/Tokyo", INT64_C(-210866803200000000), "4714-11-24 09:18:59+09:18:59 BC"},
    {"Asia/Tokyo", INT64_C(9223372036854775807), "294247-01-10 13:00:54.775807+09"},
    {"Etc/GMT+5", INT64_C(0), "1969-12-31 19:00:00-05"},
    {"posix/Europe/Istanbul", INT64_C(0), "1970-01-01 02:00:00+02"},
    {"america/new_york", INT64_C(1719835200000000), "2024-07-01 08:00:00-04"},
    {"interval '-08:00:00'", INT64_C(0), "1969-12-31 16:00:00-08"},
    {"167", INT64_C(0), "1970-01-07 23:00:00+167"},
};
static const struct { int32_t m, d; int64_t u; const char *s; } k_intervals[] = {
    {0, 0, INT64_C(0), "00:00:00"},
    {0, 0, INT64_C(1), "00:00:00.000001"},
    {0, 0, INT64_C(-1), "-00:00:00.000001"},
    {12, 0, INT64_C(0), "1 year"},
    {14, 0, INT64_C(0), "1 year 2 mons"},
    {1, 0, INT64_C(0), "1 mon"},
    {-1, 0, INT64_C(0), "-1 mons"},
    {-12, 0, INT64_C(0), "-1 years"},
    {0, 1, INT64_C(0), "1 day"},
    {0, -1, INT64_C(0), "-1 days"},
    {0, -1, INT64_C(7384000000), "-1 days +02:03:04"},
    {0, 1, INT64_C(-7384000000), "1 day -02:03:04"},
    {-1, 1, INT64_C(-1), "-1 mons +1 day -00:00:00.000001"},
    {1, -1, INT64_C(1), "1 mon -1 days +00:00:00.000001"},
    {2147483647, 2147483647, INT64_C(9223372036854775807), "178956970 years 7 mons 2147483647 days 2562047788:00:54.775807"},
    {INT32_MIN, INT32_MIN, INT64_MIN, "-178956970 years -8 mons -2147483648 days -2562047788:00:54.775808"},
    {0, 0, INT64_C(360000000000), "100:00:00"},
    {0, 0, INT64_C(-360000000000), "-100:00:00"},
    {13, 0, INT64_C(500000), "1 year 1 mon 00:00:00.5"},
    {-13, 5, INT64_C(-500000), "-1 years -1 mons +5 days -00:00:00.5"},
    {0, 0, INT64_C(1000), "00:00:00.001"},
    {0, 0, INT64_C(100000), "00:00:00.1"},
    {0, 0, INT64_C(123456789), "00:02:03.456789"},
    {25, 0, INT64_C(0), "2 years 1 mon"},
    {0, 3, INT64_C(0), "3 days"},
    {-25, -3, INT64_C(86399999999), "-2 years -1 mons -3 days +23:59:59.999999"},
    {14, 3, INT64_C(14706789000), "1 year 2 mons 3 days 04:05:06.789"},
    {-14, -3, INT64_C(-14706789000), "-1 years -2 mons -3 days -04:05:06.789"},
    {0, 0, INT64_C(3600000000), "01:00:00"},
    {0, 0, INT64_C(60000000), "00:01:00"},
    {0, 0, INT64_C(1000000), "00:00:01"},
    {0, 0, INT64_C(86400000000), "24:00:00"},
    {11, 0, INT64_C(0), "11 mons"},
    {-11, 0, INT64_C(0), "-11 mons"},
    {12, -1, INT64_C(0), "1 year -1 days"},
    {-12, 1, INT64_C(0), "-1 years +1 day"},
    {1, 1, INT64_C(1), "1 mon 1 day 00:00:00.000001"},
    {0, 1, INT64_C(1), "1 day 00:00:00.000001"},
    {0, -1, INT64_C(-1), "-1 days -00:00:00.000001"},
};
static const struct { const char *in, *name, *sqlstate, *msg, *detail; } k_names[] = {
    {"UTC", "UTC", NULL, NULL, NULL},
    {"utc", "UTC", NULL, NULL, NULL},
    {"GMT", "GMT", NULL, NULL, NULL},
    {"gmt", "GMT", NULL, NULL, NULL},
    {"Etc/UTC", "Etc/UTC", NULL, NULL, NULL},
    {"etc/utc", "Etc/UTC", NULL, NULL, NULL},
    {"Z", NULL, "22023", "invalid value for parameter \"TimeZone\": \"Z\"", NULL},
    {"Zulu", "Zulu", NULL, NULL, NULL},
    {"america/new_york", "America/New_York", NULL, NULL, NULL},
    {"AMERICA/NEW_YORK", "America/New_York", NULL, NULL, NULL},
    {"+05:30", "+05:30", NULL, NULL, NULL},
    {"-08", "<-08>+08", NULL, NULL, NULL},
    {"+05", "<+05>-05", NULL, NULL, NULL},
    {"5.5", "<+05:30>-05:30", NULL, NULL, NULL},
    {"-8", "<-08>+08", NULL, NULL, NULL},
    {"UTC+3", "UTC+3", NULL, NULL, NULL},
    {"utc-3", "UTC-3", NULL, NULL, NULL},
    {"<+07>-7", "<+07>-7", NULL, NULL, NULL},
    {"XYZ+3", "XYZ+3", NULL, NULL, NULL},
    {"xyz+3abc", "XYZ+3ABC", NULL, NULL, NULL},
    {"Foo/Bar", NULL, "22023", "invalid value for parameter \"TimeZone\": \"Foo/Bar\"", NULL},
    {"../etc/passwd", NULL, "22023", "invalid value for parameter \"TimeZone\": \"../etc/passwd\"", NULL},
    {"/usr/share/zoneinfo/UTC", NULL, "22023", "invalid value for parameter \"TimeZone\": \"/usr/share/zoneinfo/UTC\"", NULL},
    {"Europe/../UTC", NULL, "22023", "invalid value for parameter \"TimeZone\": \"Europe/../UTC\"", NULL},
    {"America//New_York", NULL, "22023", "invalid value for parameter \"TimeZone\": \"America//New_York\"", NULL},
    {"America/New_York/", NULL, "22023", "invalid value for parameter \"TimeZone\": \"America/New_York/\"", NULL},
    {".UTC", NULL, "22023", "invalid value for parameter \"TimeZone\": \".UTC\"", NULL},
    {"posixrules", "posixrules", NULL, NULL, NULL},
    {"posix/Europe/Istanbul", "posix/Europe/Istanbul", NULL, NULL, NULL},
    {"right/UTC", NULL, "22023", "time zone \"right/UTC\" appears to use leap seconds", "PostgreSQL does not support leap seconds."},
    {"+05:30:15", NULL, "22023", "time zone \"+05:30:15\" appears to use leap seconds", "PostgreSQL does not support leap seconds."},
    {"1e1", "<+10>-10", NULL, NULL, NULL},
    {" UTC", NULL, "22023", "invalid value for parameter \"TimeZone\": \" UTC\"", NULL},
    {"UTC ", NULL, "22023", "invalid value for parameter \"TimeZone\": \"UTC \"", NULL},
    {"Etc/GMT+5", "Etc/GMT+5", NULL, NULL, NULL},
    {"", NULL, "22023", "invalid value for parameter \"TimeZone\": \"\"", NULL},
    {"Asia", NULL, "22023", "invalid value for parameter \"TimeZone\": \"Asia\"", NULL},
    {"zone.tab", NULL, "22023", "invalid value for parameter \"TimeZone\": \"zone.tab\"", NULL},
    {"nan", NULL, "22023", "invalid value for parameter \"TimeZone\": \"nan\"", "UTC timezone offset is out of range."},
    {"inf", NULL, "22023", "invalid value for parameter \"TimeZone\": \"inf\"", "UTC timezone offset is out of range."},
    {"0x10", "<+16>-16", NULL, NULL, NULL},
    {" 5", "<+05>-05", NULL, NULL, NULL},
    {"+200", NULL, "22023", "invalid value for parameter \"TimeZone\": \"+200\"", "UTC timezone offset is out of range."},
    {"5.001", "<+05:00:03>-05:00:03", NULL, NULL, NULL},
    {"-0", "<+00>-00", NULL, NULL, NULL},
    {".5", "<+00:30>-00:30", NULL, NULL, NULL},
    {"-14.5", "<-14:30>+14:30", NULL, NULL, NULL},
    {"167.99", "<+167:59:24>-167:59:24", NULL, NULL, NULL},
    {"168", NULL, "22023", "invalid value for parameter \"TimeZone\": \"168\"", "UTC timezone offset is out of range."},
    {"-167.9999", "<-167:59:59>+167:59:59", NULL, NULL, NULL},
    {"UTC+167", "UTC+167", NULL, NULL, NULL},
    {"UTC+168", NULL, "22023", "invalid value for parameter \"TimeZone\": \"UTC+168\"", NULL},
    {"UTC+24:59:59", NULL, "22023", "time zone \"UTC+24:59:59\" appears to use leap seconds", "PostgreSQL does not support leap seconds."},
    {"EST5EDT,M3.2.0,M11.1.0", "EST5EDT,M3.2.0,M11.1.0", NULL, NULL, NULL},
    {"UTC+3,M3.2.0,M11.1.0", NULL, "22023", "invalid value for parameter \"TimeZone\": \"UTC+3,M3.2.0,M11.1.0\"", NULL},
    {"UTC+3DST,M3.2.0", NULL, "22023", "invalid value for parameter \"TimeZone\": \"UTC+3DST,M3.2.0\"", NULL},
    {"UTC+3DST-1,M3.2.0/-1,M11.1.0/26", "UTC+3DST-1,M3.2.0/-1,M11.1.0/26", NULL, NULL, NULL},
    {":utc", "UTC", NULL, NULL, NULL},
    {":+05:30", NULL, "22023", "invalid value for parameter \"TimeZone\": \":+05:30\"", NULL},
    {"interval '-05:30'", "<-05:30>+05:30", NULL, NULL, NULL},
    {"INTERVAL '-08:00:00'", "<-08>+08", NULL, NULL, NULL},
    {"interval '1 day'", NULL, "22023", "invalid value for parameter \"TimeZone\": \"interval '1 day'\"", "Cannot specify days in time zone interval."},
    {"interval '1 mon'", NULL, "22023", "invalid value for parameter \"TimeZone\": \"interval '1 mon'\"", "Cannot specify months in time zone interval."},
    {"interval '200:00'", NULL, "22023", "invalid value for parameter \"TimeZone\": \"interval '200:00'\"", "UTC timezone offset is out of range."},
    {"interval 'abc'", NULL, "22007", "invalid input syntax for type interval: \"abc\"", NULL},
    {"interval '5 hours'", "<+05>-05", NULL, NULL, NULL},
    {"interval '05:30' hour to minute", NULL, "22023", "invalid value for parameter \"TimeZone\": \"interval '05:30' hour to minute\"", NULL},
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL, "22023", "invalid value for parameter \"TimeZone\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", NULL},
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL, "22023", "invalid value for parameter \"TimeZone\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", NULL},
};

/* ---- helpers ---- */

static void check_fmt_result(const char *what, int rc, const char *out, const char *want) {
    if (rc < 0) {
        g_fail++;
        printf("FAIL %s: error %d, want \"%s\"\n", what, rc, want);
        return;
    }
    check(rc == (int)strlen(out), "returned length == strlen");
    check_str(what, out, want);
}

static void check_err(const char *what, int rc, const rq_error *e, const char *state,
                      const char *msg) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s returns error", what);
    check(rc < 0, buf);
    snprintf(buf, sizeof buf, "%s sqlstate", what);
    check_str(buf, e->sqlstate, state);
    snprintf(buf, sizeof buf, "%s message", what);
    check_str(buf, e->message, msg);
}

static int have_tzdata(void) {
    return access("/usr/share/zoneinfo/America/New_York", R_OK) == 0;
}

static void test_values(void) {
    char out[RQ_DT_BUFSZ], what[128];
    rq_error e;
    for (size_t i = 0; i < sizeof k_dates / sizeof k_dates[0]; i++) {
        snprintf(what, sizeof what, "date %lld", (long long)k_dates[i].v);
        check_fmt_result(what, rq_fmt_date(k_dates[i].v, out, &e), out, k_dates[i].s);
    }
    for (size_t i = 0; i < sizeof k_times / sizeof k_times[0]; i++) {
        snprintf(what, sizeof what, "time %lld", (long long)k_times[i].v);
        check_fmt_result(what, rq_fmt_time(k_times[i].v, out, &e), out, k_times[i].s);
    }
    for (size_t i = 0; i < sizeof k_timestamps / sizeof k_timestamps[0]; i++) {
        snprintf(what, sizeof what, "timestamp %lld", (long long)k_timestamps[i].v);
        check_fmt_result(what, rq_fmt_timestamp(k_timestamps[i].v, out, &e), out,
                         k_timestamps[i].s);
        /* timestamptz in UTC (tz NULL) is the same text plus "+00" */
        char want[RQ_DT_BUFSZ];
        const char *bc = strstr(k_timestamps[i].s, " BC");
        if (bc)
            snprintf(want, sizeof want, "%.*s+00 BC", (int)(bc - k_timestamps[i].s),
                     k_timestamps[i].s);
        else
            snprintf(want, sizeof want, "%s+00", k_timestamps[i].s);
        snprintf(what, sizeof what, "timestamptz(NULL) %lld", (long long)k_timestamps[i].v);
        check_fmt_result(what, rq_fmt_timestamptz(k_timestamps[i].v, NULL, out, &e), out, want);
    }
    for (size_t i = 0; i < sizeof k_intervals / sizeof k_intervals[0]; i++) {
        snprintf(what, sizeof what, "interval %d %d %lld", k_intervals[i].m, k_intervals[i].d,
                 (long long)k_intervals[i].u);
        check_fmt_result(what,
                         rq_fmt_interval(k_intervals[i].m, k_intervals[i].d, k_intervals[i].u,
                                         out, &e),
                         out, k_intervals[i].s);
    }
}

/* Values just outside PostgreSQL's ranges (bounds checked above). */
static void test_range_errors(void) {
    char out[RQ_DT_BUFSZ];
    rq_error e;
    check_err("date below", rq_fmt_date(-2440589, out, &e), &e, "22008", "date out of range");
    check_err("date above", rq_fmt_date(2145042906, out, &e), &e, "22008", "date out of range");
    check_err("date INT64_MIN", rq_fmt_date(INT64_MIN, out, &e), &e, "22008",
              "date out of range");
    check_err("date INT64_MAX", rq_fmt_date(INT64_MAX, out, &e), &e, "22008",
              "date out of range");
    check_err("time -1", rq_fmt_time(-1, out, &e), &e, "22008", "time out of range");
    check_err("time 24:00:00.000001", rq_fmt_time(INT64_C(86400000001), out, &e), &e, "22008",
              "time out of range");
    check_err("timestamp below", rq_fmt_timestamp(INT64_C(-210866803200000001), out, &e), &e,
              "22008", "timestamp out of range");
    check_err("timestamp INT64_MIN", rq_fmt_timestamp(INT64_MIN, out, &e), &e, "22008",
              "timestamp out of range");
    check_err("timestamptz below",
              rq_fmt_timestamptz(INT64_C(-210866803200000001), NULL, out, &e), &e, "22008",
              "timestamp out of range");
    check_err("timestamptz INT64_MIN", rq_fmt_timestamptz(INT64_MIN, NULL, out, &e), &e,
              "22008", "timestamp out of range");
    /* NULL err is allowed */
    check(rq_fmt_date(INT64_MIN, out, NULL) < 0, "NULL err accepted");
}

static void test_tstz(void) {
    char out[RQ_DT_BUFSZ], what[160];
    rq_error e;
    for (size_t i = 0; i < sizeof k_tstz / sizeof k_tstz[0]; i++) {
        const rq_tz *tz;
        snprintf(what, sizeof what, "timestamptz %s %lld", k_tstz[i].zone,
                 (long long)k_tstz[i].v);
        if (rq_tz_cache_get(k_tstz[i].zone, &tz, &e) != RQ_OK) {
            g_fail++;
            printf("FAIL %s: zone load: %s\n", what, e.message);
            continue;
        }
        check_fmt_result(what, rq_fmt_timestamptz(k_tstz[i].v, tz, out, &e), out,
                         k_tstz[i].s);
    }
}

static void test_names(void) {
    char what[400];
    for (size_t i = 0; i < sizeof k_names / sizeof k_names[0]; i++) {
        rq_tz *tz = NULL;
        rq_error e;
        memset(&e, 0, sizeof e);
        int rc = rq_tz_load(k_names[i].in, &tz, &e);
        snprintf(what, sizeof what, "zone name \"%.300s\"", k_names[i].in);
        if (k_names[i].name) {
            if (rc != RQ_OK) {
                g_fail++;
                printf("FAIL %s: error %s %s\n", what, e.sqlstate, e.message);
                continue;
            }
            check_str(what, rq_tz_name(tz), k_names[i].name);
            rq_tz_free(tz);
        } else {
            check(rc < 0 && tz == NULL, what);
            check_str(what, e.sqlstate, k_names[i].sqlstate);
            check_str(what, e.message, k_names[i].msg);
            check_str(what, e.detail, k_names[i].detail ? k_names[i].detail : "");
        }
    }
}

/* Cache: same key → same object; concurrent gets agree. */
static const char *const k_cache_names[] = {"UTC", "utc", "Europe/Istanbul", "5.5",
                                            "+5.5", "america/new_york", "UTC+3"};
#define N_CACHE_NAMES (sizeof k_cache_names / sizeof k_cache_names[0])

static void *cache_thread(void *arg) {
    const rq_tz **seen = arg;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < N_CACHE_NAMES; i++) {
            const rq_tz *tz;
            rq_error e;
            if (rq_tz_cache_get(k_cache_names[i], &tz, &e) != RQ_OK)
                return (void *)1;
            if (round == 0)
                seen[i] = tz;
            else if (seen[i] != tz)
                return (void *)1;
        }
    }
    return NULL;
}

static void test_cache(void) {
    const rq_tz *a, *b;
    rq_error e;
    check(rq_tz_cache_get("UTC", &a, &e) == RQ_OK && rq_tz_cache_get("utc", &b, &e) == RQ_OK &&
              a == b,
          "cache: 'UTC' and 'utc' share one zone");
    check(rq_tz_cache_get("5.5", &a, &e) == RQ_OK &&
              rq_tz_cache_get("+05.50", &b, &e) == RQ_OK && a == b,
          "cache: numeric spellings of one offset share one zone");
    check_str("cache numeric name", rq_tz_name(a), "<+05:30>-05:30");
    check(rq_tz_cache_get("Foo/Bar", &a, &e) < 0 && a == NULL, "cache: unknown zone fails");
    check_str("cache unknown message", e.message,
              "invalid value for parameter \"TimeZone\": \"Foo/Bar\"");

    enum { NT = 4 };
    pthread_t th[NT];
    const rq_tz *seen[NT][N_CACHE_NAMES];
    for (int i = 0; i < NT; i++)
        pthread_create(&th[i], NULL, cache_thread, seen[i]);
    int ok = 1;
    for (int i = 0; i < NT; i++) {
        void *r;
        pthread_join(th[i], &r);
        ok &= r == NULL;
    }
    for (int i = 1; i < NT && ok; i++)
        ok &= memcmp(seen[0], seen[i], sizeof seen[0]) == 0;
    check(ok, "cache: concurrent gets from 4 threads return the same zones");
}

static void test_offsets(void) {
    rq_tz *tz;
    rq_error e;
    check(rq_tz_offset(NULL, 0) == 0, "NULL zone = UTC");
    check_str("NULL zone name", rq_tz_name(NULL), "UTC");
    if (rq_tz_load("America/New_York", &tz, &e) != RQ_OK) {
        check(0, "load America/New_York");
        return;
    }
    check(rq_tz_offset(tz, INT64_C(-5364662400)) == -17762, "New York LMT -04:56:02");
    check(rq_tz_offset(tz, INT64_C(1719835200)) == -14400, "New York 2024 EDT");
    check(rq_tz_offset(tz, INT64_C(2224267200)) == -14400, "New York 2040 EDT (footer)");
    /* past the tabulated years (2200): the POSIX rule is evaluated directly */
    check(rq_tz_offset(tz, INT64_C(8000000000)) == -14400, "New York 2223-07 EDT (rule)");
    check(rq_tz_offset(tz, INT64_C(8015000000)) == -18000, "New York 2223-12 EST (rule)");
    rq_tz_free(tz);
    rq_tz_free(NULL);
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Informative only: never fails the test. */
static void bench(void) {
    enum { N = 1000000 };
    char out[RQ_DT_BUFSZ];
    rq_error e;
    const rq_tz *ny = NULL;
    size_t sink = 0;
    int64_t base = INT64_C(946684800000000), step = INT64_C(987654321123); /* ~11 days */
    double t0 = now_ns();
    for (int i = 0; i < N; i++)
        sink += (size_t)rq_fmt_timestamp(base + (i % 3000) * step + i, out, &e);
    double t1 = now_ns();
    printf("bench: rq_fmt_timestamp            %.1f ns/value\n", (t1 - t0) / N);
    t0 = now_ns();
    for (int i = 0; i < N; i++)
        sink += (size_t)rq_fmt_timestamptz(base + (i % 3000) * step + i, NULL, out, &e);
    t1 = now_ns();
    printf("bench: rq_fmt_timestamptz (UTC)    %.1f ns/value\n", (t1 - t0) / N);
    if (have_tzdata() && rq_tz_cache_get("America/New_York", &ny, &e) == RQ_OK) {
        t0 = now_ns();
        for (int i = 0; i < N; i++)
            sink += (size_t)rq_fmt_timestamptz(base + (i % 3000) * step + i, ny, out, &e);
        t1 = now_ns();
        printf("bench: rq_fmt_timestamptz (NY)     %.1f ns/value\n", (t1 - t0) / N);
    }
    t0 = now_ns();
    for (int i = 0; i < N; i++)
        sink += (size_t)rq_fmt_date(i % 30000, out, &e);
    t1 = now_ns();
    printf("bench: rq_fmt_date                 %.1f ns/value\n", (t1 - t0) / N);
    t0 = now_ns();
    for (int i = 0; i < N; i++)
        sink += (size_t)rq_fmt_interval(i % 40, i % 7, (int64_t)i * 1234567, out, &e);
    t1 = now_ns();
    printf("bench: rq_fmt_interval             %.1f ns/value\n", (t1 - t0) / N);
    if (sink == 0)
        printf("(sink)\n");
}

int main(void) {
    test_values();
    test_range_errors();
    if (have_tzdata()) {
        test_tstz();
        test_names();
        test_cache();
        test_offsets();
    } else {
        printf("SKIP time-zone vectors: /usr/share/zoneinfo missing (install tzdata)\n");
        g_skip += (int)(sizeof k_tstz / sizeof k_tstz[0] + sizeof k_names / sizeof k_names[0]);
    }
    bench();
    if (g_skip)
        printf("%d passed, %d failed, %d skipped\n", g_pass, g_fail, g_skip);
    else
        printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
