/*
 * rq_proto.c — framing, parsing and building of protocol messages
 * (see rq_proto.h). Every read is bounds-checked: this code faces the
 * network and the fuzzer.
 */
#include "rq_proto.h"

#include <string.h>

/* ---- reader ---- */

void rq_reader_init(rq_reader *r, const uint8_t *p, size_t n) {
    r->p = p;
    r->n = n;
    r->pos = 0;
    r->bad = 0;
}

static int rd_need(rq_reader *r, size_t k) {
    if (r->bad || r->n - r->pos < k) {
        r->bad = 1;
        return 0;
    }
    return 1;
}

uint8_t rq_rd_u8(rq_reader *r) {
    if (!rd_need(r, 1)) return 0;
    return r->p[r->pos++];
}

int16_t rq_rd_i16(rq_reader *r) {
    if (!rd_need(r, 2)) return 0;
    int16_t v = (int16_t)rq_be16(r->p + r->pos);
    r->pos += 2;
    return v;
}

int32_t rq_rd_i32(rq_reader *r) {
    if (!rd_need(r, 4)) return 0;
    int32_t v = (int32_t)rq_be32(r->p + r->pos);
    r->pos += 4;
    return v;
}

const char *rq_rd_cstr(rq_reader *r) {
    if (r->bad) return NULL;
    const uint8_t *start = r->p + r->pos;
    const uint8_t *nul = memchr(start, 0, r->n - r->pos);
    if (nul == NULL) {
        r->bad = 1;
        return NULL;
    }
    r->pos += (size_t)(nul - start) + 1;
    return (const char *)start;
}

const uint8_t *rq_rd_bytes(rq_reader *r, size_t len) {
    if (!rd_need(r, len)) return NULL;
    const uint8_t *p = r->p + r->pos;
    r->pos += len;
    return p;
}

static int malformed(rq_error *err, const char *what) {
    return rq_error_set(err, RQ_SEV_FATAL, "08P01", "invalid %s message format", what);
}

/* ---- startup phase ---- */

int rq_proto_startup_frame(const uint8_t *p, size_t n, size_t *pktlen, rq_error *err) {
    if (n < 4) return RQ_EAGAIN;
    uint32_t len = rq_be32(p);
    if (len < 8 || len > RQ_MAX_STARTUP_LEN)
        return rq_error_set(err, RQ_SEV_FATAL, "08P01", "invalid length of startup packet");
    if (n < len) return RQ_EAGAIN;
    *pktlen = len;
    return RQ_OK;
}

static int parse_startup_params(rq_reader *r, rq_startup *out, rq_error *err) {
    for (;;) {
        const char *key = rq_rd_cstr(r);
        if (key == NULL) return malformed(err, "startup packet");
        if (key[0] == '\0') break; /* terminator */
        const char *val = rq_rd_cstr(r);
        if (val == NULL) return malformed(err, "startup packet");
        if (out->nparams == RQ_MAX_STARTUP_PARAMS)
            return rq_error_set(err, RQ_SEV_FATAL, "08P01", "too many startup parameters");
        out->keys[out->nparams] = key;
        out->vals[out->nparams] = val;
        out->nparams++;
    }
    if (r->pos != r->n) return malformed(err, "startup packet");
    return RQ_OK;
}

int rq_proto_parse_startup(const uint8_t *pkt, size_t len, rq_startup *out, rq_error *err) {
    memset(out, 0, sizeof *out);
    rq_reader r;
    rq_reader_init(&r, pkt + 4, len - 4);
    uint32_t code = (uint32_t)rq_rd_i32(&r);
    if (code == RQ_CODE_SSL || code == RQ_CODE_GSSENC) {
        if (len != 8) return malformed(err, "startup packet");
        out->kind = code == RQ_CODE_SSL ? RQ_SP_SSL : RQ_SP_GSSENC;
        return RQ_OK;
    }
    if (code == RQ_CODE_CANCEL) {
        /* 3.2 clients may send a longer key; we only issue 4-byte keys. */
        if (len < 16) return malformed(err, "cancel request");
        out->kind = RQ_SP_CANCEL;
        out->cancel_pid = (uint32_t)rq_rd_i32(&r);
        out->cancel_key = (uint32_t)rq_rd_i32(&r);
        return RQ_OK;
    }
    out->kind = RQ_SP_STARTUP;
    out->version = code;
    if ((code >> 16) != 3) return RQ_OK; /* caller rejects the version */
    return parse_startup_params(&r, out, err);
}

const char *rq_startup_get(const rq_startup *s, const char *key) {
    for (int i = 0; i < s->nparams; i++)
        if (strcmp(s->keys[i], key) == 0) return s->vals[i];
    return NULL;
}

/* ---- regular messages ---- */

int rq_proto_frame(const uint8_t *p, size_t n, size_t max_len, char *type,
                   const uint8_t **body, size_t *body_len, size_t *total,
                   rq_error *err) {
    if (n < 5) return RQ_EAGAIN;
    uint32_t len = rq_be32(p + 1);
    if (len < 4 || len > max_len)
        return rq_error_set(err, RQ_SEV_FATAL, "08P01", "invalid message length %u", len);
    if (n - 1 < len) return RQ_EAGAIN;
    *type = (char)p[0];
    *body = p + 5;
    *body_len = len - 4;
    *total = (size_t)len + 1;
    return RQ_OK;
}

int rq_proto_parse_cstring_body(const uint8_t *b, size_t n, const char **out, rq_error *err) {
    rq_reader r;
    rq_reader_init(&r, b, n);
    const char *s = rq_rd_cstr(&r);
    if (s == NULL || r.pos != n) return malformed(err, "string");
    *out = s;
    return RQ_OK;
}

int rq_proto_parse_parse(const uint8_t *b, size_t n, rq_msg_parse *out, rq_error *err) {
    rq_reader r;
    rq_reader_init(&r, b, n);
    out->name = rq_rd_cstr(&r);
    out->query = rq_rd_cstr(&r);
    int16_t np = rq_rd_i16(&r);
    if (r.bad || np < 0) return malformed(err, "Parse");
    out->nparams = np;
    out->param_oids = rq_rd_bytes(&r, (size_t)np * 4);
    if (r.bad || r.pos != n) return malformed(err, "Parse");
    return RQ_OK;
}

/* Walk the parameter values once so later readers can trust the layout. */
static int bind_params(rq_reader *r, rq_msg_bind *out) {
    size_t start = r->pos;
    for (int i = 0; i < out->nparams; i++) {
        int32_t len = rq_rd_i32(r);
        if (len < -1) r->bad = 1;
        if (len > 0) rq_rd_bytes(r, (size_t)len);
        if (r->bad) return RQ_ERR;
    }
    out->params = r->p + start;
    out->params_len = r->pos - start;
    return RQ_OK;
}

int rq_proto_parse_bind(const uint8_t *b, size_t n, rq_msg_bind *out, rq_error *err) {
    rq_reader r;
    rq_reader_init(&r, b, n);
    out->portal = rq_rd_cstr(&r);
    out->stmt = rq_rd_cstr(&r);
    int16_t nf = rq_rd_i16(&r);
    if (r.bad || nf < 0) return malformed(err, "Bind");
    out->nformats = nf;
    out->formats = rq_rd_bytes(&r, (size_t)nf * 2);
    int16_t np = rq_rd_i16(&r);
    if (r.bad || np < 0) return malformed(err, "Bind");
    out->nparams = np;
    if (bind_params(&r, out) != RQ_OK) return malformed(err, "Bind");
    int16_t nr = rq_rd_i16(&r);
    if (r.bad || nr < 0) return malformed(err, "Bind");
    out->nresult_formats = nr;
    out->result_formats = rq_rd_bytes(&r, (size_t)nr * 2);
    if (r.bad || r.pos != n) return malformed(err, "Bind");
    for (int i = 0; i < nf; i++) {
        int16_t f = (int16_t)rq_be16(out->formats + 2 * i);
        if (f != 0 && f != 1)
            return rq_error_set(err, RQ_SEV_ERROR, "08P01",
                                "unsupported format code: %d", f);
    }
    if (nf > 1 && nf != np)
        return rq_error_set(err, RQ_SEV_ERROR, "08P01",
                            "bind message has %d parameter formats but %d parameters",
                            nf, np);
    return RQ_OK;
}

int rq_proto_parse_target(const uint8_t *b, size_t n, rq_msg_target *out, rq_error *err) {
    rq_reader r;
    rq_reader_init(&r, b, n);
    out->kind = (char)rq_rd_u8(&r);
    out->name = rq_rd_cstr(&r);
    if (r.bad || r.pos != n) return malformed(err, "Describe/Close");
    if (out->kind != 'S' && out->kind != 'P')
        return rq_error_set(err, RQ_SEV_ERROR, "08P01",
                            "invalid DESCRIBE/CLOSE message subtype %d", out->kind);
    return RQ_OK;
}

int rq_proto_parse_execute(const uint8_t *b, size_t n, rq_msg_execute *out, rq_error *err) {
    rq_reader r;
    rq_reader_init(&r, b, n);
    out->portal = rq_rd_cstr(&r);
    out->max_rows = rq_rd_i32(&r);
    if (r.bad || r.pos != n) return malformed(err, "Execute");
    if (out->max_rows < 0) out->max_rows = 0;
    return RQ_OK;
}

int16_t rq_bind_format(const uint8_t *formats, int nformats, int i) {
    if (nformats == 0) return 0;
    if (nformats == 1) return (int16_t)rq_be16(formats);
    if (i >= nformats) return 0;
    return (int16_t)rq_be16(formats + 2 * i);
}

/* ---- backend messages ---- */

int rq_be_simple(rq_buf *b, char type) {
    size_t m;
    if (rq_msg_begin(b, type, &m) != RQ_OK) return RQ_ENOMEM;
    rq_msg_end(b, m);
    return RQ_OK;
}

int rq_be_auth(rq_buf *b, uint32_t code) {
    size_t m;
    if (rq_msg_begin(b, 'R', &m) != RQ_OK || rq_buf_put_be32(b, code) != RQ_OK)
        return RQ_ENOMEM;
    rq_msg_end(b, m);
    return RQ_OK;
}

int rq_be_param_status(rq_buf *b, const char *key, const char *val) {
    size_t m;
    if (rq_msg_begin(b, 'S', &m) != RQ_OK || rq_buf_put_cstr(b, key) != RQ_OK ||
        rq_buf_put_cstr(b, val) != RQ_OK)
        return RQ_ENOMEM;
    rq_msg_end(b, m);
    return RQ_OK;
}

int rq_be_backend_key(rq_buf *b, uint32_t pid, uint32_t key) {
    size_t m;
    if (rq_msg_begin(b, 'K', &m) != RQ_OK || rq_buf_put_be32(b, pid) != RQ_OK ||
        rq_buf_put_be32(b, key) != RQ_OK)
        return RQ_ENOMEM;
    rq_msg_end(b, m);
    return RQ_OK;
}

int rq_be_ready(rq_buf *b, char status) {
    size_t m;
    if (rq_msg_begin(b, 'Z', &m) != RQ_OK || rq_buf_put_u8(b, (uint8_t)status) != RQ_OK)
        return RQ_ENOMEM;
    rq_msg_end(b, m);
    return RQ_OK;
}

int rq_be_command_complete(rq_buf *b, const char *tag) {
    size_t m;
    if (rq_msg_begin(b, 'C', &m) != RQ_OK || rq_buf_put_cstr(b, tag) != RQ_OK)
        return RQ_ENOMEM;
    rq_msg_end(b, m);
    return RQ_OK;
}

static int put_field(rq_buf *b, char code, const char *val) {
    if (val == NULL || val[0] == '\0') return RQ_OK;
    if (rq_buf_put_u8(b, (uint8_t)code) != RQ_OK) return RQ_ENOMEM;
    return rq_buf_put_cstr(b, val);
}

static int be_error_like(rq_buf *b, char type, const rq_error *err) {
    size_t m;
    const char *sev = err->severity[0] ? err->severity : RQ_SEV_ERROR;
    const char *state = err->sqlstate[0] ? err->sqlstate : "XX000";
    if (rq_msg_begin(b, type, &m) != RQ_OK) return RQ_ENOMEM;
    if (put_field(b, 'S', sev) || put_field(b, 'V', sev) || put_field(b, 'C', state) ||
        put_field(b, 'M', err->message[0] ? err->message : "unknown error") ||
        put_field(b, 'D', err->detail) || put_field(b, 'H', err->hint) ||
        rq_buf_put_u8(b, 0) != RQ_OK)
        return RQ_ENOMEM;
    rq_msg_end(b, m);
    return RQ_OK;
}

int rq_be_error(rq_buf *b, const rq_error *err) { return be_error_like(b, 'E', err); }

int rq_be_notice(rq_buf *b, const rq_error *err) { return be_error_like(b, 'N', err); }

int rq_be_param_desc(rq_buf *b, int n, const uint32_t *oids) {
    size_t m;
    if (rq_msg_begin(b, 't', &m) != RQ_OK || rq_buf_put_be16(b, (uint16_t)n) != RQ_OK)
        return RQ_ENOMEM;
    for (int i = 0; i < n; i++)
        if (rq_buf_put_be32(b, oids[i]) != RQ_OK) return RQ_ENOMEM;
    rq_msg_end(b, m);
    return RQ_OK;
}

int rq_be_negotiate_version(rq_buf *b, uint32_t minor, int nopts, const char *const *opts) {
    size_t m;
    if (rq_msg_begin(b, 'v', &m) != RQ_OK || rq_buf_put_be32(b, minor) != RQ_OK ||
        rq_buf_put_be32(b, (uint32_t)nopts) != RQ_OK)
        return RQ_ENOMEM;
    for (int i = 0; i < nopts; i++)
        if (rq_buf_put_cstr(b, opts[i]) != RQ_OK) return RQ_ENOMEM;
    rq_msg_end(b, m);
    return RQ_OK;
}
