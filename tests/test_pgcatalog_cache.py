"""The catalog result cache's rules (riffq.pgcatalog.cache): what each
name reads, transitively, what a statement's key must hold, and the LRU's
bounds."""

from __future__ import annotations

from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")

from riffq.pgcatalog.cache import ResultCache, freeze, statement_kinds, volatility  # noqa: E402


def test_volatility_is_transitive() -> None:
    defs = {
        "rq_fn._guc": ["getvariable('rq_guc_values')[list_position("
                       "getvariable('rq_guc_names'), lower(name))]"],
        "rq_fn.current_setting": ["rq_fn._guc(name)"],
        "rq_pg.pg_settings": ["SELECT coalesce(getvariable('rq_guc_settings')[i], setting) ..."],
        "rq_is.settings_user": ["SELECT * FROM rq_pg.pg_settings"],
        "rq_fn.format_type": ["(SELECT k.fmt FROM rq_base.rq_k_type k WHERE k.oid = toid"
                              " AND k.key IN (rq_fn._bkey(), rq_fn._tkey()))"],
        "rq_fn._bkey": ["coalesce(getvariable('rq_bkey'), 'std')"],
        "rq_pg.pg_class": ["SELECT oid FROM rq_base.pg_class WHERE _db = 0 OR"
                           " _db = CAST(getvariable('rq_db_oid') AS BIGINT)"],
        "rq_fn.pg_backend_pid": ["coalesce(getvariable('rq_pid'), 0)"],
        "rq_fn.age1": ["now() - x"],
        "rq_fn.keywords": ["SELECT unnest(['current_date', 'now()', 'localtime'])"],
        "rq_fn.type_word": ["CASE WHEN t = 'uuid' THEN 'uuid' END"],
        "rq_fn.today_col": ["SELECT s.\"today\" FROM x s"],
        "rq_pg.pg_settings2": ["SELECT coalesce(getvariable('rq_guc_settings')[n],"
                               " getvariable('rq_guc_values')[n], 'x') FROM t"],
        "rq_pg.pg_stat_activity": ["SELECT * FROM rq_base.pg_stat_activity"],
        "rq_pg.pg_stat_gssapi": ["SELECT pid FROM rq_pg.pg_stat_activity"],
    }
    kinds = volatility(defs)
    assert kinds["settings"] == {"rq_fn._guc", "rq_fn.current_setting", "rq_pg.pg_settings",
                                 "rq_is.settings_user", "rq_pg.pg_settings2"}
    assert kinds["conn"] == {"rq_fn.pg_backend_pid"}
    assert kinds["volatile"] == {"rq_fn.age1"}
    assert kinds["activity"] == {"rq_pg.pg_stat_activity", "rq_pg.pg_stat_gssapi"}


@pytest.mark.parametrize("sql, kinds", [
    ("SELECT relname FROM rq_pg.pg_class", set()),
    ("SELECT rq_fn.format_type(23, NULL)", set()),
    ("SELECT rq_fn.current_setting('x')", {"settings"}),
    ("SELECT * FROM rq_pg.\"pg_settings\"", {"settings"}),
    ("SELECT rq_fn.current_setting('x'), rq_fn.pg_backend_pid()", {"settings", "conn"}),
    ("SELECT now()", {"volatile"}),
    ("SELECT current_timestamp", {"volatile"}),
    ("SELECT random() FROM rq_pg.pg_class", {"volatile"}),
    ("SELECT * FROM rq_pg.pg_stat_activity", {"activity"}),
    ("SELECT * FROM rq_pg.pg_stat_gssapi", {"activity"}),
    ("SELECT rq_fn.current_setting('x'), now()", {"settings", "volatile"}),
    ("SELECT getvariable('rq_pid')", {"conn"}),
    ("SELECT 1 WHERE 'x' <> ALL(['current_date', 'now()'])", set()),
    ("SELECT CAST(NULL AS uuid), current_date", {"volatile"}),
    ("SELECT get_current_timestamp()", {"volatile"}),
])
def test_statement_kinds(sql: str, kinds: object) -> None:
    marked = freeze({"settings": frozenset({"rq_fn.current_setting", "rq_pg.pg_settings"}),
                     "conn": frozenset({"rq_fn.pg_backend_pid"}), "volatile": frozenset(),
                     "activity": frozenset({"rq_pg.pg_stat_activity", "rq_pg.pg_stat_gssapi"})})
    assert statement_kinds(sql, marked) == kinds


def test_lru_bounds() -> None:
    small = pa.table({"a": pa.array([1], pa.int64())})
    cache = ResultCache(max_entries=2, max_bytes=10_000, max_entry_bytes=100)
    cache.put("a", small)
    cache.put("b", small)
    assert cache.get("a") is small  # a is now the most recently used
    cache.put("c", small)
    assert cache.get("b") is None and cache.get("a") is small and cache.get("c") is small
    big = pa.table({"a": pa.array(list(range(1000)), pa.int64())})
    cache.put("big", big)  # over max_entry_bytes: not kept
    assert cache.get("big") is None
    cache.clear()
    assert cache.get("a") is None


def test_lazy_source_changes_are_never_served_stale() -> None:
    """With a lazy source (asked on every catalog query), a changed relation
    list or config() row shows at once, though the same statement's answer
    was cached."""
    import threading

    psycopg = pytest.importorskip("psycopg")
    import riffq
    from riffq.testing import free_port, wait_for_port

    class Source:
        rels = ["one"]
        build = "v1"

        def databases(self, cb):
            cb([{"oid": 20000, "name": "lazydb"}])

        def schemas(self, db, cb):
            cb([{"oid": 20001, "name": "public"}])

        def relations(self, db, schema, cb):
            cb([{"oid": 20010 + i, "name": n, "reltype_oid": 20100 + i}
                for i, n in enumerate(self.rels)])

        def columns(self, db, schema, rel, cb):
            cb([{"name": "id", "type_oid": 23, "nullable": False}])

        def config(self, cb):
            cb([{"name": "CONFIGURE", "setting": self.build}])

    src = Source()
    port = free_port()
    srv = riffq.Server(f"127.0.0.1:{port}")
    srv.on_query(lambda sql, cb, **kw: cb(("ERROR", "0A000", "no data"), is_error=True))
    srv.set_lazy_catalog(src)
    threading.Thread(target=srv.start, kwargs={"catalog_emulation": True}, daemon=True).start()
    assert wait_for_port(port)
    try:
        with psycopg.connect(f"host=127.0.0.1 port={port} user=u dbname=lazydb",
                             autocommit=True) as c:
            rels = "select relname from pg_class where relname in ('one', 'two') order by 1"
            conf = "select setting from pg_config where name = 'CONFIGURE'"
            assert c.execute(rels).fetchall() == [("one",)]
            assert c.execute(conf).fetchall() == [("v1",)]
            src.build = "v2"  # config() alone
            assert c.execute(conf).fetchall() == [("v2",)]
            src.rels = ["one", "two"]
            assert c.execute(rels).fetchall() == [("one",), ("two",)]
    finally:
        srv.stop()


def _serve_registered() -> Any:
    from riffq.testing import serve_catalog_in_thread

    return serve_catalog_in_thread("cachedb")


def test_settings_answers_are_reused_per_settings() -> None:
    """A statement reading the session's settings is answered from the
    cache when the settings are the same as when it was kept (whichever
    session asks), and computed again when they differ."""
    psycopg = pytest.importorskip("psycopg")
    srv, dsn = _serve_registered()
    q = "select current_setting('application_name'), current_schemas(true)"
    try:
        with psycopg.connect(dsn, autocommit=True, application_name="same") as one, \
                psycopg.connect(dsn, autocommit=True, application_name="same") as two:
            results = srv.catalog_engine.results
            assert one.execute(q).fetchall() == [("same", ["pg_catalog", "public"])]
            hits = results.hits
            assert two.execute(q).fetchall() == [("same", ["pg_catalog", "public"])]
            assert results.hits == hits + 1
            two.execute("set application_name = 'other'")
            assert two.execute(q).fetchall() == [("other", ["pg_catalog", "public"])]
            assert results.hits == hits + 1
            pid = "select pg_backend_pid()"
            assert one.execute(pid).fetchone() != two.execute(pid).fetchone()
    finally:
        srv.stop()

