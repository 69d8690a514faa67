"""Catalog text functions written in Python and registered in DuckDB as
scalar functions (``rq_py_*``), for the rq_fn macros that only reshape text.

Why: DuckDB inlines a macro's whole body at every call site and binds and
optimizes it there. ``quote_ident`` as a macro (a regex and a ~1 kB keyword
list, its argument four times) cost ~1.2 ms of planning a call site, and
``pg_get_expr(x, rel, true)`` (four nested regex rewrites, each repeating
its argument) ~1.4 ms; it is called inside many other macros, and psql's
``\\d`` alone calls it several times. A registered function binds like a
built-in: a call site of the macros that call them now costs 0.20-0.26 ms.
They run per row with the GIL, which catalog answers (hundreds of rows at
most) do not notice.

Each function is the exact counterpart of the SQL it replaces (kept in
tests/test_pgcatalog_pyfuncs.py, which compares both on every expression
text and name of the built-in catalog and on edge cases): NULL in, NULL out
(DuckDB's default null handling), no exceptions.
``install_python_functions(con)`` registers them; every DuckDB connection
the catalog runs in needs it before its first statement (the snapshot's
build, a server's open of its copy).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, List, Optional

from .functions import _paren_group_regex, _reserved_words

__all__ = ["install_python_functions", "quote_ident", "expr_text", "pretty_expr",
           "PYTHON_FUNCTIONS"]

_SAFE_IDENT = re.compile(r"[a-z_][a-z0-9_]*")
_RESERVED = frozenset(_reserved_words())


def quote_ident(s: str) -> str:
    """PostgreSQL's quote_ident(): ``s`` as is when it is a lower-case
    identifier that is no keyword needing quotes, else double-quoted with
    inner quotes doubled."""
    if _SAFE_IDENT.fullmatch(s) and s not in _RESERVED:
        return s
    return '"' + s.replace('"', '""') + '"'


def _json_list(text: str) -> Optional[List[Optional[str]]]:
    """from_json(text, '["VARCHAR"]') of a JSON list: its items as text
    (strings unquoted, anything else as its JSON), None for a non-list or
    invalid JSON."""
    try:  # (NaN and Infinity pass, as DuckDB's json_valid() lets them)
        items = json.loads(text)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    out: List[Optional[str]] = []
    for item in items:
        if item is None or isinstance(item, str):
            out.append(item)
        else:
            out.append(json.dumps(item, separators=(",", ":"), ensure_ascii=False))
    return out


def expr_text(e: str) -> str:
    """An expression column's text as pg_get_expr() prints it: a JSON list
    (proargdefaults, indexprs) is its items joined by ', ' (NULL items
    left out; a list of NULLs only stays as it is), anything else itself."""
    if not e.startswith("["):
        return e
    items = _json_list(e)
    if items is None:
        return e
    kept = [x for x in items if x is not None]
    if items and not kept:  # (array_to_string of NULLs only is NULL: the text stays)
        return e
    return ", ".join(kept)


# (functions.sql's @PAREN_GROUP@: the same pattern reads alike in RE2 and re)
_PAREN_GROUP = re.compile(_paren_group_regex())
_PAREN_TERM = re.compile(r"(^|AND |OR )\(([^()]*)\)( AND| OR|\Z)")
_PAREN_CAST = re.compile(r"\(([A-Za-z_][A-Za-z0-9_]*|[0-9.]+|'[^']*')\)::")
_PAREN_ARRAY_CAST = re.compile(r"\((ARRAY\[[^\]]*\])\)::")


def _unparen(e: str) -> str:
    return e[1:-1] if _PAREN_GROUP.fullmatch(e) else e


def pretty_expr(e: str) -> str:
    """The pretty form of expression text (pg_get_expr(x, rel, true)):
    outer parentheses removed, '(x)::type' -> 'x::type', parentheses
    around simple terms of AND / OR dropped (twice: terms side by side
    share their AND)."""
    text = _PAREN_ARRAY_CAST.sub(r"\1::", _PAREN_CAST.sub(r"\1::", _unparen(e)))
    return _PAREN_TERM.sub(r"\1\2\3", _PAREN_TERM.sub(r"\1\2\3", text))


#: DuckDB name -> function: each takes one VARCHAR and returns VARCHAR
PYTHON_FUNCTIONS: Dict[str, Callable[..., str]] = {
    "rq_py_quote_ident": quote_ident,
    "rq_py_expr_text": expr_text,
    "rq_py_pretty_expr": pretty_expr,
}


def install_python_functions(con: Any) -> None:
    """Register PYTHON_FUNCTIONS in DuckDB connection ``con`` (its
    database's cursors see them too); a second call is a no-op.

    (Registered ones are not looked up in duckdb_functions(): that scan
    costs ~30 ms, a fifth of a server's cold start.)"""
    import duckdb

    types = getattr(duckdb, "sqltypes", None) or getattr(duckdb, "typing")
    for name, fn in PYTHON_FUNCTIONS.items():
        try:
            con.create_function(name, fn, [types.VARCHAR], types.VARCHAR, side_effects=False)
        except duckdb.NotImplementedException as exc:  # DuckDB's word for "exists"
            if "already created" not in str(exc):
                raise
