/*
 * rq_float.h — PostgreSQL-compatible text output of float4 / float8.
 *
 * With extra_float_digits > 0 (PostgreSQL's default is 1) PostgreSQL prints
 * the shortest decimal string that reads back to the same binary value
 * (float8out / float4out using a shortest round-trip algorithm), in
 * "%g"-like layout: plain notation when the decimal exponent is in
 * [-4, DIGITS) (DIGITS = 15 for float8, 6 for float4), otherwise
 * scientific "d.ddde+XX" / "de-XX" with at least two exponent digits.
 * Special values: "NaN", "Infinity", "-Infinity"; negative zero is "-0".
 * With extra_float_digits <= 0 it prints "%.*g" with DIGITS +
 * extra_float_digits significant digits (at least 1).
 *
 * The implementation is a shortest round-trip formatter written from the
 * Ryu / Schubfach papers (no snprintf on the default path).
 */
#ifndef RQ_FLOAT_H
#define RQ_FLOAT_H

/* Minimum size of the `out` buffer for both functions (incl. NUL). */
#define RQ_FLOAT_BUFSZ 32

/* Write float8 text of `v` to `out` (NUL terminated); return its length. */
int rq_float8_out(double v, int extra_float_digits, char *out);

/* Write float4 text of `v` to `out` (NUL terminated); return its length. */
int rq_float4_out(float v, int extra_float_digits, char *out);

#endif /* RQ_FLOAT_H */
