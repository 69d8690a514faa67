"""riffq.pgcatalog.functions (rq_fn macros) and infoschema (rq_is views)
compared with a real PostgreSQL 15.

The DuckDB side gets its rq_pg tables straight from the reference server's
pg_catalog (``load_catalog_from_pg``), converted the way the design
(docs/catalog.md) stores them: oids as BIGINT, vectors as BIGINT[],
expression trees (pg_node_tree) as their deparsed text. So every function
is checked against PostgreSQL on exactly the same catalog rows, including
user objects (tables with constraints, indexes, views, types, comments)
created in a scratch database of the reference server.
"""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import pytest

duckdb = pytest.importorskip("duckdb")
psycopg = pytest.importorskip("psycopg")

from riffq.pgcatalog import derived, schema  # noqa: E402
from riffq.pgcatalog.functions import (  # noqa: E402
    FUNCTION_NAMES, install_functions, split_error)
from riffq.pgcatalog.infoschema import (  # noqa: E402
    INFORMATION_SCHEMA_VIEWS, install_information_schema)

TEST_DB = "rq_fnis_test"

# User objects of the scratch database: every catalog-deparsing function is
# compared on them as well as on the built-in rows.
SETUP_SQL = r"""
CREATE SCHEMA s1;
CREATE SCHEMA "Weird Schema";
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TYPE s1.pair AS (x integer, y text);
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN s1.short_text AS varchar(10) DEFAULT 'x' NOT NULL;
CREATE TABLE parent (a integer, b integer, u text UNIQUE, PRIMARY KEY (a, b));
CREATE TABLE child (
    id bigserial PRIMARY KEY,
    pa integer, pb integer,
    note text CHECK (length(note) < 100),
    price numeric(10,2) DEFAULT 0.5,
    created timestamp(3) with time zone DEFAULT now(),
    bits bit varying(8), fixed bit(3), ch char(5), vc varchar(40) NOT NULL DEFAULT 'x',
    iv interval day to second(2), tags text[], m mood, p posint, st s1.short_text,
    "Mixed Case" integer, "select" integer UNIQUE,
    CONSTRAINT child_parent_fk FOREIGN KEY (pa, pb) REFERENCES parent (a, b)
        ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT child_pos CHECK (id > 0 AND pa IS NOT NULL) NO INHERIT,
    CONSTRAINT child_excl UNIQUE (pa, note) DEFERRABLE
);
ALTER TABLE child ADD CONSTRAINT child_nv CHECK (pb <> 3) NOT VALID;
ALTER TABLE child ADD CONSTRAINT child_u_fk FOREIGN KEY (note) REFERENCES parent (u)
    MATCH FULL ON DELETE SET DEFAULT;
CREATE INDEX child_note_idx ON child (note DESC NULLS LAST, id);
CREATE UNIQUE INDEX child_lower_idx ON child (lower(note), (pa + pb)) WHERE id > 10;
CREATE INDEX child_hash_idx ON child USING hash (note);
CREATE INDEX child_pattern_idx ON child (vc varchar_pattern_ops) INCLUDE (pa);
CREATE INDEX child_coll_idx ON child (note COLLATE "C" ASC NULLS FIRST);
CREATE TABLE s1.t3 (k integer PRIMARY KEY, pr s1.pair, m mood[], "Weird" text);
CREATE TABLE "Weird Schema"."Odd Table" (x integer REFERENCES s1.t3 (k));
CREATE VIEW v1 AS SELECT id, note FROM child WHERE id > 1;
CREATE VIEW s1.v2 AS SELECT k, count(*) AS n FROM s1.t3 GROUP BY k;
CREATE SEQUENCE s1.seq1 START 5 INCREMENT 2;
CREATE FUNCTION addx(a integer, b integer DEFAULT 2) RETURNS integer
    LANGUAGE sql AS 'select a + b';
CREATE FUNCTION s1.setf(INOUT x integer, OUT y text, VARIADIC z text[]) RETURNS SETOF record
    LANGUAGE sql AS 'select 1, ''a''';
CREATE FUNCTION s1.tf(p integer) RETURNS TABLE (a integer, "B" text)
    LANGUAGE sql AS 'select 1, ''x''';
CREATE STATISTICS s1.st1 ON pa, pb FROM child;
COMMENT ON TABLE child IS 'child table';
COMMENT ON COLUMN child.note IS 'a note';
COMMENT ON SCHEMA s1 IS 'schema one';
COMMENT ON FUNCTION addx(integer, integer) IS 'adds';
COMMENT ON DATABASE rq_fnis_test IS 'scratch db';
"""

# pg_node_tree columns: stored as the deparsed text (design contract).
NODE_TREE_SQL = {
    ("pg_attrdef", "adbin"): "pg_get_expr(adbin, adrelid)",
    ("pg_constraint", "conbin"): "pg_get_expr(conbin, conrelid)",
    ("pg_index", "indpred"): "pg_get_expr(indpred, indrelid)",
    ("pg_index", "indexprs"):
        # pg_get_indexdef(oid, k) writes non-function expressions in parentheses
        "(SELECT json_agg(CASE WHEN d LIKE '(%%' THEN substr(d, 2, length(d) - 2) ELSE d END"
        " ORDER BY k)::text FROM (SELECT k, pg_get_indexdef(indexrelid, k, false) AS d"
        " FROM generate_series(1, indnatts) k WHERE indkey[k - 1] = 0) e)",
    ("pg_rewrite", "ev_action"):
        "CASE WHEN rulename = '_RETURN' THEN pg_get_viewdef(ev_class) END",
    ("pg_proc", "proargdefaults"):
        "(SELECT json_agg(pg_get_function_arg_default(oid, k) ORDER BY k)::text"
        " FROM generate_series(1, pronargs) k"
        " WHERE pg_get_function_arg_default(oid, k) IS NOT NULL)",
    ("pg_class", "relpartbound"): "pg_get_expr(relpartbound, oid)",
    ("pg_type", "typdefaultbin"): "pg_get_expr(typdefaultbin, 0)",
    ("pg_proc", "prosqlbody"): "pg_get_function_sqlbody(oid)",
}

PG_TO_DUCK: Dict[str, Tuple[str, str]] = {
    # PostgreSQL type: (DuckDB type, SQL that converts column {c} on the PG side)
    "oid": ("BIGINT", "{c}::int8"), "regproc": ("BIGINT", "{c}::oid::int8"),
    "regtype": ("BIGINT", "{c}::oid::int8"), "regclass": ("BIGINT", "{c}::oid::int8"),
    "xid": ("BIGINT", "{c}::text::int8"), "cid": ("BIGINT", "{c}::text::int8"),
    "xid8": ("BIGINT", "{c}::text::int8"),
    "smallint": ("SMALLINT", "{c}"), "integer": ("INTEGER", "{c}"), "bigint": ("BIGINT", "{c}"),
    "real": ("REAL", "{c}"), "double precision": ("DOUBLE", "{c}"), "boolean": ("BOOLEAN", "{c}"),
    "numeric": ("DOUBLE", "{c}::float8"),
    "timestamp with time zone": ("TIMESTAMPTZ", "{c}"), "interval": ("INTERVAL", "{c}::text"),
    "bytea": ("BLOB", "encode({c}, 'hex')"),
    "int2vector": ("BIGINT[]", "string_to_array({c}::text, ' ')::int8[]"),
    "oidvector": ("BIGINT[]", "string_to_array({c}::text, ' ')::int8[]"),
    "oid[]": ("BIGINT[]", "{c}::int8[]"), "smallint[]": ("BIGINT[]", "{c}::int8[]"),
    "integer[]": ("BIGINT[]", "{c}::int8[]"), "regtype[]": ("BIGINT[]", "{c}::oid[]::int8[]"),
    "text[]": ("VARCHAR[]", "{c}::text[]"), "name[]": ("VARCHAR[]", "{c}::text[]"),
    "aclitem[]": ("VARCHAR[]", "{c}::text[]"), '"char"[]': ("VARCHAR[]", "{c}::text[]"),
    "real[]": ("REAL[]", "{c}"), "double precision[]": ("DOUBLE[]", "{c}"),
    "boolean[]": ("BOOLEAN[]", "{c}"),
}


def _pg_rows(conn: Any, sql: str, params: Sequence[Any] = ()) -> List[Tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql, params or None)
        return cur.fetchall()


def load_catalog_from_pg(con: Any, conn: Any) -> None:
    """Create ``rq_pg.<rel>`` tables in DuckDB ``con`` holding the rows of
    every pg_catalog table and view of the PostgreSQL connection ``conn``."""
    con.execute("CREATE SCHEMA IF NOT EXISTS rq_pg")
    rels = _pg_rows(conn, "SELECT c.oid, c.relname FROM pg_class c WHERE c.relnamespace = 11"
                          " AND c.relkind IN ('r', 'v') ORDER BY 2")
    with tempfile.TemporaryDirectory() as tmp:
        for reloid, relname in rels:
            cols = _pg_rows(conn, "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute"
                                  " WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped"
                                  " ORDER BY attnum", (reloid,))
            exprs, types = [], {}
            for name, typ in cols:
                duck, conv = PG_TO_DUCK.get(typ, ("VARCHAR", "{c}::text"))
                if (relname, name) in NODE_TREE_SQL:
                    duck, conv = "VARCHAR", NODE_TREE_SQL[(relname, name)]
                exprs.append(f"{conv.format(c=name)} AS {name}")
                types[name] = duck
            data = _pg_rows(conn, f"SELECT coalesce(json_agg(t), '[]')::text FROM"
                                  f" (SELECT {', '.join(exprs)} FROM pg_catalog.{relname}) t")[0][0]
            path = os.path.join(tmp, f"{relname}.json")
            with open(path, "w") as f:
                f.write(data)
            coldefs = ", ".join(f"'{n}': '{t}'" for n, t in types.items())
            con.execute(f"CREATE TABLE rq_pg.{relname} AS SELECT * FROM read_json("
                        f"'{path}', format = 'array', columns = {{{coldefs}}})")


def set_session_from_pg(con: Any, conn: Any) -> None:
    """Set the per-connection DuckDB variables from the reference session."""
    db, user, dboid, useroid, pid = _pg_rows(
        conn, "SELECT current_database(), current_user, (SELECT oid FROM pg_database WHERE"
              " datname = current_database()), (SELECT oid FROM pg_roles WHERE rolname ="
              " current_user), pg_backend_pid()")[0]
    gucs = dict(_pg_rows(conn, "SELECT lower(name), current_setting(name) FROM pg_settings"))
    path = _pg_rows(conn, "SELECT current_schemas(true)")[0][0]
    con.execute("SET VARIABLE rq_db_name = ?", [db])
    con.execute("SET VARIABLE rq_db_oid = ?::BIGINT", [dboid])
    con.execute("SET VARIABLE rq_user = ?", [user])
    con.execute("SET VARIABLE rq_user_oid = ?::BIGINT", [useroid])
    con.execute("SET VARIABLE rq_pid = ?::INTEGER", [pid])
    con.execute("SET VARIABLE rq_search_path = ?::VARCHAR[]", [path])
    con.execute(";".join(schema.settings_variables(gucs, {})))
    # precomputed texts for this session (the catalog is loaded once per module)
    derived.use_key(con, f"test/{dboid}/{user}/" + "/".join(path))


# ---------------------------------------------------------------------------
# fixtures and comparison helpers
# ---------------------------------------------------------------------------

class Catalog:
    """The DuckDB side (``duck``) and a PostgreSQL session (``pg``) on the
    scratch database, for comparing the same query on both."""

    def __init__(self, duck: Any, pg: Any) -> None:
        self.duck = duck
        self.pg = pg

    def sync_session(self) -> None:
        set_session_from_pg(self.duck, self.pg)

    def pg_rows(self, sql: str, params: Sequence[Any] = ()) -> List[Tuple[Any, ...]]:
        return [tuple(r) for r in _pg_rows(self.pg, sql, params)]

    def duck_rows(self, sql: str, params: Sequence[Any] = ()) -> List[Tuple[Any, ...]]:
        return [tuple(r) for r in self.duck.execute(sql, list(params)).fetchall()]

    def assert_same(self, pg_sql: str, duck_sql: str) -> int:
        """Both queries return the same rows (as text, any order)."""
        pg_rows = sorted(map(_text_row, self.pg_rows(pg_sql)), key=repr)
        duck_rows = sorted(map(_text_row, self.duck_rows(duck_sql)), key=repr)
        missing = [r for r in pg_rows if r not in duck_rows]
        extra = [r for r in duck_rows if r not in pg_rows]
        assert not missing and not extra, (
            f"{len(missing)} rows only in PostgreSQL, {len(extra)} only in DuckDB;\n"
            f"PG: {missing[:5]}\nDK: {extra[:5]}")
        return len(pg_rows)

    def outcome_pg(self, sql: str, arg: Any) -> Tuple[Any, ...]:
        try:
            value = self.pg_rows(sql, (arg,))[0][0]
        except psycopg.Error as exc:
            return ("error", exc.sqlstate)
        return ("ok", _text(value))

    def outcome_duck(self, sql: str, arg: Any) -> Tuple[Any, ...]:
        try:
            value = self.duck_rows(sql, (arg,))[0][0]
        except duckdb.Error as exc:
            err = split_error(str(exc))
            assert err is not None, f"unexpected DuckDB error: {exc}"
            return ("error", err[0])
        return ("ok", _text(value))


def _text(v: Any) -> Optional[str]:
    if v is None:
        return None
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, (list, tuple)):
        return "{" + ",".join("NULL" if x is None else str(_text(x)) for x in v) + "}"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, Decimal):
        return str(v.normalize()) if v == v.to_integral() else str(v)
    return str(v)


def _text_row(row: Sequence[Any]) -> Tuple[Optional[str], ...]:
    return tuple(_text(v) for v in row)


@pytest.fixture(scope="module")
def cat(reference_pg: Any) -> Iterator[Catalog]:
    """A scratch database with SETUP_SQL on the reference server and a DuckDB
    catalog loaded from it with rq_fn and rq_is installed."""
    admin = psycopg.connect(reference_pg.dsn, autocommit=True)
    admin.execute(f"DROP DATABASE IF EXISTS {TEST_DB}")
    admin.execute(f"CREATE DATABASE {TEST_DB}")
    pg = psycopg.connect(reference_pg.dsn.replace("dbname=postgres", f"dbname={TEST_DB}"),
                         autocommit=True)
    pg.execute(SETUP_SQL)
    duck = duckdb.connect()
    load_catalog_from_pg(duck, pg)
    install_functions(duck)
    install_information_schema(duck)
    derived.fill_builtin(duck)
    catalog = Catalog(duck, pg)
    catalog.sync_session()
    try:
        yield catalog
    finally:
        duck.close()
        pg.close()
        admin.execute(f"DROP DATABASE IF EXISTS {TEST_DB}")
        admin.close()


@pytest.fixture
def default_path(cat: Catalog) -> Iterator[Catalog]:
    """The default search_path on both sides (tests may change it)."""
    cat.pg.execute("RESET search_path")
    cat.sync_session()
    yield cat
    cat.pg.execute("RESET search_path")
    cat.sync_session()


# ---------------------------------------------------------------------------
# the function library
# ---------------------------------------------------------------------------

def test_every_function_name_is_a_macro(cat: Catalog) -> None:
    have = {r[0] for r in cat.duck_rows(
        "SELECT DISTINCT function_name FROM duckdb_functions() WHERE schema_name = 'rq_fn'")}
    assert FUNCTION_NAMES <= have
    for name in ("format_type", "pg_get_expr", "pg_get_indexdef", "pg_get_constraintdef",
                 "pg_table_is_visible", "regclass_in", "regclass_out", "current_setting",
                 "has_table_privilege", "pg_size_pretty", "quote_ident", "pg_get_keywords"):
        assert name in FUNCTION_NAMES


def test_split_error() -> None:
    msg = 'Invalid Input Error: RQERR:42704:unrecognized configuration parameter "x"'
    assert split_error(msg) == ("42704", 'unrecognized configuration parameter "x"')
    assert split_error("Binder Error: nope") is None


TYPMODS = "[NULL, -1, 0, 3, 4, 5, 14, 65540, 327686, 655362]"
INTERVAL_TYPMODS = ("[NULL, -1, 2147418112 | 65535, 2147418112 | 3, (4 << 16) | 65535,"
                    " (6 << 16) | 65535, (1024 << 16) | 65535, (3072 << 16) | 65535,"
                    " (7168 << 16) | 65535, (7168 << 16) | 2, (4096 << 16) | 65535, (8 << 16),"
                    " (7176 << 16) | 6, (6144 << 16) | 65535, (2048 << 16) | 1]")


def test_format_type_every_type(default_path: Catalog) -> None:
    cat = default_path
    cat.assert_same(
        f"SELECT t.oid::int8, m, format_type(t.oid, m) FROM pg_type t,"
        f" unnest(array{TYPMODS}::int[]) m WHERE t.oid NOT IN (1186, 1187)",
        f"SELECT t.oid, m, rq_fn.format_type(t.oid, m) FROM rq_pg.pg_type t,"
        f" unnest({TYPMODS}::INTEGER[]) u(m) WHERE t.oid NOT IN (1186, 1187)")
    cat.assert_same(
        f"SELECT t.oid::int8, m, format_type(t.oid, m) FROM pg_type t,"
        f" unnest(array{INTERVAL_TYPMODS}::int[]) m WHERE t.oid IN (1186, 1187)",
        f"SELECT t.oid, m, rq_fn.format_type(t.oid, m) FROM rq_pg.pg_type t,"
        f" unnest({INTERVAL_TYPMODS}::INTEGER[]) u(m) WHERE t.oid IN (1186, 1187)")
    cat.assert_same("SELECT format_type(0, NULL), format_type(NULL, 1), format_type(99999, -1)",
                    "SELECT rq_fn.format_type(0, NULL), rq_fn.format_type(NULL, 1),"
                    " rq_fn.format_type(99999, -1)")


def test_format_type_of_columns(default_path: Catalog) -> None:
    default_path.assert_same(
        "SELECT attrelid::int8, attnum, format_type(atttypid, atttypmod) FROM pg_attribute",
        "SELECT attrelid, attnum, rq_fn.format_type(atttypid, atttypmod) FROM rq_pg.pg_attribute")


def test_reg_outputs(default_path: Catalog) -> None:
    cat = default_path
    cat.assert_same("SELECT oid::int8, oid::regtype::text FROM pg_type",
                    "SELECT oid, rq_fn.regtype_out(oid) FROM rq_pg.pg_type")
    cat.assert_same("SELECT oid::int8, oid::regclass::text, pg_table_is_visible(oid) FROM pg_class",
                    "SELECT oid, rq_fn.regclass_out(oid), rq_fn.pg_table_is_visible(oid)"
                    " FROM rq_pg.pg_class")
    cat.assert_same("SELECT oid::int8, oid::regproc::text, oid::regprocedure::text,"
                    " pg_function_is_visible(oid) FROM pg_proc",
                    "SELECT oid, rq_fn.regproc_out(oid), rq_fn.regprocedure_out(oid),"
                    " rq_fn.pg_function_is_visible(oid) FROM rq_pg.pg_proc")
    cat.assert_same("SELECT oid::int8, oid::regoper::text, oid::regoperator::text,"
                    " pg_operator_is_visible(oid) FROM pg_operator",
                    "SELECT oid, rq_fn.regoper_out(oid), rq_fn.regoperator_out(oid),"
                    " rq_fn.pg_operator_is_visible(oid) FROM rq_pg.pg_operator")
    cat.assert_same("SELECT oid::int8, oid::regnamespace::text FROM pg_namespace",
                    "SELECT oid, rq_fn.regnamespace_out(oid) FROM rq_pg.pg_namespace")
    cat.assert_same("SELECT oid::int8, oid::regrole::text, pg_get_userbyid(oid) FROM pg_authid",
                    "SELECT oid, rq_fn.regrole_out(oid), rq_fn.pg_get_userbyid(oid)"
                    " FROM rq_pg.pg_authid")
    cat.assert_same("SELECT oid::int8, oid::regcollation::text FROM pg_collation",
                    "SELECT oid, rq_fn.regcollation_out(oid) FROM rq_pg.pg_collation")
    cat.assert_same("SELECT oid::int8, oid::regconfig::text FROM pg_ts_config",
                    "SELECT oid, rq_fn.regconfig_out(oid) FROM rq_pg.pg_ts_config")
    cat.assert_same("SELECT oid::int8, oid::regdictionary::text FROM pg_ts_dict",
                    "SELECT oid, rq_fn.regdictionary_out(oid) FROM rq_pg.pg_ts_dict")
    cat.assert_same(
        "SELECT 0::regclass::text, 0::regtype::text, 0::regproc::text, 0::regoper::text,"
        " 99999::regclass::text, 99999::regtype::text, 99999::regrole::text,"
        " pg_get_userbyid(99999)",
        "SELECT rq_fn.regclass_out(0), rq_fn.regtype_out(0), rq_fn.regproc_out(0),"
        " rq_fn.regoper_out(0), rq_fn.regclass_out(99999), rq_fn.regtype_out(99999),"
        " rq_fn.regrole_out(99999), rq_fn.pg_get_userbyid(99999)")


@pytest.mark.parametrize("catalog,fn", [
    ("pg_opclass", "pg_opclass_is_visible"), ("pg_opfamily", "pg_opfamily_is_visible"),
    ("pg_collation", "pg_collation_is_visible"), ("pg_conversion", "pg_conversion_is_visible"),
    ("pg_ts_config", "pg_ts_config_is_visible"), ("pg_ts_dict", "pg_ts_dict_is_visible"),
    ("pg_ts_parser", "pg_ts_parser_is_visible"), ("pg_ts_template", "pg_ts_template_is_visible"),
    ("pg_statistic_ext", "pg_statistics_obj_is_visible"), ("pg_type", "pg_type_is_visible")])
def test_visibility(default_path: Catalog, catalog: str, fn: str) -> None:
    default_path.assert_same(f"SELECT oid::int8, {fn}(oid) FROM {catalog}",
                             f"SELECT oid, rq_fn.{fn}(oid) FROM rq_pg.{catalog}")


@pytest.mark.parametrize("path", [
    "public", "s1, public", '"$user", public', "pg_catalog, s1", "nosuch, s1",
    '"Weird Schema", public', "s1, pg_catalog, public", "''"])
def test_search_path(cat: Catalog, path: str) -> None:
    cat.pg.execute(f"SET search_path = {path}")
    try:
        cat.sync_session()
        cat.assert_same(
            "SELECT current_schema(), current_schemas(false),"
            " current_schemas(true)",
            "SELECT rq_fn.current_schema(), rq_fn.current_schemas(false),"
            " rq_fn.current_schemas(true)")
        cat.assert_same("SELECT oid::int8, oid::regclass::text FROM pg_class",
                        "SELECT oid, rq_fn.regclass_out(oid) FROM rq_pg.pg_class")
        cat.assert_same("SELECT oid::int8, format_type(oid, NULL) FROM pg_type",
                        "SELECT oid, rq_fn.format_type(oid, NULL) FROM rq_pg.pg_type")
        cat.assert_same("SELECT oid::int8, oid::regprocedure::text,"
                        " pg_get_function_arguments(oid) FROM pg_proc",
                        "SELECT oid, rq_fn.regprocedure_out(oid),"
                        " rq_fn.pg_get_function_arguments(oid) FROM rq_pg.pg_proc")
        cat.assert_same("SELECT oid::int8, pg_get_constraintdef(oid, true) FROM pg_constraint",
                        "SELECT oid, rq_fn.pg_get_constraintdef(oid, true)"
                        " FROM rq_pg.pg_constraint")
        cat.assert_same("SELECT indexrelid::int8, pg_get_indexdef(indexrelid, 0, true)"
                        " FROM pg_index",
                        "SELECT indexrelid, rq_fn.pg_get_indexdef(indexrelid, 0, true)"
                        " FROM rq_pg.pg_index")
    finally:
        cat.pg.execute("RESET search_path")
        cat.sync_session()


RELATION_NAMES = [
    "pg_class", "PG_CLASS", '"pg_class"', "pg_catalog.pg_class", "public.child", "child",
    "CHILD", "nosuch", "nosuch.x", "a.b.c.d", f"{TEST_DB}.public.child", "other.public.child",
    "a b", "1259", "-", " pg_class ", "v1", "s1.t3", "t3", '"Weird Schema"."Odd Table"',
    '"Weird Schema".odd table', 'pg_catalog."pg_class"', "", '"a""b"', "s1.seq1", "child_pkey"]
TYPE_NAMES = [
    "int", "integer", "int4", "INT", "int[]", "int4[]", "_int4", "character varying(10)",
    "varchar", "character varying", "double precision", "timestamp(3) with time zone",
    "timestamp without time zone", "time with time zone", "pg_catalog.int4", '"char"', "char",
    "char(5)", "interval year to month", "interval", "float", "float(10)", "float(30)", "nosuch",
    "nosuch[]", "nosuch.x", "mood", "mood[]", "s1.pair", "pair", "posint", "bit varying(3)",
    "bit", "decimal(5,2)", "numeric", "bool", "boolean", "text", "public.mood", "name",
    "pg_catalog.text[]", "real", "smallint", "bigint", "national character varying", "jsonb",
    "uuid", '"Mood"', "record", "timestamptz", "information_schema.sql_identifier", "a.b.c.d"]
PROC_NAMES = ["abs", "int4in", "pg_catalog.int4in", "nosuch", "addx", "public.addx", "s1.tf",
              "tf", "now", "version", "1397", "pg_catalog.abs", "nosuch.f", "-"]
PROCEDURE_NAMES = ["abs(integer)", "abs(int)", "substr(text,int,int)",
                   "substr(text, integer, integer)", "addx(int, int)", "addx(integer)", "now()",
                   "nosuch()", "s1.tf(integer)", "pg_catalog.abs(bigint)",
                   "numeric(numeric, integer)", "int4(numeric)"]
SCHEMA_NAMES = ["public", "pg_catalog", "PUBLIC", '"Weird Schema"', "nosuch", "s1", "2200", "a.b"]
ROLE_NAMES = ["postgres", "pg_monitor", "nosuch", "PG_MONITOR", '"pg_monitor"', "10"]
OPER_NAMES = ["+", "~~", "pg_catalog.~~", "!~", "||/", "nosuch", "@@@", "-"]
OPERATOR_NAMES = ["+(int,int)", "+(integer,integer)", "-(NONE,bigint)", "~~(text,text)",
                  "pg_catalog.+(int4,int4)", "+(int,text)", "||(text,text)"]
CONFIG_NAMES = ["english", "pg_catalog.simple", "nosuch", '"English"', "3748"]


@pytest.mark.parametrize("reg,names", [
    ("regclass", RELATION_NAMES), ("regtype", TYPE_NAMES), ("regproc", PROC_NAMES),
    ("regprocedure", PROCEDURE_NAMES), ("regnamespace", SCHEMA_NAMES), ("regrole", ROLE_NAMES),
    ("regoper", OPER_NAMES), ("regoperator", OPERATOR_NAMES), ("regconfig", CONFIG_NAMES)])
def test_reg_inputs(default_path: Catalog, reg: str, names: List[str]) -> None:
    """x::regX (errors included, by SQLSTATE) and to_regX(x)."""
    cat = default_path
    for name in names:
        assert cat.outcome_duck(f"SELECT rq_fn.{reg}_in(?)", name) == \
            cat.outcome_pg(f"SELECT %s::{reg}::oid::int8", name), (reg, name)
        if reg == "regconfig" or (reg == "regtype" and name in ("23", "-")):
            continue  # no to_regconfig() in PostgreSQL 15; to_regtype('23'): parser error there
        assert cat.outcome_duck(f"SELECT rq_fn.to_{reg}(?)", name) == \
            cat.outcome_pg(f"SELECT to_{reg}(%s)::oid::int8", name), (reg, name)


def test_object_definitions(default_path: Catalog) -> None:
    cat = default_path
    cat.assert_same("SELECT oid::int8, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true)"
                    " FROM pg_constraint",
                    "SELECT oid, rq_fn.pg_get_constraintdef(oid),"
                    " rq_fn.pg_get_constraintdef(oid, true) FROM rq_pg.pg_constraint")
    cat.assert_same("SELECT indexrelid::int8, pg_get_indexdef(indexrelid),"
                    " pg_get_indexdef(indexrelid, 0, false), pg_get_indexdef(indexrelid, 0, true)"
                    " FROM pg_index",
                    "SELECT indexrelid, rq_fn.pg_get_indexdef(indexrelid),"
                    " rq_fn.pg_get_indexdef(indexrelid, 0, false),"
                    " rq_fn.pg_get_indexdef(indexrelid, 0, true) FROM rq_pg.pg_index")
    cat.assert_same("SELECT indexrelid::int8, k, pg_get_indexdef(indexrelid, k, false),"
                    " pg_get_indexdef(indexrelid, k, true) FROM pg_index, generate_series(1, 4) k",
                    "SELECT indexrelid, k, rq_fn.pg_get_indexdef(indexrelid, k, false),"
                    " rq_fn.pg_get_indexdef(indexrelid, k, true) FROM rq_pg.pg_index,"
                    " range(1, 5) r(k)")
    cat.assert_same("SELECT c.oid::int8, pg_get_viewdef(c.oid), pg_get_viewdef(c.relname)"
                    " FROM pg_class c WHERE relkind = 'v' AND pg_table_is_visible(c.oid)",
                    "SELECT c.oid, rq_fn.pg_get_viewdef(c.oid), rq_fn.pg_get_viewdef(c.relname)"
                    " FROM rq_pg.pg_class c"
                    " WHERE relkind = 'v' AND rq_fn.pg_table_is_visible(c.oid)")
    # (pretty forms of view bodies are not emulated: stored text is non-pretty)
    cat.assert_same("SELECT oid::int8, pg_get_ruledef(oid) FROM pg_rewrite WHERE ev_type = '1'",
                    "SELECT oid, rq_fn.pg_get_ruledef(oid) FROM rq_pg.pg_rewrite"
                    " WHERE ev_type = '1'")
    # pretty: the relation named as the search path needs (the body stays non-pretty)
    cat.assert_same("SELECT oid::int8, split_part(pg_get_ruledef(oid, true), ' DO ', 1)"
                    " FROM pg_rewrite WHERE ev_type = '1'",
                    "SELECT oid, split_part(rq_fn.pg_get_ruledef(oid, true), ' DO ', 1)"
                    " FROM rq_pg.pg_rewrite WHERE ev_type = '1'")
    cat.assert_same("SELECT adrelid::int8, adnum, pg_get_expr(adbin, adrelid) FROM pg_attrdef",
                    "SELECT adrelid, adnum, rq_fn.pg_get_expr(adbin, adrelid) FROM rq_pg.pg_attrdef")
    cat.assert_same("SELECT oid::int8, pg_get_statisticsobjdef_columns(oid),"
                    " pg_get_statisticsobjdef(oid) FROM pg_statistic_ext",
                    "SELECT oid, rq_fn.pg_get_statisticsobjdef_columns(oid),"
                    " rq_fn.pg_get_statisticsobjdef(oid) FROM rq_pg.pg_statistic_ext")


def test_function_signatures(default_path: Catalog) -> None:
    cat = default_path
    cat.assert_same(
        "SELECT oid::int8, pg_get_function_arguments(oid), pg_get_function_identity_arguments(oid),"
        " pg_get_function_result(oid) FROM pg_proc",
        "SELECT oid, rq_fn.pg_get_function_arguments(oid),"
        " rq_fn.pg_get_function_identity_arguments(oid), rq_fn.pg_get_function_result(oid)"
        " FROM rq_pg.pg_proc")
    cat.assert_same("SELECT oid::int8, pg_get_functiondef(oid), pg_get_function_sqlbody(oid)"
                    " FROM pg_proc WHERE prokind <> 'a'",
                    "SELECT oid, rq_fn.pg_get_functiondef(oid), rq_fn.pg_get_function_sqlbody(oid)"
                    " FROM rq_pg.pg_proc WHERE prokind <> 'a'")
    cat.assert_same("SELECT p.oid::int8, k, pg_get_function_arg_default(p.oid, k) FROM pg_proc p,"
                    " generate_series(1, 3) k WHERE pronargdefaults > 0",
                    "SELECT p.oid, k, rq_fn.pg_get_function_arg_default(p.oid, k)"
                    " FROM rq_pg.pg_proc p, range(1, 4) r(k) WHERE pronargdefaults > 0")


def test_descriptions(default_path: Catalog) -> None:
    cat = default_path
    cat.assert_same("SELECT objoid::int8, objsubid, obj_description(objoid, c.relname),"
                    " col_description(objoid, objsubid) FROM pg_description d"
                    " JOIN pg_class c ON c.oid = d.classoid",
                    "SELECT objoid, objsubid, rq_fn.obj_description(objoid, c.relname),"
                    " rq_fn.col_description(objoid, objsubid) FROM rq_pg.pg_description d"
                    " JOIN rq_pg.pg_class c ON c.oid = d.classoid")
    cat.assert_same("SELECT obj_description(2200), obj_description(2200, 'pg_namespace'),"
                    " shobj_description(d.oid, 'pg_database') FROM pg_database d"
                    f" WHERE datname = '{TEST_DB}'",
                    "SELECT rq_fn.obj_description(2200), rq_fn.obj_description(2200, 'pg_namespace'),"
                    " rq_fn.shobj_description(d.oid, 'pg_database') FROM rq_pg.pg_database d"
                    f" WHERE datname = '{TEST_DB}'")


def test_session_functions(default_path: Catalog) -> None:
    cat = default_path
    cat.assert_same(
        "SELECT current_database(), current_catalog, current_user, session_user, current_role,"
        " user, pg_backend_pid(), pg_is_in_recovery(), pg_client_encoding(),"
        " current_setting('TimeZone'), current_setting('DateStyle'),"
        " current_setting('nosuch.x', true), current_setting('work_mem', false)",
        "SELECT rq_fn.current_database(), rq_fn.current_catalog(), rq_fn.current_user(),"
        " rq_fn.session_user(), rq_fn.current_role(), rq_fn.\"user\"(), rq_fn.pg_backend_pid(),"
        " rq_fn.pg_is_in_recovery(), rq_fn.pg_client_encoding(),"
        " rq_fn.current_setting('TimeZone'), rq_fn.current_setting('DateStyle'),"
        " rq_fn.current_setting('nosuch.x', true), rq_fn.current_setting('work_mem', false)")
    for name in ("nosuch", "Foo.Bar"):
        assert cat.outcome_duck("SELECT rq_fn.current_setting(?)", name) == \
            cat.outcome_pg("SELECT current_setting(%s)", name) == ("error", "42704")
    with pytest.raises(duckdb.Error, match='unrecognized configuration parameter "Foo"'):
        cat.duck.execute("SELECT rq_fn.current_setting('Foo')")
    assert cat.duck_rows("SELECT rq_fn.version()")[0][0].startswith("PostgreSQL ")


def test_encodings(default_path: Catalog) -> None:
    cat = default_path
    cat.assert_same("SELECT i, pg_encoding_to_char(i) FROM generate_series(-2, 45) i",
                    "SELECT i, rq_fn.pg_encoding_to_char(i) FROM range(-2, 46) r(i)")
    names = ["UTF8", "utf-8", "UNICODE", "latin1", "Latin-1", "win1252", "sql_ascii", "nosuch",
             "", "EUC_JP", "SJIS", "koi8", "windows-1251"]
    for name in names:
        assert cat.outcome_duck("SELECT rq_fn.pg_char_to_encoding(?)", name) == \
            cat.outcome_pg("SELECT pg_char_to_encoding(%s)", name), name


SIZES = [0, 1, 10239, 10240, 10241, 10751, 10752, 20479 * 512, 20479 * 512 + 511,
         20479 * 512 + 512, 10485759, 10485760, 1073741824, 1099511627776, 1125899906842624,
         9223372036854775807, -10240, -10752, -1, -20479 * 512 - 512, 123456789, 987654321987,
         5 * 1024 ** 5, 20479 * 1024 ** 4]


def test_pg_size_pretty(cat: Catalog) -> None:
    for size in SIZES:
        assert cat.outcome_duck("SELECT rq_fn.pg_size_pretty(?::BIGINT)", size) == \
            cat.outcome_pg("SELECT pg_size_pretty(%s::bigint)", size), size
        assert cat.outcome_duck("SELECT rq_fn.pg_size_pretty(?::DECIMAL(38, 0))", size) == \
            cat.outcome_pg("SELECT pg_size_pretty(%s::numeric)", size), size


def test_quoting_and_formatting(cat: Catalog) -> None:
    words = [w for (w,) in cat.pg_rows("SELECT word FROM pg_get_keywords()")]
    words += ["a", "A", "a b", "_x", "1a", "a1", 'a"b', "", "é", 'Ab"c', "x$y", "MixedCase"]
    for word in words:
        assert cat.outcome_duck("SELECT rq_fn.quote_ident(?)", word) == \
            cat.outcome_pg("SELECT quote_ident(%s)", word), word
    for text in ["it's", "a\\b", "plain", None]:
        assert cat.outcome_duck("SELECT rq_fn.quote_literal(?)", text) == \
            cat.outcome_pg("SELECT quote_literal(%s::text)", text)
        assert cat.outcome_duck("SELECT rq_fn.quote_nullable(?)", text) == \
            cat.outcome_pg("SELECT quote_nullable(%s::text)", text)
    cat.assert_same("SELECT format('%s|%I|%L|%%|%s', 'a', 'B c', NULL, 1), format('x'),"
                    " format('%s', NULL), format('%L', 'it''s'), format('%I.%I', 'public', 'My T')",
                    "SELECT rq_fn.format('%s|%I|%L|%%|%s', 'a', 'B c', NULL, 1), rq_fn.format('x'),"
                    " rq_fn.format('%s', NULL), rq_fn.format('%L', 'it''s'),"
                    " rq_fn.format('%I.%I', 'public', 'My T')")


def test_arrays_and_sets(cat: Catalog) -> None:
    cat.assert_same("SELECT array_to_string(array[1, NULL, 3], ',', '*'),"
                    " array_to_string(array[true, false], ','), array_to_string(array['a', NULL], ','),"
                    " array_positions(array[1, 2, 1, NULL], 1)::text",
                    "SELECT rq_fn.array_to_string([1, NULL, 3], ',', '*'),"
                    " rq_fn.array_to_string([true, false], ','), rq_fn.array_to_string(['a', NULL], ','),"
                    " rq_fn.array_positions([1, 2, 1, NULL], 1)")
    cat.assert_same("SELECT * FROM generate_subscripts(array[5, 6, 7], 1)",
                    "SELECT * FROM rq_fn.generate_subscripts([5, 6, 7], 1)")
    cat.assert_same("SELECT generate_subscripts(array[5, 6, 7], 1, true)",
                    "SELECT rq_fn.generate_subscripts([5, 6, 7], 1, true)")
    cat.assert_same("SELECT * FROM pg_options_to_table(array['fillfactor=70', 'a=b=c', 'x'])",
                    "SELECT * FROM rq_fn.pg_options_to_table(['fillfactor=70', 'a=b=c', 'x'])")
    cat.assert_same("SELECT * FROM pg_get_keywords()", "SELECT * FROM rq_fn.pg_get_keywords()")
    cat.assert_same("SELECT x::int8, n FROM information_schema._pg_expandarray(array[5, 0, 7])",
                    "SELECT x, n FROM rq_is._pg_expandarray([5, 0, 7])")
    cat.assert_same("SELECT (information_schema._pg_expandarray(array[5, 7])).n",
                    "SELECT (rq_is._pg_expandarray([5, 7])).n")


def test_privileges_and_stubs(cat: Catalog) -> None:
    cat.assert_same(
        "SELECT has_table_privilege('pg_class', 'select'), has_schema_privilege('public', 'usage'),"
        " has_column_privilege('pg_class', 'relname', 'select'),"
        " has_column_privilege('postgres', 'pg_class', 'relname', 'select'),"
        " pg_has_role('postgres', 'member'), has_database_privilege(current_database(), 'connect'),"
        " has_function_privilege('now()', 'execute'), has_table_privilege(NULL::oid, 'select'),"
        " pg_tablespace_location(1663), pg_get_serial_sequence('parent', 'u'),"
        " pg_get_partkeydef('child'::regclass), pg_get_triggerdef(0)",
        "SELECT rq_fn.has_table_privilege('pg_class', 'select'),"
        " rq_fn.has_schema_privilege('public', 'usage'),"
        " rq_fn.has_column_privilege('pg_class', 'relname', 'select'),"
        " rq_fn.has_column_privilege('postgres', 'pg_class', 'relname', 'select'),"
        " rq_fn.pg_has_role('postgres', 'member'),"
        " rq_fn.has_database_privilege(rq_fn.current_database(), 'connect'),"
        " rq_fn.has_function_privilege('now()', 'execute'), rq_fn.has_table_privilege(NULL, 'select'),"
        " rq_fn.pg_tablespace_location(1663), rq_fn.pg_get_serial_sequence('parent', 'u'),"
        " rq_fn.pg_get_partkeydef(rq_fn.regclass_in('child')), rq_fn.pg_get_triggerdef(0)")
    cat.assert_same("SELECT pg_typeof(1)::oid::int8, pg_typeof('a'::text)::oid::int8,"
                    " pg_typeof(1.5::float8)::oid::int8, pg_typeof(true)::oid::int8,"
                    " pg_typeof(array[1])::oid::int8",
                    "SELECT rq_fn.pg_typeof(1::INTEGER), rq_fn.pg_typeof('a'),"
                    " rq_fn.pg_typeof(1.5::DOUBLE), rq_fn.pg_typeof(true),"
                    " rq_fn.pg_typeof([1::INTEGER])")
    for fn in ("pg_total_relation_size", "pg_relation_size", "pg_table_size", "pg_indexes_size",
               "pg_stat_get_numscans", "pg_stat_get_live_tuples"):
        assert cat.duck_rows(f"SELECT rq_fn.{fn}(1259)") == [(0,)]


def test_arguments_cannot_be_captured(default_path: Catalog) -> None:
    """Macros expand textually: arguments naming the macros' own aliases or
    columns (t.oid, oid, p.relname, c.oid ...) must still mean the caller's."""
    cat = default_path
    cat.assert_same("SELECT oid::int8, format_type(oid, NULL) FROM pg_type",
                    "SELECT oid, rq_fn.format_type(oid, NULL) FROM rq_pg.pg_type")
    cat.assert_same("SELECT t.oid::int8, format_type(t.oid, t.typtypmod) FROM pg_type t",
                    "SELECT t.oid, rq_fn.format_type(t.oid, t.typtypmod) FROM rq_pg.pg_type t")
    cat.assert_same("SELECT p.relname, to_regclass(p.relname)::oid::int8 FROM pg_class p"
                    " WHERE p.relkind = 'r' AND p.relnamespace = 11",
                    "SELECT p.relname, rq_fn.to_regclass(p.relname) FROM rq_pg.pg_class p"
                    " WHERE p.relkind = 'r' AND p.relnamespace = 11")
    cat.assert_same("SELECT c.oid::int8, pg_get_constraintdef(c.oid) FROM pg_constraint c",
                    "SELECT c.oid, rq_fn.pg_get_constraintdef(c.oid) FROM rq_pg.pg_constraint c")
    cat.assert_same("SELECT ix.indexrelid::int8, pg_get_indexdef(ix.indexrelid, 1, true)"
                    " FROM pg_index ix",
                    "SELECT ix.indexrelid, rq_fn.pg_get_indexdef(ix.indexrelid, 1, true)"
                    " FROM rq_pg.pg_index ix")


def test_precomputed_definitions_win() -> None:
    """Texts in rq_base.rq_defs (engine) and rq_base.rq_objdef (built-in data)
    answer pg_get_indexdef / _constraintdef / _viewdef before any computing."""
    from riffq.pgcatalog import functions

    con = duckdb.connect()
    con.execute("CREATE SCHEMA rq_base")
    con.execute("CREATE TABLE rq_base.rq_defs(oid BIGINT, kind VARCHAR, definition VARCHAR,"
                " _db BIGINT)")
    con.execute("CREATE TABLE rq_base.rq_objdef(classid BIGINT, objid BIGINT,"
                " definition VARCHAR, _db BIGINT)")
    con.execute("INSERT INTO rq_base.rq_defs VALUES (1, 'index', 'I1', 0), (2, 'constraint',"
                " 'C2', 7), (3, 'view', 'V3', 0)")
    con.execute("INSERT INTO rq_base.rq_objdef VALUES (1259, 4, 'I4', 0), (2606, 5, 'C5', 0)")
    con.execute("CREATE SCHEMA rq_fn")
    con.execute(functions._defs_view_sql(con))
    con.execute("SET VARIABLE rq_db_oid = 7")
    rows = set(con.execute("SELECT oid, kind, definition FROM rq_fn._defs").fetchall())
    assert rows == {(1, "rel", "I1"), (2, "con", "C2"), (3, "rel", "V3"), (4, "rel", "I4"),
                    (5, "con", "C5")}
    con.execute("SET VARIABLE rq_db_oid = 8")
    assert (2, "con", "C2") not in set(con.execute("SELECT * FROM rq_fn._defs").fetchall())


# ---------------------------------------------------------------------------
# information_schema
# ---------------------------------------------------------------------------

# Views whose rows differ from PostgreSQL's by design: dependency-based
# ones (riffq keeps no pg_depend) and the SQL feature tables (no data).
IS_ROWS_DIFFER = frozenset((
    "view_column_usage", "view_routine_usage", "view_table_usage", "routine_routine_usage",
    "routine_column_usage", "routine_sequence_usage", "routine_table_usage",
    "check_constraint_routine_usage", "column_column_usage", "sql_features",
    "sql_implementation_info", "sql_parts", "sql_sizing"))


@pytest.mark.parametrize("view", INFORMATION_SCHEMA_VIEWS)
def test_information_schema_view(default_path: Catalog, view: str) -> None:
    cat = default_path
    with cat.pg.cursor() as cur:
        cur.execute(f"SELECT * FROM information_schema.{view} LIMIT 0")
        pg_cols = [d.name for d in cur.description]
    duck_cols = [d[0] for d in cat.duck.execute(f"SELECT * FROM rq_is.{view} LIMIT 0").description]
    assert duck_cols == pg_cols
    if view not in IS_ROWS_DIFFER:
        cat.assert_same(f"SELECT * FROM information_schema.{view}", f"SELECT * FROM rq_is.{view}")


def test_information_schema_covers_postgres(cat: Catalog) -> None:
    names = {r[0] for r in cat.pg_rows(
        "SELECT relname FROM pg_class WHERE relnamespace = 'information_schema'::regnamespace"
        " AND relkind IN ('r', 'v')")}
    assert names == set(INFORMATION_SCHEMA_VIEWS)


def test_declared_columns_match_definitions(cat: Catalog) -> None:
    """infoschema.output_columns() reads each definition's columns right."""
    from riffq.pgcatalog import infoschema

    for name, body in infoschema.view_definitions().items():
        if body is None:
            continue
        declared = infoschema.output_columns(body)
        actual = [d[0] for d in cat.duck.execute(f"SELECT * FROM ({body}) LIMIT 0").description]
        if declared is not None:
            assert declared == actual, name


def test_with_build_catalog_db() -> None:
    """Install on the catalog schema.py builds from the generated data."""
    con = duckdb.connect()
    schema.build_catalog_db(con)
    install_functions(con)
    install_information_schema(con)
    derived.fill_builtin(con)
    con.execute("SET VARIABLE rq_db_oid = 5")
    con.execute("SET VARIABLE rq_db_name = 'postgres'")
    assert con.execute("SELECT rq_fn.pg_get_indexdef(2662)").fetchone()[0] == \
        "CREATE UNIQUE INDEX pg_class_oid_index ON pg_catalog.pg_class USING btree (oid)"
    assert con.execute("SELECT rq_fn.format_type(1043, 24), rq_fn.regclass_out(1259)").fetchone() \
        == ("character varying(20)", "pg_class")
    assert con.execute("SELECT count(*) FROM rq_is.columns WHERE table_name = 'pg_class'"
                       ).fetchone()[0] == 33
    for view in INFORMATION_SCHEMA_VIEWS:
        con.execute(f"SELECT * FROM rq_is.{view}").fetchall()
