/*
 * rq_common.h — status codes and the error struct shared by every file of
 * the riffq C core.
 *
 * Conventions (all files):
 *   - Every exported symbol starts with `rq_` (types too), macros with `RQ_`.
 *   - A function that can fail returns `int` status: RQ_OK (0) on success or a
 *     negative RQ_E* code, and fills the caller's `rq_error *err` (which may be
 *     NULL when the caller does not care about the message).
 *   - No file outside rq_py_*.c includes Python.h or calls the Python C API.
 */
#ifndef RQ_COMMON_H
#define RQ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define RQ_OK 0
#define RQ_ERR -1      /* generic failure: details in rq_error */
#define RQ_ENOMEM -2   /* allocation failed (sqlstate 53200) */
#define RQ_EAGAIN -3   /* need more input / output buffer full: try later */
#define RQ_ECLOSED -4  /* peer or connection is gone */

/* Severity words as PostgreSQL sends them in the 'S'/'V' fields. */
#define RQ_SEV_ERROR "ERROR"
#define RQ_SEV_FATAL "FATAL"

/*
 * An error that will become a PostgreSQL ErrorResponse. `sqlstate` is the
 * five-character SQLSTATE code (NUL terminated). `detail` and `hint` are
 * optional (empty string = absent). Strings are truncated, never overflowed.
 */
typedef struct rq_error {
    char severity[8];
    char sqlstate[6];
    char message[1024];
    char detail[512];
    char hint[256];
} rq_error;

/* Fill `err` (if non-NULL) and return RQ_ERR. `fmt` is printf-style. */
int rq_error_set(rq_error *err, const char *severity, const char *sqlstate,
                 const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Fill `err` for an out-of-memory condition (53200) and return RQ_ENOMEM. */
int rq_error_nomem(rq_error *err);

/* Reset `err` to the empty state (no error). */
void rq_error_clear(rq_error *err);

/* Copy at most `cap-1` bytes of `src` into `dst` and NUL-terminate. */
void rq_strlcpy(char *dst, const char *src, size_t cap);

#if defined(__GNUC__)
#define RQ_LIKELY(x) __builtin_expect(!!(x), 1)
#define RQ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define RQ_LIKELY(x) (x)
#define RQ_UNLIKELY(x) (x)
#endif

#endif /* RQ_COMMON_H */
