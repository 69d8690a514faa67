/*
 * rq_proto.h — PostgreSQL v3 wire protocol: framing and parsing of frontend
 * messages, building of backend messages. Pure functions over memory: no
 * sockets, no threads, no allocation except into caller-owned rq_buf. This
 * is the file the libFuzzer harness (fuzz/fuzz_proto.c) exercises.
 *
 * Message layouts follow "Message Formats" in the PostgreSQL documentation
 * (protocol-message-formats.html). Parsed structs point into the caller's
 * message body: they are valid only while that memory is.
 */
#ifndef RQ_PROTO_H
#define RQ_PROTO_H

#include <stdint.h>

#include "rq_buf.h"
#include "rq_common.h"

#define RQ_PROTO_V3 196608u          /* 3.0 */
#define RQ_CODE_CANCEL 80877102u
#define RQ_CODE_SSL 80877103u
#define RQ_CODE_GSSENC 80877104u

/* Largest startup packet accepted (PostgreSQL uses 10000). */
#define RQ_MAX_STARTUP_LEN 10000u
/* Largest regular message accepted (PostgreSQL: 1 GB for queries). */
#define RQ_MAX_MESSAGE_LEN (1u << 30)
#define RQ_MAX_STARTUP_PARAMS 64

/* ---- startup phase ---- */

typedef enum rq_startup_kind {
    RQ_SP_STARTUP,  /* StartupMessage */
    RQ_SP_SSL,      /* SSLRequest */
    RQ_SP_GSSENC,   /* GSSENCRequest */
    RQ_SP_CANCEL    /* CancelRequest */
} rq_startup_kind;

typedef struct rq_startup {
    rq_startup_kind kind;
    uint32_t version;          /* protocol version of a StartupMessage */
    uint32_t cancel_pid;       /* CancelRequest: process id */
    uint32_t cancel_key;       /* CancelRequest: secret key */
    int nparams;               /* StartupMessage parameters */
    const char *keys[RQ_MAX_STARTUP_PARAMS];
    const char *vals[RQ_MAX_STARTUP_PARAMS];
} rq_startup;

/*
 * Frame a startup-phase packet (int32 length, then body) at the start of
 * `p[0..n)`. On RQ_OK *pktlen is the whole packet length; RQ_EAGAIN means
 * more bytes are needed; RQ_ERR (08P01) for an invalid length.
 */
int rq_proto_startup_frame(const uint8_t *p, size_t n, size_t *pktlen, rq_error *err);

/* Parse a complete startup-phase packet of `len` bytes (length word
 * included). Fills `out`; 08P01 for malformed packets. */
int rq_proto_parse_startup(const uint8_t *pkt, size_t len, rq_startup *out,
                           rq_error *err);

/* Value of startup parameter `key`, or NULL. */
const char *rq_startup_get(const rq_startup *s, const char *key);

/* ---- regular messages ---- */

/*
 * Frame a regular message (type byte, int32 length including itself, body)
 * at the start of `p[0..n)`. On RQ_OK fills *type, *body, *body_len and
 * *total (bytes to consume). RQ_EAGAIN: incomplete. RQ_ERR (08P01): length
 * below 4 or above `max_len`.
 */
int rq_proto_frame(const uint8_t *p, size_t n, size_t max_len, char *type,
                   const uint8_t **body, size_t *body_len, size_t *total,
                   rq_error *err);

/* Bounds-checked cursor over a message body. `bad` latches on any overrun. */
typedef struct rq_reader {
    const uint8_t *p;
    size_t n;
    size_t pos;
    int bad;
} rq_reader;

void rq_reader_init(rq_reader *r, const uint8_t *p, size_t n);
uint8_t rq_rd_u8(rq_reader *r);
int16_t rq_rd_i16(rq_reader *r);
int32_t rq_rd_i32(rq_reader *r);
/* NUL-terminated string inside the body; NULL (and bad) if unterminated. */
const char *rq_rd_cstr(rq_reader *r);
/* `len` raw bytes; NULL (and bad) if fewer remain. */
const uint8_t *rq_rd_bytes(rq_reader *r, size_t len);

/* Parse ('P') */
typedef struct rq_msg_parse {
    const char *name;
    const char *query;
    int nparams;
    const uint8_t *param_oids;  /* nparams big-endian uint32 */
} rq_msg_parse;

/* Bind ('B'); parameter values stay raw (length -1 = NULL). */
typedef struct rq_msg_bind {
    const char *portal;
    const char *stmt;
    int nformats;
    const uint8_t *formats;      /* nformats big-endian int16 */
    int nparams;
    const uint8_t *params;       /* nparams × (int32 len, bytes) */
    size_t params_len;
    int nresult_formats;
    const uint8_t *result_formats; /* big-endian int16 */
} rq_msg_bind;

/* Describe ('D') / Close ('C'): kind 'S' statement or 'P' portal. */
typedef struct rq_msg_target {
    char kind;
    const char *name;
} rq_msg_target;

/* Execute ('E') */
typedef struct rq_msg_execute {
    const char *portal;
    int32_t max_rows;  /* 0 = no limit */
} rq_msg_execute;

int rq_proto_parse_parse(const uint8_t *b, size_t n, rq_msg_parse *out, rq_error *err);
int rq_proto_parse_bind(const uint8_t *b, size_t n, rq_msg_bind *out, rq_error *err);
int rq_proto_parse_target(const uint8_t *b, size_t n, rq_msg_target *out, rq_error *err);
int rq_proto_parse_execute(const uint8_t *b, size_t n, rq_msg_execute *out, rq_error *err);
/* Query ('Q') and PasswordMessage ('p'): one NUL-terminated string that
 * must end the body exactly. */
int rq_proto_parse_cstring_body(const uint8_t *b, size_t n, const char **out,
                                rq_error *err);

/* Format code of parameter / result column `i` per the Bind rules
 * (0 codes → text, 1 → that code for all, else per column). */
int16_t rq_bind_format(const uint8_t *formats, int nformats, int i);

/* ---- backend messages (append to `b`; RQ_OK or RQ_ENOMEM) ---- */

int rq_be_simple(rq_buf *b, char type);            /* '1','2','3','n','s','I' */
int rq_be_auth(rq_buf *b, uint32_t code);          /* 'R': 0 ok, 3 cleartext */
int rq_be_param_status(rq_buf *b, const char *key, const char *val);
int rq_be_backend_key(rq_buf *b, uint32_t pid, uint32_t key);
int rq_be_ready(rq_buf *b, char status);           /* 'I', 'T', 'E' */
int rq_be_command_complete(rq_buf *b, const char *tag);
int rq_be_error(rq_buf *b, const rq_error *err);   /* ErrorResponse */
int rq_be_notice(rq_buf *b, const rq_error *err);  /* NoticeResponse */
int rq_be_param_desc(rq_buf *b, int n, const uint32_t *oids);
/* `version`: newest supported version for the requested major, e.g. 0x30000. */
int rq_be_negotiate_version(rq_buf *b, uint32_t version, int nopts,
                            const char *const *opts);

#endif /* RQ_PROTO_H */
