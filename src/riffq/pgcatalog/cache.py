"""A cache of catalog query results, for the queries whose answer depends
only on the catalog and on the asking session's state.

Why: GUI tools send the same introspection queries again and again (every
connection's startup, every refresh, several connections at once), and a
catalog query costs DuckDB a few milliseconds of planning however small its
answer; PostgreSQL keeps such answers cheap with its catalog caches.

What may be cached is decided from the SQL DuckDB runs, and from the
definitions of every rq_fn macro and rq_pg / rq_is view it reads,
transitively (read from the DuckDB catalog once). What a statement reads
puts it in some of these *kinds*:
- ``volatile``: the time, randomness, sequences. Never cached.
- ``activity``: pg_stat_activity, pg_stat_ssl (the connections). Never cached; the
  engine writes its rows before such a statement runs.
- ``settings``: the session's settings (``rq_guc_*``: current_setting,
  pg_settings, current_schema...). Cached with the settings' digest in the key.
- ``conn``: the connection's backend pid, client or server address. Cached
  with the connection's identity in the key.
Everything else is a function of the catalog's contents (its generation is
in the key), the database, the user and the search path, which make the
rest of the key (``CatalogEngine.cache_key``).
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from typing import Any, Dict, FrozenSet, Hashable, Iterable, List, Optional, Tuple

__all__ = ["KINDS", "NEVER_CACHED", "volatility", "freeze", "statement_kinds", "ResultCache",
           "save_volatility", "load_volatility"]

VOLATILE_TABLE = "rq_base.rq_volatile"

_NAME_RE = re.compile(r'\b(rq_fn|rq_is|rq_pg)\."?([a-z_0-9]+)"?')
#: kind -> what, read directly, puts a definition or a statement in it
_KIND_RE = {
    "volatile": re.compile(
        r"\b(?:now|random|gen_random_uuid|uuid|txid_current|clock_timestamp|statement_timestamp"
        r"|transaction_timestamp|timeofday|today|setseed|nextval|currval|lastval|pg_sleep"
        r"|get_current_time|get_current_timestamp|current_localtimestamp)\s*\("
        r"|\b(?:current_time|current_timestamp|current_date|localtime|localtimestamp)\b"
        r"|getvariable\('rq_set_config_\d+'\)",  # set_config()'s results (and effects)
        re.IGNORECASE),
    "activity": re.compile(r"\bpg_stat_(?:activity|ssl)\b", re.IGNORECASE),
    "settings": re.compile(r"getvariable\('rq_guc_\w+'\)", re.IGNORECASE),
    "conn": re.compile(
        r"getvariable\('rq_(?:pid|client_addr|client_port|server_addr|server_port)'\)",
        re.IGNORECASE),
}
KINDS = tuple(_KIND_RE)


# String literals: a type name 'uuid' or a keyword list holding
# 'current_date' reads nothing volatile. Scanned left to right, a variable
# read (kept) or a literal (emptied).
_LITERAL_RE = re.compile(r"(getvariable\('[^']*'\))|'(?:[^']|'')*'", re.IGNORECASE)


def _code(text: str) -> str:
    """SQL text without its string literals but variable names."""
    return _LITERAL_RE.sub(lambda m: m.group(1) or "''", text)


def _names(text: str) -> Iterable[str]:
    return (f"{schema}.{name}" for schema, name in _NAME_RE.findall(text))


def volatility(defs: Dict[str, List[str]]) -> Dict[str, FrozenSet[str]]:
    """kind -> the names of ``defs`` (qualified name -> its definitions'
    SQL) in it: reading a thing of that kind themselves, or through another
    name that does."""
    refs = {name: set(n for t in texts for n in _names(t)) - {name}
            for name, texts in defs.items()}
    codes = {name: [_code(t) for t in texts] for name, texts in defs.items()}
    out = {}
    for kind, pattern in _KIND_RE.items():
        marked = {name for name, texts in codes.items() if any(pattern.search(t) for t in texts)}
        changed = True
        while changed:
            changed = False
            for name, used in refs.items():
                if name not in marked and used & marked:
                    marked.add(name)
                    changed = True
        out[kind] = frozenset(marked)
    return out


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
    """Work out the kinds of the catalog's rq_* names in DuckDB ``con``
    (~50 ms: every definition read and searched) and keep them in
    VOLATILE_TABLE (name, kind); the snapshot build runs it once."""
    from .schema import sql_literal

    pairs = sorted((name, kind) for kind, names in volatility(_definitions(con)).items()
                   for name in names)
    con.execute(f"CREATE OR REPLACE TABLE {VOLATILE_TABLE} (name VARCHAR, kind VARCHAR)")
    if pairs:
        con.execute(f"INSERT INTO {VOLATILE_TABLE} VALUES "
                    + ", ".join(f"({sql_literal(n)}, {sql_literal(k)})" for n, k in pairs))


def load_volatility(con: Any) -> Dict[str, FrozenSet[str]]:
    """The kinds save_volatility kept (worked out now when the catalog was
    built without them)."""
    try:
        rows = con.execute(f"SELECT kind, name FROM {VOLATILE_TABLE}").fetchall()
    except Exception:  # a catalog built before the table existed
        return volatility(_definitions(con))
    out: Dict[str, set] = {kind: set() for kind in KINDS}
    for kind, name in rows:
        out.setdefault(kind, set()).add(name)
    return {kind: frozenset(names) for kind, names in out.items()}


def freeze(kinds: Dict[str, FrozenSet[str]]) -> Tuple[Tuple[str, FrozenSet[str]], ...]:
    """load_volatility's answer as the hashable argument of statement_kinds."""
    return tuple(sorted(kinds.items()))


#: kinds whose statements are never cached
NEVER_CACHED = frozenset(("volatile", "activity"))


@functools.lru_cache(maxsize=8192)
def statement_kinds(sql: str, kinds: Tuple[Tuple[str, FrozenSet[str]], ...]) -> FrozenSet[str]:
    """The kinds (see the module docstring) of the rewritten statement
    ``sql``: what it reads directly or through the rq_* names it uses."""
    code = _code(sql)
    names = set(_names(code))
    return frozenset(kind for kind, marked in kinds
                     if _KIND_RE[kind].search(code) is not None or names & marked)


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
