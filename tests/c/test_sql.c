/*
 * test_sql.c — rq_sql: statement splitting, classification and command tags.
 * Expected tags were checked against a real PostgreSQL 15 server.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rq_sql.h"

static int g_pass, g_fail;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            g_pass++;                                                            \
        } else {                                                                 \
            g_fail++;                                                            \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
        }                                                                        \
    } while (0)

/* ---- splitting ---- */

/* Split `sql` (length `len`) and compare with the NULL-terminated `want`. */
static void split_case_n(const char *sql, size_t len, const char *const *want) {
    rq_stmt_list l;
    rq_error err;
    int rc = rq_sql_split(sql, len, &l, &err);
    size_t nwant = 0;
    while (want[nwant]) nwant++;
    int ok = rc == RQ_OK && l.n == nwant;
    for (size_t i = 0; ok && i < nwant; i++)
        ok = l.items[i].len == strlen(want[i]) &&
             memcmp(sql + l.items[i].off, want[i], l.items[i].len) == 0;
    if (!ok) {
        fprintf(stderr, "FAIL split of [%s]: rc=%d, got %zu:", sql, rc, l.n);
        for (size_t i = 0; i < l.n; i++)
            fprintf(stderr, " [%.*s]", (int)l.items[i].len, sql + l.items[i].off);
        fprintf(stderr, "\n");
        g_fail++;
    } else {
        g_pass++;
    }
    rq_stmt_list_free(&l);
    CHECK(l.items == NULL && l.n == 0);
}

#define SPLIT(sql, ...)                                              \
    do {                                                             \
        static const char *const w_[] = {__VA_ARGS__, NULL};         \
        split_case_n(sql, strlen(sql), w_);                          \
    } while (0)
#define SPLIT_EMPTY(sql)                                             \
    do {                                                             \
        static const char *const w_[] = {NULL};                      \
        split_case_n(sql, strlen(sql), w_);                          \
    } while (0)

static void test_split(void) {
    SPLIT("select 1", "select 1");
    SPLIT("  select 1  \n", "select 1");
    SPLIT("select 1 --c", "select 1 --c");
    SPLIT_EMPTY("");
    SPLIT_EMPTY(" \t\r\n\f");
    SPLIT_EMPTY("-- comment");
    SPLIT_EMPTY("--");
    SPLIT_EMPTY("/* c */");
    SPLIT_EMPTY("/**/");
    SPLIT_EMPTY("/* a /* nested */ still comment */ -- x\n");
    SPLIT_EMPTY(";;");
    SPLIT_EMPTY("; ;\n;");
    SPLIT_EMPTY("-- a;b\n/* ; */ ;");
    SPLIT("/* unterminated", "/* unterminated");
    SPLIT("\v", "\v"); /* not whitespace for PostgreSQL 15: a (bad) statement */
    SPLIT("select 1; select 2", "select 1", "select 2");
    SPLIT("select 1;", "select 1");
    SPLIT("select 1;;  ;select 2;", "select 1", "select 2");
    SPLIT("select ';'; select 2", "select ';'", "select 2");
    SPLIT("select 'it''s;'; select 2", "select 'it''s;'", "select 2");
    SPLIT("select E'\\';'; select 2", "select E'\\';'", "select 2");
    SPLIT("select e'a\\\\'; select 2", "select e'a\\\\'", "select 2");
    SPLIT("select U&'d\\0061t;' ; select 2", "select U&'d\\0061t;'", "select 2");
    SPLIT("select $$;$$; select $tag$;$$;$tag$; select 3", "select $$;$$",
          "select $tag$;$$;$tag$", "select 3");
    SPLIT("select $1; select $2::int", "select $1", "select $2::int");
    SPLIT("select \"a;b\" from t; select 1", "select \"a;b\" from t", "select 1");
    SPLIT("select 1 -- c;\n; select 2", "select 1 -- c;", "select 2");
    SPLIT("select /* ; /* ; */ ; */ 1; select 2", "select /* ; /* ; */ ; */ 1", "select 2");
    SPLIT("select 1; -- trailing", "select 1");
    SPLIT("select 1; /* x */ ; select 2", "select 1", "select 2");
    SPLIT("/* lead */ select 1; -- c\nselect 2", "/* lead */ select 1", "-- c\nselect 2");
    SPLIT("foo; 42; select 1", "foo", "42", "select 1"); /* keyword-less pieces kept */
    SPLIT("select 'abc; select 2", "select 'abc; select 2"); /* unterminated quote */
    SPLIT(" select $$abc; select 2 ", "select $$abc; select 2");
    SPLIT("select 1; /* open", "select 1; /* open");
    SPLIT("  select 'x' ;  \t", "select 'x'");
    SPLIT("select 1\r\n;\r\nselect 2\r\n", "select 1", "select 2");
    SPLIT("begin; select 1; commit;", "begin", "select 1", "commit");
    SPLIT("select (1); select ((2))", "select (1)", "select ((2))");
    SPLIT("create rule r as on insert to t do also (select 1; select 2); select 3",
          "create rule r as on insert to t do also (select 1; select 2)", "select 3");
    SPLIT("create function f() returns int language sql begin atomic select 1; "
          "select case when true then 1 end; end; select 9",
          "create function f() returns int language sql begin atomic select 1; "
          "select case when true then 1 end; end",
          "select 9");
    SPLIT("CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC insert into t values (1); "
          "END; commit",
          "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC insert into t values (1); END",
          "commit");
    SPLIT("begin; end; begin", "begin", "end", "begin"); /* not a routine body */
    SPLIT("/* c */ create function \"f;\"() returns int language sql begin atomic select 1; end; "
          "select 2",
          "/* c */ create function \"f;\"() returns int language sql begin atomic select 1; end",
          "select 2");
    /* Unbalanced parentheses: a stray ')' does not stop later splits, an
     * unclosed '(' swallows the rest (PostgreSQL rejects both anyway). */
    SPLIT("select 1); select 2", "select 1)", "select 2");
    SPLIT("select (1; select 2", "select (1; select 2");
    SPLIT("select 1; foo; 'x'; \"y\"; 42", "select 1", "foo", "'x'", "\"y\"", "42");
    SPLIT("create function f() returns int as $$ begin; $$ language sql; select 1",
          "create function f() returns int as $$ begin; $$ language sql", "select 1");
    /* Multibyte UTF-8: offsets are byte offsets. */
    SPLIT("select 'h\xc3\xa9llo;w\xc3\xb6rld' ; select '\xc3\xbc';",
          "select 'h\xc3\xa9llo;w\xc3\xb6rld'", "select '\xc3\xbc'");
    SPLIT("select \"\xe6\x97\xa5;\" from \xe8\xa1\xa8; select 1",
          "select \"\xe6\x97\xa5;\" from \xe8\xa1\xa8", "select 1");

    /* A NUL byte ends the text, as in the protocol. */
    {
        static const char *const w[] = {"select 1", NULL};
        split_case_n("select 1\0; select 2", 20, w);
    }
    /* Explicit length shorter than the C string. */
    {
        static const char *const w[] = {"select 1", NULL};
        split_case_n("select 1; select 2", 9, w);
    }

    /* Many statements: offsets stay exact. */
    size_t n = 2000, cap = n * 32;
    char *big = malloc(cap);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += (size_t)snprintf(big + len, cap - len, "select %zu; ", i);
    rq_stmt_list l;
    rq_error err;
    CHECK(rq_sql_split(big, len, &l, &err) == RQ_OK && l.n == n);
    int ok = 1;
    for (size_t i = 0; ok && i < l.n; i++) {
        char want[32];
        snprintf(want, sizeof want, "select %zu", i);
        ok = l.items[i].len == strlen(want) && memcmp(big + l.items[i].off, want, l.items[i].len) == 0;
    }
    CHECK(ok);
    rq_stmt_list_free(&l);
    rq_stmt_list_free(&l); /* idempotent */
    rq_stmt_list_free(NULL);
    free(big);
}

/* ---- classification and tags ---- */

typedef struct tag_case {
    const char *sql;
    rq_cmd_kind kind;
    int64_t rows;
    int has_rs;
    const char *tag;
} tag_case;

static const tag_case k_cases[] = {
    /* queries */
    {"select 1", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"SeLeCt * FROM t", RQ_CMD_SELECT, 5, 1, "SELECT 5"},
    {"select 1 from t where false", RQ_CMD_SELECT, 0, 1, "SELECT 0"},
    {"  /* hint */ select 1", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"-- c\nselect 1", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"/* a /* nested */ b */select 1", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"select'x'", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"select 1;", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"(select 1)", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"( (select 1) union (select 2))", RQ_CMD_SELECT, 2, 1, "SELECT 2"},
    {"select 1 into tsi", RQ_CMD_SELECT, 1, 0, "SELECT 1"},
    {"select * from t for update", RQ_CMD_SELECT, 2, 1, "SELECT 2"},
    {"table t", RQ_CMD_SELECT, 2, 1, "SELECT 2"},
    {"values (1),(2)", RQ_CMD_VALUES, 2, 1, "SELECT 2"},
    {"(values (1))", RQ_CMD_VALUES, 1, 1, "SELECT 1"},
    {"with x as (select 1) select * from x", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"WITH RECURSIVE x(n) AS (select 1 union all select n+1 from x where n<3) "
     "SEARCH DEPTH FIRST BY n SET ord select * from x",
     RQ_CMD_SELECT, 3, 1, "SELECT 3"},
    {"with recursive x(n) as (select 1 union all select n+1 from x where n<3) "
     "cycle n set is_cycle using path select * from x",
     RQ_CMD_SELECT, 3, 1, "SELECT 3"},
    {"with insert as (select 1) select * from insert", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"with update as (select 1) table update", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"with x as (select 1) (select * from x)", RQ_CMD_SELECT, 1, 1, "SELECT 1"},
    {"with x as (select ';'), y as materialized (select 2), z as not materialized (select 3) "
     "values (1)",
     RQ_CMD_VALUES, 1, 1, "SELECT 1"},
    {"with x as (select ')' as \"(\") insert into t select 1 from x", RQ_CMD_INSERT, 1, 0,
     "INSERT 0 1"},
    {"with x as (select 1) insert into t select * from x returning a", RQ_CMD_INSERT, 1, 1,
     "INSERT 0 1"},
    {"with x as (select 1) update t set a=a", RQ_CMD_UPDATE, 4, 0, "UPDATE 4"},
    {"with x as (select 1) delete from t", RQ_CMD_DELETE, 0, 0, "DELETE 0"},
    {"with x as (select 1)", RQ_CMD_WITH, 0, 0, "SELECT 0"},
    {"with x as (select 'unterminated", RQ_CMD_WITH, 0, 0, "SELECT 0"},
    {"with x as (select 1) explain select 1", RQ_CMD_WITH, 2, 1, "SELECT 2"},
    /* DML */
    {"insert into t values (1),(2)", RQ_CMD_INSERT, 2, 0, "INSERT 0 2"},
    {"INSERT INTO t SELECT 1 RETURNING a", RQ_CMD_INSERT, 1, 1, "INSERT 0 1"},
    {"update t set a = 1", RQ_CMD_UPDATE, 3, 0, "UPDATE 3"},
    {"update t set a = 1 returning a", RQ_CMD_UPDATE, 3, 1, "UPDATE 3"},
    {"delete from t", RQ_CMD_DELETE, 0, 0, "DELETE 0"},
    {"merge into t using s on t.a=s.a when matched then do nothing", RQ_CMD_MERGE, 0, 0,
     "MERGE 0"},
    {"copy t to stdout", RQ_CMD_COPY, 7, 0, "COPY 7"},
    {"copy t from stdin", RQ_CMD_COPY, 10, 0, "COPY 10"},
    {"fetch 1 from c", RQ_CMD_FETCH, 1, 1, "FETCH 1"},
    {"move 1 in c", RQ_CMD_MOVE, 1, 0, "MOVE 1"},
    /* SHOW / EXPLAIN / CALL keep their tag with a result set */
    {"show timezone", RQ_CMD_SHOW, 1, 1, "SHOW"},
    {"SHOW ALL", RQ_CMD_SHOW, 300, 1, "SHOW"},
    {"explain select 1", RQ_CMD_OTHER, 1, 1, "EXPLAIN"},
    {"explain analyze insert into t values (1)", RQ_CMD_OTHER, 5, 1, "EXPLAIN"},
    {"call pr()", RQ_CMD_OTHER, 0, 0, "CALL"},
    /* transactions */
    {"begin", RQ_CMD_BEGIN, 0, 0, "BEGIN"},
    {"BEGIN ISOLATION LEVEL SERIALIZABLE", RQ_CMD_BEGIN, 0, 0, "BEGIN"},
    {"start transaction read only", RQ_CMD_BEGIN, 0, 0, "START TRANSACTION"},
    {"commit", RQ_CMD_COMMIT, 0, 0, "COMMIT"},
    {"commit and chain", RQ_CMD_COMMIT, 0, 0, "COMMIT"},
    {"end", RQ_CMD_COMMIT, 0, 0, "COMMIT"},
    {"end transaction", RQ_CMD_COMMIT, 0, 0, "COMMIT"},
    {"rollback", RQ_CMD_ROLLBACK, 0, 0, "ROLLBACK"},
    {"ROLLBACK TRANSACTION", RQ_CMD_ROLLBACK, 0, 0, "ROLLBACK"},
    {"abort", RQ_CMD_ROLLBACK, 0, 0, "ROLLBACK"},
    {"rollback to savepoint s", RQ_CMD_OTHER, 0, 0, "ROLLBACK"},
    {"rollback work to s", RQ_CMD_OTHER, 0, 0, "ROLLBACK"},
    {"commit prepared 'x'", RQ_CMD_OTHER, 0, 0, "COMMIT PREPARED"},
    {"rollback prepared 'x'", RQ_CMD_OTHER, 0, 0, "ROLLBACK PREPARED"},
    {"prepare transaction 'x'", RQ_CMD_COMMIT, 0, 0, "PREPARE TRANSACTION"},
    {"savepoint s", RQ_CMD_OTHER, 0, 0, "SAVEPOINT"},
    {"release s", RQ_CMD_OTHER, 0, 0, "RELEASE"},
    /* SET / RESET */
    {"set timezone='UTC'", RQ_CMD_SET, 0, 0, "SET"},
    {"SET LOCAL work_mem = '1MB'", RQ_CMD_SET, 0, 0, "SET"},
    {"set time zone 'UTC'", RQ_CMD_SET, 0, 0, "SET"},
    {"set transaction isolation level serializable", RQ_CMD_SET, 0, 0, "SET"},
    {"set constraints all deferred", RQ_CMD_SET, 0, 0, "SET CONSTRAINTS"},
    {"reset all", RQ_CMD_OTHER, 0, 0, "RESET"},
    /* DDL */
    {"create table t(a int)", RQ_CMD_OTHER, 0, 0, "CREATE TABLE"},
    {"create table t2 as select 1", RQ_CMD_OTHER, 1, 0, "SELECT 1"},
    {"create table t3 as select 1 with no data", RQ_CMD_OTHER, 0, 0, "CREATE TABLE AS"},
    {"create table if not exists t5 as select 1", RQ_CMD_OTHER, 1, 0, "SELECT 1"},
    {"create table t6 (a) as values (1)", RQ_CMD_OTHER, 1, 0, "SELECT 1"},
    {"create table tq as with x as (select 1 a) select * from x", RQ_CMD_OTHER, 1, 0, "SELECT 1"},
    {"create table t7 as execute p2", RQ_CMD_OTHER, 1, 0, "SELECT 1"},
    {"create or replace table t as select 1", RQ_CMD_OTHER, 1, 0, "SELECT 1"},
    {"create temp table tt(a int)", RQ_CMD_OTHER, 0, 0, "CREATE TABLE"},
    {"create global temporary table gt(a int)", RQ_CMD_OTHER, 0, 0, "CREATE TABLE"},
    {"create unlogged table ut(a int)", RQ_CMD_OTHER, 0, 0, "CREATE TABLE"},
    {"create table tg (a int generated always as (1) stored)", RQ_CMD_OTHER, 0, 0,
     "CREATE TABLE"},
    {"create table td (a text default 'x;y as z')", RQ_CMD_OTHER, 0, 0, "CREATE TABLE"},
    {"create table tp1 partition of tp for values in (1)", RQ_CMD_OTHER, 0, 0, "CREATE TABLE"},
    {"create materialized view mv as select 1", RQ_CMD_OTHER, 1, 0, "SELECT 1"},
    {"create materialized view mv2 as select 1 with no data", RQ_CMD_OTHER, 0, 0,
     "CREATE MATERIALIZED VIEW"},
    {"create unique index i on t(a)", RQ_CMD_OTHER, 0, 0, "CREATE INDEX"},
    {"create index concurrently i2 on t(a)", RQ_CMD_OTHER, 0, 0, "CREATE INDEX"},
    {"drop index concurrently i2", RQ_CMD_OTHER, 0, 0, "DROP INDEX"},
    {"create or replace view v as select 1", RQ_CMD_OTHER, 0, 0, "CREATE VIEW"},
    {"create temporary view tv as select 1", RQ_CMD_OTHER, 0, 0, "CREATE VIEW"},
    {"create recursive view rv(n) as select 1", RQ_CMD_OTHER, 0, 0, "CREATE VIEW"},
    {"create or replace function f() returns int language sql begin atomic select 1; end",
     RQ_CMD_OTHER, 0, 0, "CREATE FUNCTION"},
    {"create procedure pr() language sql as $$ select 1 $$", RQ_CMD_OTHER, 0, 0,
     "CREATE PROCEDURE"},
    {"create trusted language plpgsql2 handler h", RQ_CMD_OTHER, 0, 0, "CREATE LANGUAGE"},
    {"create temp sequence sq2", RQ_CMD_OTHER, 0, 0, "CREATE SEQUENCE"},
    {"create schema sc2 create table x1 (a int)", RQ_CMD_OTHER, 0, 0, "CREATE SCHEMA"},
    {"create user u1", RQ_CMD_OTHER, 0, 0, "CREATE ROLE"},
    {"create group g1", RQ_CMD_OTHER, 0, 0, "CREATE ROLE"},
    {"alter user u1 with password 'x'", RQ_CMD_OTHER, 0, 0, "ALTER ROLE"},
    {"alter group g1 add user u1", RQ_CMD_OTHER, 0, 0, "ALTER ROLE"},
    {"drop user u1", RQ_CMD_OTHER, 0, 0, "DROP ROLE"},
    {"create user mapping for postgres server sv", RQ_CMD_OTHER, 0, 0, "CREATE USER MAPPING"},
    {"create foreign data wrapper fdw", RQ_CMD_OTHER, 0, 0, "CREATE FOREIGN DATA WRAPPER"},
    {"create foreign table ft (a int) server sv", RQ_CMD_OTHER, 0, 0, "CREATE FOREIGN TABLE"},
    {"create text search configuration ts (copy = english)", RQ_CMD_OTHER, 0, 0,
     "CREATE TEXT SEARCH CONFIGURATION"},
    {"alter text search dictionary d (x = 1)", RQ_CMD_OTHER, 0, 0,
     "ALTER TEXT SEARCH DICTIONARY"},
    {"create operator class oc for type int using btree as operator 1 <", RQ_CMD_OTHER, 0, 0,
     "CREATE OPERATOR CLASS"},
    {"create operator === (leftarg = int, rightarg = int, function = int4eq)", RQ_CMD_OTHER, 0,
     0, "CREATE OPERATOR"},
    {"create default conversion cv for 'LATIN1' to 'UTF8' from f", RQ_CMD_OTHER, 0, 0,
     "CREATE CONVERSION"},
    {"create constraint trigger ctr after insert on t for each row execute function f()",
     RQ_CMD_OTHER, 0, 0, "CREATE TRIGGER"},
    {"create or replace trigger t2 after insert on t for each row execute function f()",
     RQ_CMD_OTHER, 0, 0, "CREATE TRIGGER"},
    {"create event trigger et on ddl_command_start execute function f()", RQ_CMD_OTHER, 0, 0,
     "CREATE EVENT TRIGGER"},
    {"create access method am type table handler h", RQ_CMD_OTHER, 0, 0,
     "CREATE ACCESS METHOD"},
    {"alter default privileges grant select on tables to public", RQ_CMD_OTHER, 0, 0,
     "ALTER DEFAULT PRIVILEGES"},
    {"alter system set work_mem = '4MB'", RQ_CMD_OTHER, 0, 0, "ALTER SYSTEM"},
    {"alter table t add column b int", RQ_CMD_OTHER, 0, 0, "ALTER TABLE"},
    {"alter large object 42 owner to postgres", RQ_CMD_OTHER, 0, 0, "ALTER LARGE OBJECT"},
    {"alter routine f() immutable", RQ_CMD_OTHER, 0, 0, "ALTER ROUTINE"},
    {"drop table if exists t2, t3", RQ_CMD_OTHER, 0, 0, "DROP TABLE"},
    {"DROP VIEW v", RQ_CMD_OTHER, 0, 0, "DROP VIEW"},
    {"drop materialized view mv", RQ_CMD_OTHER, 0, 0, "DROP MATERIALIZED VIEW"},
    {"drop owned by u1", RQ_CMD_OTHER, 0, 0, "DROP OWNED"},
    {"drop event trigger et", RQ_CMD_OTHER, 0, 0, "DROP EVENT TRIGGER"},
    {"create macro m(a) as a + 1", RQ_CMD_OTHER, 0, 0, "CREATE"}, /* not PostgreSQL */
    /* GRANT / REVOKE */
    {"grant g1 to u1", RQ_CMD_OTHER, 0, 0, "GRANT ROLE"},
    {"grant select on t to u1", RQ_CMD_OTHER, 0, 0, "GRANT"},
    {"grant select (a, b) on t to u1", RQ_CMD_OTHER, 0, 0, "GRANT"},
    {"revoke g1 from u1", RQ_CMD_OTHER, 0, 0, "REVOKE ROLE"},
    {"revoke select on t from u1", RQ_CMD_OTHER, 0, 0, "REVOKE"},
    {"revoke grant option for select on t from u1", RQ_CMD_OTHER, 0, 0, "REVOKE"},
    {"revoke admin option for g1 from u1", RQ_CMD_OTHER, 0, 0, "REVOKE ROLE"},
    /* other utility commands */
    {"declare c cursor for select 1", RQ_CMD_OTHER, 0, 0, "DECLARE CURSOR"},
    {"close c", RQ_CMD_OTHER, 0, 0, "CLOSE CURSOR"},
    {"close all", RQ_CMD_OTHER, 0, 0, "CLOSE CURSOR ALL"},
    {"discard all", RQ_CMD_OTHER, 0, 0, "DISCARD ALL"},
    {"discard temporary", RQ_CMD_OTHER, 0, 0, "DISCARD TEMP"},
    {"discard temp", RQ_CMD_OTHER, 0, 0, "DISCARD TEMP"},
    {"discard plans", RQ_CMD_OTHER, 0, 0, "DISCARD PLANS"},
    {"discard sequences", RQ_CMD_OTHER, 0, 0, "DISCARD SEQUENCES"},
    {"deallocate p", RQ_CMD_OTHER, 0, 0, "DEALLOCATE"},
    {"deallocate all", RQ_CMD_OTHER, 0, 0, "DEALLOCATE ALL"},
    {"deallocate prepare all", RQ_CMD_OTHER, 0, 0, "DEALLOCATE ALL"},
    {"prepare p as select 1", RQ_CMD_OTHER, 0, 0, "PREPARE"},
    {"execute p", RQ_CMD_OTHER, 1, 1, "SELECT 1"},
    {"execute p", RQ_CMD_OTHER, 0, 0, "EXECUTE"},
    {"truncate t", RQ_CMD_OTHER, 0, 0, "TRUNCATE TABLE"},
    {"lock table t", RQ_CMD_OTHER, 0, 0, "LOCK TABLE"},
    {"analyse t", RQ_CMD_OTHER, 0, 0, "ANALYZE"},
    {"vacuum t", RQ_CMD_OTHER, 0, 0, "VACUUM"},
    {"cluster", RQ_CMD_OTHER, 0, 0, "CLUSTER"},
    {"reindex table t", RQ_CMD_OTHER, 0, 0, "REINDEX"},
    {"checkpoint", RQ_CMD_OTHER, 0, 0, "CHECKPOINT"},
    {"listen ch", RQ_CMD_OTHER, 0, 0, "LISTEN"},
    {"notify ch", RQ_CMD_OTHER, 0, 0, "NOTIFY"},
    {"unlisten *", RQ_CMD_OTHER, 0, 0, "UNLISTEN"},
    {"load 'plpgsql'", RQ_CMD_OTHER, 0, 0, "LOAD"},
    {"comment on table t is 'x'", RQ_CMD_OTHER, 0, 0, "COMMENT"},
    {"do $$ begin end $$", RQ_CMD_OTHER, 0, 0, "DO"},
    {"security label on table t is 'x'", RQ_CMD_OTHER, 0, 0, "SECURITY LABEL"},
    {"reassign owned by a to b", RQ_CMD_OTHER, 0, 0, "REASSIGN OWNED"},
    {"refresh materialized view mv", RQ_CMD_OTHER, 0, 0, "REFRESH MATERIALIZED VIEW"},
    {"import foreign schema x from server sv into public", RQ_CMD_OTHER, 0, 0,
     "IMPORT FOREIGN SCHEMA"},
    /* comments, quoting, strange input */
    {"/* select */ insert into t values (1)", RQ_CMD_INSERT, 1, 0, "INSERT 0 1"},
    {"-- select\ninsert into t values (1)", RQ_CMD_INSERT, 1, 0, "INSERT 0 1"},
    {"/* \xc3\xa9 */ update t set a = '\xc3\xbc'", RQ_CMD_UPDATE, 2, 0, "UPDATE 2"},
    {"/* c */ select 'abc", RQ_CMD_SELECT, 0, 0, "SELECT 0"},
    {"\"select\" 1", RQ_CMD_OTHER, 0, 0, "???"},
    {"E'abc'", RQ_CMD_OTHER, 0, 0, "???"},
    {"42", RQ_CMD_OTHER, 0, 0, "???"},
    {"selectx 1", RQ_CMD_OTHER, 0, 0, "SELECTX"},
    {"start", RQ_CMD_OTHER, 0, 0, "START"},
    {"attach 'x.db'", RQ_CMD_OTHER, 0, 0, "ATTACH"},
    {"describe t", RQ_CMD_OTHER, 3, 1, "SELECT 3"},
    {"pragma version", RQ_CMD_OTHER, 1, 1, "SELECT 1"},
    {"", RQ_CMD_EMPTY, 0, 0, ""},
    {"  -- x\n /* y */ ", RQ_CMD_EMPTY, 0, 0, ""},
    {"select 1", RQ_CMD_SELECT, -5, 1, "SELECT 0"},
    {"insert into t values (1)", RQ_CMD_INSERT, INT64_MAX, 0, "INSERT 0 9223372036854775807"},
};

static void test_tags(void) {
    for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
        const tag_case *c = &k_cases[i];
        size_t len = strlen(c->sql);
        rq_cmd_kind k = rq_sql_classify(c->sql, len);
        char tag[RQ_SQL_TAG_CAP];
        int n = rq_sql_command_tag(c->sql, len, c->rows, c->has_rs, tag, sizeof tag);
        int ok = k == c->kind && n >= 0 && (size_t)n == strlen(c->tag) && strcmp(tag, c->tag) == 0;
        if (!ok)
            fprintf(stderr, "FAIL [%s]: kind %d (want %d), tag [%s] (want [%s]) n=%d\n", c->sql,
                    (int)k, (int)c->kind, tag, c->tag, n);
        CHECK(ok);
    }
}

static void test_tag_edges(void) {
    char buf[RQ_SQL_TAG_CAP];
    CHECK(rq_sql_command_tag("select 1", 8, 1, 1, buf, 4) == RQ_ERR && strcmp(buf, "SEL") == 0);
    CHECK(rq_sql_command_tag("select 1", 8, 1, 1, buf, 0) == RQ_ERR);
    CHECK(rq_sql_command_tag("select 1", 8, 12, 1, buf, 10) == 9 && strcmp(buf, "SELECT 12") == 0);
    /* Unknown words are capped at 32 bytes. */
    const char *lw = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop x";
    CHECK(rq_sql_command_tag(lw, strlen(lw), 0, 0, buf, sizeof buf) == 32 &&
          strcmp(buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF") == 0);
    /* ... without cutting a UTF-8 character in half. */
    const char *mw = "abcdefghijklmnopqrstuvwxyzabcde\xc3\xa9xyz";
    CHECK(rq_sql_command_tag(mw, strlen(mw), 0, 0, buf, sizeof buf) == 31);
    /* Classification of a range inside a larger text (explicit length). */
    const char *two = "update t set a=1; select 1";
    CHECK(rq_sql_classify(two, 16) == RQ_CMD_UPDATE);
    CHECK(rq_sql_classify(two + 18, strlen(two + 18)) == RQ_CMD_SELECT);
    /* A NUL ends the statement. */
    CHECK(rq_sql_classify("\0select 1", 9) == RQ_CMD_EMPTY);
}

static double now_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Big statements: only the leading keywords are scanned. */
static void test_big(void) {
    size_t n = 10u * 1024 * 1024;
    char *s = malloc(n + 64);
    size_t len = (size_t)sprintf(s, "/* app */ insert into t values ");
    while (len + 16 < n) len += (size_t)sprintf(s + len, "('a;b''c'),");
    s[len - 1] = '\0';
    len--;
    double t0 = now_sec();
    CHECK(rq_sql_classify(s, len) == RQ_CMD_INSERT);
    char tag[RQ_SQL_TAG_CAP];
    CHECK(rq_sql_command_tag(s, len, 3, 0, tag, sizeof tag) > 0 && strcmp(tag, "INSERT 0 3") == 0);
    double t1 = now_sec();
    CHECK(t1 - t0 < 0.05);
    if (getenv("RQ_TEST_VERBOSE")) fprintf(stderr, "10 MB insert classify+tag: %.3f ms\n", (t1 - t0) * 1e3);

    /* CTAS ... WITH NO DATA needs the whole text: still correct. */
    len = (size_t)sprintf(s, "/* app */ create table x as select ");
    while (len + 32 < n) len += (size_t)sprintf(s + len, "'a;b' as c%zu, ", len);
    len += (size_t)sprintf(s + len, "1 with no data");
    t0 = now_sec();
    CHECK(rq_sql_command_tag(s, len, 0, 0, tag, sizeof tag) > 0 &&
          strcmp(tag, "CREATE TABLE AS") == 0);
    t1 = now_sec();
    if (getenv("RQ_TEST_VERBOSE")) fprintf(stderr, "10 MB CTAS tag: %.3f ms\n", (t1 - t0) * 1e3);

    /* One huge statement with ';' inside strings. */
    rq_stmt_list l;
    rq_error err;
    t0 = now_sec();
    CHECK(rq_sql_split(s, len, &l, &err) == RQ_OK && l.n == 1 && l.items[0].len == len);
    t1 = now_sec();
    rq_stmt_list_free(&l);
    if (getenv("RQ_TEST_VERBOSE")) fprintf(stderr, "10 MB single-statement split: %.3f ms\n", (t1 - t0) * 1e3);

    /* Without WITH NO DATA the end need not be scanned. */
    len -= strlen("1 with no data");
    len += (size_t)sprintf(s + len, "1 from t");
    t0 = now_sec();
    CHECK(rq_sql_command_tag(s, len, 9, 0, tag, sizeof tag) > 0 && strcmp(tag, "SELECT 9") == 0);
    t1 = now_sec();
    CHECK(t1 - t0 < 0.05);
    if (getenv("RQ_TEST_VERBOSE")) fprintf(stderr, "10 MB CTAS tag (no NO DATA): %.3f ms\n", (t1 - t0) * 1e3);

    /* A 10 MB script of many statements. */
    len = 0;
    size_t count = 0;
    while (len + 64 < n) {
        len += (size_t)sprintf(s + len, "insert into t values (%zu, 'a;b');\n", count);
        count++;
    }
    t0 = now_sec();
    CHECK(rq_sql_split(s, len, &l, &err) == RQ_OK && l.n == count);
    t1 = now_sec();
    CHECK(l.n > 0 && memcmp(s + l.items[l.n - 1].off, "insert", 6) == 0 &&
          s[l.items[l.n - 1].off + l.items[l.n - 1].len - 1] == ')');
    rq_stmt_list_free(&l);
    if (getenv("RQ_TEST_VERBOSE"))
        fprintf(stderr, "10 MB script, %zu statements, split: %.3f ms\n", count, (t1 - t0) * 1e3);
    free(s);
}

/* The QPS hot path: split + classify + tag of "select 1". */
static void bench_small(void) {
    const char *q = "select 1";
    int iters = 200000;
    double t0 = now_sec();
    size_t sink = 0;
    for (int i = 0; i < iters; i++) {
        rq_stmt_list l;
        rq_error err;
        char tag[RQ_SQL_TAG_CAP];
        rq_sql_split(q, 8, &l, &err);
        sink += (size_t)rq_sql_classify(q + l.items[0].off, l.items[0].len);
        sink += (size_t)rq_sql_command_tag(q, 8, 1, 1, tag, sizeof tag);
        rq_stmt_list_free(&l);
    }
    double per = (now_sec() - t0) / iters * 1e9;
    CHECK(sink > 0);
    CHECK(per < 5000); /* generous: typically well under a microsecond */
    if (getenv("RQ_TEST_VERBOSE")) fprintf(stderr, "select 1 split+classify+tag: %.0f ns\n", per);

    const char *q2 = "select 1; select 2";
    iters = 20000;
    t0 = now_sec();
    for (int i = 0; i < iters; i++) {
        rq_stmt_list l;
        rq_error err;
        rq_sql_split(q2, strlen(q2), &l, &err);
        sink += l.n;
        rq_stmt_list_free(&l);
    }
    per = (now_sec() - t0) / iters * 1e9;
    if (getenv("RQ_TEST_VERBOSE")) fprintf(stderr, "2-statement split (scanner): %.0f ns\n", per);
}

/* libpg_query keeps per-thread state: run the same work on 4 threads. */
static void *thread_main(void *arg) {
    (void)arg;
    long bad = 0;
    for (int i = 0; i < 2000; i++) {
        const char *q = "/* x */ with a as (select ';') insert into t select 1; select 'y'; ;";
        rq_stmt_list l;
        rq_error err;
        char tag[RQ_SQL_TAG_CAP];
        if (rq_sql_split(q, strlen(q), &l, &err) != RQ_OK || l.n != 2) bad++;
        else if (rq_sql_classify(q + l.items[0].off, l.items[0].len) != RQ_CMD_INSERT) bad++;
        else if (rq_sql_command_tag(q + l.items[1].off, l.items[1].len, 1, 1, tag, sizeof tag) < 0 ||
                 strcmp(tag, "SELECT 1") != 0)
            bad++;
        rq_stmt_list_free(&l);
    }
    return (void *)bad;
}

static void test_threads(void) {
    pthread_t th[4];
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, thread_main, NULL);
    long bad = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    CHECK(bad == 0);
}

/* ---- parameter types from casts ---- */

static void param_case(const char *sql, int n, const uint32_t *want) {
    uint32_t got[16] = {0};
    CHECK(rq_sql_param_types(sql, strlen(sql), n, got) == RQ_OK);
    int ok = 1;
    for (int i = 0; i < n; i++) ok &= got[i] == want[i];
    if (!ok) fprintf(stderr, "FAIL param types of [%s]\n", sql);
    CHECK(ok);
}

static void test_param_types(void) {
    param_case("select $1::int8, $2::text", 2, (const uint32_t[]){20, 25});
    param_case("select $1::pg_catalog.timestamptz, $2::text[], $3::double precision", 3,
               (const uint32_t[]){1184, 1009, 701});
    param_case("select CAST($1 AS numeric(10,2)), $2::varchar(5), $3::timestamp with time zone", 3,
               (const uint32_t[]){1700, 1043, 1184});
    /* not parameters: inside a string, a comment, a dollar quote */
    param_case("select '$1::int', $$ $2::int $$ -- $3::int\n", 3, (const uint32_t[]){0, 0, 0});
    /* unknown type names and bare parameters stay open */
    param_case("select $1::mytype, $2", 2, (const uint32_t[]){0, 0});
    param_case("select $1::int4, $1::int8", 1, (const uint32_t[]){23});
    /* already-declared types are kept */
    uint32_t got[2] = {21, 0};
    CHECK(rq_sql_param_types("select $1::int8, $2::uuid", 25, 2, got) == RQ_OK);
    CHECK(got[0] == 21 && got[1] == 2950);
}

/* Type names as the parameter-types hook may give them (same reader as casts). */
static void test_type_oid(void) {
    static const struct { const char *name; uint32_t oid; } cases[] = {
        {"int8", 20}, {"bigint", 20}, {"INT4", 23}, {"integer", 23}, {"numeric", 1700},
        {"numeric(10,2)", 1700}, {"text[]", 1009}, {"pg_catalog.timestamptz", 1184},
        {"timestamp with time zone", 1184}, {"double precision", 701}, {"uuid", 2950},
        {"varchar(5)", 1043}, {"bool", 16}, {"jsonb", 3802},
        /* unknown, empty, or followed by something else */
        {"mytype", 0}, {"", 0}, {"int8 junk", 0}, {"int8;", 0}, {"'int8'", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t got = rq_sql_type_oid(cases[i].name);
        if (got != cases[i].oid) {
            fprintf(stderr, "rq_sql_type_oid(\"%s\") = %u, want %u\n", cases[i].name, got,
                    cases[i].oid);
            g_fail++;
        } else {
            g_pass++;
        }
    }
}

int main(void) {
    test_type_oid();
    test_split();
    test_threads();
    test_tags();
    test_tag_edges();
    test_big();
    test_param_types();
    bench_small();
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
