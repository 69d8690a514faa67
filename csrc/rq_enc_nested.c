/*
 * rq_enc_nested.c — writers for lists (PostgreSQL arrays, array_out
 * format), structs and maps (json, like to_json() of a record / of
 * json_object_agg without its spaces) and dictionary-encoded values.
 */
#include "rq_enc_internal.h"

#define RQ_RESERVE(out, n)                                             \
    do {                                                               \
        if (RQ_UNLIKELY(rq_buf_reserve((out), (n)) != RQ_OK))          \
            return rq_error_nomem(err);                                \
    } while (0)

#define RQ_PUTC(out, c)                                                \
    do {                                                               \
        RQ_RESERVE(out, 1);                                            \
        (out)->data[(out)->len++] = (uint8_t)(c);                      \
    } while (0)

#define RQ_PUTS(out, s)                                                \
    do {                                                               \
        if (rq_enc_put((out), (s), sizeof(s) - 1) != RQ_OK)            \
            return rq_error_nomem(err);                                \
    } while (0)

#define RQ_TRY(x)                                                      \
    do {                                                               \
        int rq_rc_ = (x);                                              \
        if (rq_rc_ != RQ_OK) return rq_rc_;                            \
    } while (0)

/* ------------------------------------------------------------------ */
/* dictionary                                                          */
/* ------------------------------------------------------------------ */

/* Raw index value i; -1 when it does not fit int64 (uint64 index). */
static int64_t dict_raw(const rq_enc_node *n, int64_t i) {
    const uint8_t *p = n->data + (n->off + i) * n->width;
    switch (n->width) {
    case 1: return n->is_signed ? (int64_t)(int8_t)p[0] : (int64_t)p[0];
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return n->is_signed ? (int64_t)(int16_t)v : (int64_t)v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return n->is_signed ? (int64_t)(int32_t)v : (int64_t)v;
    }
    default: {
        int64_t v = rq_enc_ld_i64(p);
        return (!n->is_signed && v < 0) ? -1 : v;
    }
    }
}

static int dict_index(const rq_enc_node *n, int64_t i, int64_t *idx, rq_error *err) {
    int64_t v = dict_raw(n, i);
    if (RQ_UNLIKELY(v < 0 || v >= n->dict->len))
        return rq_enc_malformed(n, err, "dictionary index out of range");
    *idx = v;
    return RQ_OK;
}

int rq_enc_isnull_slow(const rq_enc_node *n, int64_t i) {
    if (n->kind != RQ_K_DICT) return 1; /* RQ_K_NULL */
    if (n->validity != NULL) {
        int64_t j = n->off + i;
        if (!((n->validity[j >> 3] >> (j & 7)) & 1)) return 1;
    }
    int64_t v = dict_raw(n, i);
    if (v < 0 || v >= n->dict->len) return 0; /* the writer reports it */
    return rq_enc_isnull(n->dict, v);
}

static int t_dict(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t k = 0;
    RQ_TRY(dict_index(n, i, &k, err));
    return n->dict->text(n->dict, k, out, err);
}

static int j_dict(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t k = 0;
    RQ_TRY(dict_index(n, i, &k, err));
    return n->dict->json(n->dict, k, out, err);
}

static int b_dict(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t k = 0;
    RQ_TRY(dict_index(n, i, &k, err));
    return n->dict->bin(n->dict, k, out, err);
}

/* Follow dictionary indirection so that (*n, *i) designates the value. */
static int resolve(const rq_enc_node **n, int64_t *i, rq_error *err) {
    while ((*n)->kind == RQ_K_DICT) {
        int64_t k = 0;
        RQ_TRY(dict_index(*n, *i, &k, err));
        *n = (*n)->dict;
        *i = k;
    }
    return RQ_OK;
}

/* ------------------------------------------------------------------ */
/* array elements (array_out quoting)                                  */
/* ------------------------------------------------------------------ */

static inline int array_special(uint8_t c) {
    return c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || c == ' ' ||
           c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Quote out[start..len) in place when array_out would: empty, "NULL" in
 * any case, or containing " \ { } , or white space; escape " and \. */
static int array_quote_inplace(rq_buf *out, size_t start, rq_error *err) {
    size_t n = out->len - start, esc = 0;
    const uint8_t *p = out->data + start;
    int need = n == 0;
    for (size_t k = 0; k < n; k++) {
        if (array_special(p[k])) {
            need = 1;
            esc += p[k] == '"' || p[k] == '\\';
        }
    }
    if (!need && n == 4 && (p[0] | 0x20) == 'n' && (p[1] | 0x20) == 'u' &&
        (p[2] | 0x20) == 'l' && (p[3] | 0x20) == 'l')
        need = 1;
    if (!need) return RQ_OK;
    RQ_RESERVE(out, esc + 2);
    uint8_t *s = out->data + start;
    uint8_t *e = s + n + esc + 2;
    *--e = '"';
    for (size_t k = n; k-- > 0;) {
        *--e = s[k];
        if (s[k] == '"' || s[k] == '\\') *--e = '\\';
    }
    s[0] = '"';
    out->len += esc + 2;
    return RQ_OK;
}

int rq_enc_elem(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    if (rq_enc_isnull(n, i)) {
        RQ_PUTS(out, "NULL");
        return RQ_OK;
    }
    size_t start = out->len;
    RQ_TRY(n->text(n, i, out, err));
    return n->quote ? array_quote_inplace(out, start, err) : RQ_OK;
}

/* ------------------------------------------------------------------ */
/* lists                                                               */
/* ------------------------------------------------------------------ */

/* Child index range [*b, *e) of list value i, validated against the
 * child array's length. */
static int list_range(const rq_enc_node *n, int64_t i, int64_t *b, int64_t *e,
                      rq_error *err) {
    int64_t j = n->off + i, s, t;
    switch (n->layout) {
    case RQ_L_OFF32:
        s = rq_enc_ld_i32(n->data + 4 * j);
        t = rq_enc_ld_i32(n->data + 4 * j + 4);
        break;
    case RQ_L_OFF64:
        s = rq_enc_ld_i64(n->data + 8 * j);
        t = rq_enc_ld_i64(n->data + 8 * j + 8);
        break;
    case RQ_L_VIEW: /* offsets + sizes */
        s = rq_enc_ld_i32(n->data + 4 * j);
        t = s + rq_enc_ld_i32(n->data2 + 4 * j);
        break;
    case RQ_L_VIEW64: {
        s = rq_enc_ld_i64(n->data + 8 * j);
        int64_t sz = rq_enc_ld_i64(n->data2 + 8 * j);
        if (sz < 0 || s > INT64_MAX - sz) return rq_enc_malformed(n, err, "bad list view size");
        t = s + sz;
        break;
    }
    default: /* fixed size: bounds checked when binding */
        *b = j * n->width;
        *e = *b + n->width;
        return RQ_OK;
    }
    if (RQ_UNLIKELY(s < 0 || t < s || t > n->child_len))
        return rq_enc_malformed(n, err, "list offsets out of range");
    *b = s;
    *e = t;
    return RQ_OK;
}

static int dims_error(rq_error *err) {
    return rq_error_set(err, RQ_SEV_ERROR, "2202E",
                        "multidimensional arrays must have array expressions "
                        "with matching dimensions");
}

/* One-dimensional array: "{e1,e2,...}". */
static int emit_1d(const rq_enc_node *n, int64_t b, int64_t e, rq_buf *out,
                   rq_error *err) {
    const rq_enc_node *c = n->child[0];
    RQ_RESERVE(out, 2 + (size_t)(e - b));
    out->data[out->len++] = '{';
    for (int64_t j = b; j < e; j++) {
        if (j > b) RQ_PUTC(out, ',');
        RQ_TRY(rq_enc_elem(c, j, out, err));
    }
    RQ_PUTC(out, '}');
    return RQ_OK;
}

/* Level k of a multi-dimensional array; every sub-list must exist and
 * have exactly dims[k] elements, as PostgreSQL requires. */
static int emit_level(const rq_enc_node *n, int64_t i, int k, const int64_t *dims,
                      rq_buf *out, rq_error *err) {
    int64_t b, e;
    RQ_TRY(list_range(n, i, &b, &e, err));
    if (e - b != dims[k]) return dims_error(err);
    if (n->ndim == 1) return emit_1d(n, b, e, out, err); /* last level */
    RQ_PUTC(out, '{');
    const rq_enc_node *c = n->child[0];
    for (int64_t j = b; j < e; j++) {
        if (j > b) RQ_PUTC(out, ',');
        if (rq_enc_isnull(c, j)) return dims_error(err);
        const rq_enc_node *cn = c;
        int64_t cj = j;
        RQ_TRY(resolve(&cn, &cj, err));
        RQ_TRY(emit_level(cn, cj, k + 1, dims, out, err));
    }
    RQ_PUTC(out, '}');
    return RQ_OK;
}

/*
 * Dimensions of the multi-dimensional list value i (n->ndim > 1, b < e
 * at the top), taken from the first element of every level, as
 * PostgreSQL's ARRAY[] does. *zero is set (and dims filled only up to
 * that level) when a dimension is 0: the array is then empty, provided
 * the other sub-lists agree. More than 6 dimensions fail with 54000.
 */
static int list_dims(const rq_enc_node *n, int64_t i, int64_t *dims, int *zero,
                     rq_error *err) {
    const rq_enc_node *cur = n;
    int64_t ci = i, b, e;
    *zero = 0;
    for (int k = 0; k < n->ndim; k++) {
        if (k == RQ_ENC_PG_MAXDIM)
            return rq_error_set(err, RQ_SEV_ERROR, "54000",
                                "number of array dimensions (%d) exceeds the "
                                "maximum allowed (%d)", n->ndim, RQ_ENC_PG_MAXDIM);
        RQ_TRY(list_range(cur, ci, &b, &e, err));
        dims[k] = e - b;
        if (b == e) {
            *zero = 1;
            return RQ_OK;
        }
        if (k + 1 < n->ndim) {
            const rq_enc_node *c = cur->child[0];
            if (rq_enc_isnull(c, b)) return dims_error(err);
            ci = b;
            cur = c;
            RQ_TRY(resolve(&cur, &ci, err));
        }
    }
    return RQ_OK;
}

/* array_out of list value i. */
static int t_list(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t b, e;
    RQ_TRY(list_range(n, i, &b, &e, err));
    if (n->ndim == 1 || b == e) return emit_1d(n, b, e, out, err);
    int64_t dims[RQ_ENC_PG_MAXDIM];
    int zero;
    RQ_TRY(list_dims(n, i, dims, &zero, err));
    size_t start = out->len;
    RQ_TRY(emit_level(n, i, 0, dims, out, err));
    if (zero) { /* an array with a zero-length dimension is just empty */
        out->len = start;
        RQ_PUTS(out, "{}");
    }
    return RQ_OK;
}

/* ---- array_send ---------------------------------------------------- */

/*
 * Binary array (array_send): int32 ndim, int32 has-nulls flag, int32
 * element type OID, per dimension int32 length and int32 lower bound (1),
 * then each element as int32 length (-1 for NULL) and its binary value,
 * in row-major order. An empty array is ndim 0 with no dimensions.
 * The has-nulls flag is 1 when an element is NULL (PostgreSQL writes it
 * when the array has a null bitmap, which ARRAY[] builds only then).
 */

/* Elements [b, e) of element node c. Space for the fixed part of every
 * element was reserved by the caller when possible; writers reserve
 * anyway, so a missed reservation is only slower. */
static int bin_elems(const rq_enc_node *c, int64_t b, int64_t e, rq_buf *out,
                     int *hasnull, rq_error *err) {
    for (int64_t j = b; j < e; j++) {
        RQ_RESERVE(out, 4);
        if (rq_enc_isnull(c, j)) {
            rq_buf_put_be32_unchecked(out, 0xffffffffu);
            *hasnull = 1;
            continue;
        }
        size_t lp = out->len;
        out->len += 4;
        RQ_TRY(c->bin(c, j, out, err));
        size_t len = out->len - lp - 4;
        if (RQ_UNLIKELY(len > 0x3fffffff))
            return rq_error_set(err, RQ_SEV_ERROR, "54000", "array element is too large");
        rq_buf_patch_be32(out, lp, (uint32_t)len);
    }
    return RQ_OK;
}

/* Level k of a multi-dimensional array: same rectangular checks as
 * emit_level, elements of the innermost lists in order. */
static int bin_level(const rq_enc_node *n, int64_t i, int k, const int64_t *dims,
                     rq_buf *out, int *hasnull, rq_error *err) {
    int64_t b, e;
    RQ_TRY(list_range(n, i, &b, &e, err));
    if (e - b != dims[k]) return dims_error(err);
    const rq_enc_node *c = n->child[0];
    if (n->ndim == 1) return bin_elems(c, b, e, out, hasnull, err);
    for (int64_t j = b; j < e; j++) {
        if (rq_enc_isnull(c, j)) return dims_error(err);
        const rq_enc_node *cn = c;
        int64_t cj = j;
        RQ_TRY(resolve(&cn, &cj, err));
        RQ_TRY(bin_level(cn, cj, k + 1, dims, out, hasnull, err));
    }
    return RQ_OK;
}

/* Bytes to reserve up front for `count` elements of element node c: 4
 * per length word plus the value where its size is known or cheaply
 * bounded (fixed-size types, numeric, fixed-size binary; for the 1-D
 * element range [b, e) of a string array, its bytes from the offsets).
 * Only a hint: writers still reserve, so a low guess costs speed only. */
static size_t bin_reserve_hint(const rq_enc_node *c, int64_t count, int64_t b, int64_t e) {
    const int64_t cap = INT64_C(64) << 20;
    const rq_enc_node *v = c->kind == RQ_K_DICT ? c->dict : c;
    int64_t per = 4;
    if (v->typlen > 0) per += v->typlen;
    else if (v->kind == RQ_K_DECIMAL) per += 8 + v->width;
    else if (v->kind == RQ_K_BYTES && v->layout == RQ_L_FIXED) per += v->width;
    if (per > cap || count > cap / per) return 0;
    int64_t need = count * per;
    if (c->kind == RQ_K_BYTES && (c->layout == RQ_L_OFF32 || c->layout == RQ_L_OFF64) && e > b) {
        int64_t s, t;
        if (c->layout == RQ_L_OFF32) {
            s = rq_enc_ld_i32(c->data + 4 * (c->off + b));
            t = rq_enc_ld_i32(c->data + 4 * (c->off + e));
        } else {
            s = rq_enc_ld_i64(c->data + 8 * (c->off + b));
            t = rq_enc_ld_i64(c->data + 8 * (c->off + e));
        }
        if (s >= c->lo && t <= c->hi && t >= s && t - s <= cap) need += t - s;
    }
    return (size_t)need;
}

/* Header: ndim, flags placeholder, element OID, dimensions. Returns the
 * offset of the flags word through *flags_at. */
static int bin_header(const rq_enc_node *n, int ndim, const int64_t *dims, size_t extra,
                      rq_buf *out, size_t *flags_at, rq_error *err) {
    RQ_RESERVE(out, 12 + 8 * (size_t)ndim + extra);
    rq_buf_put_be32_unchecked(out, (uint32_t)ndim);
    *flags_at = out->len;
    rq_buf_put_be32_unchecked(out, 0);
    rq_buf_put_be32_unchecked(out, n->elem_oid);
    for (int k = 0; k < ndim; k++) {
        if (RQ_UNLIKELY(dims[k] > INT32_MAX))
            return rq_error_set(err, RQ_SEV_ERROR, "54000",
                                "array size exceeds the maximum allowed");
        rq_buf_put_be32_unchecked(out, (uint32_t)dims[k]);
        rq_buf_put_be32_unchecked(out, 1);
    }
    return RQ_OK;
}

/* array_send of list value i. */
static int b_list(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t b, e;
    size_t flags_at;
    int hasnull = 0;
    RQ_TRY(list_range(n, i, &b, &e, err));
    if (b == e) return bin_header(n, 0, NULL, 0, out, &flags_at, err);
    if (n->ndim == 1) {
        int64_t d = e - b;
        const rq_enc_node *c = n->child[0];
        RQ_TRY(bin_header(n, 1, &d, bin_reserve_hint(c, d, b, e), out, &flags_at, err));
        RQ_TRY(bin_elems(c, b, e, out, &hasnull, err));
    } else {
        int64_t dims[RQ_ENC_PG_MAXDIM];
        int zero;
        RQ_TRY(list_dims(n, i, dims, &zero, err));
        if (zero) {
            /* empty array, once every sub-list is checked to be empty too
             * (bin_level then writes nothing) */
            RQ_TRY(bin_header(n, 0, NULL, 0, out, &flags_at, err));
            return bin_level(n, i, 0, dims, out, &hasnull, err);
        }
        int64_t total = 1;
        for (int k = 0; k < n->ndim; k++)
            total = dims[k] > INT64_MAX / total ? INT64_MAX : total * dims[k];
        const rq_enc_node *leaf = n;
        while (leaf->kind == RQ_K_LIST || leaf->kind == RQ_K_DICT)
            leaf = leaf->kind == RQ_K_DICT ? leaf->dict : leaf->child[0];
        RQ_TRY(bin_header(n, n->ndim, dims, bin_reserve_hint(leaf, total, 0, 0), out,
                          &flags_at, err));
        RQ_TRY(bin_level(n, i, 0, dims, out, &hasnull, err));
    }
    if (hasnull) rq_buf_patch_be32(out, flags_at, 1);
    return RQ_OK;
}

/* int2vectorout / oidvectorout: "1 2 3" (no braces, no quoting). */
static int t_vector(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t b, e;
    RQ_TRY(list_range(n, i, &b, &e, err));
    for (int64_t j = b; j < e; j++) {
        if (j > b) RQ_PUTC(out, ' ');
        RQ_TRY(rq_enc_elem(n->child[0], j, out, err));
    }
    return RQ_OK;
}

/* int2vectorsend / oidvectorsend: array_send with lower bound 0. */
static int b_vector(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t b, e;
    int hasnull = 0;
    RQ_TRY(list_range(n, i, &b, &e, err));
    RQ_RESERVE(out, 20);
    rq_buf_put_be32_unchecked(out, b == e ? 0 : 1);
    size_t flags_at = out->len;
    rq_buf_put_be32_unchecked(out, 0);
    rq_buf_put_be32_unchecked(out, n->elem_oid);
    if (b < e) {
        rq_buf_put_be32_unchecked(out, (uint32_t)(e - b));
        rq_buf_put_be32_unchecked(out, 0);
    }
    RQ_TRY(bin_elems(n->child[0], b, e, out, &hasnull, err));
    if (hasnull) rq_buf_patch_be32(out, flags_at, 1);
    return RQ_OK;
}

void rq_enc_nested_vector(rq_enc_node *n, int is_oid) {
    rq_enc_node *c = n->child[0];
    c->oid = is_oid ? RQ_OID_OID : RQ_OID_INT2;
    c->typlen = is_oid ? 4 : 2;
    rq_enc_scalar_setup(c);
    rq_enc_binary_setup(c);
    n->oid = is_oid ? RQ_OID_OIDVECTOR : RQ_OID_INT2VECTOR;
    n->elem_oid = c->oid;
    n->typmod = -1;
    n->text = t_vector;
    n->bin = c->bin ? b_vector : NULL;
    n->quote = 1;
}

/* to_json() of an array: "[1,2,null]", nested lists nest freely. */
static int j_list(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t b, e;
    RQ_TRY(list_range(n, i, &b, &e, err));
    const rq_enc_node *c = n->child[0];
    RQ_PUTC(out, '[');
    for (int64_t j = b; j < e; j++) {
        if (j > b) RQ_PUTC(out, ',');
        if (rq_enc_isnull(c, j)) RQ_PUTS(out, "null");
        else RQ_TRY(c->json(c, j, out, err));
    }
    RQ_PUTC(out, ']');
    return RQ_OK;
}

/* ------------------------------------------------------------------ */
/* struct, map                                                         */
/* ------------------------------------------------------------------ */

/* {"a":1,"b":"x"} — like to_json() of a record. The struct's offset also
 * applies to its children. */
static int j_struct(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t ci = n->off + i;
    RQ_PUTC(out, '{');
    for (int k = 0; k < n->nchild; k++) {
        const rq_enc_node *c = n->child[k];
        if (rq_enc_put(out, n->jkey[k], n->jkeylen[k]) != RQ_OK) return rq_error_nomem(err);
        if (rq_enc_isnull(c, ci)) RQ_PUTS(out, "null");
        else RQ_TRY(c->json(c, ci, out, err));
    }
    RQ_PUTC(out, '}');
    return RQ_OK;
}

/* {"key":value,...}: keys are the text form of the key as a JSON string. */
static int j_map(const rq_enc_node *n, int64_t i, rq_buf *out, rq_error *err) {
    int64_t b, e;
    RQ_TRY(list_range(n, i, &b, &e, err));
    const rq_enc_node *ent = n->child[0];
    const rq_enc_node *kn = ent->child[0], *vn = ent->child[1];
    RQ_PUTC(out, '{');
    for (int64_t j = b; j < e; j++) {
        int64_t kj = ent->off + j;
        if (j > b) RQ_PUTC(out, ',');
        if (rq_enc_isnull(kn, kj))
            return rq_error_set(err, RQ_SEV_ERROR, "22023",
                                "field name must not be null");
        size_t start = out->len;
        RQ_TRY(kn->text(kn, kj, out, err));
        if (rq_enc_json_quote_inplace(out, start) != RQ_OK) return rq_error_nomem(err);
        RQ_PUTC(out, ':');
        if (rq_enc_isnull(vn, kj)) RQ_PUTS(out, "null");
        else RQ_TRY(vn->json(vn, kj, out, err));
    }
    RQ_PUTC(out, '}');
    return RQ_OK;
}

/* ------------------------------------------------------------------ */

void rq_enc_nested_setup(rq_enc_node *n) {
    n->fixed_max = 0;
    switch (n->kind) {
    case RQ_K_LIST: {
        const rq_enc_node *c = n->child[0];
        if (c->kind == RQ_K_DICT) c = c->dict;
        n->ndim = c->kind == RQ_K_LIST ? c->ndim + 1 : 1;
        n->text = t_list;
        n->json = j_list;
        n->quote = 1;
        /* element type: through dictionaries and nested lists to the leaf */
        const rq_enc_node *leaf = n->child[0];
        while (leaf->kind == RQ_K_LIST || leaf->kind == RQ_K_DICT)
            leaf = leaf->kind == RQ_K_DICT ? leaf->dict : leaf->child[0];
        n->elem_oid = leaf->oid;
        n->bin = leaf->bin ? b_list : NULL;
        break;
    }
    case RQ_K_STRUCT: /* json_send is the text itself */
        n->text = n->json = n->bin = j_struct;
        n->quote = 1;
        break;
    case RQ_K_MAP:
        n->text = n->json = n->bin = j_map;
        n->quote = 1;
        break;
    default: /* RQ_K_DICT */
        n->text = t_dict;
        n->json = j_dict;
        n->quote = n->dict->quote;
        n->fixed_max = n->dict->fixed_max;
        n->slow_null = 1;
        n->bin = n->dict->bin ? b_dict : NULL;
        break;
    }
}
