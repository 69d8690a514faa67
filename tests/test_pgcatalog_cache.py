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
