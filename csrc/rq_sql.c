/*
 * rq_sql.c — statement splitting, classification and command tags
 * (see rq_sql.h).
 *
 * Two token sources feed the same analysis code:
 *   - a hand-written "fast lexer" that understands whitespace, comments,
 *     words and punctuation, and gives up ("bails") at anything whose
 *     extent it would have to guess: quotes, '$', a word glued to a quote
 *     (E'..', U&'..'), an unterminated comment;
 *   - libpg_query's pg_query_scan (PostgreSQL's own lexer), whose protobuf
 *     result is decoded here by hand (only token offsets are needed, and the
 *     protobuf-c headers are not part of the Debian package).
 * Classification first runs on the fast lexer; if it bails, the analysis is
 * redone on scanner tokens. Scanning is windowed (first 4 KiB, then larger)
 * because only leading keywords matter, and a multi-megabyte INSERT behind a
 * leading comment should not be tokenized in full.
 *
 * Splitting a text that contains ';' first uses pg_query_split_with_scanner
 * (about 10 ns/byte; pg_query_scan is ~10x slower because it builds a
 * protobuf of every token). Its result is only trusted when it provably
 * equals the exact answer: that function silently drops pieces without a
 * keyword ("foo; select 1" would lose "foo", turning a typo into an empty
 * query), loses the rest of the text after an unmatched parenthesis, and
 * splits inside BEGIN ATOMIC bodies. Dropped text shows up as non-blank
 * "gaps" between the returned ranges, and routine definitions are
 * recognisable by their first words; in those cases the exact splitter
 * (';' tokens from pg_query_scan at parenthesis depth 0, outside BEGIN
 * ATOMIC ... END) is used instead.
 */
#include "rq_sql.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pg_query.h>

/* ------------------------------------------------------------------ */
/* Characters (PostgreSQL 15 scan.l)                                   */
/* ------------------------------------------------------------------ */

/* scan.l's {space}; \v is not whitespace in PostgreSQL 15. */
static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_ident_start(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_ident_cont(unsigned char c) {
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static unsigned char to_lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* End of the (nested) block comment starting at s[pos] == "/ *", or 0 if it
 * is unterminated. */
static size_t block_comment_end(const char *s, size_t n, size_t pos) {
    size_t depth = 1, i = pos + 2;
    while (i + 1 < n && s[i] != '\0') {
        if (s[i] == '/' && s[i + 1] == '*') {
            depth++;
            i += 2;
        } else if (s[i] == '*' && s[i + 1] == '/') {
            i += 2;
            if (--depth == 0) return i;
        } else {
            i++;
        }
    }
    return 0;
}

/* Skip whitespace and comments from `pos`. An unterminated block comment
 * is not skipped (it is content: the handler should see the error). A NUL
 * byte stops everything (it ends the text). */
static size_t skip_blank(const char *s, size_t n, size_t pos) {
    for (;;) {
        while (pos < n && is_space((unsigned char)s[pos])) pos++;
        if (pos + 1 < n && s[pos] == '-' && s[pos + 1] == '-') {
            pos += 2;
            while (pos < n && s[pos] != '\n' && s[pos] != '\r' && s[pos] != '\0') pos++;
        } else if (pos + 1 < n && s[pos] == '/' && s[pos + 1] == '*') {
            size_t e = block_comment_end(s, n, pos);
            if (e == 0) return pos;
            pos = e;
        } else {
            return pos;
        }
    }
}

/* ------------------------------------------------------------------ */
/* libpg_query scanner                                                 */
/* ------------------------------------------------------------------ */

typedef struct tok {
    size_t off;
    size_t len;
} tok;

typedef struct tokvec {
    tok *v;
    size_t n, cap;
} tokvec;

static int tokvec_push(tokvec *tv, size_t off, size_t len) {
    if (tv->n == tv->cap) {
        size_t cap = tv->cap ? tv->cap * 2 : 64;
        tok *v = realloc(tv->v, cap * sizeof *v);
        if (v == NULL) return RQ_ENOMEM;
        tv->v = v;
        tv->cap = cap;
    }
    tv->v[tv->n].off = off;
    tv->v[tv->n].len = len;
    tv->n++;
    return RQ_OK;
}

static int pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
    uint64_t r = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return 1;
        }
    }
    return 0;
}

/* Skip a field of wire type `wt`; 0 on malformed input. */
static int pb_skip(const uint8_t **p, const uint8_t *end, unsigned wt) {
    uint64_t v;
    size_t need;
    switch (wt) {
    case 0: return pb_varint(p, end, &v);
    case 1: need = 8; break;
    case 2:
        if (!pb_varint(p, end, &v)) return 0;
        need = (size_t)v;
        if (v > (uint64_t)(end - *p)) return 0;
        break;
    case 5: need = 4; break;
    default: return 0;
    }
    if (need > (size_t)(end - *p)) return 0;
    *p += need;
    return 1;
}

/* ScanToken { int32 start = 1; int32 end = 2; Token token = 4; ... } */
static int pb_token(const uint8_t *p, const uint8_t *end, uint64_t *start, uint64_t *stop) {
    *start = *stop = 0; /* proto3 omits zero values */
    while (p < end) {
        uint64_t key;
        if (!pb_varint(&p, end, &key)) return 0;
        unsigned field = (unsigned)(key >> 3), wt = (unsigned)(key & 7);
        if ((field == 1 || field == 2) && wt == 0) {
            if (!pb_varint(&p, end, field == 1 ? start : stop)) return 0;
        } else if (!pb_skip(&p, end, wt)) {
            return 0;
        }
    }
    return 1;
}

static int is_comment_text(const char *s, size_t len) {
    return len >= 2 && ((s[0] == '-' && s[1] == '-') || (s[0] == '/' && s[1] == '*'));
}

/* ScanResult { int32 version = 1; repeated ScanToken tokens = 2; } →
 * append non-comment tokens to `out`. */
static int pb_scan_result(const uint8_t *p, size_t len, const char *s, size_t n, tokvec *out) {
    const uint8_t *end = p + len;
    while (p < end) {
        uint64_t key, mlen, start, stop;
        if (!pb_varint(&p, end, &key)) return RQ_ERR;
        if ((key >> 3) != 2 || (key & 7) != 2) {
            if (!pb_skip(&p, end, (unsigned)(key & 7))) return RQ_ERR;
            continue;
        }
        if (!pb_varint(&p, end, &mlen) || mlen > (uint64_t)(end - p)) return RQ_ERR;
        if (!pb_token(p, p + mlen, &start, &stop)) return RQ_ERR;
        p += mlen;
        if (start > stop || stop > n) return RQ_ERR;
        if (is_comment_text(s + start, (size_t)(stop - start))) continue;
        if (tokvec_push(out, (size_t)start, (size_t)(stop - start)) != RQ_OK) return RQ_ENOMEM;
    }
    return RQ_OK;
}

/* Byte offset of 1-based character position `cursorpos` (UTF-8). */
static size_t char_to_byte(const char *s, size_t n, int cursorpos) {
    if (cursorpos <= 1) return 0;
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == (size_t)cursorpos) return i;
    }
    return n;
}

/*
 * Tokenize s[0..n) with PostgreSQL's lexer; comments are dropped.
 * RQ_OK: `out` holds the tokens. RQ_ERR: the lexer failed (unterminated
 * quote/comment...); if `allow_prefix`, the text before the failing token is
 * tokenized instead and RQ_OK returned with *cut = that prefix length
 * (otherwise *cut = n). RQ_ENOMEM on allocation failure.
 */
static int scan(const char *s, size_t n, int allow_prefix, tokvec *out, size_t *cut) {
    char *copy = malloc(n + 1); /* pg_query_scan wants a C string */
    if (copy == NULL) return RQ_ENOMEM;
    memcpy(copy, s, n);
    size_t m = n;
    int rc = RQ_ERR;
    for (int attempt = 0; attempt < 4; attempt++) {
        copy[m] = '\0';
        out->n = 0;
        PgQueryScanResult r = pg_query_scan(copy);
        if (r.error == NULL) {
            rc = pb_scan_result((const uint8_t *)r.pbuf.data, r.pbuf.len, s, m, out);
            pg_query_free_scan_result(r);
            break;
        }
        size_t bad = char_to_byte(copy, m, r.error->cursorpos);
        pg_query_free_scan_result(r);
        if (!allow_prefix || bad >= m) break;
        m = bad;
    }
    free(copy);
    *cut = m;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Tokens and the fast lexer                                          */
/* ------------------------------------------------------------------ */

static int tok_is(const char *s, tok t, const char *kw) {
    size_t i = 0;
    for (; i < t.len && kw[i]; i++)
        if (to_lower((unsigned char)s[t.off + i]) != (unsigned char)kw[i]) return 0;
    return i == t.len && kw[i] == '\0';
}

static int tok_is_char(const char *s, tok t, char c) { return t.len == 1 && s[t.off] == c; }

/* An unquoted identifier or keyword (not a string such as E'x'). */
static int tok_is_word(const char *s, tok t) {
    if (t.len == 0 || !is_ident_start((unsigned char)s[t.off])) return 0;
    for (size_t i = 1; i < t.len; i++)
        if (!is_ident_cont((unsigned char)s[t.off + i])) return 0;
    return 1;
}

/*
 * Tracks "CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END"
 * so that semicolons inside the SQL-standard body do not split. Inside the
 * body, CASE ... END also nests (as in psql's own splitter).
 */
typedef struct routine_state {
    int head;   /* 0 start, 1 CREATE, 2 CREATE OR, 3 CREATE OR REPLACE, 4 routine, -1 other */
    int prev_begin;
    int atomic; /* BEGIN ATOMIC / CASE nesting depth */
} routine_state;

static void routine_step(routine_state *r, const char *s, tok t, int paren_depth) {
    if (r->head >= 0 && r->head < 4) {
        int h = r->head;
        if (h == 0 && tok_is(s, t, "create")) r->head = 1;
        else if (h == 1 && tok_is(s, t, "or")) r->head = 2;
        else if (h == 2 && tok_is(s, t, "replace")) r->head = 3;
        else if ((h == 1 || h == 3) && (tok_is(s, t, "function") || tok_is(s, t, "procedure")))
            r->head = 4;
        else r->head = -1;
        return;
    }
    if (r->head != 4 || paren_depth != 0) return;
    if (r->prev_begin && tok_is(s, t, "atomic")) r->atomic++;
    else if (r->atomic > 0 && tok_is(s, t, "case")) r->atomic++;
    else if (r->atomic > 0 && tok_is(s, t, "end")) r->atomic--;
    r->prev_begin = tok_is(s, t, "begin");
}

struct lexer {
    const char *s;
    size_t n;
    size_t pos;       /* fast mode: next byte */
    const tokvec *tv; /* scanner mode when non-NULL */
    size_t ti;        /* scanner mode: next token */
    int partial;      /* scanner saw only a window of the text */
    int retry;        /* the stream ended early: redo with a better source */
    size_t full;      /* length of the whole statement (n may be a window) */
};
typedef struct lexer lexer;

/*
 * Next token of the fast lexer. Words are [A-Za-z_\x80-\xff][...0-9$]*,
 * numbers are one token, any other byte is a one-byte token (multi-byte
 * operators become several tokens, which is harmless: only words, '(', ')',
 * ',' and ';' matter). Returns 0 at the end or when bailing (retry set).
 */
static int fast_next(lexer *lx, tok *t) {
    const char *s = lx->s;
    size_t n = lx->n, p = skip_blank(s, n, lx->pos);
    if (p >= n || s[p] == '\0') return 0; /* NUL ends the text */
    unsigned char c = (unsigned char)s[p];
    size_t e = p + 1;
    if (c == '\'' || c == '"' || c == '$' || (c == '/' && e < n && s[e] == '*')) {
        lx->retry = 1; /* string, quoted identifier, $n/$$, open comment */
        return 0;
    }
    if (is_ident_start(c)) {
        while (e < n && is_ident_cont((unsigned char)s[e])) e++;
        if (e < n && (s[e] == '\'' || s[e] == '"')) {
            lx->retry = 1; /* E'..', B'..', U&".." ... */
            return 0;
        }
    } else if (c >= '0' && c <= '9') {
        /* digits, '.', exponent/junk letters; not '$' ("1$$" is 1 then $$) */
        while (e < n && s[e] != '$' && (is_ident_cont((unsigned char)s[e]) || s[e] == '.')) e++;
    }
    t->off = p;
    t->len = e - p;
    lx->pos = e;
    return 1;
}

/* Could s[0..n) be CREATE [OR REPLACE] FUNCTION|PROCEDURE? (1 if unsure) */
static int maybe_routine(const char *s, size_t n) {
    lexer lx = {s, n, 0, NULL, 0, 0, 0, n};
    routine_state rs = {0, 0, 0};
    tok t;
    while (rs.head >= 0 && rs.head < 4) {
        if (!fast_next(&lx, &t)) return lx.retry;
        routine_step(&rs, s, t, 0);
    }
    return rs.head == 4;
}

/* ------------------------------------------------------------------ */
/* Splitting                                                           */
/* ------------------------------------------------------------------ */

static int list_push(rq_stmt_list *l, size_t *cap, const char *s, size_t a, size_t b) {
    while (a < b && is_space((unsigned char)s[a])) a++;
    while (b > a && is_space((unsigned char)s[b - 1])) b--;
    if (a == b) return RQ_OK;
    if (l->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        rq_stmt *v = realloc(l->items, nc * sizeof *v);
        if (v == NULL) return RQ_ENOMEM;
        l->items = v;
        *cap = nc;
    }
    l->items[l->n].off = a;
    l->items[l->n].len = b - a;
    l->n++;
    return RQ_OK;
}

static int split_tokens(const char *s, size_t n, const tokvec *tv, rq_stmt_list *out) {
    size_t cap = 0, piece = 0, depth = 0;
    int content = 0;
    routine_state rs = {0, 0, 0};
    for (size_t i = 0; i < tv->n; i++) {
        tok t = tv->v[i];
        if (tok_is_char(s, t, ';') && depth == 0 && rs.atomic == 0) {
            if (content && list_push(out, &cap, s, piece, t.off) != RQ_OK) return RQ_ENOMEM;
            piece = t.off + 1;
            content = 0;
            memset(&rs, 0, sizeof rs);
            continue;
        }
        content = 1;
        if (tok_is_char(s, t, '(')) depth++;
        else if (tok_is_char(s, t, ')') && depth > 0) depth--;
        routine_step(&rs, s, t, (int)depth);
    }
    if (content && list_push(out, &cap, s, piece, n) != RQ_OK) return RQ_ENOMEM;
    return RQ_OK;
}

/* Only whitespace, comments and ';' in s[a..b)? */
static int gap_is_blank(const char *s, size_t a, size_t b) {
    for (;;) {
        a = skip_blank(s, b, a);
        if (a >= b) return 1;
        if (s[a] != ';') return 0;
        a++;
    }
}

/*
 * Split with pg_query_split_with_scanner. RQ_EAGAIN when its answer may
 * differ from the exact one (see the file comment); RQ_ERR when the text
 * cannot be tokenized; RQ_ENOMEM.
 */
static int split_quick(const char *s, size_t n, rq_stmt_list *out) {
    char *copy = malloc(n + 1);
    if (copy == NULL) return RQ_ENOMEM;
    memcpy(copy, s, n);
    copy[n] = '\0';
    PgQuerySplitResult r = pg_query_split_with_scanner(copy);
    free(copy);
    int rc = r.error ? RQ_ERR : RQ_OK;
    size_t cap = 0, prev = 0;
    for (int i = 0; rc == RQ_OK && i < r.n_stmts; i++) {
        int loc = r.stmts[i]->stmt_location, slen = r.stmts[i]->stmt_len;
        if (loc < 0 || slen < 0 || (size_t)loc < prev || (size_t)loc + (size_t)slen > n ||
            !gap_is_blank(s, prev, (size_t)loc) || maybe_routine(s + loc, (size_t)slen)) {
            rc = RQ_EAGAIN;
            break;
        }
        rc = list_push(out, &cap, s, (size_t)loc, (size_t)loc + (size_t)slen);
        prev = (size_t)loc + (size_t)slen;
    }
    if (rc == RQ_OK && !gap_is_blank(s, prev, n)) rc = RQ_EAGAIN;
    pg_query_free_split_result(r);
    return rc;
}

/* Exact split on pg_query_scan tokens. */
static int split_exact(const char *s, size_t n, rq_stmt_list *out) {
    tokvec tv = {0};
    size_t cut;
    int rc = scan(s, n, 0, &tv, &cut);
    if (rc == RQ_OK) rc = split_tokens(s, n, &tv, out);
    free(tv.v);
    return rc;
}

int rq_sql_split(const char *sql, size_t len, rq_stmt_list *out, rq_error *err) {
    out->items = NULL;
    out->n = 0;
    len = strnlen(sql, len);
    size_t cap = 0;
    int rc;
    if (memchr(sql, ';', len) == NULL) {
        /* Fast path: one statement, unless there is nothing but comments. */
        rc = skip_blank(sql, len, 0) == len ? RQ_OK : list_push(out, &cap, sql, 0, len);
    } else {
        rc = split_quick(sql, len, out);
        if (rc == RQ_EAGAIN) {
            rq_stmt_list_free(out);
            rc = split_exact(sql, len, out);
        }
        if (rc == RQ_ERR) { /* not tokenizable: the handler decides */
            rq_stmt_list_free(out);
            cap = 0;
            rc = list_push(out, &cap, sql, 0, len);
        }
    }
    if (rc != RQ_OK) {
        rq_stmt_list_free(out);
        return rq_error_nomem(err);
    }
    return RQ_OK;
}

void rq_stmt_list_free(rq_stmt_list *list) {
    if (list == NULL) return;
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

/* ------------------------------------------------------------------ */
/* Token stream for classification (fast lexer or scanner tokens)     */
/* ------------------------------------------------------------------ */

/* Next token, or 0 at the end of the statement (';' also ends it). */
static int lx_next(lexer *lx, tok *t) {
    int ok;
    if (lx->tv == NULL) {
        ok = fast_next(lx, t);
    } else if (lx->ti < lx->tv->n) {
        *t = lx->tv->v[lx->ti++];
        ok = 1;
    } else {
        if (lx->partial) lx->retry = 1;
        ok = 0;
    }
    if (ok && tok_is_char(lx->s, *t, ';')) ok = 0;
    return ok;
}

static size_t lx_mark(const lexer *lx) { return lx->tv ? lx->ti : lx->pos; }
static void lx_reset(lexer *lx, size_t mark) {
    if (lx->tv) lx->ti = mark;
    else lx->pos = mark;
}

/* Next token is keyword `kw`? Consumes it only if so. */
static int lx_accept(lexer *lx, const char *kw) {
    size_t m = lx_mark(lx);
    tok t;
    if (lx_next(lx, &t) && tok_is(lx->s, t, kw)) return 1;
    lx_reset(lx, m);
    return 0;
}

/* After an opening '(' was consumed: consume through the matching ')'. */
static int lx_skip_parens(lexer *lx) {
    size_t depth = 1;
    tok t;
    while (lx_next(lx, &t)) {
        if (tok_is_char(lx->s, t, '(')) depth++;
        else if (tok_is_char(lx->s, t, ')') && --depth == 0) return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Analysis                                                            */
/* ------------------------------------------------------------------ */

typedef enum {
    ST_EMPTY,   /* "" */
    ST_ROWS,    /* "<tag> <rows>" */
    ST_INSERT,  /* "INSERT 0 <rows>" */
    ST_FIXED,   /* "<tag>", or "SELECT <rows>" if a result set was sent */
    ST_KEEP,    /* "<tag>" even with a result set (SHOW, EXPLAIN, CALL) */
    ST_UNKNOWN  /* first word upper-cased, or "SELECT <rows>" with a result set */
} tag_style;

typedef struct info {
    rq_cmd_kind kind;
    tag_style style;
    const char *tag;
    tok word; /* ST_UNKNOWN: the leading word (len 0: none) */
} info;

static void set(info *in, rq_cmd_kind kind, tag_style style, const char *tag) {
    in->kind = kind;
    in->style = style;
    in->tag = tag;
}

/* Statements decided by their first word alone. */
typedef struct word_rule {
    const char *word;
    rq_cmd_kind kind;
    tag_style style;
    const char *tag;
} word_rule;

static const word_rule k_first_words[] = {
    {"select", RQ_CMD_SELECT, ST_ROWS, "SELECT"},
    {"table", RQ_CMD_SELECT, ST_ROWS, "SELECT"},
    {"values", RQ_CMD_VALUES, ST_ROWS, "SELECT"},
    {"insert", RQ_CMD_INSERT, ST_INSERT, "INSERT"},
    {"update", RQ_CMD_UPDATE, ST_ROWS, "UPDATE"},
    {"delete", RQ_CMD_DELETE, ST_ROWS, "DELETE"},
    {"merge", RQ_CMD_MERGE, ST_ROWS, "MERGE"},
    {"copy", RQ_CMD_COPY, ST_ROWS, "COPY"},
    {"fetch", RQ_CMD_FETCH, ST_ROWS, "FETCH"},
    {"move", RQ_CMD_MOVE, ST_ROWS, "MOVE"},
    {"show", RQ_CMD_SHOW, ST_KEEP, "SHOW"},
    {"explain", RQ_CMD_OTHER, ST_KEEP, "EXPLAIN"},
    {"call", RQ_CMD_OTHER, ST_KEEP, "CALL"},
    {"begin", RQ_CMD_BEGIN, ST_FIXED, "BEGIN"},
    {"end", RQ_CMD_COMMIT, ST_FIXED, "COMMIT"},
    {"abort", RQ_CMD_ROLLBACK, ST_FIXED, "ROLLBACK"},
    {"savepoint", RQ_CMD_OTHER, ST_FIXED, "SAVEPOINT"},
    {"release", RQ_CMD_OTHER, ST_FIXED, "RELEASE"},
    {"reset", RQ_CMD_OTHER, ST_FIXED, "RESET"},
    {"declare", RQ_CMD_OTHER, ST_FIXED, "DECLARE CURSOR"},
    {"truncate", RQ_CMD_OTHER, ST_FIXED, "TRUNCATE TABLE"},
    {"lock", RQ_CMD_OTHER, ST_FIXED, "LOCK TABLE"},
    {"analyze", RQ_CMD_OTHER, ST_FIXED, "ANALYZE"},
    {"analyse", RQ_CMD_OTHER, ST_FIXED, "ANALYZE"},
    {"vacuum", RQ_CMD_OTHER, ST_FIXED, "VACUUM"},
    {"cluster", RQ_CMD_OTHER, ST_FIXED, "CLUSTER"},
    {"reindex", RQ_CMD_OTHER, ST_FIXED, "REINDEX"},
    {"checkpoint", RQ_CMD_OTHER, ST_FIXED, "CHECKPOINT"},
    {"listen", RQ_CMD_OTHER, ST_FIXED, "LISTEN"},
    {"notify", RQ_CMD_OTHER, ST_FIXED, "NOTIFY"},
    {"unlisten", RQ_CMD_OTHER, ST_FIXED, "UNLISTEN"},
    {"load", RQ_CMD_OTHER, ST_FIXED, "LOAD"},
    {"comment", RQ_CMD_OTHER, ST_FIXED, "COMMENT"},
    {"do", RQ_CMD_OTHER, ST_FIXED, "DO"},
    {"execute", RQ_CMD_OTHER, ST_FIXED, "EXECUTE"},
};

static const word_rule *find_rule(const char *s, tok t, const word_rule *rules, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (tok_is(s, t, rules[i].word)) return &rules[i];
    return NULL;
}

/* Object names after CREATE/ALTER/DROP: up to three words → tag suffix. */
typedef struct object_rule {
    const char *w[3];
    const char *create, *alter, *drop; /* NULL: not a valid combination */
} object_rule;

#define OBJ1(a, T) {{a, NULL, NULL}, "CREATE " T, "ALTER " T, "DROP " T}
#define OBJ2(a, b, T) {{a, b, NULL}, "CREATE " T, "ALTER " T, "DROP " T}
#define OBJ3(a, b, c, T) {{a, b, c}, "CREATE " T, "ALTER " T, "DROP " T}

static const object_rule k_objects[] = {
    OBJ1("table", "TABLE"),
    OBJ1("view", "VIEW"),
    OBJ2("materialized", "view", "MATERIALIZED VIEW"),
    OBJ1("index", "INDEX"),
    OBJ1("sequence", "SEQUENCE"),
    OBJ1("schema", "SCHEMA"),
    OBJ1("database", "DATABASE"),
    OBJ1("function", "FUNCTION"),
    OBJ1("procedure", "PROCEDURE"),
    OBJ1("routine", "ROUTINE"),
    OBJ1("aggregate", "AGGREGATE"),
    OBJ2("operator", "class", "OPERATOR CLASS"),
    OBJ2("operator", "family", "OPERATOR FAMILY"),
    OBJ1("operator", "OPERATOR"),
    OBJ1("type", "TYPE"),
    OBJ1("domain", "DOMAIN"),
    OBJ1("extension", "EXTENSION"),
    OBJ2("event", "trigger", "EVENT TRIGGER"),
    OBJ1("trigger", "TRIGGER"),
    OBJ1("rule", "RULE"),
    OBJ1("policy", "POLICY"),
    OBJ1("publication", "PUBLICATION"),
    OBJ1("subscription", "SUBSCRIPTION"),
    OBJ1("server", "SERVER"),
    OBJ1("statistics", "STATISTICS"),
    OBJ1("tablespace", "TABLESPACE"),
    OBJ1("transform", "TRANSFORM"),
    OBJ1("cast", "CAST"),
    OBJ1("collation", "COLLATION"),
    OBJ1("conversion", "CONVERSION"),
    OBJ1("language", "LANGUAGE"),
    OBJ2("user", "mapping", "USER MAPPING"),
    OBJ1("role", "ROLE"),
    OBJ1("user", "ROLE"), /* CREATE/ALTER/DROP USER|GROUP are role commands */
    OBJ1("group", "ROLE"),
    OBJ2("foreign", "table", "FOREIGN TABLE"),
    OBJ3("foreign", "data", "wrapper", "FOREIGN DATA WRAPPER"),
    OBJ3("text", "search", "configuration", "TEXT SEARCH CONFIGURATION"),
    OBJ3("text", "search", "dictionary", "TEXT SEARCH DICTIONARY"),
    OBJ3("text", "search", "parser", "TEXT SEARCH PARSER"),
    OBJ3("text", "search", "template", "TEXT SEARCH TEMPLATE"),
    OBJ2("access", "method", "ACCESS METHOD"),
    {{"default", "privileges", NULL}, NULL, "ALTER DEFAULT PRIVILEGES", NULL},
    {{"large", "object", NULL}, NULL, "ALTER LARGE OBJECT", NULL},
    {{"system", NULL, NULL}, NULL, "ALTER SYSTEM", NULL},
    {{"owned", NULL, NULL}, NULL, NULL, "DROP OWNED"},
};

/* Words between CREATE and the object type that do not change the tag. */
static const char *const k_create_modifiers[] = {
    "or", "replace", "temp", "temporary", "local", "global", "unlogged", "unique",
    "trusted", "procedural", "recursive", "default", "constraint",
};

/* Match the longest object rule at the stream position; consumes it. */
static const object_rule *match_object(lexer *lx, int verb) {
    size_t m = lx_mark(lx);
    tok w[3];
    int nw = 0;
    while (nw < 3 && lx_next(lx, &w[nw])) nw++;
    const object_rule *best = NULL;
    int best_len = 0;
    for (size_t i = 0; i < sizeof k_objects / sizeof k_objects[0]; i++) {
        const object_rule *r = &k_objects[i];
        const char *tag = verb == 0 ? r->create : verb == 1 ? r->alter : r->drop;
        int k = 0;
        while (k < 3 && r->w[k] != NULL && k < nw && tok_is(lx->s, w[k], r->w[k])) k++;
        if (tag != NULL && k > best_len && (k == 3 || r->w[k] == NULL)) {
            best = r;
            best_len = k;
        }
    }
    lx_reset(lx, m);
    for (int i = 0; i < best_len; i++) lx_next(lx, &w[0]);
    return best;
}

/*
 * Cheap pre-check: can the statement end with WITH NO DATA? Only if its last
 * word is DATA or it might end in a comment. Saves tokenizing a huge
 * CREATE TABLE ... AS to its end just to look at the last three words.
 */
static int may_end_with_no_data(const char *s, size_t n) {
    n = strnlen(s, n);
    while (n > 0 && (is_space((unsigned char)s[n - 1]) || s[n - 1] == ';')) n--;
    if (n >= 2 && s[n - 2] == '*' && s[n - 1] == '/') return 1;
    for (size_t i = n; i >= 2 && s[i - 1] != '\n' && s[i - 1] != '\r'; i--)
        if (s[i - 2] == '-' && s[i - 1] == '-') return 1; /* maybe a -- comment */
    static const char kw[] = "data";
    if (n < 4 || (n > 4 && is_ident_cont((unsigned char)s[n - 5]))) return 0;
    for (size_t i = 0; i < 4; i++)
        if (to_lower((unsigned char)s[n - 4 + i]) != (unsigned char)kw[i]) return 0;
    return 1;
}

/*
 * Rest of CREATE TABLE / CREATE MATERIALIZED VIEW: a top-level AS makes it a
 * query (tag "SELECT n"), unless it ends WITH NO DATA.
 */
static void create_as(lexer *lx, info *in, int is_matview) {
    size_t depth = 0;
    int has_as = is_matview;
    tok t, last[3];
    int nlast = 0;
    int maybe_no_data = may_end_with_no_data(lx->s, lx->full); /* O(n) once */
    if (is_matview && !maybe_no_data) {
        set(in, RQ_CMD_OTHER, ST_ROWS, "SELECT");
        return;
    }
    while (lx_next(lx, &t)) {
        if (tok_is_char(lx->s, t, '(')) depth++;
        else if (tok_is_char(lx->s, t, ')') && depth > 0) depth--;
        else if (depth == 0 && tok_is(lx->s, t, "as")) {
            has_as = 1;
            if (!maybe_no_data) {
                set(in, RQ_CMD_OTHER, ST_ROWS, "SELECT");
                return;
            }
        }
        if (depth == 0) { /* remember the last three top-level tokens */
            if (nlast == 3) {
                last[0] = last[1];
                last[1] = last[2];
                nlast = 2;
            }
            last[nlast++] = t;
        }
    }
    if (!has_as) return; /* plain CREATE TABLE: tag already set */
    int no_data = nlast == 3 && tok_is(lx->s, last[0], "with") && tok_is(lx->s, last[1], "no") &&
                  tok_is(lx->s, last[2], "data");
    if (no_data) set(in, RQ_CMD_OTHER, ST_FIXED, is_matview ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS");
    else set(in, RQ_CMD_OTHER, ST_ROWS, "SELECT");
}

/* CREATE / ALTER / DROP (verb 0 / 1 / 2), the verb already consumed. */
static void ddl(lexer *lx, info *in, int verb) {
    if (verb == 0) {
        for (;;) {
            size_t i, n = sizeof k_create_modifiers / sizeof k_create_modifiers[0];
            for (i = 0; i < n; i++)
                if (lx_accept(lx, k_create_modifiers[i])) break;
            if (i == n) break;
        }
    }
    const object_rule *r = match_object(lx, verb);
    if (r == NULL) {
        /* Unknown object (another engine's DDL): "CREATE", "ALTER", "DROP". */
        set(in, RQ_CMD_OTHER, ST_FIXED, verb == 0 ? "CREATE" : verb == 1 ? "ALTER" : "DROP");
        return;
    }
    set(in, RQ_CMD_OTHER, ST_FIXED, verb == 0 ? r->create : verb == 1 ? r->alter : r->drop);
    if (verb == 0 && r->w[1] == NULL && strcmp(r->w[0], "table") == 0) create_as(lx, in, 0);
    else if (verb == 0 && strcmp(r->w[0], "materialized") == 0) create_as(lx, in, 1);
}

/* GRANT/REVOKE: privileges are granted ON something; roles are not. */
static void grant(lexer *lx, info *in, int is_grant) {
    const char *stop = is_grant ? "to" : "from";
    size_t depth = 0;
    int on = 0;
    tok t;
    while (lx_next(lx, &t)) {
        if (tok_is_char(lx->s, t, '(')) depth++;
        else if (tok_is_char(lx->s, t, ')') && depth > 0) depth--;
        else if (depth == 0 && tok_is(lx->s, t, "on")) on = 1;
        else if (depth == 0 && tok_is(lx->s, t, stop)) break;
    }
    if (is_grant) set(in, RQ_CMD_OTHER, ST_FIXED, on ? "GRANT" : "GRANT ROLE");
    else set(in, RQ_CMD_OTHER, ST_FIXED, on ? "REVOKE" : "REVOKE ROLE");
}

static void analyze_from(lexer *lx, const tok *first, info *in, int depth);

/* Skip "SEARCH ... SET col" and "CYCLE ... USING col" after a CTE body. */
static int skip_cte_clauses(lexer *lx, tok *t) {
    for (;;) {
        const char *until = tok_is(lx->s, *t, "search") ? "set"
                            : tok_is(lx->s, *t, "cycle") ? "using" : NULL;
        if (until == NULL) return 1;
        do {
            if (!lx_next(lx, t)) return 0;
        } while (!tok_is(lx->s, *t, until));
        if (!lx_next(lx, t) || !lx_next(lx, t)) return 0; /* column, then next */
    }
}

/*
 * WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (body) [SEARCH..]
 * [CYCLE..] [, ...] main-statement. WITH already consumed. The CTE structure
 * is followed rather than searching for a keyword, because INSERT, UPDATE,
 * DELETE, MERGE and VALUES are valid CTE names.
 */
static void with_clause(lexer *lx, info *in, int depth) {
    set(in, RQ_CMD_WITH, ST_ROWS, "SELECT");
    tok t;
    lx_accept(lx, "recursive");
    for (;;) {
        if (!lx_next(lx, &t) || !lx_next(lx, &t)) return; /* name, then next */
        if (tok_is_char(lx->s, t, '(') && (!lx_skip_parens(lx) || !lx_next(lx, &t))) return;
        if (!tok_is(lx->s, t, "as")) return;
        lx_accept(lx, "not");
        lx_accept(lx, "materialized");
        if (!lx_next(lx, &t) || !tok_is_char(lx->s, t, '(') || !lx_skip_parens(lx)) return;
        if (!lx_next(lx, &t) || !skip_cte_clauses(lx, &t)) return;
        if (!tok_is_char(lx->s, t, ',')) break;
    }
    info main; /* `t` is the main statement's first token */
    analyze_from(lx, &t, &main, depth + 1);
    switch (main.kind) {
    case RQ_CMD_SELECT: case RQ_CMD_VALUES: case RQ_CMD_INSERT: case RQ_CMD_UPDATE:
    case RQ_CMD_DELETE: case RQ_CMD_MERGE:
        *in = main;
        break;
    default: break; /* unresolved: RQ_CMD_WITH, tag "SELECT n" */
    }
}

/* Two-word commands and commands whose tag depends on later words. */
static int special(lexer *lx, tok w, info *in, int depth) {
    const char *s = lx->s;
    if (tok_is(s, w, "with")) {
        with_clause(lx, in, depth);
    } else if (tok_is(s, w, "create") || tok_is(s, w, "alter") || tok_is(s, w, "drop")) {
        ddl(lx, in, tok_is(s, w, "create") ? 0 : tok_is(s, w, "alter") ? 1 : 2);
    } else if (tok_is(s, w, "grant") || tok_is(s, w, "revoke")) {
        grant(lx, in, tok_is(s, w, "grant"));
    } else if (tok_is(s, w, "start")) {
        if (!lx_accept(lx, "transaction")) return 0;
        set(in, RQ_CMD_BEGIN, ST_FIXED, "START TRANSACTION");
    } else if (tok_is(s, w, "commit")) {
        if (lx_accept(lx, "prepared")) set(in, RQ_CMD_OTHER, ST_FIXED, "COMMIT PREPARED");
        else set(in, RQ_CMD_COMMIT, ST_FIXED, "COMMIT");
    } else if (tok_is(s, w, "rollback")) {
        if (lx_accept(lx, "prepared")) {
            set(in, RQ_CMD_OTHER, ST_FIXED, "ROLLBACK PREPARED");
        } else {
            if (!lx_accept(lx, "work")) lx_accept(lx, "transaction");
            /* ROLLBACK TO SAVEPOINT keeps the transaction open. */
            set(in, lx_accept(lx, "to") ? RQ_CMD_OTHER : RQ_CMD_ROLLBACK, ST_FIXED, "ROLLBACK");
        }
    } else if (tok_is(s, w, "prepare")) {
        if (lx_accept(lx, "transaction")) set(in, RQ_CMD_COMMIT, ST_FIXED, "PREPARE TRANSACTION");
        else set(in, RQ_CMD_OTHER, ST_FIXED, "PREPARE");
    } else if (tok_is(s, w, "set")) {
        set(in, RQ_CMD_SET, ST_FIXED, lx_accept(lx, "constraints") ? "SET CONSTRAINTS" : "SET");
    } else if (tok_is(s, w, "close")) {
        set(in, RQ_CMD_OTHER, ST_FIXED, lx_accept(lx, "all") ? "CLOSE CURSOR ALL" : "CLOSE CURSOR");
    } else if (tok_is(s, w, "discard")) {
        const char *tag = lx_accept(lx, "all")         ? "DISCARD ALL"
                          : lx_accept(lx, "plans")     ? "DISCARD PLANS"
                          : lx_accept(lx, "sequences") ? "DISCARD SEQUENCES"
                          : (lx_accept(lx, "temp") || lx_accept(lx, "temporary")) ? "DISCARD TEMP"
                                                                                : "DISCARD";
        set(in, RQ_CMD_OTHER, ST_FIXED, tag);
    } else if (tok_is(s, w, "deallocate")) {
        lx_accept(lx, "prepare");
        set(in, RQ_CMD_OTHER, ST_FIXED, lx_accept(lx, "all") ? "DEALLOCATE ALL" : "DEALLOCATE");
    } else if (tok_is(s, w, "security")) {
        if (!lx_accept(lx, "label")) return 0;
        set(in, RQ_CMD_OTHER, ST_FIXED, "SECURITY LABEL");
    } else if (tok_is(s, w, "reassign")) {
        if (!lx_accept(lx, "owned")) return 0;
        set(in, RQ_CMD_OTHER, ST_FIXED, "REASSIGN OWNED");
    } else if (tok_is(s, w, "refresh")) {
        if (!lx_accept(lx, "materialized") || !lx_accept(lx, "view")) return 0;
        set(in, RQ_CMD_OTHER, ST_FIXED, "REFRESH MATERIALIZED VIEW");
    } else if (tok_is(s, w, "import")) {
        if (!lx_accept(lx, "foreign") || !lx_accept(lx, "schema")) return 0;
        set(in, RQ_CMD_OTHER, ST_FIXED, "IMPORT FOREIGN SCHEMA");
    } else {
        return 0;
    }
    return 1;
}

/*
 * Analyze a statement whose first token is `*first` (already consumed) or,
 * if first is NULL, the lexer's next token. `depth` bounds WITH recursion.
 */
static void analyze_from(lexer *lx, const tok *first, info *in, int depth) {
    tok t;
    set(in, RQ_CMD_OTHER, ST_UNKNOWN, NULL);
    in->word.off = in->word.len = 0;
    if (first != NULL) t = *first;
    else if (!lx_next(lx, &t)) return;
    /* (SELECT ...), ((VALUES ...)): the parentheses do not matter. */
    while (tok_is_char(lx->s, t, '('))
        if (!lx_next(lx, &t)) return;
    if (!tok_is_word(lx->s, t) || depth > 8) return;
    in->word = t;
    const word_rule *r = find_rule(lx->s, t, k_first_words,
                                   sizeof k_first_words / sizeof k_first_words[0]);
    if (r != NULL) {
        set(in, r->kind, r->style, r->tag);
        return;
    }
    if (!special(lx, t, in, depth)) set(in, RQ_CMD_OTHER, ST_UNKNOWN, NULL);
}

#define RQ_SCAN_WINDOW 4096

/*
 * Analyze a statement: fast lexer first, then PostgreSQL's lexer on a growing
 * window of the text if the fast lexer could not decide.
 */
static void analyze(const char *s, size_t n, info *in) {
    size_t start = skip_blank(s, n, 0);
    if (start == n || s[start] == '\0') {
        set(in, RQ_CMD_EMPTY, ST_EMPTY, "");
        in->word.off = in->word.len = 0;
        return;
    }
    lexer lx = {s, n, start, NULL, 0, 0, 0, n};
    analyze_from(&lx, NULL, in, 0);
    if (!lx.retry) return;
    n = strnlen(s, n); /* the fast lexer stops at NUL by itself; scan() needs it */
    tokvec tv = {0};
    for (size_t w = RQ_SCAN_WINDOW;; w = w > n / 8 ? n : w * 8) {
        size_t win = w < n ? w : n, cut;
        if (scan(s, win, 1, &tv, &cut) != RQ_OK) {
            /* Out of memory or undecodable: keep the fast lexer's verdict. */
            break;
        }
        lexer sl = {s, cut, 0, &tv, 0, win < n, 0, n};
        if (win < n && cut == win && tv.n > 0) tv.n--; /* may be cut short */
        info tmp;
        analyze_from(&sl, NULL, &tmp, 0);
        if (!sl.retry || win >= n) {
            *in = tmp;
            break;
        }
    }
    free(tv.v);
}

rq_cmd_kind rq_sql_classify(const char *stmt, size_t len) {
    info in;
    analyze(stmt, len, &in);
    return in.kind;
}

/* Upper-cased leading word, at most 32 bytes, not cutting a UTF-8 char. */
static void upper_word(const char *s, tok w, char *buf, size_t cap) {
    size_t n = w.len < 32 ? w.len : 32;
    if (n >= cap) n = cap - 1;
    if (n < w.len)
        while (n > 0 && ((unsigned char)s[w.off + n] & 0xC0) == 0x80) n--;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[w.off + i];
        buf[i] = (char)((c >= 'a' && c <= 'z') ? c - 32 : c);
    }
    buf[n] = '\0';
}

int rq_sql_command_tag(const char *stmt, size_t len, int64_t rows, int has_result_set,
                       char *out, size_t cap) {
    info in;
    analyze(stmt, len, &in);
    if (rows < 0) rows = 0;
    char word[40];
    int w;
    tag_style st = in.style;
    if (has_result_set && (st == ST_FIXED || st == ST_UNKNOWN)) {
        st = ST_ROWS;
        in.tag = "SELECT";
    }
    switch (st) {
    case ST_EMPTY: w = snprintf(out, cap, "%s", ""); break;
    case ST_ROWS: w = snprintf(out, cap, "%s %" PRId64, in.tag, rows); break;
    case ST_INSERT: w = snprintf(out, cap, "INSERT 0 %" PRId64, rows); break;
    case ST_FIXED:
    case ST_KEEP: w = snprintf(out, cap, "%s", in.tag); break;
    default:
        if (in.word.len == 0) {
            w = snprintf(out, cap, "???");
        } else {
            upper_word(stmt, in.word, word, sizeof word);
            w = snprintf(out, cap, "%s", word);
        }
        break;
    }
    if (w < 0 || (size_t)w >= cap) return RQ_ERR;
    return w;
}

/* ------------------------------------------------------------------ */
/* Parameter types from casts                                         */
/* ------------------------------------------------------------------ */

typedef struct type_name {
    const char *name; /* lower case, words separated by one space */
    uint32_t oid, array_oid;
} type_name;

/* Built-in type names a client writes in casts (pg_type OIDs). */
static const type_name k_types[] = {
    {"bool", 16, 1000}, {"boolean", 16, 1000}, {"bytea", 17, 1001}, {"char", 1042, 1014},
    {"name", 19, 1003}, {"int8", 20, 1016}, {"bigint", 20, 1016}, {"int2", 21, 1005},
    {"smallint", 21, 1005}, {"int4", 23, 1007}, {"int", 23, 1007}, {"integer", 23, 1007},
    {"text", 25, 1009}, {"oid", 26, 1028}, {"json", 114, 199}, {"float4", 700, 1021},
    {"real", 700, 1021}, {"float8", 701, 1022}, {"float", 701, 1022},
    {"double precision", 701, 1022}, {"bpchar", 1042, 1014}, {"character", 1042, 1014},
    {"varchar", 1043, 1015}, {"character varying", 1043, 1015}, {"date", 1082, 1182},
    {"time", 1083, 1183}, {"time without time zone", 1083, 1183},
    {"timestamp", 1114, 1115}, {"timestamp without time zone", 1114, 1115},
    {"timestamptz", 1184, 1185}, {"timestamp with time zone", 1184, 1185},
    {"interval", 1186, 1187}, {"timetz", 1266, 1270}, {"time with time zone", 1266, 1270},
    {"numeric", 1700, 1231}, {"decimal", 1700, 1231}, {"uuid", 2950, 2951},
    {"jsonb", 3802, 3807},
};

/* Is token t a parameter "$n"? Returns n (1-based) or 0. */
static int tok_param(const char *s, tok t) {
    if (t.len < 2 || s[t.off] != '$') return 0;
    int n = 0;
    for (size_t i = 1; i < t.len; i++) {
        if (s[t.off + i] < '0' || s[t.off + i] > '9' || n > 100000) return 0;
        n = n * 10 + (s[t.off + i] - '0');
    }
    return n;
}

/* Read a type name at tokens[*i..]: optional "pg_catalog." qualifier,
 * up to four words, optional "(typmod)" and "[]" suffixes. 0 if unknown. */
static uint32_t read_type(const char *s, const tokvec *tv, size_t *i) {
    size_t k = *i;
    if (k + 2 < tv->n && tok_is(s, tv->v[k], "pg_catalog") && tok_is_char(s, tv->v[k + 1], '.')) k += 2;
    char name[64] = "";
    uint32_t found = 0, array = 0;
    size_t used = k;
    for (size_t w = 0; w < 4 && k + w < tv->n && tok_is_word(s, tv->v[k + w]); w++) {
        tok t = tv->v[k + w];
        size_t len = strlen(name);
        if (len + t.len + 2 >= sizeof name) break;
        if (len) name[len++] = ' ';
        for (size_t c = 0; c < t.len; c++) name[len + c] = (char)to_lower((unsigned char)s[t.off + c]);
        name[len + t.len] = '\0';
        for (size_t j = 0; j < sizeof k_types / sizeof k_types[0]; j++) {
            if (strcmp(k_types[j].name, name) == 0) {
                found = k_types[j].oid;
                array = k_types[j].array_oid;
                used = k + w + 1;
            }
        }
    }
    if (!found) return 0;
    k = used;
    if (k < tv->n && tok_is_char(s, tv->v[k], '(')) {
        while (k < tv->n && !tok_is_char(s, tv->v[k], ')')) k++;
        k++;
    }
    if (k + 1 < tv->n && tok_is_char(s, tv->v[k], '[') && tok_is_char(s, tv->v[k + 1], ']')) {
        found = array;
        k += 2;
    }
    *i = k;
    return found;
}

int rq_sql_param_types(const char *sql, size_t len, int nparams, uint32_t *oids) {
    if (nparams <= 0 || memchr(sql, '$', len) == NULL) return RQ_OK;
    tokvec tv = {0};
    size_t cut;
    int rc = scan(sql, len, 1, &tv, &cut);
    if (rc == RQ_ENOMEM) return rc;
    for (size_t i = 0; rc == RQ_OK && i + 2 < tv.n; i++) {
        int n = tok_param(sql, tv.v[i]);
        size_t at = i + 2;
        /* $n::type */
        if (n > 0 && tok_is(sql, tv.v[i + 1], "::")) {
            uint32_t oid = read_type(sql, &tv, &at);
            if (oid && n <= nparams && oids[n - 1] == 0) oids[n - 1] = oid;
        }
        /* CAST($n AS type) */
        if (tok_is(sql, tv.v[i], "cast") && i + 4 < tv.n && tok_is_char(sql, tv.v[i + 1], '(') &&
            (n = tok_param(sql, tv.v[i + 2])) > 0 && tok_is(sql, tv.v[i + 3], "as")) {
            at = i + 4;
            uint32_t oid = read_type(sql, &tv, &at);
            if (oid && n <= nparams && oids[n - 1] == 0) oids[n - 1] = oid;
        }
    }
    free(tv.v);
    return RQ_OK;
}

uint32_t rq_sql_type_oid(const char *name) {
    size_t len = strlen(name);
    if (len == 0 || len > 256) return 0;
    tokvec tv = {0};
    size_t cut, at = 0;
    uint32_t oid = 0;
    if (scan(name, len, 0, &tv, &cut) == RQ_OK && tv.n > 0) {
        oid = read_type(name, &tv, &at);
        if (at != tv.n) oid = 0; /* "int8 junk" */
    }
    free(tv.v);
    return oid;
}

/* ------------------------------------------------------------------ */
/* PREPARE / EXECUTE / DEALLOCATE / DISCARD ALL                       */
/* ------------------------------------------------------------------ */

/* Identifier token → name as PostgreSQL folds it (lower case unless
 * double-quoted). 0 on success. */
static int ident_of(const char *s, tok t, char *out, size_t cap) {
    size_t n = 0;
    if (t.len >= 2 && s[t.off] == '"') {
        for (size_t i = 1; i + 1 < t.len && n + 1 < cap; i++) {
            if (s[t.off + i] == '"') i++; /* "" → " */
            out[n++] = s[t.off + i];
        }
    } else if (tok_is_word(s, t)) {
        for (size_t i = 0; i < t.len && n + 1 < cap; i++) out[n++] = (char)to_lower((unsigned char)s[t.off + i]);
    } else {
        return -1;
    }
    out[n] = '\0';
    return 0;
}

/* A literal token → its value (malloc'd). Strings: '...' with '' and
 * E'...' with backslash escapes; numbers and true/false as written. */
static char *literal_of(const char *s, tok t, int *is_null) {
    *is_null = 0;
    const char *p = s + t.off;
    if (tok_is(s, t, "null")) {
        *is_null = 1;
        return strdup("");
    }
    int esc = (p[0] == 'E' || p[0] == 'e') && t.len >= 3 && p[1] == '\'';
    if (p[0] == '\'' || esc) {
        size_t start = esc ? 2 : 1;
        char *v = malloc(t.len + 1);
        if (v == NULL) return NULL;
        size_t n = 0;
        for (size_t i = start; i + 1 < t.len; i++) {
            if (p[i] == '\'' && p[i + 1] == '\'') i++;
            else if (esc && p[i] == '\\' && i + 2 < t.len) {
                char c = p[++i];
                v[n++] = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
                continue;
            }
            v[n++] = p[i];
        }
        v[n] = '\0';
        return v;
    }
    int numeric = (p[0] >= '0' && p[0] <= '9') || p[0] == '.';
    if (numeric || tok_is(s, t, "true") || tok_is(s, t, "false")) return strndup(p, t.len);
    return NULL;
}

void rq_util_free(rq_util *u) {
    for (int i = 0; i < u->nargs; i++) free(u->args[i]);
    free(u->args);
    free(u->arg_null);
    u->args = NULL;
    u->arg_null = NULL;
    u->nargs = 0;
}

static int util_args(const char *s, const tokvec *tv, size_t i, rq_util *u, rq_error *err) {
    if (i >= tv->n) return RQ_OK;
    if (!tok_is_char(s, tv->v[i], '('))
        return rq_error_set(err, RQ_SEV_ERROR, "42601", "syntax error in EXECUTE");
    u->args = calloc(tv->n, sizeof *u->args);
    u->arg_null = calloc(tv->n, sizeof *u->arg_null);
    if (!u->args || !u->arg_null) return rq_error_nomem(err);
    for (i++; i < tv->n && !tok_is_char(s, tv->v[i], ')'); i++) {
        if (tok_is_char(s, tv->v[i], ',')) continue;
        int neg = tok_is_char(s, tv->v[i], '-') && i + 1 < tv->n;
        if (neg) i++;
        char *v = literal_of(s, tv->v[i], &u->arg_null[u->nargs]);
        if (v == NULL)
            return rq_error_set(err, RQ_SEV_ERROR, "0A000",
                                "EXECUTE parameters must be literals (got \"%.*s\")",
                                (int)tv->v[i].len, s + tv->v[i].off);
        if (neg) {
            char *m = malloc(strlen(v) + 2);
            if (m == NULL) { free(v); return rq_error_nomem(err); }
            m[0] = '-';
            strcpy(m + 1, v);
            free(v);
            v = m;
        }
        u->args[u->nargs++] = v;
        /* literal::type — the cast is the statement's business */
        while (i + 2 < tv->n && tok_is(s, tv->v[i + 1], "::")) {
            size_t at = i + 2;
            if (!read_type(s, tv, &at)) break;
            i = at - 1;
        }
    }
    return RQ_OK;
}

static int util_prepare(const char *s, const tokvec *tv, rq_util *u, rq_error *err) {
    size_t i = 1;
    if (i >= tv->n || ident_of(s, tv->v[i], u->name, sizeof u->name) != 0)
        return rq_error_set(err, RQ_SEV_ERROR, "42601", "syntax error in PREPARE");
    i++;
    if (i < tv->n && tok_is_char(s, tv->v[i], '(')) {
        for (i++; i < tv->n && !tok_is_char(s, tv->v[i], ')');) {
            if (tok_is_char(s, tv->v[i], ',')) { i++; continue; }
            size_t at = i;
            uint32_t oid = read_type(s, tv, &at);
            if (u->ntypes < RQ_UTIL_MAX_TYPES) u->types[u->ntypes++] = oid;
            i = at > i ? at : i + 1;
        }
        i++;
    }
    if (i >= tv->n || !tok_is(s, tv->v[i], "as"))
        return rq_error_set(err, RQ_SEV_ERROR, "42601", "syntax error in PREPARE: AS expected");
    u->body_off = tv->v[i].off + tv->v[i].len;
    while (u->body_off < u->len && is_space((unsigned char)s[u->body_off])) u->body_off++;
    u->kind = RQ_UTIL_PREPARE;
    return RQ_OK;
}

int rq_sql_parse_utility(const char *s, size_t len, rq_util *u, rq_error *err) {
    memset(u, 0, sizeof *u);
    u->len = len;
    /* cheap filter on the first letter before running the lexer */
    size_t p = skip_blank(s, len, 0);
    if (p >= len) return RQ_OK;
    char c = (char)to_lower((unsigned char)s[p]);
    if (c != 'p' && c != 'e' && c != 'd') return RQ_OK;
    tokvec tv = {0};
    size_t cut;
    int rc = scan(s, len, 0, &tv, &cut);
    if (rc != RQ_OK || tv.n < 2) {
        free(tv.v);
        return rc == RQ_ENOMEM ? rq_error_nomem(err) : RQ_OK;
    }
    rc = RQ_OK;
    if (tok_is(s, tv.v[0], "prepare") && !tok_is(s, tv.v[1], "transaction")) {
        rc = util_prepare(s, &tv, u, err);
    } else if (tok_is(s, tv.v[0], "execute")) {
        if (ident_of(s, tv.v[1], u->name, sizeof u->name) != 0)
            rc = rq_error_set(err, RQ_SEV_ERROR, "42601", "syntax error in EXECUTE");
        else
            rc = util_args(s, &tv, 2, u, err);
        u->kind = RQ_UTIL_EXECUTE;
    } else if (tok_is(s, tv.v[0], "deallocate")) {
        size_t i = tok_is(s, tv.v[1], "prepare") ? 2 : 1;
        u->kind = RQ_UTIL_DEALLOCATE;
        if (i < tv.n && tok_is(s, tv.v[i], "all")) u->all = 1;
        else if (i >= tv.n || ident_of(s, tv.v[i], u->name, sizeof u->name) != 0)
            rc = rq_error_set(err, RQ_SEV_ERROR, "42601", "syntax error in DEALLOCATE");
    } else if (tok_is(s, tv.v[0], "discard") && tok_is(s, tv.v[1], "all") && tv.n == 2) {
        u->kind = RQ_UTIL_DISCARD_ALL;
    }
    free(tv.v);
    if (rc != RQ_OK) rq_util_free(u);
    return rc;
}
