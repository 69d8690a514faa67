/*
 * rq_encode.h — Arrow record batches → PostgreSQL RowDescription / DataRow.
 *
 * A row plan is built once per result from the stream's ArrowSchema: it maps
 * every column to a PostgreSQL type (OID, typlen, typmod) and an encoder
 * function. Then, for each ArrowArray batch of the stream, the caller binds
 * the batch and asks for DataRow messages until the batch is exhausted, in
 * slices bounded by a soft byte limit so memory stays bounded whatever the
 * batch size.
 *
 * Threading: a plan is used by one thread at a time. No function here
 * touches Python or the network.
 *
 * Ownership:
 *   - rq_rowplan_new() copies what it needs from `schema` (names, formats,
 *     metadata); the caller keeps ownership of `schema` and may release it
 *     right after the call.
 *   - `fmt` is borrowed and must outlive the plan (it belongs to the
 *     connection's session).
 *   - rq_rowplan_set_batch() borrows `batch`: the caller keeps ownership and
 *     must not release it while rq_rowplan_encode() may still read it.
 *   - Output is appended to the caller's rq_buf.
 */
#ifndef RQ_ENCODE_H
#define RQ_ENCODE_H

#include <stdint.h>

#include "rq_arrow_abi.h"
#include "rq_buf.h"
#include "rq_common.h"
#include "rq_datetime.h"

/* Per-session output settings that change how values are rendered. */
typedef struct rq_session_fmt {
    const rq_tz *tz;          /* TimeZone for timestamptz; NULL means UTC */
    int extra_float_digits;   /* PostgreSQL default 1 (shortest round-trip) */
} rq_session_fmt;

/* What RowDescription says about one column. */
typedef struct rq_colinfo {
    const char *name;   /* owned by the plan */
    uint32_t type_oid;  /* PostgreSQL type OID, e.g. 20 for int8 */
    int16_t typlen;     /* pg_type.typlen: fixed size or -1 (varlena) */
    int32_t typmod;     /* atttypmod, -1 when none */
} rq_colinfo;

typedef struct rq_rowplan rq_rowplan;

/*
 * Build a plan for `schema` (a struct schema, format "+s", whose children
 * are the result columns). Fails with 0A000 (feature_not_supported) for an
 * Arrow type that has no PostgreSQL mapping, 08P01/XX000 for a malformed
 * schema, 53200 when out of memory.
 */
int rq_rowplan_new(const struct ArrowSchema *schema, const rq_session_fmt *fmt,
                   rq_rowplan **out, rq_error *err);

/* Free the plan and everything it owns. NULL is accepted. */
void rq_rowplan_free(rq_rowplan *plan);

/* Number of result columns. */
int rq_rowplan_ncols(const rq_rowplan *plan);

/* Column `i` (0 <= i < ncols) metadata; pointer valid while the plan lives. */
const rq_colinfo *rq_rowplan_col(const rq_rowplan *plan, int i);

/*
 * Choose per-column result formats, as the Bind message gives them:
 * nformats == 0 → all text; 1 → that format for all; ncols → one each.
 * 0 = text, 1 = binary. Fails with 08P01 for a bad count or code, and with
 * 0A000 for a binary request on a type without a binary encoder.
 */
int rq_rowplan_set_formats(rq_rowplan *plan, const int16_t *formats,
                           int nformats, rq_error *err);

/* Append a complete RowDescription ('T') message for the plan to `out`. */
int rq_rowplan_write_rowdesc(const rq_rowplan *plan, rq_buf *out, rq_error *err);

/*
 * Bind the next batch (a struct array whose children are the columns).
 * Validates lengths and child counts against the plan: a batch that does
 * not match the schema fails with XX000.
 */
int rq_rowplan_set_batch(rq_rowplan *plan, const struct ArrowArray *batch,
                         rq_error *err);

/* Number of rows in the bound batch. */
int64_t rq_rowplan_batch_rows(const rq_rowplan *plan);

/*
 * Append DataRow ('D') messages for rows *next_row .. row_end-1 of the bound
 * batch to `out`, stopping early once out->len >= soft_limit (always at
 * least one row when any remain). *next_row is advanced past the rows
 * written. A value PostgreSQL cannot represent (e.g. a timestamp beyond
 * year 294276) fails with its SQLSTATE (22008, 22003...) and nothing
 * partial of that row is left in `out`.
 */
int rq_rowplan_encode(rq_rowplan *plan, int64_t *next_row, int64_t row_end,
                      rq_buf *out, size_t soft_limit, rq_error *err);

/*
 * 22021 "invalid byte sequence for encoding \"UTF8\": 0x.." unless
 * [p, p+n) is valid UTF-8 without NUL bytes, exactly as PostgreSQL checks
 * text in its server encoding. Also used for incoming query text.
 */
int rq_enc_check_utf8(const uint8_t *p, size_t n, rq_error *err);

#endif /* RQ_ENCODE_H */
