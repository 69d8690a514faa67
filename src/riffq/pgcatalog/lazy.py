"""riffq 0.1.11's lazy catalog source contract.

A lazy source is any object with four methods, each answering through the
callback it is given (called once, synchronously, with a list of dicts):

- ``databases(cb)``: ``{"oid": int, "name": str, ["datdba": int]}``
- ``schemas(database, cb)``: ``{"oid": int, "name": str, ["owner_oid": int]}``
- ``relations(database, schema, cb)``: ``{"oid": int, "reltype_oid": int,
  "name": str, ["kind": "table" | "view" | "materialized_view" | "matview"],
  ["owner_oid", "has_index", "has_rules", "has_triggers", "row_security"]}``
- ``columns(database, schema, relation, cb)``: ``{"name": str,
  "type_oid": int, "nullable": bool, ["typmod": int]}``

and optionally ``config(cb)`` / ``settings(cb)`` with ``{"name", "setting"}``
rows that override pg_config / pg_settings values.

The source is asked again before every catalog query, so objects it adds or
drops show at once. Its OIDs are used as given. A failing source fails the
query with the source's message (a missing field or an unknown kind names
the field), never a silently empty catalog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List

from .rows import SHARED_LAZY, RowSet, attribute_row, class_row, database_row
from .types import PgType

if TYPE_CHECKING:
    from .engine import CatalogEngine

__all__ = ["LazySourceError", "databases", "collect", "overrides"]

_KINDS = {"table": "r", "view": "v", "materialized_view": "m", "matview": "m"}


class LazySourceError(Exception):
    """The lazy source raised or returned malformed rows (SQLSTATE XX000)."""

    sqlstate = "XX000"


def _pull(source: Any, method: str, *args: Any) -> List[Dict[str, Any]]:
    box: List[Any] = []
    try:
        getattr(source, method)(*args, box.append)
    except LazySourceError:
        raise
    except Exception as exc:
        raise LazySourceError(f"lazy catalog source error: {type(exc).__name__}: {exc}") from exc
    if not box or box[0] is None:
        return []
    rows = box[-1]
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, dict) for r in rows):
        raise LazySourceError(f"lazy catalog source error: {method}() must pass a list of dicts")
    return list(rows)


def _req(row: Dict[str, Any], key: str, typ: type) -> Any:
    if key not in row or row[key] is None:
        raise LazySourceError(f"lazy catalog row is missing required field '{key}'")
    value = row[key]
    if typ is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise LazySourceError(f"lazy catalog field '{key}' must be an int, not {value!r}")
    if typ is str and not isinstance(value, str):
        raise LazySourceError(f"lazy catalog field '{key}' must be a str, not {value!r}")
    if typ is bool and not isinstance(value, bool):
        raise LazySourceError(f"lazy catalog field '{key}' must be a bool, not {value!r}")
    return value


def databases(source: Any) -> List[Dict[str, Any]]:
    """The source's databases, validated."""
    out = []
    for r in _pull(source, "databases"):
        out.append({"oid": _req(r, "oid", int), "name": _req(r, "name", str),
                    "datdba": r.get("datdba") or 10})
    return out


def overrides(source: Any, method: str) -> Dict[str, str]:
    """``config()`` / ``settings()`` rows as name -> setting (empty if absent)."""
    if not callable(getattr(source, method, None)):
        return {}
    return {_req(r, "name", str): str(_req(r, "setting", str)) for r in _pull(source, method)}


def _kind(row: Dict[str, Any]) -> str:
    kind = row.get("kind") or "table"
    if kind not in _KINDS:
        raise LazySourceError(f"unknown relation kind '{kind}' "
                              "(use table/view/materialized_view)")
    return _KINDS[kind]


def collect(source: Any, current_db: str, engine: "CatalogEngine") -> Dict[int, RowSet]:
    """Rows for all the source's databases (pg_database) and the objects of
    ``current_db`` (what a session of that database can see)."""
    out: Dict[int, RowSet] = {SHARED_LAZY: RowSet()}
    for db in databases(source):
        engine.oids.reserve(db["oid"])
        row = database_row(db["oid"], db["name"])
        row["datdba"] = db["datdba"]
        out[SHARED_LAZY].add("pg_database", row)
        if db["name"] == current_db:
            out[db["oid"]] = _database_objects(source, db["name"], engine)
    return out


def _database_objects(source: Any, db: str, engine: "CatalogEngine") -> RowSet:
    rs = RowSet()
    builtin = engine._builtin_ns
    for sc in _pull(source, "schemas", db):
        ns_oid, ns_name = _req(sc, "oid", int), _req(sc, "name", str)
        engine.oids.reserve(ns_oid)
        if ns_name not in builtin:
            rs.add("pg_namespace", {"oid": ns_oid, "nspname": ns_name,
                                    "nspowner": sc.get("owner_oid") or 10})
        else:
            ns_oid = builtin[ns_name]
        for rel in _pull(source, "relations", db, ns_name):
            _relation(source, db, ns_name, ns_oid, rel, rs, engine)
    return rs


def _relation(source: Any, db: str, schema: str, ns_oid: int, rel: Dict[str, Any], rs: RowSet,
              engine: "CatalogEngine") -> None:
    oid, name = _req(rel, "oid", int), _req(rel, "name", str)
    reltype, kind = _req(rel, "reltype_oid", int), _kind(rel)
    engine.oids.reserve(max(oid, reltype))
    cols = _pull(source, "columns", db, schema, name)
    row = class_row(oid, name, ns_oid, kind, len(cols), bool(rel.get("has_index", False)), reltype)
    row.update({"relowner": rel.get("owner_oid") or 10,
                "relhasrules": bool(rel.get("has_rules", kind == "v")),
                "relhastriggers": bool(rel.get("has_triggers", False)),
                "relrowsecurity": bool(rel.get("row_security", False))})
    rs.add("pg_class", row)
    # (no system columns: riffq 0.1.11's lazy relations list only their own)
    for num, c in enumerate(cols, start=1):
        ty = PgType(_req(c, "type_oid", int), int(c.get("typmod", -1) or -1))
        rs.add("pg_attribute", attribute_row(engine._types, oid, num, _req(c, "name", str), ty,
                                             not _req(c, "nullable", bool), False))
