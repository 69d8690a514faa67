"""Precomputed texts of the catalog functions clients call most.

Why: DuckDB inlines a macro's whole body, and the macros that build text
from the catalog (``format_type``, ``pg_get_function_arguments``,
``pg_get_indexdef``, ``pg_table_is_visible``...) expand into large plans.
Binding and planning them costs 5-60 ms per query however few rows it
reads, which made a GUI tool's connect burst take over a second. Their
results depend only on the catalog's contents and the session's effective
search path, so they are computed in bulk once per *key* and looked up.

A family is a set of functions answered from one table ``rq_base.rq_k_<f>``
(``key``, ``oid``, texts...). The functions keep their slow definitions
under ``rq_fn._s_<name>`` (every reference inside the catalog's own SQL is
renamed to them by ``slow_names``, so views and macros never depend on a
table that may not be filled); the public names become lookups:

    (SELECT k.<col> FROM rq_base.rq_k_<f> k
     WHERE k.oid = <arg> AND k.key IN (rq_fn._bkey(), rq_fn._tkey()))

Keys (DuckDB variables set by the engine per session):

- ``rq_tkey``: this session's key: database, catalog generation (bumped by
  every registration change) and effective search path;
- ``rq_bkey``: ``'std'`` when the path is *standard*: pg_catalog first and
  neither information_schema nor pg_toast on it. Then every built-in
  object's text is the same in every session (nothing can hide a
  pg_catalog object, and the built-in objects elsewhere are never
  visible), so the built-in rows are computed once, into the snapshot,
  under key ``'std'``, and a session's key holds only its database's own
  objects. For any other path ``rq_bkey = rq_tkey`` and the key holds
  every row.

The router asks ``families_of(duckdb_sql)`` which families a rewritten
query calls, and the engine fills them for the session's key before
running it (``CatalogEngine.ensure_derived``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

__all__ = ["FAMILIES", "STD_KEY", "slow_names", "families_of", "install_macros",
           "fill_builtin", "fill_sql", "own_rows_sql", "is_standard_path", "use_key"]

STD_KEY = "std"


@dataclass(frozen=True)
class Family:
    """One table of precomputed texts.

    Attributes:
        catalog: the pg_catalog relation whose rows it covers.
        columns: its columns after ``key`` and ``oid`` (DuckDB DDL).
        source: a SELECT of ``oid`` and those columns over every row of
            ``catalog`` the session sees, calling the slow functions.
        functions: public function name -> its lookup macro (SQL after
            ``CREATE MACRO rq_fn.<name>``).
        relations: views that read the table (defined in infoschema.sql).
        catalog_oid: ``catalog``'s column the rows' ``oid`` is.
        shape_of: the information_schema view whose rows the family stores
            (``columns`` and the order of ``source``'s columns are then
            that view's).
    """

    catalog: str
    columns: str
    source: str
    functions: Dict[str, str]
    relations: Tuple[str, ...] = ()
    catalog_oid: str = "oid"
    shape_of: Optional[str] = None

    def table_columns(self) -> str:
        """``columns``, or for a family that stores an information_schema
        view's rows (``shape_of``), that view's columns as PostgreSQL types
        them."""
        if self.shape_of is None:
            return self.columns
        return ", ".join(f'"{c}" {t}' for c, t in _shape(self.shape_of))

    def select(self) -> str:
        """``source``; for ``shape_of``, its oid and the view's columns in
        PostgreSQL's order."""
        if self.shape_of is None:
            return self.source
        cols = ", ".join(f's."{c}"' for c, _ in _shape(self.shape_of))
        return f"SELECT s.oid, {cols} FROM ({self.source}) s"


def _shape(view: str) -> List[Tuple[str, str]]:
    from .infoschema import SHAPES

    return SHAPES[view]


def _lookup(fam: str, expr: str, arg: str) -> str:
    return (f"(SELECT {expr} FROM rq_base.rq_k_{fam} k WHERE k.oid = {arg}"
            " AND k.key IN (rq_fn._bkey(), rq_fn._tkey()))")


def _out(fam: str, col: str, arg: str, zero: str = "'-'") -> str:
    """reg*_out shape: NULL, '-' for 0, the text, else the number."""
    return (f"({arg}) AS CASE WHEN {arg} IS NULL THEN NULL WHEN {arg} = 0 THEN {zero}"
            f" ELSE coalesce({_lookup(fam, 'k.' + col, arg)}, {arg}::VARCHAR) END")


def _named_lookups(fam: str, reg: str, sqlstate: str, what: str) -> Dict[str, str]:
    """``_<reg>_named(name)`` / ``_<reg>_qualified(schema, name)``: the oid a
    plain name literal cast to ``reg`` stands for (the rewriter uses them for
    literals such as 'pg_class'::regclass), with reg*_in's errors."""
    keys = "k.key IN (rq_fn._bkey(), rq_fn._tkey())"
    missing = f"error('RQERR:{sqlstate}:{what} \"' || n || '\" does not exist')"
    return {
        f"_{reg}_named": f"(n) AS coalesce((SELECT k.oid FROM rq_base.rq_k_{fam} k"
                         f" WHERE k.name = n AND k.visible AND {keys}), {missing})",
        f"_{reg}_qualified": (
            f"(s, n) AS coalesce((SELECT k.oid FROM rq_base.rq_k_{fam} k"
            f" WHERE k.nspname = s AND k.name = n AND {keys}),"
            " CASE WHEN EXISTS (SELECT 1 FROM rq_pg.pg_namespace x WHERE x.nspname = s)"
            f" THEN error('RQERR:{sqlstate}:{what} \"' || s || '.' || n || '\" does not exist')"
            " ELSE error('RQERR:3F000:schema \"' || s || '\" does not exist') END)"),
    }


# format_type(t, m) for m >= 0, from the type's precomputed parts (tm_*):
# PostgreSQL's typmod output for the types it special-cases, else
# "name(m)". (rq_fn._s_format_type spells out every type inline: binding
# that costs DuckDB ~2 ms per call site.)
_TYPMOD_TEXT = (
    "k.tm_prefix || CASE k.tm_kind"
    " WHEN 'n' THEN ''"
    " WHEN 'l' THEN CASE WHEN tmod > 4 THEN printf('(%d)', tmod - 4) ELSE '' END"
    " WHEN 'd' THEN CASE WHEN tmod >= 4 THEN printf('(%d,%d)', ((tmod - 4) >> 16) & 65535,"
    " xor((tmod - 4) & 2047, 1024) - 1024) ELSE '' END"
    " WHEN 'i' THEN rq_fn._interval_fields((tmod >> 16) & 32767)"
    " || CASE WHEN tmod & 65535 <> 65535 THEN printf('(%d)', tmod & 65535) ELSE '' END"
    " ELSE printf('(%d)', tmod) END || k.tm_suffix")

# Per type: how its typmod prints (n: not at all, l: a length after the
# 4-byte header, d: numeric's precision and scale, i: interval's fields and
# precision, p: the number), the name before it and the words after it.
_TYPMOD_PARTS = (
    "CASE WHEN n.base IN (16, 700, 701, 21, 23, 20) THEN 'n' WHEN n.base IN (1042, 1043) THEN 'l'"
    " WHEN n.base = 1700 THEN 'd' WHEN n.base = 1186 THEN 'i' ELSE 'p' END,"
    " CASE WHEN n.base IN (1083, 1266) THEN 'time' WHEN n.base IN (1114, 1184) THEN 'timestamp'"
    " WHEN n.base = 1560 THEN 'bit' WHEN n.base = 1562 THEN 'bit varying'"
    " WHEN n.base = 1042 THEN 'character'"
    " ELSE coalesce(rq_fn._std_type_name(n.base, -1), n.generic) END,"
    " CASE WHEN n.base IN (1083, 1114) THEN ' without time zone'"
    " WHEN n.base IN (1266, 1184) THEN ' with time zone' ELSE '' END"
    " || CASE WHEN n.is_array THEN '[]' ELSE '' END")

FAMILIES: Dict[str, Family] = {
    "type": Family(
        "pg_type",
        "fmt VARCHAR, fmt_m1 VARCHAR, tm_kind VARCHAR, tm_prefix VARCHAR, tm_suffix VARCHAR,"
        " visible BOOLEAN, nspname VARCHAR, name VARCHAR",
        "SELECT n.oid, rq_fn._s_format_type(n.oid, NULL), rq_fn._s_format_type(n.oid, -1), "
        + _TYPMOD_PARTS + ", v.visible, v.nspname, v.name"
        " FROM rq_fn._type_names n JOIN rq_fn._vis_pg_type v ON v.oid = n.oid",
        {
            "format_type": "(toid, tmod) AS CASE WHEN toid IS NULL THEN NULL WHEN toid = 0"
                           " THEN '-' ELSE coalesce(" + _lookup(
                               "type", "CASE WHEN tmod IS NULL THEN k.fmt WHEN tmod < 0"
                               f" THEN k.fmt_m1 ELSE {_TYPMOD_TEXT} END",
                               "toid") + ", '???') END",
            "regtype_out": _out("type", "fmt", "toid"),
            "pg_type_is_visible": "(objoid) AS " + _lookup("type", "k.visible", "objoid"),
            **_named_lookups("type", "regtype", "42704", "type"),
        }),
    "class": Family(
        "pg_class",
        "visible BOOLEAN, regclass VARCHAR, nspname VARCHAR, name VARCHAR",
        "SELECT v.oid, v.visible, rq_fn._s_regclass_out(v.oid), v.nspname, v.name"
        " FROM rq_fn._vis_pg_class v",
        {
            "regclass_out": _out("class", "regclass", "reloid"),
            "pg_table_is_visible": "(objoid) AS " + _lookup("class", "k.visible", "objoid"),
            **_named_lookups("class", "regclass", "42P01", "relation"),
        }),
    "proc": Family(
        "pg_proc",
        "visible BOOLEAN, regproc VARCHAR, regprocedure VARCHAR, args VARCHAR,"
        " identity_args VARCHAR, result VARCHAR",
        "SELECT p.oid, v.visible, rq_fn._s_regproc_out(p.oid), rq_fn._s_regprocedure_out(p.oid),"
        " rq_fn._s_pg_get_function_arguments(p.oid),"
        " rq_fn._s_pg_get_function_identity_arguments(p.oid),"
        " rq_fn._s_pg_get_function_result(p.oid)"
        " FROM rq_pg.pg_proc p JOIN rq_fn._vis_pg_proc v ON v.oid = p.oid",
        {
            "pg_function_is_visible": "(objoid) AS " + _lookup("proc", "k.visible", "objoid"),
            "regproc_out": _out("proc", "regproc", "fnoid"),
            "regprocedure_out": _out("proc", "regprocedure", "fnoid"),
            "pg_get_function_arguments": "(fnoid) AS " + _lookup("proc", "k.args", "fnoid"),
            "pg_get_function_identity_arguments":
                "(fnoid) AS " + _lookup("proc", "k.identity_args", "fnoid"),
            "pg_get_function_result": "(fnoid) AS " + _lookup("proc", "k.result", "fnoid"),
        }),
    "index": Family(
        "pg_index",
        "def VARCHAR, def_pretty VARCHAR, cols VARCHAR[], cols_pretty VARCHAR[]",
        "SELECT d.indexrelid AS oid, d.def, d.def_pretty, d.cols, d.cols_pretty"
        " FROM rq_fn._indexdefs() d",
        {
            "pg_get_indexdef": "(idxoid) AS " + _lookup("index", "k.def", "idxoid") + ","
                               " (idxoid, col, pretty) AS " + _lookup(
                                   "index", "CASE WHEN col IS NULL OR col = 0 THEN CASE WHEN"
                                   " coalesce(pretty, false) THEN k.def_pretty ELSE k.def END"
                                   " ELSE coalesce(CASE WHEN coalesce(pretty, false)"
                                   " THEN k.cols_pretty ELSE k.cols END[col], '') END", "idxoid"),
        }, catalog_oid="indexrelid"),
    "constraint": Family(
        "pg_constraint",
        "def VARCHAR, def_pretty VARCHAR",
        "SELECT d.oid, d.def, d.def_pretty FROM rq_fn._condefs d",
        {
            "pg_get_constraintdef": "(conoid) AS " + _lookup("constraint", "k.def", "conoid") + ","
                                    " (conoid, pretty) AS " + _lookup(
                                        "constraint", "CASE WHEN coalesce(pretty, false)"
                                        " THEN k.def_pretty ELSE k.def END", "conoid"),
        }),
    # information_schema's view updatability (a recursive walk over view
    # definitions with regexes): rq_is._view_upd reads it, rq_is._s_view_upd
    # computes it (infoschema.sql)
    "view": Family(
        "pg_class", "targets VARCHAR[], updatable BOOLEAN",
        "SELECT v.oid, v.targets, v.updatable FROM rq_is._s_view_upd v", {},
        ("rq_is._view_upd",)),
    # information_schema.columns' rows (rq_is.columns reads them,
    # rq_is._s_columns computes them; infoschema.sql)
    "columns": Family(
        "pg_class", "", "SELECT * FROM rq_is._s_columns", {}, ("rq_is.columns",),
        shape_of="columns"),
}

#: public function name -> its family
_FUNCTION_FAMILY: Dict[str, str] = {fn: fam for fam, f in FAMILIES.items() for fn in f.functions}
_CALL_RE = re.compile(r"\brq_fn\.\"?([a-z_0-9]+)\"?\(")
_IS_REF_RE = re.compile(r"\brq_is\.\"?([a-z_0-9]+)")
_IS_DEF_RE = re.compile(r"^CREATE (?:VIEW|MACRO) rq_is\.([a-z_0-9]+)", re.M)


#: _view_families()' answer, once known: worked out when the snapshot is
#: built and read back from its facts file (seed_view_families), as parsing
#: infoschema.sql costs ~10 ms of a server's start.
_view_families_map: Optional[Dict[str, FrozenSet[str]]] = None


def view_families_fact() -> Dict[str, List[str]]:
    """_view_families() as JSON-ready data (snapshot.read_facts)."""
    return {name: sorted(fams) for name, fams in sorted(_view_families().items())}


def seed_view_families(fact: Optional[Dict[str, List[str]]]) -> None:
    """Take _view_families()' answer from the snapshot's facts (None: it
    has none; it is then worked out at first use)."""
    global _view_families_map
    if fact is not None and _view_families_map is None:
        _view_families_map = {name: frozenset(fams) for name, fams in fact.items()}


def _view_families() -> Dict[str, FrozenSet[str]]:
    """information_schema view / macro name -> the families it reads,
    directly or through the others (read from infoschema.sql)."""
    global _view_families_map
    if _view_families_map is None:
        _view_families_map = _parse_view_families()
    return _view_families_map


def _parse_view_families() -> Dict[str, FrozenSet[str]]:
    from .infoschema import SQL_FILE

    text = SQL_FILE.read_text(encoding="utf-8")
    heads = list(_IS_DEF_RE.finditer(text))
    direct: Dict[str, set] = {}
    refs: Dict[str, set] = {}
    for i, m in enumerate(heads):
        body = text[m.end():heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        name = m.group(1)
        direct[name] = {_FUNCTION_FAMILY[n] for n in _CALL_RE.findall(body)
                        if n in _FUNCTION_FAMILY}
        refs[name] = set(_IS_REF_RE.findall(body)) - {name}
    for fam, f in FAMILIES.items():
        for rel in f.relations:
            direct.setdefault(rel.split(".", 1)[1], set()).add(fam)
    out: Dict[str, FrozenSet[str]] = {}

    def close(name: str, seen: FrozenSet[str]) -> FrozenSet[str]:
        if name in out:
            return out[name]
        got = set(direct.get(name, ()))
        for r in refs.get(name, ()):
            if r not in seen:
                got |= close(r, seen | {name})
        out[name] = frozenset(got)
        return out[name]

    for name in direct:
        close(name, frozenset())
    return out


@functools.lru_cache(maxsize=1)
def _slow_re() -> "re.Pattern[str]":
    # (compiled when first used, by the snapshot's build: ~1 ms of every
    # server's start otherwise)
    return re.compile(r"\brq_fn\.(" + "|".join(sorted(_FUNCTION_FAMILY, key=len, reverse=True))
                      + r")\(")


def slow_names(sql: str) -> str:
    """The catalog's own SQL with every family function (its definition and
    its calls) renamed to the slow ``rq_fn._s_<name>``."""
    return _slow_re().sub(r"rq_fn._s_\1(", sql)


@functools.lru_cache(maxsize=4096)
def families_of(duck_sql: str) -> FrozenSet[str]:
    """The families a rewritten (DuckDB) statement reads: through the
    functions it calls and the information_schema views it reads."""
    fams = {_FUNCTION_FAMILY[n] for n in _CALL_RE.findall(duck_sql) if n in _FUNCTION_FAMILY}
    views = _view_families()
    for name in _IS_REF_RE.findall(duck_sql):
        fams |= views.get(name, frozenset())
    return frozenset(fams)


def is_standard_path(path: Tuple[str, ...]) -> bool:
    """Whether built-in objects read the same as under PostgreSQL's default
    path (see module docstring)."""
    return bool(path) and path[0] == "pg_catalog" and \
        "information_schema" not in path and "pg_toast" not in path


def fill_sql(family: str, only_own: bool, key: str = "$1") -> str:
    """INSERT of ``family``'s rows under ``key`` (an SQL expression): every
    row the session sees, or (``only_own``: standard path) only its
    database's own objects."""
    fam = FAMILIES[family]
    where = (f" WHERE s.oid IN (SELECT b.{fam.catalog_oid} FROM rq_base.{fam.catalog} b"
             " WHERE b._db = CAST(getvariable('rq_db_oid') AS BIGINT))") if only_own else ""
    return f"INSERT INTO rq_base.rq_k_{family} SELECT {key}, s.* FROM ({fam.select()}) s{where}"


def own_rows_sql(family: str) -> str:
    """Whether the session's database has objects of ``family``'s catalog."""
    return (f"SELECT EXISTS (SELECT 1 FROM rq_base.{FAMILIES[family].catalog}"
            " WHERE _db = CAST(getvariable('rq_db_oid') AS BIGINT))")


def install_macros(con: Any) -> None:
    """Create the family tables (empty) and the lookup macros in DuckDB
    ``con``; functions.install_functions calls it after creating the slow
    macros, before information_schema's views (which call the lookups)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS rq_base")
    con.execute("CREATE MACRO rq_fn._bkey() AS coalesce(getvariable('rq_bkey'), 'std')")
    con.execute("CREATE MACRO rq_fn._tkey() AS coalesce(getvariable('rq_tkey'), 'std')")
    for name, fam in FAMILIES.items():
        con.execute(f"CREATE TABLE rq_base.rq_k_{name} (key VARCHAR, oid UINTEGER,"
                    f" {fam.table_columns()})")
        for fn, body in fam.functions.items():
            con.execute(f"CREATE MACRO rq_fn.{fn}{body}")


def fill_builtin(con: Any) -> None:
    """Fill every family's built-in rows under key 'std' (once per
    snapshot, after information_schema is installed)."""
    for name in FAMILIES:
        # no session: rq_db_oid is NULL, so the views show the built-in rows
        # only, under the default path (pg_catalog, public)
        con.execute(fill_sql(name, False), [STD_KEY])


def use_key(con: Any, key: str) -> None:
    """Point connection ``con``'s session at ``key``, filling every family
    under it (all rows, whatever the path) unless that key is filled
    already: the key must name the session state (database, search path)
    and catalog contents it stands for. For connections driven without the
    engine, such as the catalog's own unit tests."""
    con.execute("SET VARIABLE rq_bkey = $1", [key])
    con.execute("SET VARIABLE rq_tkey = $1", [key])
    if con.execute("SELECT count(*) FROM rq_base.rq_k_type WHERE key = $1",
                   [key]).fetchone()[0]:
        return
    for name in FAMILIES:
        con.execute(fill_sql(name, False), [key])
