"""The catalog result cache's rules (riffq.pgcatalog.cache): what is
volatile, transitively, and the LRU's bounds."""

from __future__ import annotations

import pytest

pa = pytest.importorskip("pyarrow")

from riffq.pgcatalog.cache import ResultCache, is_cacheable, volatile_names  # noqa: E402


def test_volatility_is_transitive() -> None:
    defs = {
        "rq_fn._guc": ["getvariable('rq_gucs')[lower(name)]"],
        "rq_fn.current_setting": ["rq_fn._guc(name)"],
        "rq_pg.pg_settings": ["SELECT coalesce(getvariable('rq_gucs')[name], setting) ..."],
        "rq_is.settings_user": ["SELECT * FROM rq_pg.pg_settings"],
        "rq_fn.format_type": ["(SELECT k.fmt FROM rq_base.rq_k_type k WHERE k.oid = toid"
                              " AND k.key IN (rq_fn._bkey(), rq_fn._tkey()))"],
        "rq_fn._bkey": ["coalesce(getvariable('rq_bkey'), 'std')"],
        "rq_pg.pg_class": ["SELECT oid FROM rq_base.pg_class WHERE _db = 0 OR"
                           " _db = CAST(getvariable('rq_db_oid') AS BIGINT)"],
        "rq_fn.pg_backend_pid": ["coalesce(getvariable('rq_pid'), 0)"],
        "rq_fn.age1": ["now() - x"],
    }
    vol = volatile_names(defs)
    assert vol == {"rq_fn._guc", "rq_fn.current_setting", "rq_pg.pg_settings",
                   "rq_is.settings_user", "rq_fn.pg_backend_pid", "rq_fn.age1"}


@pytest.mark.parametrize("sql, ok", [
    ("SELECT relname FROM rq_pg.pg_class", True),
    ("SELECT rq_fn.format_type(23, NULL)", True),
    ("SELECT rq_fn.current_setting('x')", False),
    ("SELECT * FROM rq_pg.\"pg_settings\"", False),
    ("SELECT now()", False),
    ("SELECT current_timestamp", False),
    ("SELECT random() FROM rq_pg.pg_class", False),
    ("SELECT * FROM rq_pg.pg_stat_activity", False),
    ("SELECT getvariable('rq_pid')", False),
])
def test_cacheable(sql: str, ok: bool) -> None:
    vol = frozenset({"rq_fn.current_setting", "rq_pg.pg_settings"})
    assert is_cacheable(sql, vol) is ok


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
