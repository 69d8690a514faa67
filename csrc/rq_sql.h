/*
 * rq_sql.h — split a simple-query string into statements, classify a
 * statement and build its CommandComplete tag.
 *
 * Lexing follows PostgreSQL 15's scanner (libpg_query's pg_query_scan), so
 * ';' inside '...', E'...', $tag$...$tag$, "identifiers", -- and nested
 * block comments never split, and keywords hidden in comments or strings are
 * never seen. A hand-written fast path handles the common cases without
 * libpg_query: a text without any ';' is one statement, and a statement
 * whose leading words are plain words separated by whitespace is classified
 * from those words alone. Anything the fast path is unsure about (a comment,
 * quote or '$' among the words it needs) goes to the real scanner.
 *
 * None of these functions interpret the SQL beyond its leading keywords: the
 * handler (user code) decides what a statement means. Input text is taken
 * as bytes (UTF-8 expected, never validated) with an explicit length; a NUL
 * byte ends the text early, as in the protocol's Query message. No function
 * here keeps a pointer to the input after returning. All functions are
 * thread-safe (libpg_query keeps its state per thread).
 */
#ifndef RQ_SQL_H
#define RQ_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "rq_common.h"

/*
 * One statement: bytes [off, off + len) of the text given to rq_sql_split().
 * The range is trimmed of surrounding whitespace (space, \t, \n, \r, \f, as
 * PostgreSQL 15's scanner defines it) and excludes the terminating ';'.
 * Comments inside or before the statement are kept.
 */
typedef struct rq_stmt {
    size_t off;
    size_t len;
} rq_stmt;

/* `items` is malloc'd and owned by the list: free with rq_stmt_list_free(). */
typedef struct rq_stmt_list {
    rq_stmt *items;
    size_t n;
} rq_stmt_list;

/*
 * Split `sql` (`len` bytes) into statements at top-level semicolons.
 *
 * A semicolon splits only outside strings, quoted identifiers, comments,
 * parentheses (so "CREATE RULE ... (SELECT 1; SELECT 2)" stays whole) and
 * outside the BEGIN ATOMIC ... END body of CREATE [OR REPLACE]
 * FUNCTION/PROCEDURE. Pieces that contain only whitespace and comments
 * (e.g. between ";;", or "-- note" after the last ';') are dropped, so
 * out->n == 0 means an empty query: the caller answers EmptyQueryResponse.
 * Every other piece is kept, even if it is not valid SQL: the handler reports
 * the error.
 *
 * If the text cannot be tokenized (unterminated quote, dollar quote or block
 * comment) the whole text, trimmed, is returned as one statement — this is
 * not an error.
 *
 * On success returns RQ_OK and fills *out (caller frees with
 * rq_stmt_list_free(); items is NULL when n == 0). Returns RQ_ENOMEM (err
 * filled, *out empty) only when memory runs out.
 */
int rq_sql_split(const char *sql, size_t len, rq_stmt_list *out, rq_error *err);

/* Release the list's items and reset it to empty. NULL-safe, idempotent. */
void rq_stmt_list_free(rq_stmt_list *list);

/*
 * What kind of statement this is, from its leading keywords (case-
 * insensitive, after any comments and opening parentheses).
 */
typedef enum {
    RQ_CMD_OTHER,    /* anything else: DDL, EXPLAIN, RESET, CALL, unknown words... */
    RQ_CMD_SELECT,   /* SELECT (incl. SELECT INTO), TABLE name, (SELECT ...) */
    RQ_CMD_INSERT,
    RQ_CMD_UPDATE,
    RQ_CMD_DELETE,
    RQ_CMD_MERGE,
    RQ_CMD_COPY,
    RQ_CMD_FETCH,
    RQ_CMD_MOVE,
    RQ_CMD_VALUES,   /* VALUES (...), (VALUES ...) */
    RQ_CMD_SHOW,
    RQ_CMD_WITH,     /* WITH whose main statement could not be found; when it
                      * can, the main statement's kind is returned instead
                      * (WITH x AS (...) INSERT ... → RQ_CMD_INSERT) */
    RQ_CMD_BEGIN,    /* opens a transaction block: BEGIN, START TRANSACTION */
    RQ_CMD_COMMIT,   /* ends it: COMMIT, END, PREPARE TRANSACTION (not COMMIT PREPARED) */
    RQ_CMD_ROLLBACK, /* aborts it: ROLLBACK, ABORT (not ROLLBACK TO SAVEPOINT,
                      * not ROLLBACK PREPARED: those are RQ_CMD_OTHER) */
    RQ_CMD_SET,      /* every SET form: SET x = y, SET LOCAL, SET TIME ZONE,
                      * SET ROLE, SET TRANSACTION, SET CONSTRAINTS, ... */
    RQ_CMD_EMPTY     /* only whitespace and comments */
} rq_cmd_kind;

/*
 * Classify one statement (`len` bytes; usually an rq_stmt range). Never
 * fails: text that cannot be tokenized is classified from its tokenizable
 * prefix; on out-of-memory the result is RQ_CMD_OTHER.
 */
rq_cmd_kind rq_sql_classify(const char *stmt, size_t len);

/* A buffer of this size always holds a tag produced by rq_sql_command_tag(). */
#define RQ_SQL_TAG_CAP 64

/*
 * Write into `out` (capacity `cap`, NUL-terminated) the CommandComplete tag
 * PostgreSQL would send for this statement after it affected/returned `rows`
 * rows (negative counts as 0). `has_result_set` is nonzero when rows were sent
 * to the client (RowDescription + DataRow).
 *
 *   SELECT, TABLE, VALUES, WITH ... SELECT, SELECT INTO    "SELECT <rows>"
 *   CREATE TABLE ... AS / CREATE MATERIALIZED VIEW ... AS  "SELECT <rows>"
 *      (... WITH NO DATA: "CREATE TABLE AS" / "CREATE MATERIALIZED VIEW")
 *   INSERT (also WITH ... INSERT, INSERT ... RETURNING)    "INSERT 0 <rows>"
 *   UPDATE / DELETE / MERGE / FETCH / MOVE / COPY           "<WORD> <rows>"
 *   SHOW "SHOW", EXPLAIN "EXPLAIN", CALL "CALL" (also with a result set)
 *   BEGIN "BEGIN", START TRANSACTION "START TRANSACTION", COMMIT/END
 *      "COMMIT", ROLLBACK/ABORT (also ROLLBACK TO ...) "ROLLBACK", SET ...
 *      "SET", SET CONSTRAINTS "SET CONSTRAINTS", RESET "RESET", ...
 *   CREATE/ALTER/DROP <object>                              "CREATE TABLE",
 *      "DROP VIEW", "CREATE INDEX" (for CREATE UNIQUE INDEX CONCURRENTLY),
 *      "CREATE ROLE" (for CREATE USER/GROUP), "DROP OWNED", ...
 *   GRANT/REVOKE privileges ON ... "GRANT"/"REVOKE", of roles "GRANT ROLE"/
 *      "REVOKE ROLE"; DECLARE "DECLARE CURSOR"; CLOSE "CLOSE CURSOR"
 *      (CLOSE ALL "CLOSE CURSOR ALL"); DISCARD ALL/PLANS/SEQUENCES/TEMP;
 *      DEALLOCATE [ALL]; TRUNCATE "TRUNCATE TABLE"; LOCK "LOCK TABLE";
 *      ANALYZE/ANALYSE "ANALYZE"; other PostgreSQL utility commands their
 *      PostgreSQL tag.
 *   Any other statement that produced a result set         "SELECT <rows>"
 *      (e.g. EXECUTE, or a non-PostgreSQL command such as DESCRIBE)
 *   Unknown leading word, no result set                    that word
 *      upper-cased (e.g. "ATTACH"), at most 32 bytes; "???" if the statement
 *      does not start with a word.
 *   Empty statement (only comments/whitespace)             "" (send
 *      EmptyQueryResponse instead of CommandComplete)
 *
 * Tags that depend on server state (COMMIT of a failed transaction is
 * reported by PostgreSQL as "ROLLBACK"; EXECUTE reports the prepared
 * statement's tag) are the caller's business.
 *
 * Returns the tag length (>= 0, without the NUL), or RQ_ERR if `cap` is too
 * small (the output is then truncated, still NUL-terminated when cap > 0).
 * RQ_SQL_TAG_CAP bytes are always enough.
 */
int rq_sql_command_tag(const char *stmt, size_t len, int64_t rows, int has_result_set,
                       char *out, size_t cap);

/*
 * Fill the types of parameters that `oids[0..nparams)` leaves unspecified
 * (0) from casts in the SQL text, as PostgreSQL's parse analysis would:
 * "$1::int8", "$2::pg_catalog.timestamptz", "$3::text[]",
 * "CAST($4 AS numeric(10,2))". Uses PostgreSQL's lexer (pg_query_scan), so
 * "$1" inside strings or comments is not a parameter. Unknown type names
 * leave the entry 0. RQ_OK, or RQ_ENOMEM.
 */
int rq_sql_param_types(const char *sql, size_t len, int nparams, uint32_t *oids);

/*
 * The OID of a type name as a cast would read it ("int8", "bigint",
 * "double precision", "pg_catalog.numeric(10,2)", "text[]",
 * "timestamp with time zone"); 0 when unknown or when anything follows it.
 */
uint32_t rq_sql_type_oid(const char *name);

/* ---- statements the server itself answers (PostgreSQL semantics) ---- */

typedef enum rq_util_kind {
    RQ_UTIL_NONE,        /* not one of these: the handler answers */
    RQ_UTIL_PREPARE,     /* PREPARE name [(types)] AS statement */
    RQ_UTIL_EXECUTE,     /* EXECUTE name [(literal, ...)] */
    RQ_UTIL_DEALLOCATE,  /* DEALLOCATE [PREPARE] name | ALL */
    RQ_UTIL_DISCARD_ALL  /* DISCARD ALL */
} rq_util_kind;

#define RQ_UTIL_MAX_TYPES 64

typedef struct rq_util {
    rq_util_kind kind;
    char name[64];            /* statement name, folded like an identifier */
    int all;                  /* DEALLOCATE ALL */
    size_t len;               /* length of the whole text */
    size_t body_off;          /* PREPARE: the statement starts here */
    int ntypes;               /* PREPARE: declared types (0 = unknown name) */
    uint32_t types[RQ_UTIL_MAX_TYPES];
    int nargs;                /* EXECUTE: literal arguments (owned) */
    char **args;
    int *arg_null;
} rq_util;

/*
 * Recognise PREPARE / EXECUTE / DEALLOCATE / DISCARD ALL with PostgreSQL's
 * lexer. RQ_OK with kind RQ_UTIL_NONE for anything else; RQ_ERR (42601
 * syntax, 0A000 for EXECUTE arguments that are not literals) otherwise.
 * Free with rq_util_free().
 */
int rq_sql_parse_utility(const char *sql, size_t len, rq_util *out, rq_error *err);
void rq_util_free(rq_util *u);

#endif /* RQ_SQL_H */
