/*
 * rq_encode.c — row plans: Arrow schema → PostgreSQL column types, batch
 * binding with validation, and the RowDescription / DataRow writers (see
 * rq_encode.h). Per-type writers live in rq_enc_scalar.c and
 * rq_enc_nested.c; the node structure is described in rq_enc_internal.h.
 *
 * Type mapping decisions not dictated by PostgreSQL itself:
 *   - typmod of time / timestamp(tz): 0 for second units, 3 for
 *     milliseconds, -1 (no typmod, i.e. full microsecond precision) for
 *     micro- and nanoseconds — what PostgreSQL reports for a column
 *     declared time(0) / time(3) / time.
 *   - interval columns never carry a typmod.
 *   - numeric from decimal(P,S): typmod ((P << 16) | (S & 0x7ff)) + 4, as
 *     PostgreSQL 15 encodes numeric(P,S) (negative scales included); -1 when
 *     P or S is outside PostgreSQL's limits.
 *   - column names are sent as given (PostgreSQL would truncate an
 *     identifier to 63 bytes; a result column name from Arrow is not an
 *     identifier the user typed, so it is kept whole).
 *   - ±infinity: Arrow has no infinite dates/timestamps; the extreme raw
 *     integers (INT32_MAX / INT32_MIN / -INT32_MAX for date32, INT64_MAX /
 *     INT64_MIN / -INT64_MAX for date64 and timestamps, which is how DuckDB
 *     exports its infinities) print as 'infinity' / '-infinity'.
 *   - nanoseconds are rounded to microseconds exactly as PostgreSQL's input
 *     rounds a 9-digit fraction (rint of the double), so text equals what
 *     PostgreSQL would print after reading the nanosecond literal.
 *   - a NULL sub-list or ragged sub-lists inside a multi-dimensional array
 *     fail with 2202E (PostgreSQL's ARRAY[] error); more than 6 dimensions
 *     with 54000. Inside JSON (struct/map values) lists nest freely.
 *   - binary result format: every mapped type (rq_enc_binary.c for
 *     scalars and numeric, rq_enc_nested.c for arrays; json is its text).
 *     RowDescription is the same in both formats but for the format code.
 */
#include <stdlib.h>

#include "rq_enc_internal.h"

struct rq_rowplan {
    int ncols;
    rq_enc_node **cols;
    rq_colinfo *info;
    int16_t *formats;
    rq_enc_fn *enc;        /* per column: text or binary writer */
    const rq_session_fmt *fmt;
    rq_session_fmt default_fmt;
    int bound;             /* a batch is bound */
    int64_t batch_off, batch_rows;
};

/* ------------------------------------------------------------------ */
/* node lifetime                                                       */
/* ------------------------------------------------------------------ */

static void node_free(rq_enc_node *n) {
    if (n == NULL) return;
    for (int k = 0; k < n->nchild; k++) {
        node_free(n->child[k]);
        if (n->jkey) free(n->jkey[k]);
    }
    free(n->child);
    free(n->jkey);
    free(n->jkeylen);
    node_free(n->dict);
    free(n->format);
    free(n);
}

int rq_enc_malformed(const rq_enc_node *n, rq_error *err, const char *what) {
    return rq_error_set(err, RQ_SEV_ERROR, "XX000",
                        "malformed Arrow data in column \"%s\" (type \"%s\"): %s",
                        n->colname, n->format, what);
}

/* ------------------------------------------------------------------ */
/* schema parsing                                                      */
/* ------------------------------------------------------------------ */

typedef struct build_ctx {
    const rq_session_fmt *fmt;
    const char *colname;
    rq_error *err;
} build_ctx;

static int unsupported(build_ctx *cx, const char *format) {
    return rq_error_set(cx->err, RQ_SEV_ERROR, "0A000",
                        "unsupported Arrow type \"%s\" for column \"%s\"",
                        format, cx->colname);
}

static int bad_schema(build_ctx *cx, const char *what) {
    return rq_error_set(cx->err, RQ_SEV_ERROR, "XX000",
                        "malformed Arrow schema for column \"%s\": %s",
                        cx->colname, what);
}

/*
 * Value of `key` in Arrow schema metadata (int32 count, then int32-length
 * prefixed key and value pairs, native byte order). Copies at most cap-1
 * bytes into `val`; returns 1 when found.
 */
static int meta_get(const char *meta, const char *key, char *val, size_t cap) {
    if (meta == NULL) return 0;
    const char *p = meta;
    int32_t n, kl, vl;
    memcpy(&n, p, 4);
    p += 4;
    size_t klen = strlen(key);
    for (int32_t k = 0; k < n; k++) {
        memcpy(&kl, p, 4);
        p += 4;
        if (kl < 0) return 0;
        const char *kp = p;
        p += kl;
        memcpy(&vl, p, 4);
        p += 4;
        if (vl < 0) return 0;
        if ((size_t)kl == klen && memcmp(kp, key, klen) == 0) {
            size_t c = (size_t)vl < cap - 1 ? (size_t)vl : cap - 1;
            memcpy(val, p, c);
            val[c] = '\0';
            return 1;
        }
        p += vl;
    }
    return 0;
}

/* Parse a decimal integer at *s; advance *s. 0 on failure. */
static int parse_int(const char **s, long *v) {
    char *end;
    long x = strtol(*s, &end, 10);
    if (end == *s) return 0;
    *s = end;
    *v = x;
    return 1;
}

static uint32_t array_oid_of(uint32_t oid) {
    switch (oid) {
    case RQ_OID_BOOL: return 1000;
    case RQ_OID_INT2: return 1005;
    case RQ_OID_INT4: return 1007;
    case RQ_OID_INT8: return 1016;
    case RQ_OID_FLOAT4: return 1021;
    case RQ_OID_FLOAT8: return 1022;
    case RQ_OID_NUMERIC: return 1231;
    case RQ_OID_TEXT: return 1009;
    case RQ_OID_BYTEA: return 1001;
    case RQ_OID_DATE: return 1182;
    case RQ_OID_TIME: return 1183;
    case RQ_OID_TIMESTAMP: return 1115;
    case RQ_OID_TIMESTAMPTZ: return 1185;
    case RQ_OID_INTERVAL: return 1187;
    case RQ_OID_UUID: return 2951;
    case RQ_OID_OID: return 1028;
    case RQ_OID_NAME: return 1003;
    case RQ_OID_CHAR: return 1002;
    case RQ_OID_JSON: return 199;
    case RQ_OID_VARCHAR: return 1015;
    case RQ_OID_XID: return 1011;
    case RQ_OID_CID: return 1012;
    case RQ_OID_ACLITEM: return 1034;
    case 24: return 1008;     /* regproc */
    case 2202: return 2207;   /* regprocedure */
    case 2203: return 2208;   /* regoper */
    case 2204: return 2209;   /* regoperator */
    case 2205: return 2210;   /* regclass */
    case 2206: return 2211;   /* regtype */
    case 4089: return 4090;   /* regnamespace */
    case 4096: return 4097;   /* regrole */
    default: return 0;
    }
}

static void set_type(rq_enc_node *n, uint32_t oid, int16_t typlen) {
    n->oid = oid;
    n->typlen = typlen;
    n->typmod = -1;
}

static int unit_of(char c) {
    switch (c) {
    case 's': return RQ_U_SEC;
    case 'm': return RQ_U_MILLI;
    case 'u': return RQ_U_MICRO;
    case 'n': return RQ_U_NANO;
    default: return -1;
    }
}

/* time / timestamp typmod implied by the unit (see top of file). */
static int32_t unit_typmod(int unit) {
    return unit == RQ_U_SEC ? 0 : unit == RQ_U_MILLI ? 3 : -1;
}

/* "d:P,S[,W]" → decimal node. */
static int parse_decimal(build_ctx *cx, const char *f, rq_enc_node *n) {
    const char *s = f + 2;
    long p, sc, w = 128;
    if (!parse_int(&s, &p) || *s++ != ',' || !parse_int(&s, &sc)) return bad_schema(cx, "bad decimal format");
    if (*s == ',') {
        s++;
        if (!parse_int(&s, &w)) return bad_schema(cx, "bad decimal format");
    }
    if (*s != '\0') return bad_schema(cx, "bad decimal format");
    if ((w != 32 && w != 64 && w != 128 && w != 256) || sc < -1000 || sc > 1000 || p < 1)
        return unsupported(cx, f);
    n->kind = RQ_K_DECIMAL;
    n->width = (int)(w / 8);
    n->scale = (int)sc;
    set_type(n, RQ_OID_NUMERIC, -1);
    if (p <= 1000) n->typmod = (int32_t)(((p << 16) | (sc & 0x7ff)) + 4);
    return RQ_OK;
}

/* Temporal formats "t..." */
static int parse_temporal(build_ctx *cx, const char *f, rq_enc_node *n) {
    int u = f[1] != '\0' ? unit_of(f[2]) : -1;
    if (strcmp(f, "tdD") == 0) {
        n->kind = RQ_K_DATE32, n->width = 4;
        set_type(n, RQ_OID_DATE, 4);
    } else if (strcmp(f, "tdm") == 0) {
        n->kind = RQ_K_DATE64, n->width = 8;
        set_type(n, RQ_OID_DATE, 4);
    } else if (f[1] == 't' && u >= 0 && f[3] == '\0') {
        n->kind = RQ_K_TIME, n->unit = u, n->width = u <= RQ_U_MILLI ? 4 : 8;
        set_type(n, RQ_OID_TIME, 8);
        n->typmod = unit_typmod(u);
    } else if (f[1] == 's' && u >= 0 && f[3] == ':') {
        n->kind = RQ_K_TIMESTAMP, n->unit = u, n->width = 8;
        n->has_tz = f[4] != '\0';
        set_type(n, n->has_tz ? RQ_OID_TIMESTAMPTZ : RQ_OID_TIMESTAMP, 8);
        n->typmod = unit_typmod(u);
    } else if (f[1] == 'D' && u >= 0 && f[3] == '\0') {
        n->kind = RQ_K_DURATION, n->unit = u, n->width = 8;
        set_type(n, RQ_OID_INTERVAL, 16);
    } else if (strcmp(f, "tiM") == 0) {
        n->kind = RQ_K_IV_MONTHS, n->width = 4;
        set_type(n, RQ_OID_INTERVAL, 16);
    } else if (strcmp(f, "tiD") == 0) {
        n->kind = RQ_K_IV_DAYTIME, n->width = 8;
        set_type(n, RQ_OID_INTERVAL, 16);
    } else if (strcmp(f, "tin") == 0) {
        n->kind = RQ_K_IV_MDN, n->width = 16;
        set_type(n, RQ_OID_INTERVAL, 16);
    } else {
        return unsupported(cx, f);
    }
    return RQ_OK;
}

static int parse_scalar1(const char *f, rq_enc_node *n) {
    static const struct { char c; rq_enc_kind k; int w; uint32_t oid; int16_t len; } t[] = {
        {'n', RQ_K_NULL, 0, RQ_OID_TEXT, -1},   {'b', RQ_K_BOOL, 0, RQ_OID_BOOL, 1},
        {'c', RQ_K_INT, 1, RQ_OID_INT2, 2},     {'C', RQ_K_UINT, 1, RQ_OID_INT2, 2},
        {'s', RQ_K_INT, 2, RQ_OID_INT2, 2},     {'S', RQ_K_UINT, 2, RQ_OID_INT4, 4},
        {'i', RQ_K_INT, 4, RQ_OID_INT4, 4},     {'I', RQ_K_UINT, 4, RQ_OID_INT8, 8},
        {'l', RQ_K_INT, 8, RQ_OID_INT8, 8},     {'L', RQ_K_UINT, 8, RQ_OID_NUMERIC, -1},
        {'e', RQ_K_HALF, 2, RQ_OID_FLOAT4, 4},  {'f', RQ_K_FLOAT, 4, RQ_OID_FLOAT4, 4},
        {'g', RQ_K_DOUBLE, 8, RQ_OID_FLOAT8, 8},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        if (f[0] == t[k].c && f[1] == '\0') {
            n->kind = t[k].k;
            n->width = t[k].w;
            set_type(n, t[k].oid, t[k].len);
            return 1;
        }
    }
    return 0;
}

/* utf8 / binary family; `ext` may turn it into json or uuid. */
static int parse_bytes(const char *f, const char *ext, rq_enc_node *n) {
    int text;
    if (strcmp(f, "u") == 0) text = 1, n->layout = RQ_L_OFF32;
    else if (strcmp(f, "U") == 0) text = 1, n->layout = RQ_L_OFF64;
    else if (strcmp(f, "vu") == 0) text = 1, n->layout = RQ_L_VIEW;
    else if (strcmp(f, "z") == 0) text = 0, n->layout = RQ_L_OFF32;
    else if (strcmp(f, "Z") == 0) text = 0, n->layout = RQ_L_OFF64;
    else if (strcmp(f, "vz") == 0) text = 0, n->layout = RQ_L_VIEW;
    else if (strncmp(f, "w:", 2) == 0) {
        const char *s = f + 2;
        long w;
        if (!parse_int(&s, &w) || *s != '\0' || w < 0 || w > INT32_MAX) return 0;
        text = 0, n->layout = RQ_L_FIXED, n->width = (int)w;
    } else {
        return 0;
    }
    n->kind = RQ_K_BYTES;
    if (text && ext && strcmp(ext, "arrow.json") == 0) {
        n->sem = RQ_SEM_JSON;
        set_type(n, RQ_OID_JSON, -1);
    } else if (text) {
        n->sem = RQ_SEM_TEXT;
        set_type(n, RQ_OID_TEXT, -1);
    } else if (ext && strcmp(ext, "arrow.uuid") == 0 && n->layout == RQ_L_FIXED &&
               n->width == 16) {
        n->sem = RQ_SEM_UUID;
        set_type(n, RQ_OID_UUID, 16);
    } else {
        n->sem = RQ_SEM_BYTEA;
        set_type(n, RQ_OID_BYTEA, -1);
    }
    return 1;
}

static int build_node(build_ctx *cx, const struct ArrowSchema *s, const char *ext_in,
                      int depth, rq_enc_node **out);

/* Field metadata "riffq.pg_type" = "int2vector" / "oidvector" on a list of
 * integers reports PostgreSQL's vector types (pg_index.indkey,
 * pg_proc.proargtypes in catalog emulation): text "1 2 3". */
static void vector_override(const struct ArrowSchema *s, rq_enc_node *n) {
    char v[16];
    if (n->kind != RQ_K_LIST || n->ndim != 1 || n->layout == RQ_L_FIXED ||
        !meta_get(s->metadata, "riffq.pg_type", v, sizeof v))
        return;
    const rq_enc_node *c = n->child[0];
    if (c->kind != RQ_K_INT && c->kind != RQ_K_UINT) return;
    if (strcmp(v, "int2vector") == 0) rq_enc_nested_vector(n, 0);
    else if (strcmp(v, "oidvector") == 0) rq_enc_nested_vector(n, 1);
}

/* Field metadata "riffq.pg_type" = "oid" / "xid" / "cid" reports an integer
 * column as that 4-byte unsigned type, "name" / "char" / "pg_node_tree" a
 * string column as that type: catalog emulation marks its columns so that
 * drivers (asyncpg's introspection needs oid[]) see the types PostgreSQL
 * sends. Values must fit 32 bits unsigned, "char" values one byte.
 * "aclitem" and the reg* types are text only (aclitem has no binary form;
 * a reg* value holding the name is not its binary OID). */
static void oid_override(const struct ArrowSchema *s, rq_enc_node *n) {
    char v[16];
    if (!meta_get(s->metadata, "riffq.pg_type", v, sizeof v)) return;
    if ((n->kind == RQ_K_INT || n->kind == RQ_K_UINT) && n->width >= 4 && strcmp(v, "oid") == 0)
        set_type(n, RQ_OID_OID, 4);
    else if ((n->kind == RQ_K_INT || n->kind == RQ_K_UINT) && n->width >= 4 &&
             strcmp(v, "xid") == 0)
        set_type(n, RQ_OID_XID, 4);
    else if ((n->kind == RQ_K_INT || n->kind == RQ_K_UINT) && n->width >= 4 &&
             strcmp(v, "cid") == 0)
        set_type(n, RQ_OID_CID, 4);
    else if (n->kind == RQ_K_BYTES && n->sem == RQ_SEM_TEXT && strcmp(v, "pg_node_tree") == 0)
        set_type(n, RQ_OID_PG_NODE_TREE, -1); /* its binary form is the text */
    else if (n->kind == RQ_K_BYTES && n->sem == RQ_SEM_TEXT && strcmp(v, "aclitem") == 0) {
        set_type(n, RQ_OID_ACLITEM, 12);
        n->text_only = 1;
    }
    /* name and "char": the text's bytes are also their binary form */
    else if (n->kind == RQ_K_BYTES && n->sem == RQ_SEM_TEXT && strcmp(v, "name") == 0)
        set_type(n, RQ_OID_NAME, 64);
    else if (n->kind == RQ_K_BYTES && n->sem == RQ_SEM_TEXT && strcmp(v, "char") == 0)
        set_type(n, RQ_OID_CHAR, 1);
    else if (n->kind == RQ_K_BYTES && n->sem == RQ_SEM_TEXT && strcmp(v, "varchar") == 0)
        set_type(n, RQ_OID_VARCHAR, -1);
    else if (n->kind == RQ_K_BYTES && n->sem == RQ_SEM_TEXT && strcmp(v, "json") == 0)
        set_type(n, RQ_OID_JSON, -1);
    else if (n->kind == RQ_K_BYTES && n->sem == RQ_SEM_TEXT) {
        /* regclass & co holding the name: text is PostgreSQL's; binary
         * would be the OID, which the name is not: refused (n->bin unset).
         * anyarray (pg_attribute.attmissingval) holds an array's text. */
        static const struct { const char *name; uint32_t oid; int16_t len; } reg[] = {
            {"regproc", 24, 4},         {"regprocedure", 2202, 4}, {"regoper", 2203, 4},
            {"regoperator", 2204, 4},   {"regclass", 2205, 4},     {"regtype", 2206, 4},
            {"regnamespace", 4089, 4},  {"regrole", 4096, 4},      {"anyarray", 2277, -1},
        };
        for (size_t k = 0; k < sizeof reg / sizeof reg[0]; k++)
            if (strcmp(v, reg[k].name) == 0) {
                set_type(n, reg[k].oid, reg[k].len);
                n->text_only = 1;
            }
    }
}

static int build_children(build_ctx *cx, const struct ArrowSchema *s, int depth,
                          rq_enc_node *n) {
    if (s->n_children < 0 || s->n_children > 100000 ||
        (s->n_children > 0 && s->children == NULL))
        return bad_schema(cx, "bad children");
    if (s->n_children == 0) return RQ_OK;
    n->child = calloc((size_t)s->n_children, sizeof *n->child);
    if (n->child == NULL) return rq_error_nomem(cx->err);
    n->nchild = (int)s->n_children; /* only now: node_free walks child[] */
    for (int k = 0; k < n->nchild; k++) {
        int rc = build_node(cx, s->children[k], NULL, depth + 1, &n->child[k]);
        if (rc != RQ_OK) return rc;
    }
    return RQ_OK;
}

/* Struct JSON keys, pre-rendered as `"name":` (`,"name":` after the first). */
static int struct_keys(build_ctx *cx, const struct ArrowSchema *s, rq_enc_node *n) {
    if (n->nchild == 0) return RQ_OK;
    n->jkey = calloc((size_t)n->nchild, sizeof *n->jkey);
    n->jkeylen = calloc((size_t)n->nchild, sizeof *n->jkeylen);
    if (n->jkey == NULL || n->jkeylen == NULL) return rq_error_nomem(cx->err);
    for (int k = 0; k < n->nchild; k++) {
        const char *name = s->children[k]->name ? s->children[k]->name : "";
        int rc = rq_enc_check_utf8((const uint8_t *)name, strlen(name), cx->err);
        if (rc != RQ_OK) return rc;
        rq_buf b = {0};
        if ((k > 0 && rq_buf_put_u8(&b, ',') != RQ_OK) ||
            rq_enc_json_string(&b, (const uint8_t *)name, strlen(name)) != RQ_OK ||
            rq_buf_put_u8(&b, ':') != RQ_OK) {
            rq_buf_free(&b);
            return rq_error_nomem(cx->err);
        }
        n->jkey[k] = (char *)b.data;
        n->jkeylen[k] = b.len;
    }
    return RQ_OK;
}

/* "+l", "+L", "+vl", "+vL", "+w:N", "+s", "+m" */
static int parse_nested(build_ctx *cx, const struct ArrowSchema *s, int depth,
                        rq_enc_node *n) {
    const char *f = s->format;
    int rc;
    if (strcmp(f, "+s") == 0) {
        n->kind = RQ_K_STRUCT;
        if ((rc = build_children(cx, s, depth, n)) != RQ_OK) return rc;
        set_type(n, RQ_OID_JSON, -1);
        return struct_keys(cx, s, n);
    }
    if (strcmp(f, "+m") == 0) {
        n->kind = RQ_K_MAP;
        n->layout = RQ_L_OFF32;
        if (s->n_children != 1) return bad_schema(cx, "map needs one child");
        if ((rc = build_children(cx, s, depth, n)) != RQ_OK) return rc;
        if (n->child[0]->kind != RQ_K_STRUCT || n->child[0]->nchild != 2)
            return bad_schema(cx, "map entries must be a struct of key and value");
        set_type(n, RQ_OID_JSON, -1);
        return RQ_OK;
    }
    n->kind = RQ_K_LIST;
    if (strcmp(f, "+l") == 0) n->layout = RQ_L_OFF32;
    else if (strcmp(f, "+L") == 0) n->layout = RQ_L_OFF64;
    else if (strcmp(f, "+vl") == 0) n->layout = RQ_L_VIEW;
    else if (strcmp(f, "+vL") == 0) n->layout = RQ_L_VIEW64;
    else if (strncmp(f, "+w:", 3) == 0) {
        const char *p = f + 3;
        long w;
        if (!parse_int(&p, &w) || *p != '\0' || w < 0 || w > INT32_MAX)
            return bad_schema(cx, "bad fixed size list format");
        n->layout = RQ_L_FIXED;
        n->width = (int)w;
    } else {
        return unsupported(cx, f);
    }
    if (s->n_children != 1) return bad_schema(cx, "list needs one child");
    if ((rc = build_children(cx, s, depth, n)) != RQ_OK) return rc;
    /* element type: through dictionaries and nested lists to the leaf */
    const rq_enc_node *leaf = n->child[0];
    for (;;) {
        if (leaf->kind == RQ_K_DICT) leaf = leaf->dict;
        else if (leaf->kind == RQ_K_LIST) leaf = leaf->child[0];
        else break;
    }
    uint32_t aoid = array_oid_of(leaf->oid);
    if (aoid == 0) return unsupported(cx, f);
    set_type(n, aoid, -1);
    n->typmod = leaf->typmod; /* PostgreSQL reports the element typmod */
    return RQ_OK;
}

static int dict_index_type(const char *f, int *width, int *is_signed) {
    static const char codes[] = "csilCSIL";
    const char *p = f[0] && f[1] == '\0' ? strchr(codes, f[0]) : NULL;
    if (p == NULL) return 0;
    int k = (int)(p - codes);
    *width = 1 << (k & 3);
    *is_signed = k < 4;
    return 1;
}

static int build_node(build_ctx *cx, const struct ArrowSchema *s, const char *ext_in,
                      int depth, rq_enc_node **out) {
    if (depth > RQ_ENC_MAX_DEPTH)
        return rq_error_set(cx->err, RQ_SEV_ERROR, "54000",
                            "Arrow type of column \"%s\" is nested too deeply",
                            cx->colname);
    if (s == NULL || s->format == NULL) return bad_schema(cx, "missing format");
    rq_enc_node *n = calloc(1, sizeof *n);
    if (n == NULL) return rq_error_nomem(cx->err);
    *out = n;
    n->fmt = cx->fmt;
    n->colname = cx->colname;
    n->format = strdup(s->format);
    if (n->format == NULL) return rq_error_nomem(cx->err);

    char extbuf[128];
    const char *ext = ext_in;
    if (ext == NULL && meta_get(s->metadata, "ARROW:extension:name", extbuf, sizeof extbuf))
        ext = extbuf;

    const char *f = s->format;
    int rc = RQ_OK;
    if (s->dictionary != NULL) {
        n->kind = RQ_K_DICT;
        if (!dict_index_type(f, &n->width, &n->is_signed))
            return bad_schema(cx, "dictionary index type must be an integer");
        rc = build_node(cx, s->dictionary, ext, depth + 1, &n->dict);
        if (rc != RQ_OK) return rc;
        n->oid = n->dict->oid;
        n->typlen = n->dict->typlen;
        n->typmod = n->dict->typmod;
        rq_enc_nested_setup(n);
        return RQ_OK;
    }
    if (ext && strcmp(ext, "arrow.bool8") == 0 && strcmp(f, "c") == 0) {
        /* canonical extension (DuckDB emits it with arrow_lossless_conversion) */
        n->kind = RQ_K_BOOL8;
        n->width = 1;
        set_type(n, RQ_OID_BOOL, 1);
    } else if (parse_scalar1(f, n) || parse_bytes(f, ext, n)) {
        oid_override(s, n);
    } else if (f[0] == 'd' && f[1] == ':') {
        rc = parse_decimal(cx, f, n);
    } else if (f[0] == 't') {
        rc = parse_temporal(cx, f, n);
    } else if (f[0] == '+') {
        rc = parse_nested(cx, s, depth, n);
        if (rc == RQ_OK) rq_enc_nested_setup(n);
        if (rc == RQ_OK) vector_override(s, n);
        return rc;
    } else {
        rc = unsupported(cx, f);
    }
    if (rc == RQ_OK) {
        rq_enc_scalar_setup(n);
        rq_enc_binary_setup(n);
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* plan                                                                */
/* ------------------------------------------------------------------ */

int rq_rowplan_new(const struct ArrowSchema *schema, const rq_session_fmt *fmt,
                   rq_rowplan **out, rq_error *err) {
    *out = NULL;
    if (schema == NULL || schema->format == NULL || strcmp(schema->format, "+s") != 0 ||
        schema->n_children < 0 || schema->n_children > 32767 ||
        (schema->n_children > 0 && schema->children == NULL))
        return rq_error_set(err, RQ_SEV_ERROR, "XX000",
                            "malformed Arrow schema: expected a struct of columns");
    rq_rowplan *p = calloc(1, sizeof *p);
    if (p == NULL) return rq_error_nomem(err);
    p->default_fmt.extra_float_digits = 1;
    p->fmt = fmt ? fmt : &p->default_fmt;
    p->ncols = (int)schema->n_children;
    size_t nc = p->ncols ? (size_t)p->ncols : 1;
    p->cols = calloc(nc, sizeof *p->cols);
    p->info = calloc(nc, sizeof *p->info);
    p->formats = calloc(nc, sizeof *p->formats);
    p->enc = calloc(nc, sizeof *p->enc);
    if (!p->cols || !p->info || !p->formats || !p->enc) {
        rq_rowplan_free(p);
        return rq_error_nomem(err);
    }
    for (int c = 0; c < p->ncols; c++) {
        const struct ArrowSchema *cs = schema->children[c];
        const char *name = cs && cs->name ? cs->name : "?column?";
        char *copy = strdup(name);
        if (copy == NULL) {
            rq_rowplan_free(p);
            return rq_error_nomem(err);
        }
        p->info[c].name = copy;
        build_ctx cx = {p->fmt, copy, err};
        int rc = rq_enc_check_utf8((const uint8_t *)copy, strlen(copy), err);
        if (rc == RQ_OK) rc = build_node(&cx, cs, NULL, 1, &p->cols[c]);
        if (rc != RQ_OK) {
            rq_rowplan_free(p);
            return rc;
        }
        p->info[c].type_oid = p->cols[c]->oid;
        p->info[c].typlen = p->cols[c]->typlen;
        p->info[c].typmod = p->cols[c]->typmod;
        p->enc[c] = p->cols[c]->text;
    }
    *out = p;
    return RQ_OK;
}

void rq_rowplan_free(rq_rowplan *plan) {
    if (plan == NULL) return;
    for (int c = 0; c < plan->ncols; c++) {
        if (plan->cols) node_free(plan->cols[c]);
        if (plan->info) free((char *)plan->info[c].name);
    }
    free(plan->cols);
    free(plan->info);
    free(plan->formats);
    free(plan->enc);
    free(plan);
}

int rq_rowplan_ncols(const rq_rowplan *plan) { return plan->ncols; }

const rq_colinfo *rq_rowplan_col(const rq_rowplan *plan, int i) {
    if (i < 0 || i >= plan->ncols) return NULL;
    return &plan->info[i];
}

int rq_rowplan_set_formats(rq_rowplan *plan, const int16_t *formats,
                           int nformats, rq_error *err) {
    if (nformats != 0 && nformats != 1 && nformats != plan->ncols)
        return rq_error_set(err, RQ_SEV_ERROR, "08P01",
                            "bind message has %d result formats but query has %d columns",
                            nformats, plan->ncols);
    for (int c = 0; c < plan->ncols; c++) {
        int16_t f = nformats == 0 ? 0 : formats[nformats == 1 ? 0 : c];
        if (f != 0 && f != 1)
            return rq_error_set(err, RQ_SEV_ERROR, "08P01", "unsupported format code: %d", f);
        if (f == 1 && plan->cols[c]->bin == NULL)
            return rq_error_set(err, RQ_SEV_ERROR, "0A000",
                                "binary format is not supported for column \"%s\" yet",
                                plan->info[c].name);
    }
    for (int c = 0; c < plan->ncols; c++) {
        int16_t f = nformats == 0 ? 0 : formats[nformats == 1 ? 0 : c];
        plan->formats[c] = f;
        plan->enc[c] = f ? plan->cols[c]->bin : plan->cols[c]->text;
    }
    return RQ_OK;
}

int rq_rowplan_write_rowdesc(const rq_rowplan *plan, rq_buf *out, rq_error *err) {
    size_t need = 7;
    for (int c = 0; c < plan->ncols; c++) need += strlen(plan->info[c].name) + 1 + 18;
    if (rq_buf_reserve(out, need) != RQ_OK) return rq_error_nomem(err);
    size_t start;
    if (rq_msg_begin(out, 'T', &start) != RQ_OK) return rq_error_nomem(err);
    rq_buf_put_be16_unchecked(out, (uint16_t)plan->ncols);
    for (int c = 0; c < plan->ncols; c++) {
        const rq_colinfo *ci = &plan->info[c];
        rq_buf_put_unchecked(out, ci->name, strlen(ci->name) + 1);
        rq_buf_put_be32_unchecked(out, 0);  /* table OID */
        rq_buf_put_be16_unchecked(out, 0);  /* column attnum */
        rq_buf_put_be32_unchecked(out, ci->type_oid);
        rq_buf_put_be16_unchecked(out, (uint16_t)ci->typlen);
        rq_buf_put_be32_unchecked(out, (uint32_t)ci->typmod);
        rq_buf_put_be16_unchecked(out, (uint16_t)plan->formats[c]);
    }
    rq_msg_end(out, start);
    return RQ_OK;
}

/* ------------------------------------------------------------------ */
/* binding                                                             */
/* ------------------------------------------------------------------ */

static int expected_buffers(const rq_enc_node *n) {
    switch (n->kind) {
    case RQ_K_NULL: return 0;
    case RQ_K_BYTES: return n->layout == RQ_L_FIXED ? 2 : 3; /* views: >= 3 */
    case RQ_K_LIST:
        return n->layout == RQ_L_FIXED ? 1 : (n->layout == RQ_L_VIEW || n->layout == RQ_L_VIEW64) ? 3 : 2;
    case RQ_K_STRUCT: return 1;
    default: return 2;
    }
}

static int bind_views(rq_enc_node *n, const struct ArrowArray *a, rq_error *err) {
    n->nvbufs = a->n_buffers - 3;
    n->vbufs = (const uint8_t *const *)(a->buffers + 2);
    n->vsizes = (const int64_t *)a->buffers[a->n_buffers - 1];
    if (n->nvbufs > 0 && n->vsizes == NULL) return rq_enc_malformed(n, err, "missing view buffer sizes");
    for (int64_t k = 0; k < n->nvbufs; k++)
        if (n->vsizes[k] < 0 || (n->vsizes[k] > 0 && n->vbufs[k] == NULL))
            return rq_enc_malformed(n, err, "bad view data buffer");
    return RQ_OK;
}

static int bind_offsets(rq_enc_node *n, rq_error *err) {
    int64_t end = n->off + n->len;
    if (n->len == 0) {
        n->lo = n->hi = 0;
        return RQ_OK;
    }
    if (n->layout == RQ_L_OFF32) {
        n->lo = rq_enc_ld_i32(n->data + 4 * n->off);
        n->hi = rq_enc_ld_i32(n->data + 4 * end);
    } else {
        n->lo = rq_enc_ld_i64(n->data + 8 * n->off);
        n->hi = rq_enc_ld_i64(n->data + 8 * end);
    }
    if (n->lo < 0 || n->hi < n->lo) return rq_enc_malformed(n, err, "bad string offsets");
    if (n->hi > n->lo && n->data2 == NULL) return rq_enc_malformed(n, err, "missing string data");
    return RQ_OK;
}

int rq_enc_bind(rq_enc_node *n, const struct ArrowArray *a, rq_error *err) {
    if (a == NULL) return rq_enc_malformed(n, err, "missing array");
    if (a->length < 0 || a->offset < 0 || a->offset > INT64_MAX / 64 - a->length)
        return rq_enc_malformed(n, err, "bad length or offset");
    int nb = expected_buffers(n);
    int views = n->kind == RQ_K_BYTES && n->layout == RQ_L_VIEW;
    if (views ? a->n_buffers < 3 : (a->n_buffers != nb && !(n->kind == RQ_K_NULL && a->n_buffers <= 1)))
        return rq_enc_malformed(n, err, "unexpected number of buffers");
    if (a->n_buffers > 0 && a->buffers == NULL) return rq_enc_malformed(n, err, "missing buffers");
    int nchild = n->kind == RQ_K_DICT ? 0 : n->nchild;
    if (a->n_children != nchild || (nchild > 0 && a->children == NULL))
        return rq_enc_malformed(n, err, "unexpected number of children");
    n->arr = a;
    n->off = a->offset;
    n->len = a->length;
    n->validity = (n->kind != RQ_K_NULL && a->null_count != 0) ? a->buffers[0] : NULL;
    n->data = a->n_buffers > 1 ? a->buffers[1] : NULL;
    n->data2 = a->n_buffers > 2 ? a->buffers[2] : NULL;
    int64_t end = n->off + n->len;
    if (n->len > 0 && nb >= 2 && n->data == NULL && !(n->kind == RQ_K_BYTES && n->layout == RQ_L_FIXED && n->width == 0))
        return rq_enc_malformed(n, err, "missing data buffer");
    if (n->len > 0 && nb >= 3 && n->kind == RQ_K_LIST && n->data2 == NULL)
        return rq_enc_malformed(n, err, "missing list view sizes");
    int rc = RQ_OK;
    switch (n->kind) {
    case RQ_K_BYTES:
        if (views) rc = bind_views(n, a, err);
        else if (n->layout != RQ_L_FIXED) rc = bind_offsets(n, err);
        else if (n->width > 0 && end > INT64_MAX / n->width)
            rc = rq_enc_malformed(n, err, "bad length or offset");
        break;
    case RQ_K_LIST:
    case RQ_K_MAP:
        rc = rq_enc_bind(n->child[0], a->children[0], err);
        if (rc != RQ_OK) break;
        n->child_len = a->children[0]->length;
        if (n->layout == RQ_L_FIXED &&
            (n->width > 0 && (end > n->child_len / n->width)))
            rc = rq_enc_malformed(n, err, "fixed size list child too short");
        break;
    case RQ_K_STRUCT:
        for (int k = 0; k < n->nchild && rc == RQ_OK; k++) {
            rc = rq_enc_bind(n->child[k], a->children[k], err);
            if (rc == RQ_OK && a->children[k]->length < end)
                rc = rq_enc_malformed(n, err, "struct child shorter than the struct");
        }
        break;
    case RQ_K_DICT:
        if (a->dictionary == NULL) return rq_enc_malformed(n, err, "missing dictionary");
        rc = rq_enc_bind(n->dict, a->dictionary, err);
        break;
    default:
        break;
    }
    return rc;
}

int rq_rowplan_set_batch(rq_rowplan *plan, const struct ArrowArray *batch,
                         rq_error *err) {
    plan->bound = 0;
    if (batch == NULL || batch->release == NULL)
        return rq_error_set(err, RQ_SEV_ERROR, "XX000", "Arrow batch is missing or released");
    if (batch->n_children != plan->ncols || (plan->ncols > 0 && batch->children == NULL))
        return rq_error_set(err, RQ_SEV_ERROR, "XX000",
                            "Arrow batch has %lld columns but the schema has %d",
                            (long long)batch->n_children, plan->ncols);
    if (batch->length < 0 || batch->offset < 0 || batch->offset > INT64_MAX / 64 - batch->length)
        return rq_error_set(err, RQ_SEV_ERROR, "XX000", "Arrow batch has a bad length or offset");
    for (int c = 0; c < plan->ncols; c++) {
        const struct ArrowArray *a = batch->children[c];
        int rc = rq_enc_bind(plan->cols[c], a, err);
        if (rc != RQ_OK) return rc;
        if (a->length < batch->offset + batch->length)
            return rq_enc_malformed(plan->cols[c], err, "column shorter than the batch");
    }
    plan->batch_off = batch->offset;
    plan->batch_rows = batch->length;
    plan->bound = 1;
    return RQ_OK;
}

int64_t rq_rowplan_batch_rows(const rq_rowplan *plan) {
    return plan->bound ? plan->batch_rows : 0;
}

/* ------------------------------------------------------------------ */
/* DataRow                                                             */
/* ------------------------------------------------------------------ */

static int too_large(rq_error *err) {
    return rq_error_set(err, RQ_SEV_ERROR, "54000", "result row is too large to send");
}

/* One DataRow for batch row r; on error `out` is left as it was. */
static int encode_row(rq_rowplan *plan, int64_t r, rq_buf *out, rq_error *err) {
    size_t start = out->len;
    int64_t idx = plan->batch_off + r;
    if (rq_buf_reserve(out, 7 + 4 * (size_t)plan->ncols) != RQ_OK) return rq_error_nomem(err);
    rq_buf_put_u8_unchecked(out, 'D');
    rq_buf_put_be32_unchecked(out, 0);
    rq_buf_put_be16_unchecked(out, (uint16_t)plan->ncols);
    for (int c = 0; c < plan->ncols; c++) {
        const rq_enc_node *n = plan->cols[c];
        if (RQ_UNLIKELY(rq_buf_reserve(out, 4 + (size_t)n->fixed_max) != RQ_OK)) {
            out->len = start;
            return rq_error_nomem(err);
        }
        if (rq_enc_isnull(n, idx)) {
            rq_buf_put_be32_unchecked(out, 0xffffffffu);
            continue;
        }
        size_t lp = out->len;
        out->len += 4;
        int rc = plan->enc[c](n, idx, out, err);
        size_t flen = out->len - lp - 4;
        if (RQ_UNLIKELY(rc != RQ_OK || flen > 0x3fffffff)) {
            out->len = start;
            return rc != RQ_OK ? rc : too_large(err);
        }
        rq_buf_patch_be32(out, lp, (uint32_t)flen);
    }
    if (RQ_UNLIKELY(out->len - start - 1 > 0x7fffffff)) {
        out->len = start;
        return too_large(err);
    }
    rq_msg_end(out, start);
    return RQ_OK;
}

int rq_rowplan_encode(rq_rowplan *plan, int64_t *next_row, int64_t row_end,
                      rq_buf *out, size_t soft_limit, rq_error *err) {
    if (!plan->bound)
        return rq_error_set(err, RQ_SEV_ERROR, "XX000", "no Arrow batch bound to the row plan");
    if (row_end > plan->batch_rows) row_end = plan->batch_rows;
    int64_t r = *next_row < 0 ? 0 : *next_row;
    while (r < row_end) {
        int rc = encode_row(plan, r, out, err);
        if (rc != RQ_OK) {
            *next_row = r;
            return rc;
        }
        r++;
        if (out->len >= soft_limit) break;
    }
    *next_row = r;
    return RQ_OK;
}
