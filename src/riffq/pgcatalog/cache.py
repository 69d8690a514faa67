"""A cache of catalog query results, for the queries whose answer depends
only on the catalog and the session's database, user and search path.

Why: GUI tools send the same introspection queries again and again (every
connection's startup, every refresh, several connections at once), and a
catalog query costs DuckDB a few milliseconds of planning however small its
answer; PostgreSQL keeps such answers cheap with its catalog caches.

What may be cached is decided from the SQL DuckDB runs, and from the
definitions of every rq_fn macro and rq_pg / rq_is view it reads,
transitively (read from the DuckDB catalog once): a statement is *volatile*
when any of them reads the time, randomness, the session's settings
(``rq_gucs``: current_setting, pg_settings, current_schema...), its backend
pid or client address, or pg_stat_activity. Everything else is a function
of the catalog's contents (its generation is in the key), the database,
the user and the search path, which make the rest of the key
(``CatalogEngine.cache_key``).
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from typing import Any, Dict, FrozenSet, Hashable, Iterable, List, Optional, Tuple

__all__ = ["volatile_names", "is_cacheable", "ResultCache", "save_volatility",
           "load_volatility"]

VOLATILE_TABLE = "rq_base.rq_volatile"

_NAME_RE = re.compile(r'\b(rq_fn|rq_is|rq_pg)\."?([a-z_0-9]+)"?')
_VOLATILE_RE = re.compile(
    r"getvariable\('rq_(?:gucs|pid|client_addr|client_port|server_addr|server_port)'\)"
    r"|\b(?:now|random|gen_random_uuid|uuid|txid_current|clock_timestamp|statement_timestamp"
    r"|transaction_timestamp|timeofday|current_time|current_timestamp|current_date|localtime"
    r"|localtimestamp|today|setseed|nextval|currval|lastval|pg_sleep|get_current_time)\b"
    r"|pg_stat_activity",
    re.IGNORECASE)


def _names(text: str) -> Iterable[str]:
    return (f"{schema}.{name}" for schema, name in _NAME_RE.findall(text))


def volatile_names(defs: Dict[str, List[str]]) -> FrozenSet[str]:
    """Which of ``defs`` (qualified name -> its definitions' SQL) are
    volatile: reading a volatile thing themselves or through another."""
    refs = {name: set(n for t in texts for n in _names(t)) - {name}
            for name, texts in defs.items()}
    volatile = {name for name, texts in defs.items() if any(_VOLATILE_RE.search(t) for t in texts)}
    changed = True
    while changed:
        changed = False
        for name, used in refs.items():
            if name not in volatile and used & volatile:
                volatile.add(name)
                changed = True
    return frozenset(volatile)


def _definitions(con: Any) -> Dict[str, List[str]]:
    defs: Dict[str, List[str]] = {}
    for schema, name, text in con.execute(
            "SELECT schema_name, function_name, macro_definition FROM duckdb_functions()"
            " WHERE schema_name IN ('rq_fn', 'rq_is') AND macro_definition IS NOT NULL").fetchall():
        defs.setdefault(f"{schema}.{name}", []).append(text)
    for schema, name, text in con.execute(
            "SELECT schema_name, view_name, sql FROM duckdb_views()"
            " WHERE schema_name IN ('rq_pg', 'rq_is', 'rq_fn')").fetchall():
        defs.setdefault(f"{schema}.{name}", []).append(text)
    return defs


def save_volatility(con: Any) -> None:
    """Work out the volatile rq_* names of the catalog in DuckDB ``con``
    (~50 ms: every definition read and searched) and keep them in
    VOLATILE_TABLE; the snapshot build runs it once."""
    from .schema import sql_literal

    names = sorted(volatile_names(_definitions(con)))
    con.execute(f"CREATE OR REPLACE TABLE {VOLATILE_TABLE} AS"
                f" SELECT unnest(CAST({sql_literal(names)} AS VARCHAR[])) AS name")


def load_volatility(con: Any) -> FrozenSet[str]:
    """The volatile names save_volatility kept (worked out now when the
    catalog was built without it)."""
    try:
        return frozenset(r[0] for r in con.execute(f"SELECT name FROM {VOLATILE_TABLE}").fetchall())
    except Exception:  # a catalog built before the table existed
        return volatile_names(_definitions(con))


@functools.lru_cache(maxsize=8192)
def is_cacheable(sql: str, volatile: FrozenSet[str]) -> bool:
    """Whether the rewritten statement ``sql`` reads nothing volatile."""
    return _VOLATILE_RE.search(sql) is None and not any(n in volatile for n in _names(sql))


class ResultCache:
    """Least recently used results (immutable Arrow tables) by key, bounded
    in entries and in bytes; a result over ``max_entry_bytes`` is not kept.
    Thread-safe."""

    def __init__(self, max_entries: int = 512, max_bytes: int = 64 << 20,
                 max_entry_bytes: int = 4 << 20) -> None:
        self.max_entries, self.max_bytes, self.max_entry_bytes = \
            max_entries, max_bytes, max_entry_bytes
        self._items: "OrderedDict[Hashable, Tuple[Any, int]]" = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Optional[Any]:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Hashable, table: Any) -> None:
        size = int(getattr(table, "nbytes", 0))
        if size > self.max_entry_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (table, size)
            self._bytes += size
            while self._items and (len(self._items) > self.max_entries
                                   or self._bytes > self.max_bytes):
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
