"""The generated PostgreSQL 15 catalog data (src/riffq/pgcatalog/data/) and
its DuckDB loader (riffq.pgcatalog.schema), compared with a real PostgreSQL 15.

Regenerate the data with ``python scripts/gen_pg_catalog.py``.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

duckdb = pytest.importorskip("duckdb")
psycopg = pytest.importorskip("psycopg")

from riffq.pgcatalog import schema  # noqa: E402

DATA = Path(schema.__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def catalog() -> Tuple[Any, schema.CatalogSchema]:
    con = duckdb.connect()
    t0 = time.perf_counter()
    cs = schema.build_catalog_db(con)
    elapsed = (time.perf_counter() - t0) * 1e3
    print(f"\nbuild_catalog_db: {elapsed:.1f} ms (first build in this process)")
    return con, cs


@pytest.fixture(scope="module")
def live(reference_pg: Any) -> Any:
    with psycopg.connect(reference_pg.dsn, autocommit=True) as conn:
        yield conn


def live_columns(conn: Any) -> Dict[str, List[str]]:
    """'pg_class' / 'information_schema.tables' -> column names in order."""
    rows = conn.execute(
        """SELECT n.nspname, c.relname, array_agg(a.attname::text ORDER BY a.attnum)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname IN ('pg_catalog', 'information_schema') AND c.relkind IN ('r', 'v')
            GROUP BY 1, 2""").fetchall()
    return {(r if n == "pg_catalog" else f"{n}.{r}"): cols for n, r, cols in rows}


def test_data_files_exist_and_load(catalog: Tuple[Any, schema.CatalogSchema]) -> None:
    con, cs = catalog
    assert (DATA / "relations.json").is_file()
    files = sorted(DATA.glob("*.ndjson"))
    assert len(files) >= 30
    for f in files:
        with open(f, encoding="utf-8") as fh:
            n = sum(1 for _ in fh)
        got = con.execute(f'SELECT count(*) FROM rq_base."{f.stem}" WHERE _db = 0').fetchone()[0]
        assert got == n, f.name
    assert "pg_class" in cs.relations and "pg_tables" in cs.relations
    assert len(cs.relations) == 139


def test_every_view_matches_its_declared_shape(catalog: Tuple[Any, schema.CatalogSchema]) -> None:
    con, cs = catalog
    for rel in sorted(cs.relations):
        desc = [(d[0], d[1]) for d in con.execute(f'DESCRIBE rq_pg."{rel}"').fetchall()]
        assert desc == [(c[0], c[2]) for c in cs.columns(rel)], rel
        con.execute(f'SELECT * FROM rq_pg."{rel}"').fetchall()


def test_column_names_match_postgres(catalog: Tuple[Any, schema.CatalogSchema], live: Any) -> None:
    _, cs = catalog
    ref = live_columns(live)
    names = cs.relations | {f"information_schema.{n}" for n in cs.info_schema_relations}
    assert names == set(ref)
    for rel in sorted(names):
        assert [c[0] for c in cs.columns(rel)] == ref[rel], rel


def test_int4(catalog: Tuple[Any, schema.CatalogSchema]) -> None:
    con, _ = catalog
    assert con.execute("select typname from rq_pg.pg_type where oid = 23").fetchall() == [("int4",)]


@pytest.mark.parametrize("rel", ["pg_type", "pg_proc", "pg_operator", "pg_cast", "pg_am",
                                 "pg_opclass", "pg_aggregate", "pg_language", "pg_ts_config"])
def test_builtin_counts(catalog: Tuple[Any, schema.CatalogSchema], live: Any, rel: str) -> None:
    con, _ = catalog
    key = "aggfnoid" if rel == "pg_aggregate" else "oid"
    want = live.execute(f"SELECT count(*) FROM pg_catalog.{rel} WHERE {key}::oid < 16384").fetchone()[0]
    assert con.execute(f"SELECT count(*) FROM rq_pg.{rel}").fetchone()[0] == want


def test_values_round_trip(catalog: Tuple[Any, schema.CatalogSchema], live: Any) -> None:
    con, _ = catalog
    sql_pg = ("SELECT oid::int8, proname::text, pronargs::int, prorettype::int8, "
              "proargtypes::oid[]::int8[], proisstrict, procost::float8, "
              "proacl IS NOT NULL FROM pg_proc ORDER BY oid")
    sql_duck = ("SELECT oid, proname, pronargs, prorettype, proargtypes, proisstrict, "
                "procost::DOUBLE, proacl IS NOT NULL FROM rq_pg.pg_proc ORDER BY oid")
    assert [tuple(r) for r in con.execute(sql_duck).fetchall()] == \
        [tuple(r) for r in live.execute(sql_pg).fetchall()]
    sql_pg = ("SELECT oid::int8, typname::text, typlen::int, typtype::text, typarray::int8, "
              "typinput::oid::int8, typdefault FROM pg_type ORDER BY oid")
    sql_duck = ("SELECT oid, typname, typlen, typtype, typarray, typinput, typdefault "
                "FROM rq_pg.pg_type ORDER BY oid")
    assert con.execute(sql_duck).fetchall() == [tuple(r) for r in live.execute(sql_pg).fetchall()]
    sql_pg = ("SELECT indexrelid::int8, indkey::int2[]::int8[], indclass::oid[]::int8[] "
              "FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
              "WHERE c.relnamespace IN ('pg_catalog'::regnamespace, "
              "'information_schema'::regnamespace) ORDER BY 1")
    sql_duck = "SELECT indexrelid, indkey, indclass FROM rq_pg.pg_index ORDER BY 1"
    assert con.execute(sql_duck).fetchall() == [tuple(r) for r in live.execute(sql_pg).fetchall()]
    names = [r[0] for r in live.execute("SELECT name FROM pg_settings ORDER BY 1").fetchall()]
    assert [r[0] for r in con.execute(
        "SELECT name FROM rq_pg.pg_settings ORDER BY name COLLATE NOCASE").fetchall()] == \
        sorted(names, key=str.lower)


SYSTEM = "schemaname IN ('pg_catalog', 'information_schema')"
DERIVED_SAMPLES = [
    ("pg_tables", "schemaname, tablename, tablespace, hasindexes, hasrules, hastriggers,"
                  " rowsecurity", SYSTEM),
    ("pg_views", "schemaname, viewname, definition", SYSTEM),
    ("pg_indexes", "schemaname, tablename, indexname, tablespace, indexdef", SYSTEM),
    ("pg_roles", "rolname, rolsuper, rolinherit, rolcanlogin, rolconnlimit, rolpassword, oid",
     "rolname LIKE 'pg!_%' ESCAPE '!'"),
    ("pg_group", "groname, grosysid, grolist", "groname LIKE 'pg!_%' ESCAPE '!'"),
    ("pg_stat_sys_tables", "relid, schemaname, relname, idx_scan IS NULL", SYSTEM),
    ("pg_statio_sys_indexes", "relid, indexrelid, schemaname, relname, indexrelname", SYSTEM),
]


@pytest.mark.parametrize("rel,cols,where", DERIVED_SAMPLES, ids=[d[0] for d in DERIVED_SAMPLES])
def test_derived_views_match_postgres(catalog: Tuple[Any, schema.CatalogSchema], live: Any,
                                      rel: str, cols: str, where: str) -> None:
    """Views defined over rq_pg give PostgreSQL's rows for the built-in objects
    (counters aside: a fresh server has scanned its catalogs a little)."""
    con, _ = catalog
    pg_cols = cols.replace("grolist", "grolist::int8[]").replace("oid", "oid::int8") \
        .replace("relid", "relid::int8").replace("grosysid", "grosysid::int8")
    got = sorted(con.execute(f"SELECT {cols} FROM rq_pg.{rel} WHERE {where}").fetchall())
    want = sorted(tuple(r) for r in live.execute(
        f"SELECT {pg_cols} FROM pg_catalog.{rel} WHERE {where}").fetchall())
    assert got == want


def test_no_server_identity_in_files(reference_pg: Any, live: Any) -> None:
    superuser = live.execute("SELECT rolname::text FROM pg_authid WHERE oid = 10").fetchone()[0]
    datadir = reference_pg.datadir
    su = re.escape(superuser)
    acl = re.compile(r'(?:^|[\["{,])' + su + r'=[a-zA-Z*]*/|=[a-zA-Z*]*/' + su + r'(?:["},\]]|$)',
                     re.M)
    placeholder = 0
    for f in sorted(DATA.iterdir()):
        text = f.read_text(encoding="utf-8")
        assert datadir not in text, f.name
        assert "/tmp/" not in text and "riffq-pgref" not in text, f.name
        assert not acl.search(text), f"{f.name} names {superuser!r} in an aclitem"
        if superuser not in ("postgres", "root"):  # else an ordinary word in the data
            assert not re.search(r"\b" + su + r"\b", text), f.name
        placeholder += text.count("{superuser}=")
    assert placeholder > 100
    roles = [json.loads(line)["rolname"] for line in (DATA / "pg_authid.ndjson").open()]
    assert roles and all(r.startswith("pg_") for r in roles)
    settings = {json.loads(line)["name"]: json.loads(line)
                for line in (DATA / "pg_settings.ndjson").open()}
    assert settings["data_directory"]["setting"] == ""
    assert settings["port"]["setting"] == "5432"
    assert all(s["sourcefile"] is None for s in settings.values())


def test_settings_overlay(catalog: Tuple[Any, schema.CatalogSchema]) -> None:
    con, _ = catalog
    cur = con.cursor()
    q = "SELECT setting FROM rq_pg.pg_settings WHERE name = 'DateStyle'"
    assert cur.execute(q).fetchone()[0] == "ISO, MDY"
    cur.execute(";".join(schema.settings_variables({"datestyle": "German, DMY"}, {})))
    assert cur.execute(q).fetchone()[0] == "German, DMY"
    assert con.execute(q).fetchone()[0] == "ISO, MDY"  # other connection: own variables


def test_insert_delete_and_db_filter() -> None:
    con = duckdb.connect()
    cs = schema.build_catalog_db(con)
    cs.insert_rows(con, "pg_authid", [{"oid": 10, "rolname": "alice", "rolsuper": True,
                                       "rolcanlogin": True}], 0)
    cs.insert_rows(con, "pg_database", [{"oid": 5, "datname": "postgres", "datdba": 10}], 0)
    cs.insert_rows(con, "pg_namespace", [{"oid": 16384, "nspname": "sales", "nspowner": 10}], 5)
    cs.insert_rows(con, "pg_class", [{"oid": 16385, "relname": "orders", "relnamespace": 16384,
                                      "relkind": "r", "relowner": 10, "relhasindex": False,
                                      "relacl": ["alice=r/alice"]}], 5)
    cs.insert_rows(con, "pg_stat_activity", [{"datid": 5, "pid": 7, "usename": "alice"}], 0)
    q = "SELECT tablename, tableowner FROM rq_pg.pg_tables WHERE schemaname = 'sales'"
    assert con.execute(q).fetchall() == []  # rq_db_oid not set: built-in rows only
    con.execute("SET VARIABLE rq_db_oid = 5")
    assert con.execute(q).fetchall() == [("orders", "alice")]
    assert con.execute("SELECT usename FROM rq_pg.pg_user").fetchall() == [("alice",)]
    assert con.execute("SELECT numbackends FROM rq_pg.pg_stat_database WHERE datid = 5"
                       ).fetchone()[0] == 1
    cs.delete_rows(con, "pg_class", "oid = ? AND _db = ?", [16385, 5])
    assert con.execute(q).fetchall() == []
    with pytest.raises(ValueError):
        cs.insert_rows(con, "pg_class", [{"nosuchcolumn": 1}], 5)
    with pytest.raises(ValueError):
        cs.insert_rows(con, "pg_tables", [{"tablename": "x"}], 5)


@pytest.mark.parametrize("odd", [None, float("nan"), b"\x00\xff"])
def test_insert_rows_keeps_every_value(odd: Any) -> None:
    """insert_rows writes rows as JSON (or, for a value JSON cannot carry,
    as VALUES): every type of the catalog's columns comes back as given."""
    con = duckdb.connect()
    cs = schema.build_catalog_db(con)
    row = {"oid": 16390, "relname": "it's \"q\" \u00e9\u4e2d", "relnamespace": 2200,
           "relkind": "r", "relhasindex": True, "reltuples": -1.5, "relnatts": 3,
           "relacl": ["a=r/a", "b=w/a"], "reloptions": None, "relfrozenxid": 4294967295}
    cs.insert_rows(con, "pg_class", [row, {"oid": 16391, "relname": "x"}], 7)
    cols = ", ".join(row)
    got = con.execute(f"SELECT {cols} FROM rq_base.pg_class WHERE _db = 7 ORDER BY oid"
                      ).fetchall()
    assert got[0] == tuple(row.values())
    assert got[1][:2] == (16391, "x") and got[1][2:] == (None,) * (len(row) - 2)
    # a float JSON cannot carry, in a float8[] column; a bytea (BLOB) column
    rels = [r for r, rel in cs.rels.items() if rel.kind == "table"
            and any(c.duck_type == "BLOB" for c in rel.columns)]
    if odd is not None and rels:
        rel = cs.rels[rels[0]]
        col = next(c.name for c in rel.columns if c.duck_type == "BLOB")
        value = odd if isinstance(odd, bytes) else None
        cs.insert_rows(con, rels[0], [{col: value}], 7)
        assert con.execute(f'SELECT "{col}" FROM rq_base."{rels[0]}" WHERE _db = 7'
                           ).fetchall() == [(value,)]
    if isinstance(odd, float):
        cs.insert_rows(con, "pg_statistic", [{"starelid": 1, "stanumbers1": [odd, 1.0]}], 7)
        got = con.execute("SELECT stanumbers1 FROM rq_base.pg_statistic WHERE _db = 7"
                          ).fetchone()[0]
        assert got[0] != got[0] and got[1] == 1.0
