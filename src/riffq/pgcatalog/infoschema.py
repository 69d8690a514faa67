"""PostgreSQL 15's information_schema for catalog emulation: DuckDB views in
schema ``rq_is`` over ``rq_pg.*`` and ``rq_fn.*``.

``install_information_schema(con)`` runs after schema.build_catalog_db(con)
and functions.install_functions(con). The views are written in
infoschema.sql after the semantics of PostgreSQL's own definitions; each
produces its columns by name, and this module wraps it so that the view has
exactly PostgreSQL 15's columns, in order, typed (data/relations.json):
columns a definition leaves out are NULL, and views riffq has nothing for
(foreign data wrappers, user mappings, dependency-based *_usage views, the
sql_* feature tables) are empty.

Also in rq_is: the helper functions of PostgreSQL's information_schema
(``_pg_expandarray`` as a table macro and as a set-returning expression,
``_pg_char_max_length``, ``_pg_numeric_precision``, ``_pg_index_position``,
...): the rewriter maps ``information_schema.f(...)`` to ``rq_is.f(...)``.

Domain types map to DuckDB types: sql_identifier, character_data and
yes_or_no -> VARCHAR, cardinal_number -> INTEGER, time_stamp -> TIMESTAMPTZ.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple


logger = logging.getLogger(__name__)

SQL_FILE = Path(__file__).with_name("infoschema.sql")
RELATIONS_FILE = Path(__file__).with_name("data") / "relations.json"

DOMAIN_TYPES: Dict[str, str] = {
    "information_schema.sql_identifier": "VARCHAR",
    "information_schema.character_data": "VARCHAR",
    "information_schema.yes_or_no": "VARCHAR",
    "information_schema.cardinal_number": "INTEGER",
    "information_schema.time_stamp": "TIMESTAMPTZ",
    "name": "VARCHAR", "text": "VARCHAR", "oid": "BIGINT", "text[]": "VARCHAR[]",
    "integer": "INTEGER", "boolean": "BOOLEAN",
}

_VIEW_HEAD = re.compile(r"CREATE VIEW rq_is\.(\w+) AS\s+", re.S)


def _load_shapes() -> Dict[str, List[Tuple[str, str]]]:
    """information_schema relation -> [(column, DuckDB type)] in PostgreSQL's order."""
    from .schema import relations_json

    try:
        rels = relations_json()
    except (OSError, ValueError):
        logger.warning("information_schema: %s missing; views keep their own columns",
                       RELATIONS_FILE)
        return {}
    return {r["name"]: [(c["name"], DOMAIN_TYPES.get(c["type"], "VARCHAR")) for c in
                        sorted(r["columns"], key=lambda c: c["attnum"])]
            for r in rels if r["schema"] == "information_schema"}


SHAPES: Dict[str, List[Tuple[str, str]]] = _load_shapes()

# Every information_schema relation of PostgreSQL 15 that rq_is provides.
INFORMATION_SCHEMA_VIEWS: Tuple[str, ...] = tuple(sorted(SHAPES))


def _statements(sql: str) -> List[str]:
    """The statements of infoschema.sql (each ends with ';' at a line end)."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";[ \t]*\n", body + "\n") if s.strip()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _typed_select(source: str, have: Optional[List[str]], shape: List[Tuple[str, str]]) -> str:
    """SELECT of ``source`` with exactly the columns of ``shape`` (``have``:
    the columns ``source`` provides, None for all of them)."""
    names = {c for c, _ in shape}
    extra = sorted(set(have or ()) - names)
    if extra:
        raise ValueError(f"{source[:60]}: columns not in PostgreSQL's view: {extra}")
    cols = ", ".join(
        f"CAST({_quote(c) if have is None or c in have else 'NULL'} AS {t}) AS {_quote(c)}"
        for c, t in shape)
    return f"SELECT {cols} FROM {source}"


_ITEM_NAME = re.compile(r"(?:\bAS\s+|^(?:\w+\.)?)(\w+)\s*$", re.S | re.I)


def _top_level_items(body: str) -> List[str]:
    """The select-list items of the first SELECT of ``body`` (split at
    top-level commas, up to the top-level FROM)."""
    depth, quote, start, items = 0, False, None, []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "'":
            quote = not quote
        elif not quote:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif depth == 0 and start is None and body[i:i + 6].upper() == "SELECT":
                start = i = i + 6
                continue
            elif depth == 0 and start is not None and ch == ",":
                items.append(body[start:i])
                start = i + 1
            elif (depth == 0 and start is not None and re.match(r"\sFROM\s", body[i:i + 6], re.I)):
                items.append(body[start:i])
                return [it.strip() for it in items]
        i += 1
    if start is not None:
        items.append(body[start:].rstrip().rstrip(";"))
    return [it.strip() for it in items]


def output_columns(body: str) -> Optional[List[str]]:
    """Column names a view definition of infoschema.sql produces, read from
    its first select list (every item ends in 'AS name' or is a column
    reference); None for 'SELECT * ...'. Saves DuckDB a describe per view:
    each costs as much as creating the view."""
    items = _top_level_items(body)
    if items == ["*"]:
        return None
    names = []
    for item in items:
        m = _ITEM_NAME.search(item)
        if m is None:
            raise ValueError(f"infoschema.sql: cannot name select item {item[:60]!r}")
        names.append(m.group(1))
    return names


def _create_view(con: Any, name: str, body: str) -> None:
    """rq_is.<name> from a definition: as is when PostgreSQL's shape is
    unknown, else wrapped to PostgreSQL's columns, order and types."""
    shape = SHAPES.get(name)
    if shape is None:
        con.execute(f"CREATE VIEW rq_is.{name} AS {body}")
        return
    source = f"({body}) rq_src"
    con.execute(f"CREATE VIEW rq_is.{name} AS {_typed_select(source, output_columns(body), shape)}")


def _create_fallback(con: Any, name: str, shape: List[Tuple[str, str]],
                     tables: Dict[Tuple[str, str], List[str]]) -> None:
    """A relation rq_is has no definition for: from a catalog table of the
    same name when schema.py made one (sql_features ...), else empty."""
    for schema in ("rq_pg", "rq_base"):
        have = tables.get((schema, name))
        if have:
            cols = [c for c in have if c in {n for n, _ in shape}]
            con.execute(f"CREATE VIEW rq_is.{name} AS "
                        f"{_typed_select(f'{schema}.{name}', cols, shape)}")
            return
    cols = ", ".join(f"CAST(NULL AS {t}) AS {_quote(c)}" for c, t in shape)
    con.execute(f"CREATE VIEW rq_is.{name} AS SELECT {cols} WHERE false")


def _catalog_tables(con: Any, names: List[str]) -> Dict[Tuple[str, str], List[str]]:
    """Columns of the rq_pg / rq_base TABLES among ``names`` (duckdb_tables()
    and DESCRIBE: duckdb_columns() would bind every view of the catalog)."""
    found = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables()"
        " WHERE schema_name IN ('rq_pg', 'rq_base')").fetchall()
    wanted = set(names)
    return {(sch, tab): [r[0] for r in con.execute(f"DESCRIBE {sch}.{tab}").fetchall()]
            for sch, tab in found if tab in wanted}


def install_information_schema(con: Any) -> None:
    """Create schema rq_is with PostgreSQL 15's information_schema views and
    helper functions in DuckDB ``con`` (needs rq_pg and rq_fn)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS rq_is")
    made = set()
    for stmt in _statements(SQL_FILE.read_text(encoding="utf-8")):
        m = _VIEW_HEAD.match(stmt)
        try:
            if m is not None and not m.group(1).startswith("_"):
                _create_view(con, m.group(1), stmt[m.end():])
                made.add(m.group(1))
            else:
                con.execute(stmt)
        except Exception:
            logger.error("rq_is: failed to create: %s", stmt[:200])
            raise
    missing = [n for n in SHAPES if n not in made]
    tables = _catalog_tables(con, missing)
    for name in missing:
        _create_fallback(con, name, SHAPES[name], tables)


def view_definitions() -> Dict[str, Optional[str]]:
    """rq_is view name -> its definition in infoschema.sql (None: empty or
    taken from a catalog table). For documentation and tests."""
    defs: Dict[str, Optional[str]] = {n: None for n in SHAPES}
    for stmt in _statements(SQL_FILE.read_text(encoding="utf-8")):
        m = _VIEW_HEAD.match(stmt)
        if m is not None and not m.group(1).startswith("_"):
            defs[m.group(1)] = stmt[m.end():]
    return defs
