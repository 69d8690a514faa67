"""PostgreSQL catalog statements -> DuckDB SQL (issue 5, docs/catalog.md).

Two entry points, both built on pglast (PostgreSQL's own parser):

- :func:`classify` decides, for every statement the server receives while
  catalog emulation is on, whether it is a *catalog query* (answered by the
  catalog engine), a ``SET`` / ``SHOW`` / ``RESET`` (settings), or anything
  else (the user's handler).  It runs on every query, so it parses to JSON
  (``parse_sql_json``, the cheapest pglast entry point), walks plain dicts and
  caches results by SQL text.
- :func:`rewrite` turns a catalog query into DuckDB SQL over the schemas
  ``rq_pg`` (pg_catalog views), ``rq_is`` (information_schema views) and
  ``rq_fn`` (PostgreSQL functions as DuckDB macros).  It transforms the pglast
  AST and prints it with a small subclass of pglast's ``RawStream``; no
  regular expression ever touches the SQL text.

What the rewrite does (details next to each handler below):

- relations ``pg_catalog.X`` / unqualified catalog ``X`` -> ``rq_pg.X``,
  ``information_schema.X`` -> ``rq_is.X``; CTE names stay; ``ONLY`` dropped;
- functions: ``pg_catalog.`` stripped, names of the ``rq_fn`` library
  qualified ``rq_fn.``, session keywords (``current_user`` ...) read the
  DuckDB variables of the design doc, ``set_config()`` reported to the
  engine (:attr:`RewriteResult.set_configs`), SQL-syntax functions
  (``position``, ``btrim``, ``extract``, ``substring(x from re)``) and
  ``format()`` mapped to DuckDB equivalents;
- casts: ``reg*`` types are oids (BIGINT); text -> ``rq_fn.<reg>_in(x)``;
  a reg value in a top-level output column, cast to a string type or
  concatenated becomes ``rq_fn.<reg>_out(oid)``; PostgreSQL-only types map
  to DuckDB types; array literals ``'{a,b}'`` become list literals;
- operators: ``~ ~* !~ !~*`` -> ``regexp_matches`` (search semantics),
  ``~~`` & co -> LIKE/ILIKE (``ESCAPE`` -> ``like_escape()``), ``op ANY``
  for ops DuckDB cannot apply to lists -> ``EXISTS (... unnest ...)``,
  ``int / int`` -> ``//``, reg values compared with string literals;
- ``COLLATE`` dropped, FOR UPDATE/SHARE dropped, ``ORDER BY`` gets
  PostgreSQL's NULLS placement explicitly;
- int2vector/oidvector (0-based in PostgreSQL) subscripts get +1,
  ``array_lower/upper/length``, ``cardinality``, ``generate_subscripts`` and
  ``information_schema._pg_expandarray`` follow PostgreSQL's bounds;
- output columns without an alias get PostgreSQL's name (FigureColname);
  ORDER BY an output reg column still sorts by oid, as PostgreSQL does;
- parameters stay ``$n``; a bare ``$n`` passed to a built-in function gets
  the type PostgreSQL infers from its signature (data/pg_proc.ndjson), and
  ``RewriteResult.param_types`` lists the explicit ``$n::type`` casts;
- system columns of catalog tables: tableoid (the table's oid), xmin & co
  (constants); ``SELECT FROM t`` gets a dummy column; pg_partition_ancestors
  (riffq has no partitions) is the relation itself.

Anything that cannot be translated raises :class:`RewriteError` (SQLSTATE
0A000, 42601 for a syntax error, 42P01 for an unknown catalog relation) so
the client gets a clean error, never a traceback.

API for the engine::

    c = classify(sql)              # Classification, cached; never raises
    c.kind                         # 'catalog_query' | 'set' | 'show' | 'reset' | 'other'
    classify_statements(sql)       # [(text, Classification)] per statement
    res = rewrite(sql)             # RewriteResult (a str), cached; RewriteError
    cur.execute(res.sql, params)   # on the session's own DuckDB connection
    for sc in res.bound_set_configs(params): ...   # apply AFTER executing

The rewritten SQL is session-independent (it reads the session through
``getvariable()`` and rq_fn macros), so one cache serves every connection.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import (Any, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Sequence, Tuple,
                    Union)

import pglast
from pglast import ast
from pglast import parser as _pgparser
from pglast.enums import (A_Expr_Kind, BoolExprType, CoercionForm, LimitOption, MinMaxOp,
                          SetOperation, SortByDir, SortByNulls, SQLValueFunctionOp, SubLinkType)
from pglast.printers import NODE_PRINTERS, get_printer_for_node
from pglast.stream import RawStream, maybe_double_quote_name
from pglast.visitors import Ancestor

from . import astjson

__all__ = [
    "Classification", "RewriteError", "RewriteResult", "SetConfig",
    "classify", "classify_statements", "rewrite", "split_statements", "parse_json",
    "PG_CATALOG_RELATIONS", "INFORMATION_SCHEMA_RELATIONS", "FUNCTION_NAMES",
]

logger = logging.getLogger("riffq.catalog.rewrite")

_DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
_CACHE_SIZE = 4096          # classify(): small entries
_REWRITE_CACHE_SIZE = 1024  # rewrite(): DuckDB SQL text per entry


# --------------------------------------------------------------------------------------
# Reference data: relation names and column types (data/relations.json when present)
# --------------------------------------------------------------------------------------

# Fallback when data/relations.json is missing: the commonly queried PG15 relations.
_BUILTIN_PG_RELATIONS = (
    "pg_aggregate pg_am pg_amop pg_amproc pg_attrdef pg_attribute pg_auth_members pg_authid "
    "pg_available_extension_versions pg_available_extensions pg_cast pg_class pg_collation "
    "pg_constraint pg_conversion pg_cursors pg_database pg_db_role_setting pg_default_acl "
    "pg_depend pg_description pg_enum pg_event_trigger pg_extension pg_foreign_data_wrapper "
    "pg_foreign_server pg_foreign_table pg_group pg_index pg_indexes pg_inherits pg_init_privs "
    "pg_language pg_largeobject_metadata pg_locks pg_matviews pg_namespace pg_opclass "
    "pg_operator pg_opfamily pg_partitioned_table pg_policies pg_policy pg_prepared_statements "
    "pg_proc pg_publication pg_publication_rel pg_range pg_rewrite pg_roles pg_rules "
    "pg_seclabel pg_sequence pg_sequences pg_settings pg_shadow pg_shdepend pg_shdescription "
    "pg_stat_activity pg_stat_all_tables pg_stat_user_tables pg_statio_user_tables "
    "pg_statistic pg_statistic_ext pg_stats pg_subscription pg_tables pg_tablespace "
    "pg_timezone_abbrevs pg_timezone_names pg_transform pg_trigger pg_ts_config pg_ts_dict "
    "pg_ts_parser pg_ts_template pg_type pg_user pg_user_mappings pg_views").split()

# PostgreSQL column type (as in relations.json) -> the category the rewriter reasons with.
_TYPE_CATEGORY = {
    "smallint": "int", "integer": "int", "bigint": "int",
    "information_schema.cardinal_number": "int",
    "oid": "oid", "xid": "oid", "cid": "oid", "xid8": "oid",
    "boolean": "bool", "real": "float", "double precision": "float", "numeric": "numeric",
    "timestamp with time zone": "timestamptz", "information_schema.time_stamp": "timestamptz",
    "interval": "interval", "bytea": "bytea",
    "int2vector": "vector0", "oidvector": "vector0",
    "regproc": "regproc", "regtype": "regtype",
}
# The type a bare parameter compared with a value of a category takes.
_PARAM_TYPE_OF_CATEGORY = {
    "int": "int8", "oid": "oid", "bool": "bool", "float": "float8", "numeric": "numeric",
    "timestamptz": "timestamptz", "interval": "interval", "bytea": "bytea",
    "regproc": "regproc", "regtype": "regtype", "text": "text",
}
_TEXT_TYPES = frozenset((
    "name", "text", '"char"', "information_schema.sql_identifier",
    "information_schema.character_data", "information_schema.yes_or_no", "pg_node_tree",
    "inet", "pg_lsn", "pg_ndistinct", "pg_dependencies", "pg_mcv_list", "anyarray",
    "character varying", "character"))


def _category(pgtype: str) -> Optional[str]:
    if pgtype.endswith("[]"):
        return "array"
    if pgtype in _TEXT_TYPES:
        return "text"
    return _TYPE_CATEGORY.get(pgtype)


RelKey = Tuple[str, str]
# (schema, relation) -> {column: PostgreSQL type as format_type spells it}, in order
_REL_EXACT: Dict[Tuple[str, str], Dict[str, str]] = {}


ColumnCats = Dict[str, Optional[str]]


def _load_relations() -> Tuple[FrozenSet[str], FrozenSet[str], Dict[RelKey, ColumnCats],
                               Dict[RelKey, int]]:
    """(pg_catalog names, information_schema names, {(schema, rel): {column: category}},
    {(schema, table): oid} of the tables, for their ``tableoid`` system column)."""
    from .schema import relations_json

    try:
        rels = relations_json()
    except (OSError, ValueError):
        logger.debug("relations.json not available: built-in relation list")
        return frozenset(_BUILTIN_PG_RELATIONS), frozenset(), {}, {}
    pg, info, cols, oids = set(), set(), {}, {}
    for rel in rels:
        key = (rel["schema"], rel["name"])
        (pg if key[0] == "pg_catalog" else info).add(key[1])
        cols[key] = {c["name"]: _category(c["type"]) for c in rel.get("columns", ())}
        _REL_EXACT[key] = {c["name"]: c["type"] for c in rel.get("columns", ())}
        if rel.get("relkind") == "r" and rel.get("oid"):
            oids[key] = int(rel["oid"])
    return frozenset(pg), frozenset(info), cols, oids


(PG_CATALOG_RELATIONS, INFORMATION_SCHEMA_RELATIONS, _REL_COLUMNS,
 _TABLE_OIDS) = _load_relations()


def _global_columns() -> Dict[str, Optional[str]]:
    """Column name -> category over all pg_catalog relations (None when ambiguous)."""
    out: Dict[str, Optional[str]] = {}
    for (schema, _rel), cols in _REL_COLUMNS.items():
        if schema != "pg_catalog":
            continue
        for name, cat in cols.items():
            out[name] = cat if out.get(name, cat) == cat else None
    return out


_GLOBAL_COLUMNS = _global_columns()
# Used when relations.json is missing: PostgreSQL's 0-based int2vector/oidvector columns.
_ZERO_BASED_COLUMNS = frozenset((
    "indkey", "indclass", "indcollation", "indoption", "proargtypes", "partattrs",
    "partclass", "partcollation", "stxkeys"))

# Names of the rq_fn library: functions.py's FUNCTION_NAMES when it exists.
_STUB_FUNCTION_NAMES = frozenset((
    "format_type", "pg_get_expr", "pg_get_userbyid", "pg_get_indexdef", "pg_get_constraintdef",
    "pg_get_viewdef", "pg_get_functiondef", "pg_get_function_arguments",
    "pg_get_function_result", "pg_get_function_identity_arguments", "pg_get_triggerdef",
    "pg_get_ruledef", "pg_get_partkeydef", "pg_get_serial_sequence",
    "pg_get_statisticsobjdef_columns", "pg_get_keywords", "pg_table_is_visible",
    "pg_type_is_visible", "pg_function_is_visible", "pg_operator_is_visible",
    "pg_opclass_is_visible", "pg_collation_is_visible", "pg_conversion_is_visible",
    "obj_description", "col_description", "shobj_description", "has_table_privilege",
    "has_schema_privilege", "has_database_privilege", "has_column_privilege",
    "has_function_privilege", "has_any_column_privilege", "has_sequence_privilege",
    "has_type_privilege", "pg_has_role", "current_setting", "version", "current_schema",
    "current_schemas", "current_database", "pg_backend_pid", "pg_postmaster_start_time",
    "pg_is_in_recovery", "pg_encoding_to_char", "pg_char_to_encoding", "pg_client_encoding",
    "quote_ident", "quote_literal", "quote_nullable", "pg_size_pretty", "pg_relation_size",
    "pg_total_relation_size", "pg_table_size", "pg_indexes_size", "pg_database_size",
    "pg_tablespace_location", "pg_typeof", "to_regclass", "to_regtype", "to_regproc",
    "to_regprocedure", "to_regnamespace", "to_regrole", "to_regoper", "to_regoperator",
    "regclass_in", "regclass_out", "regtype_in", "regtype_out", "regproc_in", "regproc_out",
    "regprocedure_in", "regprocedure_out", "regnamespace_in", "regnamespace_out",
    "regrole_in", "regrole_out", "regoper_in", "regoper_out", "regoperator_in",
    "regoperator_out", "inet_server_addr", "inet_server_port", "inet_client_addr",
    "inet_client_port", "txid_current", "pg_current_xact_id", "pg_get_function_sqlbody",
    "pg_tablespace_databases"))


def _function_names() -> FrozenSet[str]:
    try:
        from .functions import FUNCTION_NAMES as names  # type: ignore[attr-defined]
    except Exception:  # not written yet, or broken: keep the stub (logged once)
        logger.debug("pgcatalog.functions.FUNCTION_NAMES unavailable: stub list")
        return _STUB_FUNCTION_NAMES
    return frozenset(n.lower() for n in names)


FUNCTION_NAMES = _function_names()

# DuckDB >= 1.3 prefers `lambda x: ...` (the arrow form is deprecated there).
try:
    import duckdb as _duckdb
    _DUCK_VERSION = tuple(int(p) for p in _duckdb.__version__.split(".")[:2])
except Exception:  # pragma: no cover - duckdb is a hard dependency of the engine
    _DUCK_VERSION = (1, 5)
_LAMBDA_KEYWORD = _DUCK_VERSION >= (1, 3)


# --------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------

class RewriteError(Exception):
    """A statement the catalog engine cannot answer; ``sqlstate`` goes to the client."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.message = message


def _unsupported(what: str) -> RewriteError:
    return RewriteError("0A000", f"{what} is not supported by riffq's catalog emulation")


@dataclass(frozen=True)
class Classification:
    """What a statement is, for routing.

    ``kind`` is ``'catalog_query'``, ``'set'``, ``'show'``, ``'reset'`` or
    ``'other'``; ``is_catalog`` is True only for catalog queries (so the
    object is truthy exactly when the catalog engine should answer).
    For SET/SHOW/RESET: ``name`` is the parameter (lower case, as PostgreSQL's
    grammar names it: ``timezone`` for ``SET TIME ZONE``, ``all`` for
    ``RESET ALL`` / ``SHOW ALL``, ``transaction`` / ``session characteristics``
    for ``SET TRANSACTION ...`` whose items are in ``items``), ``values`` the
    values as strings (empty for DEFAULT), ``is_local`` for ``SET LOCAL``.
    ``SET x TO DEFAULT`` is reported as kind ``'reset'``.  A string with
    several statements: ``statement_count`` > 1, and it is a catalog query
    only when every statement is one (use :func:`classify_statements`).
    """

    is_catalog: bool
    kind: str
    name: Optional[str] = None
    values: Tuple[str, ...] = ()
    is_local: bool = False
    items: Tuple[Tuple[str, str], ...] = ()
    statement_count: int = 1

    def __bool__(self) -> bool:
        return self.is_catalog


#: DuckDB variable holding the result of a query's n-th set_config() call
#: (``.format(n)``): the new value as SHOW prints it.
SET_CONFIG_VAR = "rq_set_config_{}"


class SetConfig(tuple):
    """A ``set_config(name, value, is_local)`` call found by :func:`rewrite`.

    A tuple ``(name, value, is_local, value_param)``: ``value`` is the
    constant new value (None for SQL NULL, or when it is a parameter), and
    ``value_param`` the 1-based ``$n`` holding it.  Use :meth:`resolve` with
    the Bind parameters.  The rewritten SQL already yields the new value in
    place of the call; apply the setting *after* running it, so that a
    ``current_setting()`` of the same statement sees the old value as
    PostgreSQL evaluates it (asyncpg's ``SELECT current_setting('jit'),
    set_config('jit', 'off', false)`` relies on that).
    """

    __slots__ = ()

    def __new__(cls, name: str, value: Optional[str], is_local: bool,
                value_param: Optional[int] = None) -> "SetConfig":
        return super().__new__(cls, (name, value, is_local, value_param))

    name = property(lambda self: self[0])
    value = property(lambda self: self[1])
    is_local = property(lambda self: self[2])
    value_param = property(lambda self: self[3])

    def resolve(self, params: Optional[Sequence[Any]]) -> "SetConfig":
        """The same call with ``$n`` replaced by its bound value."""
        if self.value_param is None:
            return self
        vals = list(params or ())
        if self.value_param > len(vals):
            raise RewriteError("08P01", f"there is no parameter ${self.value_param}")
        val = vals[self.value_param - 1]
        return SetConfig(self.name, None if val is None else str(val), self.is_local)


class RewriteResult(str):
    """The DuckDB SQL (this object *is* the string) plus what the engine must do.

    - ``sql``: the DuckDB statement (same as ``str(self)``);
    - ``set_configs``: :class:`SetConfig` calls to apply after running it;
    - ``param_types``: ``{n: PostgreSQL type name}`` for parameters written
      with an explicit cast (``$1::regclass`` -> ``{1: 'regclass'}``), the
      types PostgreSQL would infer for them.
    - ``output_types``: the last statement's output column types by position
      where a catalog column or a cast tells them (``name``, ``"char"``...),
      None entries elsewhere; None when unknown.
    """

    set_configs: Tuple[SetConfig, ...]
    param_types: Dict[int, str]
    output_types: Optional[Tuple[Optional[str], ...]]

    def __new__(cls, sql: str, set_configs: Iterable[SetConfig] = (),
                param_types: Optional[Dict[int, str]] = None,
                output_types: Optional[Sequence[Optional[str]]] = None) -> "RewriteResult":
        obj = super().__new__(cls, sql)
        obj.set_configs = tuple(set_configs)
        obj.param_types = dict(param_types or {})
        obj.output_types = tuple(output_types) if output_types is not None else None
        return obj

    @property
    def sql(self) -> str:
        return str.__str__(self)

    def bound_set_configs(self, params: Optional[Sequence[Any]]) -> List[SetConfig]:
        """``set_configs`` with parameter values substituted."""
        return [sc.resolve(params) for sc in self.set_configs]


# --------------------------------------------------------------------------------------
# Parsing helpers
# --------------------------------------------------------------------------------------

def split_statements(sql: str) -> List[str]:
    """The statements of a (possibly multi-statement) string, as text.

    Uses PostgreSQL's parser, so semicolons inside literals, comments and
    dollar quotes are handled. Raises ``pglast.parser.ParseError`` on bad SQL."""
    return [s for s in _pgparser.split(sql) if s.strip()]


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_json_cached(sql: str) -> Tuple[Any, ...]:
    return astjson.json_stmts(sql)


def parse_json(sql: str) -> List[Dict[str, Any]]:
    """The raw statements (``[{'stmt': {...}, 'stmt_len': ...}]``) as parsed JSON.

    Raises ``pglast.parser.ParseError``. Results are cached by text; treat
    them as read-only."""
    return list(_parse_json_cached(sql))


# --------------------------------------------------------------------------------------
# classify()
# --------------------------------------------------------------------------------------

# Functions whose mere call makes a FROM-less SELECT a catalog query.
_CATALOG_FUNCS = frozenset((
    "version", "current_database", "current_catalog", "current_schema", "current_schemas",
    "current_user", "session_user", "user", "current_role", "current_setting", "set_config",
    "format_type", "obj_description", "col_description", "shobj_description",
    "inet_server_addr", "inet_server_port", "inet_client_addr", "inet_client_port",
    "txid_current"))
_REG_TYPES = frozenset((
    "regclass", "regtype", "regproc", "regprocedure", "regnamespace", "regrole", "regoper",
    "regoperator", "regconfig", "regdictionary", "regcollation"))
_SESSION_SVF = frozenset((
    "SVFOP_CURRENT_ROLE", "SVFOP_CURRENT_USER", "SVFOP_USER", "SVFOP_SESSION_USER",
    "SVFOP_CURRENT_CATALOG", "SVFOP_CURRENT_SCHEMA"))
_DML_NODES = frozenset(("InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"))


def _is_catalog_func(names: List[str]) -> bool:
    name = names[-1].lower()
    if len(names) > 1 and names[-2] in ("pg_catalog", "information_schema"):
        return True
    if name in _CATALOG_FUNCS or name.startswith(("pg_", "to_reg")):
        return True
    return name.startswith("has_") and name.endswith("_privilege")


_SCAN_KEYS = frozenset(("RangeVar", "CommonTableExpr", "FuncCall", "SQLValueFunction",
                        "typeName", "intoClause") + tuple(_DML_NODES))


class _Scan:
    """Accumulates what a SELECT's JSON tree reads and calls."""

    __slots__ = ("rangevars", "ctes", "catalog_calls", "modifies")

    def __init__(self) -> None:
        self.rangevars: List[Dict[str, Any]] = []
        self.ctes: set = set()
        self.catalog_calls = False
        self.modifies = False

    def walk(self, root: Any) -> None:
        """Depth-first over the JSON tree (dict keys are node or field names;
        TypeName*/IntoClause* fields are inlined, not wrapped in a node key)."""
        stack, keys = [root], _SCAN_KEYS
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            cur = pop()
            if type(cur) is list:
                extend(cur)
                continue
            if type(cur) is not dict:
                continue
            for key, val in cur.items():
                if key in keys:
                    self._node(key, val)
                kind = type(val)
                if kind is dict:
                    push(val)
                elif kind is list:
                    extend(val)

    def _node(self, kind: str, body: Dict[str, Any]) -> None:
        if kind == "RangeVar":
            self.rangevars.append(body)
        elif kind == "CommonTableExpr":
            self.ctes.add(body.get("ctename"))
        elif kind == "FuncCall":
            names = [n["String"]["sval"] for n in body.get("funcname", ())]
            self.catalog_calls = self.catalog_calls or _is_catalog_func(names)
        elif kind == "SQLValueFunction":
            self.catalog_calls = self.catalog_calls or body.get("op") in _SESSION_SVF
        elif kind == "typeName":
            names = [n["String"]["sval"] for n in body.get("names", ())]
            self.catalog_calls = self.catalog_calls or (bool(names) and names[-1] in _REG_TYPES)
        else:  # SELECT INTO, data-modifying WITH
            self.modifies = True


def _is_catalog_select(body: Dict[str, Any]) -> bool:
    scan = _Scan()
    scan.walk(body)
    if scan.modifies:
        return False
    reads_catalog = False
    for rv in scan.rangevars:
        target = _relation_schema(rv.get("schemaname"), rv.get("relname", ""), scan.ctes)
        if target is None:
            return False
        reads_catalog = reads_catalog or target != ""  # "": a CTE reference
    return reads_catalog or scan.catalog_calls


def _relation_schema(schema: Optional[str], relname: str, ctes: Iterable[str]) -> Optional[str]:
    """'rq_pg' / 'rq_is' for a catalog relation, '' for a CTE, None for anything else."""
    if schema == "pg_catalog":
        return "rq_pg"
    if schema == "information_schema":
        return "rq_is"
    if schema is None:
        if relname in ctes:
            return ""
        if relname in PG_CATALOG_RELATIONS:
            return "rq_pg"
    return None


def _const_text(node: Dict[str, Any]) -> Optional[str]:
    """The text of a SET argument (A_Const or a cast constant)."""
    if "TypeCast" in node:
        return _const_text(node["TypeCast"]["arg"])
    const = node.get("A_Const")
    if const is None or const.get("isnull"):
        return None
    for key, sub in (("sval", "sval"), ("ival", "ival"), ("fval", "fval"), ("boolval", "boolval")):
        if key in const:
            val = const[key].get(sub, 0 if key == "ival" else False)
            if key == "boolval":
                return "on" if val else "off"
            return str(val)
    return "0"


def _classify_set(body: Dict[str, Any]) -> Classification:
    kind = body.get("kind", "VAR_SET_VALUE")
    name = (body.get("name") or "").lower()
    local = bool(body.get("is_local"))
    if kind == "VAR_RESET_ALL":
        return Classification(False, "reset", "all", (), local)
    if kind in ("VAR_RESET", "VAR_SET_DEFAULT"):
        return Classification(False, "reset", name, (), local)
    if kind == "VAR_SET_MULTI":
        items = []
        for item in body.get("args", ()):
            de = item.get("DefElem", {})
            key, val = de.get("defname", ""), _const_text(de.get("arg", {})) or ""
            if key in ("transaction_read_only", "transaction_deferrable"):
                val = "on" if val not in ("0", "off") else "off"  # READ ONLY is the int 1
            items.append((key, val))
        return Classification(False, "set", name, (), local, tuple(items))
    if kind == "VAR_SET_CURRENT":
        return Classification(False, "other")
    values = tuple(v for v in (_const_text(a) for a in body.get("args", ())) if v is not None)
    return Classification(False, "set", name, values, local)


def _classify_one(stmt: Dict[str, Any]) -> Classification:
    node = stmt.get("stmt") or {}
    if "SelectStmt" in node:
        if _is_catalog_select(node["SelectStmt"]):
            return Classification(True, "catalog_query")
        return _OTHER
    if "VariableSetStmt" in node:
        return _classify_set(node["VariableSetStmt"])
    if "VariableShowStmt" in node:
        return Classification(False, "show", (node["VariableShowStmt"].get("name") or "").lower())
    return Classification(False, "other")


_OTHER = Classification(False, "other")


_FN_PREFIX = '"funcname":[{"String":{"sval":"'
_CATALOG_FUNC_PREFIXES = ("pg_", "to_reg", "has_", "information_schema")


def _may_be_catalog(text: str) -> bool:
    """A cheap negative test on parse_sql_json's output: False means the
    statement can be neither a catalog query nor SET/SHOW/RESET, which spares
    json.loads and the walk for the user's own queries. (Type names such as
    interval carry pg_catalog too, hence the precise prefixes.)"""
    if any(mark in text for mark in _MARKS):
        return True
    i = text.find(_FN_PREFIX)
    while i >= 0:  # the first name of each function call
        start = i + len(_FN_PREFIX)
        end = text.find('"', start)
        name = text[start:end]
        if name in _CATALOG_FUNCS or name.startswith(_CATALOG_FUNC_PREFIXES):
            return True
        i = text.find(_FN_PREFIX, end)
    return False


def _marks() -> Tuple[str, ...]:
    marks = ['"relname":"pg_', '"schemaname":"pg_catalog"', "information_schema", "SVFOP_",
             '{"sval":"reg', "VariableSetStmt", "VariableShowStmt"]
    marks += [f'"relname":"{rel}"' for rel in PG_CATALOG_RELATIONS if not rel.startswith("pg_")]
    return tuple(marks)


_MARKS = _marks()


def _prefilter_works() -> bool:
    """The marks rely on libpg_query's compact JSON: verify, else always walk."""
    probes = ("SELECT version()", "SELECT 1 FROM pg_class", "SELECT current_user",
              "SELECT 'x'::regclass", "SET x = 1", "SHOW x", "SELECT has_table_privilege('a', 'b')",
              "SELECT * FROM information_schema.tables", "SELECT pg_catalog.lower('a')",
              "SELECT to_regclass('a')", "SELECT 1 FROM pg_catalog.x", "SELECT f(1), version()")
    try:
        return all(_may_be_catalog(_pgparser.parse_sql_json(p)) for p in probes) and not \
            _may_be_catalog(_pgparser.parse_sql_json("SELECT f(x)::int FROM t"))
    except Exception:  # pragma: no cover
        return False


_PREFILTER = _prefilter_works()


# Long statements (bulk INSERTs ...): PostgreSQL's lexer reads the first
# keyword before anything parses megabytes, and the cache keeps no huge keys.
_LONG_SQL = 4096
_MAX_CACHED_SQL = 65536
_NOT_QUERIES = frozenset((
    "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "CREATE", "ALTER", "DROP", "TRUNCATE",
    "GRANT", "REVOKE", "COMMENT", "CALL", "DO", "EXPLAIN", "PREPARE", "EXECUTE", "DECLARE"))


def _leading_keyword(sql: str) -> Optional[str]:
    """The first token of ``sql`` that is not a comment (None if unsure)."""
    for size in (32, 256, 2048):
        try:
            tokens = _pgparser.scan(sql[:size])
        except Exception:  # the cut fell inside a literal or comment
            continue
        for tok in tokens:
            if tok.name not in ("C_COMMENT", "SQL_COMMENT"):
                return tok.name
    return None


def warm() -> None:
    """Load the tables the rewriter reads from the catalog data on first use
    (builtin functions' kinds and result types, ~30 ms), so that the first
    client query does not pay for them."""
    _builtin_results_by_name()
    _builtin_signatures()
    _scalar_functions()
    classify("SELECT 1 FROM pg_catalog.pg_class")
    rewrite("SELECT c.relname, format_type(1, NULL) FROM pg_catalog.pg_class c")


def classify(sql: str) -> Classification:
    """Classify ``sql`` (see :class:`Classification`). Never raises.
    Cached by text (statements up to 64 KiB)."""
    if len(sql) > _MAX_CACHED_SQL:
        return _classify_text(sql)
    return _classify_cached(sql)


def _classify_text(sql: str) -> Classification:
    if len(sql) > _LONG_SQL and _leading_keyword(sql) in _NOT_QUERIES:
        return _OTHER
    try:
        text = _pgparser.parse_sql_json(sql)
    except Exception:  # unparseable SQL belongs to the user's handler
        return _OTHER
    if _PREFILTER and not _may_be_catalog(text):
        return _OTHER if text.count('{"stmt"') <= 1 else Classification(
            False, "other", statement_count=text.count('{"stmt"'))
    try:
        return _classify_tree(text, sql)
    except ValueError:  # pragma: no cover - pglast always emits valid JSON
        return _OTHER
    except RecursionError:  # nested deeper than Python walks: the user's handler decides
        return _OTHER


#: (sql, its parsed JSON statements): what _classify_tree parsed last on this
#: thread; the rewrite of a catalog query, next on the same thread, takes it
#: instead of parsing the text again (_parse_for_rewrite)
_last_parse = threading.local()


def _classify_tree(text: str, sql: Optional[str] = None) -> Classification:
    stmts = tuple(json.loads(text).get("stmts", ()))
    _last_parse.value = None
    if not stmts:
        return _OTHER
    if len(stmts) == 1:
        result = _classify_one(stmts[0])
    else:
        each = [_classify_one(s) for s in stmts]
        ok = all(c.kind == "catalog_query" for c in each)
        result = Classification(ok, "catalog_query" if ok else "other",
                                statement_count=len(each))
    # kept for the rewrite that follows: only a catalog query's, and not a
    # huge one's (a thread holds it until its next statement)
    if result.is_catalog and sql is not None and len(sql) <= _MAX_CACHED_SQL:
        _last_parse.value = (sql, stmts)
    return result


_classify_cached = lru_cache(maxsize=_CACHE_SIZE)(_classify_text)


def classify_statements(sql: str) -> List[Tuple[str, Classification]]:
    """``[(statement text, Classification)]`` for each statement of ``sql``
    (``SET x = 1; SELECT ...``); ``[]`` when it does not parse."""
    try:
        parts = split_statements(sql)
    except Exception:
        return []
    return [(p, classify(p)) for p in parts]


# --------------------------------------------------------------------------------------
# AST construction helpers
# --------------------------------------------------------------------------------------

_RAW_MARK = "\x00rq_raw"   # funcname of a FuncCall that _DuckStream prints verbatim
_SCHEMA_OF = {"rq_pg": "pg_catalog", "rq_is": "information_schema"}


_set_slot = object.__setattr__  # a node's slot, past ast.Node.__setattr__'s validation


def _str(value: str) -> ast.String:
    # (the rewriter makes thousands: built past ast.Node.__setattr__'s checks)
    node = ast.String.__new__(ast.String)
    _set_slot(node, "sval", value)
    return node


def _const(value: Union[str, int, bool, None]) -> ast.A_Const:
    node = ast.A_Const.__new__(ast.A_Const)
    _set_slot(node, "isnull", value is None)
    if value is None:
        val = None
    elif isinstance(value, bool):
        val = ast.Boolean.__new__(ast.Boolean)
        _set_slot(val, "boolval", value)
    elif isinstance(value, int):
        val = ast.Integer.__new__(ast.Integer)
        _set_slot(val, "ival", value)
    else:
        val = _str(value)
    _set_slot(node, "val", val)
    return node


def _func(name: str, *args: ast.Node, schema: Optional[str] = None) -> ast.FuncCall:
    names = (_str(schema), _str(name)) if schema else (_str(name),)
    return ast.FuncCall(funcname=names, args=tuple(args) or None,
                        funcformat=CoercionForm.COERCE_EXPLICIT_CALL)


def _rq_fn(name: str, *args: ast.Node) -> ast.FuncCall:
    return _func(name, *args, schema="rq_fn")


def _getvariable(name: str) -> ast.FuncCall:
    return _func("getvariable", _const(name))


def _cast(node: ast.Node, duck_type: str, array: bool = False,
          typmods: Sequence[int] = ()) -> ast.TypeCast:
    tname = ast.TypeName(names=(_str(duck_type),), typemod=-1,
                         typmods=tuple(_const(t) for t in typmods) or None,
                         arrayBounds=(ast.Integer(ival=-1),) if array else None)
    return ast.TypeCast(arg=node, typeName=tname)


def _op(name: str, left: Optional[ast.Node], right: ast.Node) -> ast.A_Expr:
    return ast.A_Expr(kind=A_Expr_Kind.AEXPR_OP, name=(_str(name),), lexpr=left, rexpr=right)


def _not(node: ast.Node) -> ast.BoolExpr:
    return ast.BoolExpr(boolop=BoolExprType.NOT_EXPR, args=(node,))


def _colref(*names: str) -> ast.ColumnRef:
    return ast.ColumnRef(fields=tuple(_str(n) for n in names))


def _raw(*parts: Union[str, ast.Node]) -> ast.FuncCall:
    """DuckDB-only syntax (lambdas, struct literals): strings verbatim, nodes
    printed in parentheses. The whole thing must be an atomic expression."""
    args = tuple(_str(p) if isinstance(p, str) else p for p in parts)
    return ast.FuncCall(funcname=(_str(_RAW_MARK),), args=args,
                        funcformat=CoercionForm.COERCE_EXPLICIT_CALL)


@lru_cache(maxsize=64)
def _template_node(expr_sql: str) -> ast.Node:
    return pglast.parse_sql("SELECT " + expr_sql)[0].stmt.targetList[0].val


def _tpl(expr_sql: str, **subs: ast.Node) -> ast.Node:
    """A PostgreSQL-syntax expression with ``__name`` column references
    replaced by (already rewritten) nodes."""
    return _substitute(_copy_tree(_template_node(expr_sql)), subs)


def _copy_tree(value: Any) -> Any:
    """A copy of a syntax tree (copy.deepcopy's, 3-4x faster): its nodes
    and tuples new, its scalars (strings, numbers, enums) shared. A node
    reached twice is copied twice (the printer wants one parent per node)."""
    if isinstance(value, tuple):
        return tuple([_copy_tree(v) for v in value])
    if not isinstance(value, ast.Node):
        return value
    cls = type(value)
    new = cls.__new__(cls)
    members = _CHILD_SLOTS[cls]
    for name in cls.__slots__:
        v = getattr(value, name)
        _set_slot(new, name, _copy_tree(v) if name in members else v)
    return new


def _substitute(node: Any, subs: Dict[str, ast.Node], used: Optional[set] = None) -> Any:
    used = set() if used is None else used
    if isinstance(node, tuple):
        return tuple(_substitute(x, subs, used) for x in node)
    if not isinstance(node, ast.Node):
        return node
    if isinstance(node, ast.ColumnRef) and len(node.fields) == 1:
        name = getattr(node.fields[0], "sval", "")
        if name.startswith("__"):
            # a node used twice is copied: the printer keeps one parent per node
            sub = subs[name[2:]]
            out = _copy_tree(sub) if name in used else sub
            used.add(name)
            return out
    cls = type(node)
    members = _CHILD_SLOTS[cls]
    for attr in members:
        val = getattr(node, attr)
        if isinstance(val, (ast.Node, tuple)):
            _set_slot(node, attr, _substitute(val, subs, used))
    return node


def _reg_in(reg: str, text: str) -> ast.Node:
    """A string literal as a reg* value: an OID written in digits (or '-',
    no object) is that number, as reg*_in reads it; a name is looked up by
    ``rq_fn.<reg>_in``. (Clients write '16384'::regclass a lot; the lookup
    macro costs milliseconds of planning.)"""
    if text == "-":
        return _cast(_const("0"), "bigint")
    if text.isascii() and text.isdigit() and int(text) <= 0xFFFFFFFF:
        return _cast(_const(str(int(text))), "bigint")
    parts = _plain_name(text) if reg in ("regclass", "regtype") else None
    if parts and not (reg == "regtype" and parts[-1] in _SQL_TYPE_WORDS and '"' not in text):
        # a precomputed lookup (derived.py), same answers and errors
        if len(parts) == 1:
            return _rq_fn(f"_{reg}_named", _const(parts[0]))
        return _rq_fn(f"_{reg}_qualified", _const(parts[0]), _const(parts[1]))
    return _rq_fn(f"{reg}_in", _const(text))


# Type names the SQL grammar spells its own way (regtype_in maps them).
_SQL_TYPE_WORDS = frozenset(
    "int integer smallint bigint real float double decimal dec numeric boolean varchar "
    "character char nchar national bit time timestamp interval".split())
# An identifier: a letter, '_' or any non-ASCII character, then those, digits
# and '$'; or a quoted one. Spelled as negated ASCII ranges: the same set as
# [A-Za-z_\x80-\U0010ffff], which cost re.compile 5 ms of every start.
_IDENT_RE = re.compile(r'[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]'
                       r'[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*|"(?:[^"]|"")+"')


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _plain_name(text: str) -> Optional[List[str]]:
    """'name' or 'schema.name' (identifiers as SQL reads them: unquoted ones
    folded to lower case) as its parts; None for anything else."""
    parts: List[str] = []
    pos = 0
    while True:
        m = _IDENT_RE.match(text, pos)
        if m is None:
            return None
        tok = m.group(0)
        # PostgreSQL folds only ASCII letters of unquoted identifiers
        parts.append(tok[1:-1].replace('""', '"') if tok.startswith('"')
                     else tok.translate(_ASCII_LOWER))
        pos = m.end()
        if pos == len(text):
            return parts if len(parts) <= 2 else None
        if text[pos] != ".":
            return None
        pos += 1


def _lambda(var: str) -> str:
    return f"lambda {var}: " if _LAMBDA_KEYWORD else f"{var} -> "


def _names(nodes: Optional[Sequence[ast.Node]]) -> List[str]:
    return [getattr(n, "sval", "") for n in (nodes or ())]


def _string_const(node: Optional[ast.Node]) -> Optional[str]:
    if isinstance(node, ast.A_Const) and isinstance(getattr(node, "val", None), ast.String):
        return node.val.sval
    return None


def _int_const(node: Optional[ast.Node]) -> Optional[int]:
    if isinstance(node, ast.A_Const) and isinstance(getattr(node, "val", None), ast.Integer):
        return node.val.ival
    return None


def _parse_pg_array(text: str) -> List[Optional[str]]:
    """Elements of a one-dimensional PostgreSQL array literal ``'{a,"b c",NULL}'``."""
    text = text.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise RewriteError("22P02", f'malformed array literal: "{text}"')
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        while i < len(body) and body[i].isspace():
            i += 1
        if i >= len(body):
            break
        if body[i] == "{":
            raise _unsupported("a multi-dimensional array literal")
        if body[i] == '"':
            i, item = _array_quoted(body, i + 1)
            out.append(item)
        else:
            j = body.find(",", i)
            j = len(body) if j < 0 else j
            raw = body[i:j].strip()
            out.append(None if raw.upper() == "NULL" else raw.replace("\\", ""))
            i = j
        while i < len(body) and body[i] != ",":
            i += 1
        i += 1
    return out


def _array_quoted(body: str, i: int) -> Tuple[int, str]:
    buf = []
    while i < len(body) and body[i] != '"':
        if body[i] == "\\" and i + 1 < len(body):
            i += 1
        buf.append(body[i])
        i += 1
    return i + 1, "".join(buf)


# --------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------

_INTEGRAL = frozenset(("int", "oid"))
_TEXTUAL = frozenset(("text", "unknown"))
_TEXT_TARGETS = frozenset((
    "text", "varchar", "bpchar", "char", "name", "unknown", "sql_identifier", "character_data",
    "yes_or_no", "pg_node_tree", "aclitem", "inet", "cidr", "macaddr", "pg_lsn", "xml",
    "citext", "regconfig_text", "tsvector", "tsquery", "pg_ndistinct", "pg_dependencies",
    "pg_mcv_list", "anyarray", "anyelement", "cstring"))
_DUCK_SCALAR = {
    "int2": "smallint", "smallint": "smallint", "int4": "integer", "integer": "integer",
    "int": "integer", "int8": "bigint", "bigint": "bigint", "oid": "bigint", "xid": "bigint",
    "xid8": "bigint", "cid": "bigint", "cardinal_number": "integer", "float4": "real",
    "real": "real", "float8": "double", "double precision": "double", "bool": "boolean",
    "boolean": "boolean", "timestamptz": "timestamptz", "time_stamp": "timestamptz",
    "timestamp": "timestamp", "date": "date", "time": "time", "timetz": "timetz",
    "interval": "interval", "bytea": "blob", "uuid": "uuid", "json": "json", "jsonb": "json",
}
_CAST_CATEGORY = {
    "int2": "int", "int4": "int", "int8": "int", "int": "int", "integer": "int",
    "smallint": "int", "bigint": "int", "cardinal_number": "int",
    "oid": "oid", "xid": "oid", "xid8": "oid", "cid": "oid",
    "float4": "float", "float8": "float", "numeric": "numeric", "bool": "bool",
    "timestamptz": "timestamptz", "interval": "interval",
    "int2vector": "vector0", "oidvector": "vector0",
}


def _pg_type(tname: ast.TypeName) -> Tuple[str, bool, Tuple[ast.Node, ...]]:
    """(base name without pg_catalog/information_schema, is_array, typmods)."""
    if tname.pct_type:
        raise _unsupported("%TYPE")
    names = _names(tname.names)
    base = names[-1].lower() if names else ""
    return base, bool(tname.arrayBounds), tuple(tname.typmods or ())


def _duck_scalar(base: str, typmods: Sequence[ast.Node]) -> Tuple[str, Tuple[int, ...]]:
    """DuckDB type for a PostgreSQL scalar type (regs are oids here)."""
    if base in _TEXT_TARGETS:
        return "varchar", ()
    if base in _REG_TYPES:
        return "bigint", ()
    if base in ("numeric", "decimal"):
        mods = tuple(m for m in (_int_const(t) for t in typmods) if m is not None)
        if mods and mods[0] <= 38:
            return "decimal", mods
        return "double", ()
    duck = _DUCK_SCALAR.get(base)
    if duck is None:
        raise _unsupported(f'type "{base}"')
    return duck, ()


def _duck_array_elem(base: str) -> str:
    """DuckDB element type of a PostgreSQL array (design doc: oid-ish arrays are BIGINT[])."""
    if base in ("int2vector", "oidvector"):
        return "bigint"
    if base in ("int2", "int4", "int8", "int", "integer", "smallint", "bigint", "oid", "xid"):
        return "bigint"
    if base in _REG_TYPES:
        return "bigint"
    duck, _ = _duck_scalar(base, ())
    return duck


def _is_list(cat: Optional[str]) -> bool:
    return cat is not None and (cat in ("array", "vector0") or cat.startswith("regarray:"))


def _cast_category(base: str, is_array: bool) -> Optional[str]:
    if is_array:
        return f"regarray:{base}" if base in _REG_TYPES else "array"
    if base in _REG_TYPES:
        return base
    if base in _TEXT_TARGETS:
        return "text"
    return _CAST_CATEGORY.get(base)


# Result categories of functions (after pg_catalog. is stripped).
_FUNC_CATEGORY = {
    **{n: "text" for n in (
        "format_type", "pg_get_expr", "pg_get_userbyid", "pg_get_indexdef",
        "pg_get_constraintdef", "pg_get_viewdef", "obj_description", "col_description",
        "shobj_description", "current_setting", "version", "quote_ident", "quote_literal",
        "lower", "upper", "concat", "concat_ws", "array_to_string", "string_agg", "substring",
        "substr", "trim", "btrim", "ltrim", "rtrim", "replace", "current_database",
        "current_schema", "pg_encoding_to_char", "pg_size_pretty", "format", "left", "right",
        "split_part", "pg_get_function_arguments", "pg_get_function_result",
        "pg_get_function_identity_arguments", "set_config", "md5", "to_char", "repeat",
        "lpad", "rpad", "initcap", "chr", "translate", "pg_client_encoding")},
    **{n: "int" for n in (
        "count", "length", "char_length", "octet_length", "strpos", "position",
        "array_length", "array_upper", "array_lower", "cardinality", "pg_backend_pid",
        "generate_subscripts", "row_number", "rank", "dense_rank", "array_position",
        "ascii", "pg_relation_size", "pg_total_relation_size", "pg_table_size",
        "pg_database_size", "pg_indexes_size", "inet_client_port", "inet_server_port")},
    **{n: "array" for n in ("array_agg", "string_to_array", "current_schemas",
                            "array_append", "array_cat", "array_prepend", "array_remove")},
    "to_regclass": "regclass", "to_regtype": "regtype", "to_regproc": "regproc",
    "to_regprocedure": "regprocedure", "to_regnamespace": "regnamespace",
    "to_regrole": "regrole", "to_regoper": "regoper", "to_regoperator": "regoperator",
    "pg_typeof": "regtype", "pg_partition_ancestors": "regclass", "pg_partition_root": "regclass",
    "now": "timestamptz", "pg_postmaster_start_time": "timestamptz",
    "pg_is_in_recovery": "bool", "pg_has_role": "bool", "txid_current": "int",
}


def _func_category(name: str) -> Optional[str]:
    cat = _FUNC_CATEGORY.get(name)
    if cat is None and ((name.startswith("has_") and name.endswith("_privilege"))
                        or (name.startswith("pg_") and name.endswith("_is_visible"))):
        return "bool"
    return cat


# --------------------------------------------------------------------------------------
# Output column names (PostgreSQL's FigureColname)
# --------------------------------------------------------------------------------------

_NAMED_NODES = {"A_ArrayExpr": "array", "RowExpr": "row", "CoalesceExpr": "coalesce",
                "GroupingFunc": "grouping", "XmlSerialize": "xmlserialize"}


def figure_colname(node: ast.Node) -> str:
    """The column name PostgreSQL gives an unaliased target expression."""
    return _figure(node)[0] or "?column?"


def _figure(node: Any) -> Tuple[Optional[str], int]:
    kind = type(node).__name__
    if kind in _NAMED_NODES:
        return _NAMED_NODES[kind], 2
    handler = _FIGURE_HANDLERS.get(kind)
    return handler(node) if handler else (None, 0)


def _figure_columnref(node: ast.ColumnRef) -> Tuple[Optional[str], int]:
    last = node.fields[-1]
    return (last.sval, 2) if isinstance(last, ast.String) else (None, 0)


def _figure_indirection(node: ast.A_Indirection) -> Tuple[Optional[str], int]:
    last = node.indirection[-1]
    if isinstance(last, ast.String):
        return last.sval, 2
    return _figure(node.arg)


def _figure_typecast(node: ast.TypeCast) -> Tuple[Optional[str], int]:
    name, strength = _figure(node.arg)
    if strength <= 1:
        names = _names(node.typeName.names)
        return (names[-1] if names else None), 1
    return name, strength


def _figure_sublink(node: ast.SubLink) -> Tuple[Optional[str], int]:
    slt = node.subLinkType
    if slt == SubLinkType.EXISTS_SUBLINK:
        return "exists", 2
    if slt == SubLinkType.ARRAY_SUBLINK:
        return "array", 2
    if slt in (SubLinkType.EXPR_SUBLINK, SubLinkType.MULTIEXPR_SUBLINK):
        sel = node.subselect
        while sel.op != SetOperation.SETOP_NONE:
            sel = sel.larg
        first = sel.targetList[0] if sel.targetList else None
        if first is None:
            return None, 0
        return first.name or figure_colname(first.val), 2
    return None, 0


def _figure_case(node: ast.CaseExpr) -> Tuple[Optional[str], int]:
    name, strength = _figure(node.defresult) if node.defresult is not None else (None, 0)
    return ("case", 1) if strength <= 1 else (name, strength)


def _figure_svf(node: ast.SQLValueFunction) -> Tuple[Optional[str], int]:
    name = SQLValueFunctionOp(node.op).name[len("SVFOP_"):].lower()
    return (name[:-2] if name.endswith("_n") else name), 2


_FIGURE_HANDLERS = {
    "ColumnRef": _figure_columnref,
    "A_Indirection": _figure_indirection,
    "FuncCall": lambda n: (n.funcname[-1].sval, 2),
    "A_Expr": lambda n: ("nullif", 2) if n.kind == A_Expr_Kind.AEXPR_NULLIF else (None, 0),
    "TypeCast": _figure_typecast,
    "CollateClause": lambda n: _figure(n.arg),
    "SubLink": _figure_sublink,
    "CaseExpr": _figure_case,
    "MinMaxExpr": lambda n: ("greatest" if n.op == MinMaxOp.IS_GREATEST else "least", 2),
    "SQLValueFunction": _figure_svf,
}


# --------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------

# Identifiers DuckDB reserves that PostgreSQL does not (pglast quotes PostgreSQL's).
_DUCK_KEYWORDS = frozenset((
    "describe", "lambda", "pivot", "pivot_longer", "pivot_wider", "qualify", "show",
    "summarize", "unpivot", "anti", "asof", "at", "by", "columns", "generated", "glob", "map",
    "positional", "semi", "struct", "try_cast", "unpack"))


# The ``ancestors`` slot of every pglast node, set without ast.Node's
# validating __setattr__.
_SET_ANCESTORS = ast.Node.ancestors.__set__  # type: ignore[attr-defined]


def _populate_ancestors(value: Any, anc: Ancestor) -> None:
    """Give every node under ``value`` the ``ancestors`` chain that
    pglast.visitors.populate_ancestors gives it (the printers read it).

    Why our own: pglast's is a breadth-first generator visitor that assigns
    through the validating __setattr__, ~15% of a statement's rewrite; the
    chains are the same (tests/test_pgcatalog_rewrite.py compares them)."""
    if isinstance(value, tuple):
        for i, item in enumerate(value):
            if isinstance(item, (tuple, ast.Node)):
                _populate_ancestors(item, Ancestor(anc, value, i))
        return
    _SET_ANCESTORS(value, anc)
    cls = type(value)
    members = _CHILD_SLOTS[cls]
    for member in members:
        child = getattr(value, member)
        if isinstance(child, (tuple, ast.Node)):
            _populate_ancestors(child, Ancestor(anc, value, member))


class _ChildSlots(dict):  # type: ignore[type-arg]
    """node class -> the slots that may hold a node or a tuple, worked out
    (_child_slots) the first time a class is looked up."""

    def __missing__(self, cls: type) -> Tuple[str, ...]:
        members = self[cls] = _child_slots(cls)
        return members


_CHILD_SLOTS = _ChildSlots()


def _child_slots(cls: type) -> Tuple[str, ...]:
    """The members of ``cls``, in order, whose declared Python type admits
    a node or a tuple: the others (flags, numbers, names, enums, locations)
    never hold one (pglast's __setattr__ refuses it), and skipping them
    halves _populate_ancestors' work."""
    slots = cls.__slots__ if isinstance(cls.__slots__, dict) else {}
    out = []
    for name, info in slots.items():
        ptypes = info[1] if isinstance(info[1], tuple) else (info[1],)
        if any(isinstance(t, type) and (issubclass(t, (list, tuple, set, ast.Node)))
               for t in ptypes):
            out.append(name)
    return tuple(out)


class _NoOpContext:
    """RawStream.push_indent's no-op, without a generator per call."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return False


_NO_OP = _NoOpContext()


class _Parens:
    """RawStream.expression(True): "(" ... ")" (not closed on an exception)."""

    __slots__ = ("stream",)

    def __init__(self, stream: RawStream) -> None:
        self.stream = stream

    def __enter__(self) -> None:
        self.stream.write("(")

    def __exit__(self, exc_type: Any, *exc: Any) -> bool:
        if exc_type is None:
            self.stream.write(")")
        return False


class _ExprContext:
    """RawStream.push_expr_context(ctx): the expression context while inside."""

    __slots__ = ("stream", "ctx", "previous")

    def __init__(self, stream: RawStream, ctx: Any) -> None:
        self.stream, self.ctx = stream, ctx

    def __enter__(self) -> None:
        self.previous = self.stream.expr_context
        self.stream.expr_context = self.ctx

    def __exit__(self, *exc: Any) -> bool:
        self.stream.expr_context = self.previous
        return False


def _printer_table() -> Dict[type, Any]:
    """Node class -> its printer, for the classes whose printer does not
    depend on their parent node (pglast registers a few per parent)."""
    contextual = {key[1] for key in NODE_PRINTERS if isinstance(key, tuple)}
    return {cls: printer for cls, printer in NODE_PRINTERS.items()
            if isinstance(cls, type) and cls not in contextual}


_PRINTERS = _printer_table()  # (pglast.printers registered them on import)


class _DuckDialect(RawStream):
    """pglast's printer with DuckDB's dialect: its extra reserved words
    quoted as names, and raw fragments (_RAW_MARK calls) written verbatim.
    _DuckStream adds the shortcuts; the tests compare the two."""

    def print_node(self, node: Any, is_name: bool = False, is_symbol: bool = False) -> None:
        if (isinstance(node, ast.FuncCall) and node.funcname
                and getattr(node.funcname[0], "sval", None) == _RAW_MARK):
            for part in node.args:
                if isinstance(part, ast.String):
                    self.write(part.sval)
                else:
                    self.write("(")
                    super().print_node(part)
                    self.write(")")
            self.separator()
            return
        super().print_node(node, is_name=is_name, is_symbol=is_symbol)

    def _print_scalar(self, value: Any, is_name: bool, is_symbol: bool) -> None:
        if is_name and not is_symbol and isinstance(value, str):
            self.write(_name_text(value))
            return
        super()._print_scalar(value, is_name, is_symbol)


class _DuckStream(_DuckDialect):
    """The rewriter's printer: _DuckDialect, faster.

    Printing is over half of a rewrite, so the hottest of RawStream's
    helpers are replaced by equivalents without its per-call costs: the
    context managers are small objects instead of generators, a node's
    printer is found by its class alone unless pglast has one per parent
    (get_printer_for_node walks up the ancestors for every node), and
    constants and dotted names are written at once. No comments are
    printed (the rewriter passes none)."""

    def push_indent(self, amount: int = 0, relative: bool = True) -> Any:
        return _NO_OP

    def expression(self, need_parens: bool) -> Any:
        return _Parens(self) if need_parens else _NO_OP

    def push_expr_context(self, ctx: Any) -> Any:
        return _ExprContext(self, ctx)

    def __call__(self, sql: Any, plpgsql: bool = False) -> str:
        """Print one rewritten statement (an ast.Node): RawStream.__call__
        with the ancestors populated by _populate_ancestors."""
        if not isinstance(sql, ast.Node):
            return super().__call__(sql, plpgsql)
        _populate_ancestors((sql,), Ancestor())
        self.print_node(sql)
        if self.semicolon_after_last_statement:
            self.write(";")
        return self.getvalue()

    def print_node(self, node: Any, is_name: bool = False, is_symbol: bool = False) -> None:
        cls = type(node)
        if cls is ast.A_Const:  # a leaf: its text at once (pglast: four nested calls)
            text = _a_const_text(node)
            if text is not None:
                self.write(text)
                self.separator()
                return
        elif cls is ast.FuncCall:  # (raw fragments: _DuckDialect)
            super().print_node(node, is_name=is_name, is_symbol=is_symbol)
            return
        if isinstance(node, ast.Node):  # RawStream.print_node without comments
            printer = _PRINTERS.get(cls) or get_printer_for_node(node)
            if is_name and isinstance(node, ast.String):
                printer(node, self, is_name=is_name, is_symbol=is_symbol)
            else:
                printer(node, self)
            self.separator()
            return
        super().print_node(node, is_name=is_name, is_symbol=is_symbol)

    def print_name(self, nodes: Any, sep: str = ".") -> None:
        # A dotted name of plain strings (column references, function and
        # type names): written at once, as RawStream.print_list writes it
        # item by item (a name needs neither spaces nor parentheses).
        if (sep == "." and type(nodes) is tuple and nodes
                and all(type(n) is ast.String for n in nodes)
                and type(abs(nodes[0].ancestors).node) is not ast.A_Indirection):
            self.write(".".join(_name_text(n.sval) for n in nodes))
            self.separator()
            return
        super().print_name(nodes, sep)


def _name_text(name: str) -> str:
    """An identifier as _DuckStream prints it: double-quoted when DuckDB
    reserves it, else as pglast does (maybe_double_quote_name)."""
    if name in _DUCK_KEYWORDS:
        return '"%s"' % name
    return maybe_double_quote_name(name)


def _a_const_text(node: Any) -> Optional[str]:
    """An A_Const's text as pglast's printers write it (a_const, then the
    value's printer); None for a kind left to them."""
    if node.isnull:
        return "NULL"
    val = node.val
    cls = type(val)
    if cls is ast.String:
        return "'%s'" % val.sval.replace("'", "''")
    if cls is ast.Integer:
        return str(val.ival)
    if cls is ast.Float:
        return val.fval
    if cls is ast.Boolean:
        return "TRUE" if val.boolval else "FALSE"
    return None


# --------------------------------------------------------------------------------------
# The rewriter
# --------------------------------------------------------------------------------------

_REGEX_OPS = frozenset(("~", "~*", "!~", "!~*"))
_LIKE_OPS = {"~~": (False, False), "~~*": (False, True), "!~~": (True, False),
             "!~~*": (True, True)}
_COMPARISONS = frozenset(("=", "<>", "!=", "<", ">", "<=", ">="))
_ARITH = frozenset(("+", "-", "*", "/", "%"))
_SESSION_VARS = {  # functions answered from the session's DuckDB variables
    "current_database": "rq_db_name", "pg_backend_pid": "rq_pid",
    "inet_client_addr": "rq_client_addr", "inet_client_port": "rq_client_port"}
_SVF_VARS = {
    SQLValueFunctionOp.SVFOP_CURRENT_USER: "rq_user", SQLValueFunctionOp.SVFOP_USER: "rq_user",
    SQLValueFunctionOp.SVFOP_CURRENT_ROLE: "rq_user",
    SQLValueFunctionOp.SVFOP_SESSION_USER: "rq_user",
    SQLValueFunctionOp.SVFOP_CURRENT_CATALOG: "rq_db_name"}
_SYSTEM_COLUMNS = frozenset(("tableoid", "xmin", "xmax", "cmin", "cmax", "ctid"))
_RENAMED = {"btrim": "trim", "char_length": "length", "character_length": "length",
            "json_build_object": "json_object", "jsonb_build_object": "json_object",
            "json_agg": "json_group_array", "jsonb_agg": "json_group_array",
            "position": "strpos", "extract": "date_part"}
_UNSUPPORTED_FUNCS = frozenset(("regexp_match", "regexp_matches", "similar_to_escape"))



class _Rel:
    """A FROM item in scope: its columns' categories, its oid for
    ``tableoid`` when it is a catalog table, and its columns' exact types."""

    __slots__ = ("cols", "oid", "exact")

    def __init__(self, cols: Dict[str, Optional[str]], oid: Optional[int] = None,
                 exact: Optional[Dict[str, Optional[str]]] = None) -> None:
        self.cols = cols
        self.oid = oid
        self.exact = exact or {}


Scope = Dict[str, _Rel]


def _collect_ctes(node: Any, out: Optional[set] = None) -> set:
    out = set() if out is None else out
    if isinstance(node, tuple):
        for x in node:
            _collect_ctes(x, out)
    elif isinstance(node, ast.Node):
        if isinstance(node, ast.CommonTableExpr):
            out.add(node.ctename)
        for attr in node:
            val = getattr(node, attr)
            if isinstance(val, (ast.Node, tuple)):
                _collect_ctes(val, out)
    return out


class _Rewriter:
    """One rewrite: walks a SelectStmt, mutating it into DuckDB's dialect.

    Discipline: a handler infers PostgreSQL types of its *original* children
    (``infer``) before it rewrites them (``visit``), since rewriting loses
    the PostgreSQL type information (regclass becomes BIGINT ...)."""

    def __init__(self, set_configs: Optional[List["SetConfig"]] = None) -> None:
        self.ctes: set = set()
        self.cte_cols: Dict[str, Dict[str, Optional[str]]] = {}
        self.cte_exact: Dict[str, Dict[str, Optional[str]]] = {}
        self.scopes: List[Scope] = []
        self.output_selects: set = set()
        self.setop_branches: set = set()  # ids of the SELECTs under a UNION & co
        # (shared by the statements of one query: the n-th call reads variable n)
        self.set_configs: List[SetConfig] = [] if set_configs is None else set_configs
        self.param_types: Dict[int, str] = {}
        self._serial = 0
        self.top_id: Optional[int] = None
        # exact PostgreSQL types of the output columns where known (name, "char")
        self.output_types: Optional[List[Optional[str]]] = None

    # ---- driver ----
    def run(self, stmt: ast.Node, may_have_ctes: bool = True) -> ast.Node:
        """The DuckDB form of ``stmt``; ``may_have_ctes`` False when its
        text has no WITH (then it has no CTE to look for)."""
        if not isinstance(stmt, ast.SelectStmt):
            raise _unsupported(f"{type(stmt).__name__} in a catalog query")
        if may_have_ctes:
            self.ctes = _collect_ctes(stmt)
        self._mark_output(stmt)
        first = stmt
        while first.op != SetOperation.SETOP_NONE:
            first = first.larg
        self.top_id = id(first)
        return self.visit(stmt)

    def _mark_output(self, sel: ast.SelectStmt) -> None:
        self.output_selects.add(id(sel))
        if sel.op != SetOperation.SETOP_NONE:
            self._mark_output(sel.larg)
            self._mark_output(sel.rarg)

    def visit(self, node: Any) -> Any:
        if isinstance(node, tuple):
            items = [self.visit(x) for x in node]
            # the same tuple when nothing changed: setting an attribute of a
            # pglast node validates the value
            return node if all(a is b for a, b in zip(items, node)) else tuple(items)
        if not isinstance(node, ast.Node):
            return node
        handler = getattr(self, "v_" + type(node).__name__, None)
        return handler(node) if handler is not None else self._generic(node)

    def _generic(self, node: ast.Node) -> ast.Node:
        cls = type(node)
        members = _CHILD_SLOTS[cls]
        for attr in members:
            val = getattr(node, attr)
            if isinstance(val, (ast.Node, tuple)):
                new = self.visit(val)
                if new is not val:  # (a node or a tuple: no validation needed)
                    _set_slot(node, attr, new)
        return node

    def _fresh(self, prefix: str) -> str:
        self._serial += 1
        return f"_rq_{prefix}{self._serial}"

    # ---- scopes & type inference ----
    def _scope_for(self, from_items: Optional[Sequence[ast.Node]]) -> Scope:
        scope: Scope = {}
        stack = list(from_items or ())
        while stack:
            item = stack.pop()
            if isinstance(item, ast.JoinExpr):
                stack.extend((item.larg, item.rarg))
            elif isinstance(item, ast.RangeVar):
                key = item.alias.aliasname if item.alias else item.relname
                scope[key] = self._relation(item)
            elif isinstance(item, ast.RangeSubselect) and item.alias:
                scope[item.alias.aliasname] = _Rel(self._output_types(item.subquery), None,
                                                   self._output_exact(item.subquery))
            elif isinstance(item, ast.RangeFunction) and not item.ordinality:
                rel = self._srf_rel(item)
                if rel is not None:
                    scope[rel[0]] = rel[1]
        return scope

    def _srf_rel(self, item: ast.RangeFunction) -> Optional[Tuple[str, "_Rel"]]:
        """The one column of ``generate_series(...) AS g(n)`` / ``unnest(a)
        AS u(x)`` with its PostgreSQL type (int4 for int4 bounds, the array's
        element type), so that outputs of it are typed like PostgreSQL's."""
        funcs = item.functions or ()
        call = funcs[0][0] if len(funcs) == 1 else None
        if not isinstance(call, ast.FuncCall):
            return None
        name, args = _names(call.funcname)[-1], call.args or ()
        types = [self._exact_expr(a) for a in args]
        t: Optional[str] = None
        if name == "generate_series" and len(args) in (2, 3):
            ints = [x for x in types if x in ("integer", "bigint", "smallint")]
            if len(ints) == len(types):
                t = "bigint" if "bigint" in ints else "integer"
        elif name == "unnest" and len(args) == 1 and types[0] and types[0].endswith("[]"):
            t = types[0][:-2]
        if t is None:
            return None
        alias = item.alias.aliasname if item.alias else name
        cols = _names(item.alias.colnames) if item.alias and item.alias.colnames else [alias]
        return alias, _Rel({cols[0]: _category(t)}, None, {cols[0]: t})

    def _relation(self, rv: ast.RangeVar) -> _Rel:
        target = _relation_schema(rv.schemaname, rv.relname, self.ctes)
        if target == "":
            return _Rel(self.cte_cols.get(rv.relname, {}), None,
                        self.cte_exact.get(rv.relname, {}))
        if target in _SCHEMA_OF:
            key = (_SCHEMA_OF[target], rv.relname)
            return _Rel(_REL_COLUMNS.get(key, {}), _TABLE_OIDS.get(key), _REL_EXACT.get(key))
        return _Rel({})

    def _lookup(self, names: List[str]) -> Optional[_Rel]:
        """The FROM item a column reference (``[alias.]col``) belongs to."""
        col = names[-1]
        for scope in reversed(self.scopes):
            if len(names) >= 2:
                if names[-2] in scope:
                    return scope[names[-2]]
                continue
            for rel in scope.values():
                if col in rel.cols:
                    return rel
        return None

    def _output_exact(self, sel: Any) -> Dict[str, Optional[str]]:
        """Exact PostgreSQL types of a subquery's / CTE's named output columns."""
        if not isinstance(sel, ast.SelectStmt):
            return {}
        while sel.op != SetOperation.SETOP_NONE:
            sel = sel.larg
        self.scopes.append(self._scope_for(sel.fromClause))
        try:
            targets = [rt for rt in sel.targetList or ()
                       if not (isinstance(rt.val, ast.ColumnRef)
                               and isinstance(rt.val.fields[-1], ast.A_Star))]
            if len(targets) != len(sel.targetList or ()):
                return {}  # a * inside: the column list is not known here
            types = self._exact_output(targets) or [None] * len(targets)
            return {rt.name or figure_colname(rt.val): t for rt, t in zip(targets, types)}
        finally:
            self.scopes.pop()

    def _output_types(self, sel: Any) -> Dict[str, Optional[str]]:
        if not isinstance(sel, ast.SelectStmt):
            return {}
        while sel.op != SetOperation.SETOP_NONE:
            sel = sel.larg
        self.scopes.append(self._scope_for(sel.fromClause))
        try:
            out = {}
            for rt in sel.targetList or ():
                if isinstance(rt.val, ast.ColumnRef) and isinstance(rt.val.fields[-1], ast.A_Star):
                    continue
                out[rt.name or figure_colname(rt.val)] = self.infer(rt.val)
            return out
        finally:
            self.scopes.pop()

    def _column_category(self, fields: Sequence[ast.Node]) -> Optional[str]:
        names = _names(fields)
        if not names or not isinstance(fields[-1], ast.String):
            return None
        col = names[-1]
        if len(names) >= 3 and names[-3] in ("pg_catalog", "information_schema"):
            return _REL_COLUMNS.get((names[-3], names[-2]), {}).get(col)
        rel = self._lookup(names)
        if rel is not None and col in rel.cols:
            return rel.cols[col]
        if col in _GLOBAL_COLUMNS:
            return _GLOBAL_COLUMNS[col]
        return "vector0" if not _REL_COLUMNS and col in _ZERO_BASED_COLUMNS else None

    def infer(self, node: Any) -> Optional[str]:
        """PostgreSQL type category of an original (not yet rewritten) expression."""
        kind = type(node).__name__
        meth = getattr(self, "_infer_" + kind, None)
        if meth is not None:
            return meth(node)
        if kind in ("BoolExpr", "NullTest", "BooleanTest"):
            return "bool"
        if kind == "A_ArrayExpr":
            return "array"
        if kind == "SQLValueFunction":
            schema_op = node.op == SQLValueFunctionOp.SVFOP_CURRENT_SCHEMA
            return "text" if node.op in _SVF_VARS or schema_op else None
        if kind == "CollateClause":
            return self.infer(node.arg)
        return None

    def _infer_A_Const(self, node: ast.A_Const) -> Optional[str]:
        if node.isnull:
            return None
        return {"Integer": "int", "Float": "numeric", "String": "unknown",
                "Boolean": "bool"}.get(type(node.val).__name__)

    def _infer_TypeCast(self, node: ast.TypeCast) -> Optional[str]:
        base, is_array, _ = _pg_type(node.typeName)
        cat = _cast_category(base, is_array)
        if cat == "array" and self.infer(node.arg) == "vector0":
            return "vector0"  # int2vector::int2[] keeps the 0 lower bound
        return cat

    def _infer_ColumnRef(self, node: ast.ColumnRef) -> Optional[str]:
        return self._column_category(node.fields)

    def _infer_FuncCall(self, node: ast.FuncCall) -> Optional[str]:
        return _func_category(node.funcname[-1].sval)

    def _infer_A_Expr(self, node: ast.A_Expr) -> Optional[str]:
        if node.kind != A_Expr_Kind.AEXPR_OP:
            return None if node.kind == A_Expr_Kind.AEXPR_NULLIF else "bool"
        op = node.name[-1].sval
        if op in _ARITH:
            cats = {self.infer(node.lexpr) if node.lexpr is not None else "int",
                    self.infer(node.rexpr)}
            if cats <= _INTEGRAL:
                return "int"
            return "float" if "float" in cats else None
        if op == "||":
            cats = (self.infer(node.lexpr), self.infer(node.rexpr))
            return "array" if any(_is_list(c) for c in cats) else "text"
        return "bool"

    def _infer_SubLink(self, node: ast.SubLink) -> Optional[str]:
        if node.subLinkType == SubLinkType.ARRAY_SUBLINK:
            return "array"
        if node.subLinkType != SubLinkType.EXPR_SUBLINK:
            return "bool"
        types = self._output_types(node.subselect)
        return next(iter(types.values()), None) if len(types) == 1 else None

    def _infer_CaseExpr(self, node: ast.CaseExpr) -> Optional[str]:
        results = [w.result for w in node.args or ()] + [node.defresult]
        return self._first_category(results)

    def _infer_CoalesceExpr(self, node: ast.CoalesceExpr) -> Optional[str]:
        return self._first_category(node.args)

    def _infer_MinMaxExpr(self, node: ast.MinMaxExpr) -> Optional[str]:
        return self._first_category(node.args)

    def _first_category(self, nodes: Iterable[Any]) -> Optional[str]:
        for n in nodes:
            cat = self.infer(n) if n is not None else None
            if cat not in (None, "unknown"):
                return cat
        return None

    # ---- statements & FROM ----
    def v_SelectStmt(self, node: ast.SelectStmt) -> ast.SelectStmt:
        if node.intoClause is not None:
            raise _unsupported("SELECT INTO")
        if str(getattr(node.limitOption, "name", node.limitOption)) == "LIMIT_OPTION_WITH_TIES":
            raise _unsupported("FETCH ... WITH TIES")
        node.lockingClause = None  # FOR UPDATE/SHARE: DuckDB has no row locks
        if node.withClause is not None:
            self._with(node.withClause)
        if node.groupClause and node.op == SetOperation.SETOP_NONE:
            self._lateral_srf(node)
        if node.op != SetOperation.SETOP_NONE:
            self.setop_branches.update((id(node.larg), id(node.rarg)))
            node.larg, node.rarg = self.visit(node.larg), self.visit(node.rarg)
        if not node.targetList and not node.valuesLists and node.op == SetOperation.SETOP_NONE:
            # SELECT FROM t (no columns, e.g. in EXISTS): DuckDB needs one
            node.targetList = (ast.ResTarget(name="?column?", val=_const(None)),)
        self.scopes.append(self._scope_for(node.fromClause))
        try:
            node.fromClause = self.visit(node.fromClause)
            is_output = id(node) in self.output_selects
            wrapped: Dict[Any, ast.Node] = {}
            targets = []
            if id(node) == self.top_id:
                self.output_types = self._exact_output(node.targetList or ())
            items = node.targetList or ()
            if is_output:
                items = [x for rt in items for x in self._expand_star(rt, node.fromClause)]
            plain = id(node) not in self.setop_branches
            for pos, rt in enumerate(items, 1):
                rt, oid_expr = self._target(rt, is_output, plain)
                if oid_expr is not None:
                    wrapped[pos] = wrapped[rt.name] = oid_expr
                targets.append(rt)
            node.targetList = tuple(targets) or None
            for attr in ("whereClause", "groupClause", "havingClause", "windowClause",
                         "distinctClause", "valuesLists", "sortClause", "limitCount",
                         "limitOffset"):
                setattr(node, attr, self.visit(getattr(node, attr)))
            if wrapped and node.sortClause:
                _sort_by_oid(node.sortClause, wrapped)
        finally:
            self.scopes.pop()
        return node

    def _exact_output(self, targets: Sequence[ast.ResTarget]) -> Optional[List[Optional[str]]]:
        """PostgreSQL types of the output columns, by position, where a plain
        column or a cast says it (None entries elsewhere); None if a ``*``
        cannot be expanded here."""
        out: List[Optional[str]] = []
        for rt in targets:
            val = rt.val
            if isinstance(val, ast.ColumnRef) and isinstance(val.fields[-1], ast.A_Star):
                key = self._star_key(val)
                rel = None if key is None else self.scopes[-1][key]
                if rel is None or not rel.exact:
                    return None
                out.extend(rel.exact.values())
            else:
                t = self._exact_expr(val)
                out.append(None if t == self._UNKNOWN else t)
        return out

    _UNKNOWN = "unknown"  # a string literal or NULL: takes its peers' type

    def _exact_expr(self, val: Any) -> Optional[str]:
        """PostgreSQL's type of an output expression where the rewriter can
        tell (columns, casts, and CASE / COALESCE / NULLIF / scalar and ARRAY
        subqueries / min, max, unnest over them); None elsewhere."""
        if isinstance(val, ast.ColumnRef):
            rel = self._lookup(_names(val.fields))
            col = getattr(val.fields[-1], "sval", None)
            return rel.exact.get(col) if rel is not None and col else None
        if isinstance(val, ast.TypeCast):
            base, is_array, _ = _pg_type(val.typeName)
            base = _TYPNAME_SPELLING.get(base, base)
            return base + ("[]" if is_array else "")
        if isinstance(val, ast.A_Const):
            if val.isnull or isinstance(val.val, ast.String):
                return self._UNKNOWN
            if isinstance(val.val, ast.Integer):
                return "integer"  # PostgreSQL: int4 (larger literals are Float nodes)
            return None
        if isinstance(val, ast.A_Expr) and val.kind == A_Expr_Kind.AEXPR_NULLIF:
            t = self._exact_expr(val.lexpr)
            return None if t == self._UNKNOWN else t
        if isinstance(val, ast.CaseExpr):
            return self._unify([a.result for a in val.args or ()] +
                               [val.defresult if val.defresult is not None else _const(None)])
        if isinstance(val, ast.CoalesceExpr):
            return self._unify(list(val.args or ()))
        if isinstance(val, ast.SubLink) and val.subLinkType in (SubLinkType.EXPR_SUBLINK,
                                                                SubLinkType.ARRAY_SUBLINK):
            sub = val.subselect
            if not isinstance(sub, ast.SelectStmt) or sub.op != SetOperation.SETOP_NONE \
                    or len(sub.targetList or ()) != 1:
                return None
            self.scopes.append(self._scope_for(sub.fromClause))
            try:
                inner = self._exact_output(sub.targetList)
            finally:
                self.scopes.pop()
            t = inner[0] if inner else None
            if t is None or t == self._UNKNOWN:
                return None
            return t + "[]" if val.subLinkType == SubLinkType.ARRAY_SUBLINK else t
        if isinstance(val, ast.FuncCall):
            return self._exact_call(val)
        if type(val).__name__ == "SQLValueFunction":
            op = str(getattr(val.op, "name", val.op)).lower()
            return "name" if any(op.endswith(n) for n in _SVF_NAME_TYPED) else None
        return None

    def _exact_call(self, val: ast.FuncCall) -> Optional[str]:
        fname = _names(val.funcname)
        args = val.args or ()
        if val.agg_star or (val.over is not None and fname[-1] not in ("min", "max")):
            return None
        if len(fname) > 1 and fname[0] != "pg_catalog":
            return None
        name = fname[-1]
        if name == "array_agg" and len(args) == 1:
            t = self._exact_expr(args[0])
            return t + "[]" if t and t != self._UNKNOWN and not t.endswith("[]") else None
        if name in ("min", "max") and len(args) == 1:
            t = self._exact_expr(args[0])
            return None if t == self._UNKNOWN else t
        if name == "unnest" and len(args) == 1:
            t = self._exact_expr(args[0])
            return t[:-2] if t and t.endswith("[]") else None
        return _builtin_results().get((name, len(args)), _builtin_results_by_name().get(name))

    def _unify(self, exprs: Sequence[Any]) -> Optional[str]:
        """The type PostgreSQL gives CASE / COALESCE branches: the branches'
        one known type (literals and NULLs take it); None if they differ."""
        types = {self._exact_expr(e) for e in exprs} - {self._UNKNOWN}
        return types.pop() if len(types) == 1 and None not in types else None

    def _with(self, wc: ast.WithClause) -> None:
        for cte in wc.ctes or ():
            if not isinstance(cte.ctequery, ast.SelectStmt):
                raise _unsupported("a data-modifying WITH")
            if cte.aliascolnames:
                cols = _names(cte.aliascolnames)
                self.cte_cols[cte.ctename] = dict.fromkeys(cols)
                first = cte.ctequery
                while first.op != SetOperation.SETOP_NONE:
                    first = first.larg
                self.scopes.append(self._scope_for(first.fromClause))
                try:
                    types = self._exact_output(first.targetList or ()) or []
                finally:
                    self.scopes.pop()
                if len(types) == len(cols):
                    self.cte_exact[cte.ctename] = dict(zip(cols, types))
            else:
                self.cte_cols[cte.ctename] = self._output_types(cte.ctequery)
                self.cte_exact[cte.ctename] = self._output_exact(cte.ctequery)
            cte.ctequery = self.visit(cte.ctequery)
        wc.ctes = tuple(wc.ctes or ())

    def _lateral_srf(self, node: ast.SelectStmt) -> None:
        """``SELECT srf(x) AS w, count(*) ... GROUP BY w``: PostgreSQL runs the
        set-returning function before grouping; DuckDB refuses it there, so
        it becomes a LATERAL FROM item (the same rows for one such call)."""
        hits = [i for i, rt in enumerate(node.targetList or ())
                if isinstance(rt.val, ast.FuncCall) and not rt.val.over
                and _names(rt.val.funcname)[-1] in _TLIST_SRFS]
        if len(hits) != 1:
            return
        i = hits[0]
        rt = node.targetList[i]
        alias = self._fresh("lat")
        sub = ast.SelectStmt(targetList=(ast.ResTarget(name="v", val=rt.val),),
                             limitOption=LimitOption.LIMIT_OPTION_DEFAULT,
                             op=SetOperation.SETOP_NONE)
        node.fromClause = tuple(node.fromClause or ()) + (
            ast.RangeSubselect(lateral=True, subquery=sub, alias=ast.Alias(aliasname=alias)),)
        targets = list(node.targetList)
        targets[i] = ast.ResTarget(name=rt.name or figure_colname(rt.val), val=_colref(alias, "v"))
        node.targetList = tuple(targets)

    def _star_key(self, star: ast.ColumnRef) -> Optional[str]:
        """The current scope's key of the one relation ``*`` / ``alias.*``
        stands for; None when that is not one relation of the scope."""
        scope = self.scopes[-1] if self.scopes else {}
        names = _names(star.fields[:-1])
        if names:
            return names[-1] if names[-1] in scope else None
        return next(iter(scope)) if len(scope) == 1 else None

    def _expand_star(self, rt: ast.ResTarget,
                     from_items: Optional[Sequence[ast.Node]]) -> List[ast.ResTarget]:
        """``*`` / ``alias.*`` over one relation with reg* columns, as its
        columns one by one (so that those print as names, as PostgreSQL's
        do); any other target as it is."""
        val = rt.val
        if not (isinstance(val, ast.ColumnRef) and isinstance(val.fields[-1], ast.A_Star)):
            return [rt]
        key = self._star_key(val)
        if key is None or (len(val.fields) == 1 and len(from_items or ()) != 1) \
                or len(val.fields) > 2:
            return [rt]
        rel = self.scopes[-1][key]
        cols = list(rel.cols)
        if not cols or set(cols) != set(rel.exact) or not any(
                c in _REG_TYPES or (c or "").startswith("regarray:") for c in rel.cols.values()):
            return [rt]
        return [ast.ResTarget(val=_colref(key, c)) for c in cols]

    def _target(self, rt: ast.ResTarget, is_output: bool,
                plain: bool = False) -> Tuple[ast.ResTarget, Optional[ast.Node]]:
        """Rewrite one output column; also returns the oid expression when a
        reg value was turned into its name (ORDER BY must still sort by oid)."""
        val = rt.val
        if isinstance(val, ast.ColumnRef) and isinstance(val.fields[-1], ast.A_Star):
            rt.val = self.visit(val)
            return rt, None
        cat = self.infer(val)
        name = rt.name or figure_colname(val)
        new = oid_expr = self.visit(val)
        if isinstance(val, ast.A_Const) and val.isnull and plain:
            # an untyped NULL in a select list is text in PostgreSQL (in a
            # UNION the other branches decide)
            rt.val = _cast(new, "varchar")
            rt.name = name
            return rt, None
        if is_output and cat in _REG_TYPES:
            new = self._reg_out(_copy_tree(oid_expr), cat)
        elif is_output and cat and cat.startswith("regarray:"):
            new = self._reg_list_out(_copy_tree(oid_expr), cat.split(":", 1)[1])
        if rt.name is None and not isinstance(new, ast.ColumnRef):
            rt.name = name  # DuckDB would name it after the rewritten expression
        rt.val = new
        return rt, (oid_expr if new is not oid_expr else None)

    def v_RangeVar(self, node: ast.RangeVar) -> ast.RangeVar:
        target = _relation_schema(node.schemaname, node.relname, self.ctes)
        if target is None:
            raise RewriteError("42P01", f'relation "{node.relname}" is not a catalog relation')
        if target == "":
            return node
        known = PG_CATALOG_RELATIONS if target == "rq_pg" else INFORMATION_SCHEMA_RELATIONS
        if known and node.relname not in known:
            raise RewriteError(
                "42P01", f'relation "{_SCHEMA_OF[target]}.{node.relname}" does not exist')
        node.schemaname, node.catalogname, node.inh = target, None, True
        return node

    def v_ColumnRef(self, node: ast.ColumnRef) -> ast.Node:
        fields = node.fields
        col = getattr(fields[-1], "sval", None)
        if col in _SYSTEM_COLUMNS and len(fields) <= 2:
            rel = self._lookup(_names(fields))
            if rel is None or col not in rel.cols:  # the system column
                return self._system_column(_names(fields))
        if len(fields) >= 3 and getattr(fields[-3], "sval", None) in (
                "pg_catalog", "information_schema"):
            # pg_catalog.pg_class.relname -> pg_class.relname (the table keeps its name)
            node.fields = tuple(fields[-2:])
        return node

    def _system_column(self, names: List[str]) -> ast.Node:
        """System columns of a catalog table: tableoid is its oid; the row
        version columns get the values of PostgreSQL's bootstrap rows."""
        if len(names) == 2:
            rel = self._lookup(names)
        else:  # unqualified: the only table of the innermost scope
            rels = [r for r in (self.scopes[-1].values() if self.scopes else ()) if r.oid]
            rel = rels[0] if len(rels) == 1 else None
        if rel is None or rel.oid is None:
            raise _unsupported(f"the system column {names[-1]} here")
        if names[-1] == "tableoid":
            return _cast(_const(rel.oid), "bigint")
        if names[-1] == "ctid":
            return _const("(0,1)")
        return _cast(_const(1 if names[-1] == "xmin" else 0), "bigint")

    def v_RangeFunction(self, node: ast.RangeFunction) -> ast.RangeFunction:
        funcs = node.functions or ()
        if len(funcs) != 1 or (funcs[0][1] if len(funcs[0]) > 1 else None):
            raise _unsupported("ROWS FROM / a column definition list")
        call = funcs[0][0]
        if not isinstance(call, ast.FuncCall):
            raise _unsupported("this FROM item")
        names = _names(call.funcname)
        name = names[-1]
        if (not node.ordinality and not node.lateral
                and (len(names) == 1 or names[0] == "pg_catalog")
                and (name, len(call.args or ())) in _scalar_functions()):
            return self.visit(self._scalar_from(node, call, name))
        scalar_srf = name in ("unnest", "generate_series", "generate_subscripts",
                              "pg_partition_ancestors")
        if name == "_pg_expandarray":
            call = self._expandarray_from(node, call)
        elif name == "generate_subscripts":
            call = self._subscripts_range(call)
        elif name == "generate_series":  # DuckDB's table function: same rows
            self._visit_call_parts(call)
            call.funcname = (_str(name),)
        else:
            if name == "unnest" and len(call.args or ()) != 1:
                raise _unsupported("unnest() of several arrays")
            call = self.visit(call)
        node.functions = ((call, None),)
        if scalar_srf:
            self._name_srf_column(node, name)
        return node

    @staticmethod
    def _scalar_from(node: ast.RangeFunction, call: ast.FuncCall, name: str) -> ast.Node:
        """A function that returns one value, in FROM: a one-row table whose
        column is named after the alias (else the function), as PostgreSQL
        reads it; DuckDB only takes table functions there."""
        alias = node.alias.aliasname if node.alias else name
        col = _names(node.alias.colnames)[0] if node.alias and node.alias.colnames else alias
        sub = ast.SelectStmt(targetList=(ast.ResTarget(name=col, val=call),),
                             limitOption=LimitOption.LIMIT_OPTION_DEFAULT,
                             op=SetOperation.SETOP_NONE)
        return ast.RangeSubselect(lateral=False, subquery=sub, alias=ast.Alias(aliasname=alias))

    def _name_srf_column(self, node: ast.RangeFunction, name: str) -> None:
        """PostgreSQL names a scalar SRF's column after the alias (else the
        function); DuckDB after the function it actually calls."""
        if node.alias is None:
            node.alias = ast.Alias(aliasname=name)
        if not node.alias.colnames:
            cols = [node.alias.aliasname] + (["ordinality"] if node.ordinality else [])
            node.alias.colnames = tuple(_str(c) for c in cols)

    def _expandarray_from(self, node: ast.RangeFunction, call: ast.FuncCall) -> ast.Node:
        """FROM information_schema._pg_expandarray(a) -> unnest(a) WITH ORDINALITY (x, n)."""
        if node.ordinality or len(call.args or ()) != 1:
            raise _unsupported("_pg_expandarray() WITH ORDINALITY")
        node.ordinality = True
        alias = node.alias.aliasname if node.alias else "_pg_expandarray"
        node.alias = ast.Alias(aliasname=alias, colnames=(_str("x"), _str("n")))
        return _func("unnest", self.visit(call.args[0]))

    def _subscripts_range(self, call: ast.FuncCall) -> ast.Node:
        """generate_subscripts(a, dim) -> unnest(range(lo, len(a) + lo)),
        lo = 0 for int2vector/oidvector; no rows unless dim = 1 (1-D arrays)."""
        args = call.args or ()
        if len(args) != 2:
            raise _unsupported("generate_subscripts() with reverse")
        low = 0 if self.infer(args[0]) == "vector0" else 1
        arr, dim = self.visit(args[0]), _int_const(args[1])
        if dim is not None:
            return _tpl(f"unnest(range({low}, len(__a) + {low}))" if dim == 1
                        else "unnest(CAST([] AS BIGINT[]))", a=arr)
        return _tpl(f"unnest(range({low}, CASE WHEN __d = 1 THEN len(__a) + {low} ELSE {low} END))",
                    a=arr, d=self.visit(args[1]))

    # ---- expressions ----
    def v_CollateClause(self, node: ast.CollateClause) -> ast.Node:
        return self.visit(node.arg)  # DuckDB compares bytewise, like "C"

    def v_SortBy(self, node: ast.SortBy) -> ast.SortBy:
        node.node = self.visit(node.node)
        if node.sortby_dir == SortByDir.SORTBY_USING:
            op = _names(node.useOp)[-1] if node.useOp else "<"
            if op not in ("<", ">"):
                raise _unsupported(f"ORDER BY ... USING {op}")
            node.sortby_dir = SortByDir.SORTBY_DESC if op == ">" else SortByDir.SORTBY_ASC
            node.useOp = None
        if node.sortby_nulls == SortByNulls.SORTBY_NULLS_DEFAULT:
            # PostgreSQL: NULLs sort as larger than everything
            desc = node.sortby_dir == SortByDir.SORTBY_DESC
            node.sortby_nulls = (SortByNulls.SORTBY_NULLS_FIRST if desc
                                 else SortByNulls.SORTBY_NULLS_LAST)
        return node

    def v_SQLValueFunction(self, node: ast.SQLValueFunction) -> ast.Node:
        """current_user & co: the rq_fn macro when there is one, else the
        session's DuckDB variable (design doc)."""
        var = _SVF_VARS.get(node.op)
        name = _figure_svf(node)[0]
        if var is None and node.op != SQLValueFunctionOp.SVFOP_CURRENT_SCHEMA:
            return node  # current_date, localtimestamp ...: DuckDB has them
        if name in FUNCTION_NAMES or var is None:
            return _rq_fn(name)
        return _getvariable(var)

    def v_A_Indirection(self, node: ast.A_Indirection) -> ast.A_Indirection:
        zero_based = self.infer(node.arg) == "vector0"
        node.arg = self.visit(node.arg)
        out = []
        for i, ind in enumerate(node.indirection):
            if isinstance(ind, ast.A_Indices):
                ind.lidx, ind.uidx = self.visit(ind.lidx), self.visit(ind.uidx)
                if zero_based and i == 0:  # int2vector/oidvector: PostgreSQL counts from 0
                    ind.lidx = _op("+", ind.lidx, _const(1)) if ind.lidx is not None else None
                    ind.uidx = _op("+", ind.uidx, _const(1)) if ind.uidx is not None else None
            out.append(ind)
        node.indirection = tuple(out)
        return node

    def v_SubLink(self, node: ast.SubLink) -> ast.SubLink:
        if node.operName:
            op = _names(node.operName)[-1]
            if op not in _COMPARISONS:
                raise _unsupported(f"operator {op} with a subquery")
            node.operName = (_str(op),)
        node.testexpr = self.visit(node.testexpr)
        node.subselect = self.visit(node.subselect)
        return node

    def v_CoalesceExpr(self, node: ast.CoalesceExpr) -> ast.CoalesceExpr:
        cats = [self.infer(a) for a in node.args]
        wants_list = any(_is_list(c) for c in cats)
        args = []
        for arg, cat in zip(node.args, cats):
            text = _string_const(arg)
            if wants_list and text is not None and text.startswith("{"):
                args.append(self._array_literal(text, None))
            else:
                args.append(self.visit(arg))
        node.args = tuple(args)
        return node

    # ---- function calls ----
    def v_FuncCall(self, node: ast.FuncCall) -> ast.Node:
        names = _names(node.funcname)
        schema = names[-2] if len(names) > 1 else None
        name = names[-1]
        if schema not in (None, "pg_catalog", "information_schema"):
            return self._generic(node)  # a user schema's function: DuckDB decides
        if name in _UNSUPPORTED_FUNCS:
            raise _unsupported(f"{name}()")
        special = _FUNC_HANDLERS.get(name)
        if special is not None:
            out = special(self, node)
            if out is not None:
                return out
        return self._plain_call(node, name, schema)

    def _plain_call(self, node: ast.FuncCall, name: str, schema: Optional[str]) -> ast.Node:
        if any(isinstance(a, ast.ParamRef) for a in node.args or ()):
            node.args = _typed_params(name, node.args)
        if name in FUNCTION_NAMES:
            node.funcname = (_str("rq_fn"), _str(name))
        elif schema == "information_schema":
            raise _unsupported(f"information_schema.{name}()")
        elif name in _SESSION_VARS and not node.args:
            return _getvariable(_SESSION_VARS[name])
        else:
            node.funcname = (_str(_RENAMED.get(name, name)),)
        cats = [self.infer(a) for a in node.args or ()] if name in _TEXT_ARG_FUNCS else []
        self._visit_call_parts(node)
        if cats:
            node.args = tuple(self._reg_out(a, c) if c in _REG_TYPES else a
                              for a, c in zip(node.args, cats))
        node.funcformat = CoercionForm.COERCE_EXPLICIT_CALL
        return node

    def _visit_call_parts(self, node: ast.FuncCall) -> None:
        for attr in ("args", "agg_order", "agg_filter", "over"):
            setattr(node, attr, self.visit(getattr(node, attr)))

    def _set_config(self, node: ast.FuncCall) -> ast.Node:
        """set_config(name, value, is_local): reported to the engine; the SQL
        reads the new value as SHOW prints it (PostgreSQL's result: '60s'
        -> '1min') from variable rq_set_config_<n>, which the engine sets
        before running the statement (``SET_CONFIG_VAR``)."""
        args = node.args or ()
        if len(args) != 3:
            raise RewriteError("42883", "function set_config() needs 3 arguments")
        name = _string_const(_strip_cast(args[0]))
        local = _bool_const(_strip_cast(args[2]))
        if name is None or local is None:
            raise _unsupported("set_config() with a non-constant name or is_local")
        value = _strip_cast(args[1])
        if isinstance(value, ast.ParamRef):
            self.set_configs.append(SetConfig(name, None, local, value.number))
        elif isinstance(value, ast.A_Const):
            text = None if value.isnull else str(_const_value(value))
            self.set_configs.append(SetConfig(name, text, local))
        else:
            raise _unsupported("set_config() with a computed value")
        shown = _cast(_getvariable(SET_CONFIG_VAR.format(len(self.set_configs) - 1)), "varchar")
        # (a parameter stays in the statement: DuckDB binds every $n given)
        return ast.CoalesceExpr(args=(shown, _cast(self.visit(value), "varchar")))

    def _array_bound(self, node: ast.FuncCall) -> ast.Node:
        """array_lower/upper/length, cardinality with PostgreSQL's bounds
        (0-based int2vector/oidvector, NULL for an empty array)."""
        name = _names(node.funcname)[-1]
        args = node.args or ()
        if len(args) != (1 if name == "cardinality" else 2):
            raise RewriteError("42883", f"function {name}() has the wrong number of arguments")
        dim = 1 if name == "cardinality" else _int_const(args[1])
        low = 0 if self.infer(args[0]) == "vector0" else 1
        arr = self.visit(args[0])
        if dim is not None and dim != 1:
            return _cast(_const(None), "integer")
        sql = {"array_lower": f"CASE WHEN len(__a) > 0 THEN {low} END",
               "array_upper": f"CASE WHEN len(__a) > 0 THEN len(__a) + {low - 1} END",
               "array_length": "CASE WHEN len(__a) > 0 THEN len(__a) END",
               "cardinality": "len(__a)"}[name]
        if dim is None:  # a parameter: only dimension 1 exists
            return _tpl(f"CASE WHEN __d = 1 THEN {sql} END", a=arr, d=self.visit(args[1]))
        return _tpl(sql, a=arr)

    def _subscripts_call(self, node: ast.FuncCall) -> ast.Node:
        return self._subscripts_range(node)

    def _partition_ancestors(self, node: ast.FuncCall) -> ast.Node:
        """riffq has no partitions: a relation's only "ancestor" is itself."""
        args = node.args or ()
        if len(args) != 1:
            raise RewriteError("42883", "function pg_partition_ancestors() needs 1 argument")
        rel = self._to_reg(args[0], self.infer(args[0]), "regclass")
        return _func("unnest", ast.A_ArrayExpr(elements=(rel,)))

    def _expandarray_call(self, node: ast.FuncCall) -> Optional[ast.Node]:
        """information_schema._pg_expandarray(a) as an expression: a set of (x, n) rows."""
        if _names(node.funcname)[0] != "information_schema" or len(node.args or ()) != 1:
            return None
        arr, var = self.visit(node.args[0]), self._fresh("i")
        return _raw("unnest(list_transform(generate_series(1, len(", arr, f")), {_lambda(var)}"
                    "{'x': ", _copy_tree(arr), f"[{var}], 'n': CAST({var} AS INTEGER)}}))")

    def _format(self, node: ast.FuncCall) -> Optional[ast.Node]:
        """format() with a constant format string -> concat() of its pieces."""
        args = node.args or ()
        fmt = _string_const(args[0]) if args else None
        if fmt is None:
            if "format" in FUNCTION_NAMES:
                return None
            raise _unsupported("format() with a non-constant format string")
        cats = [self.infer(a) for a in args[1:]]
        vals = [self._reg_out(v, c) if c in _REG_TYPES else v
                for v, c in zip((self.visit(a) for a in args[1:]), cats)]
        parts = _format_parts(fmt, [_cast(v, "varchar") for v in vals])
        return _func("concat", *parts) if parts else _const("")

    def _substring(self, node: ast.FuncCall) -> Optional[ast.Node]:
        """substring(text from pattern): PostgreSQL's regular-expression form."""
        args = node.args or ()
        if len(args) < 2 or self.infer(args[1]) not in _TEXTUAL:
            return None
        if len(args) == 3:
            raise _unsupported("substring(... SIMILAR ... ESCAPE ...)")
        pat = _string_const(args[1])
        group = 1 if pat is not None and "(" in pat.replace("(?", "") else 0
        return _tpl("CASE WHEN regexp_matches(__s, __p) "
                    f"THEN regexp_extract(__s, __p, {group}) END",
                    s=self.visit(args[0]), p=self.visit(args[1]))

    def _viewdef_call(self, node: ast.FuncCall) -> Optional[ast.Node]:
        """pg_get_viewdef(view [, pretty | wrap]) of an oid: the definition
        lookup itself. The generic macro also takes a view's name, and binding
        that lookup costs DuckDB ~8 ms a call site (psql's \\d+ of a view)."""
        args = node.args or ()
        if not 1 <= len(args) <= 2:
            return None
        cat = self.infer(args[0])
        if cat not in ("int", "oid") and cat not in _REG_TYPES or \
                not all(isinstance(_strip_cast(a), ast.A_Const) for a in args[1:]):
            return None  # (a parameter must stay in the statement: DuckDB binds every $n)
        # pretty printing is not emulated: a constant pretty / wrap argument is dropped
        return _rq_fn("_viewdef", _cast(self.visit(args[0]), "bigint"))

    def _array_to_string(self, node: ast.FuncCall) -> Optional[ast.Node]:
        args = node.args or ()
        if len(args) != 3 or "array_to_string" in FUNCTION_NAMES:
            return None
        arr, sep, nul = (self.visit(a) for a in args)
        var = self._fresh("e")
        mapped = _raw("list_transform(", arr, f", {_lambda(var)}coalesce(CAST({var} AS VARCHAR), ",
                      nul, "))")
        return _func("array_to_string", mapped, sep)

    def _generate_series(self, node: ast.FuncCall) -> ast.Node:
        """In an expression PostgreSQL's generate_series() returns rows;
        DuckDB's returns a list (its table function is only for FROM)."""
        self._visit_call_parts(node)
        node.funcname = (_str("generate_series"),)
        return _func("unnest", node)

    def _unnest(self, node: ast.FuncCall) -> Optional[ast.Node]:
        if len(node.args or ()) != 1:
            raise _unsupported("unnest() of several arrays")
        return None

    # ---- casts ----
    def v_TypeCast(self, node: ast.TypeCast) -> ast.Node:
        base, is_array, typmods = _pg_type(node.typeName)
        if isinstance(node.arg, ast.ParamRef):
            self.param_types.setdefault(node.arg.number, base + ("[]" if is_array else ""))
        src = self.infer(node.arg)
        if is_array or base in ("int2vector", "oidvector"):
            return self._array_cast(node.arg, base)
        if base in _REG_TYPES:
            return self._to_reg(node.arg, src, base)
        if base in _TEXT_TARGETS:
            return self._text_cast(node.arg, src)
        duck, mods = _duck_scalar(base, typmods)
        return _cast(self.visit(node.arg), duck, typmods=mods)

    def _to_reg(self, arg: ast.Node, src: Optional[str], reg: str) -> ast.Node:
        """A value cast to a reg type is an oid: numbers stay, names are looked up."""
        val = self.visit(arg)
        if src in _REG_TYPES:
            return val
        if src in _INTEGRAL:
            return _cast(val, "bigint")
        text = _string_const(arg)
        if text is not None:
            return _reg_in(reg, text)
        if src not in _TEXTUAL:  # unknown type: regclass_in reads digits as an oid
            val = _cast(val, "varchar")
        return _rq_fn(f"{reg}_in", val)

    def _reg_out(self, val: ast.Node, reg: str) -> ast.Node:
        return _rq_fn(f"{reg}_out", val)

    def _reg_list_out(self, val: ast.Node, reg: str) -> ast.Node:
        """A list of reg oids as their names (regtype[] output). A subquery,
        not list_transform: DuckDB lambdas cannot call macros with subqueries."""
        alias, elem, pos = self._fresh("u"), self._fresh("e"), self._fresh("i")
        return _tpl(f"CASE WHEN __a IS NOT NULL THEN coalesce((SELECT list(rq_fn.{reg}_out({elem}) "
                    f"ORDER BY {pos}) FROM unnest(__a) WITH ORDINALITY AS {alias}({elem}, {pos})), "
                    "CAST(ARRAY[] AS varchar[])) END", a=val)

    def _text_cast(self, arg: ast.Node, src: Optional[str]) -> ast.Node:
        val = self.visit(arg)
        if src in _REG_TYPES:
            return self._reg_out(val, src)
        if src and src.startswith("regarray:"):
            val, src = self._reg_list_out(val, src.split(":", 1)[1]), "array"
        if src == "vector0":  # int2vector/oidvector text: space separated
            return _func("array_to_string", val, _const(" "))
        if src == "array":
            return _tpl("'{' || array_to_string(__a, ',') || '}'", a=val)
        return _cast(val, "varchar")

    def _array_cast(self, arg: ast.Node, base: str) -> ast.Node:
        text = _string_const(arg)
        if text is not None:
            return self._array_literal(text, base)
        src = self.infer(arg)
        if base in _TEXT_TARGETS and src and src.startswith("regarray:"):
            # regtype[]::text[]: each element's name, as reg*_out writes it
            return self._reg_list_out(self.visit(arg), src.split(":", 1)[1])
        return _cast(self.visit(arg), _duck_array_elem(base), array=True)

    def _array_literal(self, text: str, base: Optional[str]) -> ast.Node:
        """'{a,b}' -> ARRAY['a', 'b'] (cast to the element type when known)."""
        items = []
        for item in _parse_pg_array(text):
            if item is not None and base in _REG_TYPES:
                items.append(_reg_in(base, item))
            else:
                items.append(_const(item))
        arr = ast.A_ArrayExpr(elements=tuple(items) or None)
        return _cast(arr, _duck_array_elem(base), array=True) if base else arr

    # ---- operators ----
    def v_A_Expr(self, node: ast.A_Expr) -> ast.Node:
        kind = node.kind
        op = _names(node.name)[-1] if node.name else None
        if kind == A_Expr_Kind.AEXPR_OP:
            return self._op_expr(node, op)
        if kind in (A_Expr_Kind.AEXPR_OP_ANY, A_Expr_Kind.AEXPR_OP_ALL):
            return self._any_all(node, op, kind == A_Expr_Kind.AEXPR_OP_ALL)
        if kind in (A_Expr_Kind.AEXPR_LIKE, A_Expr_Kind.AEXPR_ILIKE):
            return self._like_expr(node, op)
        if kind == A_Expr_Kind.AEXPR_SIMILAR:
            raise _unsupported("SIMILAR TO")
        if kind == A_Expr_Kind.AEXPR_IN:
            lcat = self.infer(node.lexpr)
            node.lexpr = self.visit(node.lexpr)
            node.rexpr = tuple(self._coerce(e, self.infer(e), lcat) for e in node.rexpr) \
                if isinstance(node.rexpr, tuple) else self.visit(node.rexpr)
            node.name = (_str(op),)
            return node
        if op is not None:
            node.name = (_str(op),)
        return self._generic(node)

    def _param_from_peer(self, node: ast.Node, peer_cat: Optional[str]) -> None:
        """``col = $1``: PostgreSQL gives $1 the column's type; so do we (by
        category), so that ParameterDescription tells drivers what to send."""
        if isinstance(node, ast.ParamRef) and peer_cat in _PARAM_TYPE_OF_CATEGORY:
            self.param_types.setdefault(node.number, _PARAM_TYPE_OF_CATEGORY[peer_cat])

    def _op_expr(self, node: ast.A_Expr, op: str) -> ast.Node:
        lcat = self.infer(node.lexpr) if node.lexpr is not None else None
        rcat = self.infer(node.rexpr)
        if op in _COMPARISONS and node.lexpr is not None:
            self._param_from_peer(node.lexpr, rcat)
            self._param_from_peer(node.rexpr, lcat)
        if op in _COMPARISONS and node.lexpr is not None:
            left = self._coerce(node.lexpr, lcat, rcat)
            right = self._coerce(node.rexpr, rcat, lcat)
        else:
            left, right = self.visit(node.lexpr), self.visit(node.rexpr)
        if op == "||" and _is_list(lcat) and _is_list(rcat):
            # PostgreSQL's array_cat: a NULL array is empty, NULL only when both are
            return _tpl("CASE WHEN __l IS NULL AND __r IS NULL THEN NULL "
                        "ELSE list_concat(__l, __r) END", l=left, r=right)
        if op == "||":
            left = self._reg_out(left, lcat) if lcat in _REG_TYPES else left
            right = self._reg_out(right, rcat) if rcat in _REG_TYPES else right
        elif op == "/" and lcat in _INTEGRAL and rcat in _INTEGRAL:
            op = "//"  # PostgreSQL's int / int truncates; DuckDB's / is float division
        elif op == "#" and left is not None:
            return _func("xor", left, right)
        return self._apply_op(op, left, right)

    def _coerce(self, orig: ast.Node, own: Optional[str], other: Optional[str]) -> ast.Node:
        """A string literal compared with a reg / array value takes that type,
        as PostgreSQL resolves an unknown-typed literal."""
        text = _string_const(orig)
        if own == "unknown" and text is not None:
            if other in _REG_TYPES:
                return _reg_in(other, text)
            if _is_list(other) and text.startswith("{"):
                return self._array_literal(text, None)
        return self.visit(orig)

    def _apply_op(self, op: str, left: Optional[ast.Node], right: ast.Node) -> ast.Node:
        """Binary operator on rewritten operands, in DuckDB's terms."""
        if op in _REGEX_OPS and left is not None:
            # PostgreSQL's ~ searches (DuckDB's ~ is a full match)
            args = (left, right) + ((_const("i"),) if op.endswith("*") else ())
            call = _func("regexp_matches", *args)
            return _not(call) if op.startswith("!") else call
        if op in _LIKE_OPS:
            return _like_call(op, left, right, _const("\\"))
        return _op(op, left, right)

    def _like_expr(self, node: ast.A_Expr, op: str) -> ast.Node:
        """LIKE/ILIKE with PostgreSQL's default escape (backslash) or ESCAPE x."""
        left, rexpr = self.visit(node.lexpr), node.rexpr
        if (isinstance(rexpr, ast.FuncCall) and _names(rexpr.funcname)[-1] == "like_escape"
                and len(rexpr.args or ()) == 2):
            pattern, escape = self.visit(rexpr.args[0]), self.visit(rexpr.args[1])
        else:
            pattern, escape = self.visit(rexpr), _const("\\")
        return _like_call(op, left, pattern, escape)

    def _any_all(self, node: ast.A_Expr, op: str, is_all: bool) -> ast.Node:
        lcat = self.infer(node.lexpr)
        if isinstance(node.rexpr, ast.ParamRef) and lcat in _PARAM_TYPE_OF_CATEGORY:
            # x = ANY($1): PostgreSQL types $1 as an array of x's type
            self.param_types.setdefault(node.rexpr.number, _PARAM_TYPE_OF_CATEGORY[lcat] + "[]")
        left = self.visit(node.lexpr)
        text = _string_const(node.rexpr)
        if text is not None:  # x = ANY('{a,b}'): the literal is an array of x's type
            base = lcat if lcat in _REG_TYPES else ("int8" if lcat in _INTEGRAL else None)
            right = self._array_literal(text, base)
        else:
            right = self.visit(node.rexpr)
        if op in _COMPARISONS:
            node.lexpr, node.rexpr, node.name = left, right, (_str(op),)
            return node
        # DuckDB applies only comparisons to ANY(list): quantify over unnest()
        alias, col = self._fresh("u"), self._fresh("e")
        pred = self._apply_op(op, left, _colref(col))
        if is_all:
            pred = _not(pred)
        sub = _tpl(f"EXISTS (SELECT 1 FROM unnest(__a) AS {alias}({col}) WHERE __p)",
                   a=right, p=pred)
        return _not(sub) if is_all else sub


class _ProcInfo(NamedTuple):
    name: str
    args: Tuple[Optional[str], ...]   # argument types' pg_type.typname (int4, _text)
    result: Optional[str]             # result type as format_type spells it
    retset: bool


@lru_cache(maxsize=1)
def _pg_functions() -> Tuple[_ProcInfo, ...]:
    """pg_catalog's functions (data/pg_proc.ndjson); result types spelled as
    format_type() writes them (int4 -> integer, _name -> name[]). Read once,
    on first need; empty when the data cannot be read."""
    try:
        with open(os.path.join(_DATA_DIR, "pg_type.ndjson"), encoding="utf-8") as f:
            recs = [json.loads(line) for line in f]
        names = {rec["oid"]: rec["typname"] for rec in recs}
        types = {oid: _TYPNAME_SPELLING.get(n, n) for oid, n in names.items()}
        for rec in recs:  # array types as their element's spelling + []
            elem = names.get(rec.get("typelem") or 0)
            if elem and rec["typname"] == "_" + elem:
                types[rec["oid"]] = _TYPNAME_SPELLING.get(elem, elem) + "[]"
        out = []
        with open(os.path.join(_DATA_DIR, "pg_proc.ndjson"), encoding="utf-8") as f:
            for rec in map(json.loads, f):
                if rec.get("pronamespace") == 11:
                    out.append(_ProcInfo(rec["proname"],
                                         tuple(names.get(t) for t in rec.get("proargtypes") or ()),
                                         types.get(rec.get("prorettype")),
                                         bool(rec.get("proretset"))))
        return tuple(out)
    except (OSError, ValueError, KeyError, TypeError):
        logger.debug("builtin functions unavailable", exc_info=True)
        return ()


@lru_cache(maxsize=1)
def _builtin_signatures() -> Dict[Tuple[str, int], Tuple[Optional[str], ...]]:
    """{(proname, nargs): argument type names} of pg_catalog functions (None
    where overloads of that arity disagree)."""
    sigs: Dict[Tuple[str, int], Tuple[Optional[str], ...]] = {}
    for p in _pg_functions():
        key = (p.name, len(p.args))
        old = sigs.get(key)
        sigs[key] = p.args if old is None else tuple(
            a if a == b else None for a, b in zip(old, p.args))
    return sigs


# pg_type.typname -> the spelling relations.json (format_type) uses
_TYPNAME_SPELLING = {"int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real",
                     "float8": "double precision", "bool": "boolean", "char": '"char"',
                     "varchar": "character varying", "timestamptz": "timestamp with time zone"}


# Set-returning functions a select list may call (see _lateral_srf).
_TLIST_SRFS = frozenset(("regexp_split_to_table", "unnest", "generate_series", "string_to_table"))


@lru_cache(maxsize=1)
def _builtin_results_by_name() -> Dict[str, str]:
    """proname -> result type of pg_catalog functions whose overloads all
    return one type (variadic ones such as json_build_object included)."""
    out: Dict[str, Optional[str]] = {}
    for (name, _nargs), t in _builtin_results().items():
        out[name] = t if out.get(name, t) == t else None
    return {k: v for k, v in out.items() if v}


@lru_cache(maxsize=1)
def _scalar_functions() -> FrozenSet[Tuple[str, int]]:
    """(proname, nargs) of pg_catalog functions that never return a set."""
    keys = [((p.name, len(p.args)), p.retset) for p in _pg_functions()]
    return frozenset(k for k, _ in keys) - frozenset(k for k, srf in keys if srf)


@lru_cache(maxsize=1)
def _builtin_results() -> Dict[Tuple[str, int], Optional[str]]:
    """{(proname, nargs): result type} of pg_catalog functions that return
    one value (None where overloads of that arity disagree)."""
    out: Dict[Tuple[str, int], Optional[str]] = {}
    for p in _pg_functions():
        if not p.retset:
            key = (p.name, len(p.args))
            out[key] = p.result if out.get(key, p.result) == p.result else None
    return out


_SVF_NAME_TYPED = frozenset(("current_user", "session_user", "user", "current_role",
                             "current_catalog", "current_schema"))


def _typed_params(name: str, args: Tuple[ast.Node, ...]) -> Tuple[ast.Node, ...]:
    """Give bare ``$n`` arguments the type PostgreSQL infers from the
    function's signature (an explicit cast, rewritten like any other)."""
    sig = _builtin_signatures().get((name, len(args)))
    if not sig:
        return args
    out = []
    for arg, typ in zip(args, sig):
        if isinstance(arg, ast.ParamRef) and typ and not typ.startswith(("any", "_", "internal")) \
                and typ not in ("record", "cstring"):
            arg = ast.TypeCast(arg=arg, typeName=ast.TypeName(names=(_str(typ),), typemod=-1))
        out.append(arg)
    return tuple(out)


def _sort_by_oid(sorts: Sequence[ast.Node], wrapped: Dict[Any, ast.Node]) -> None:
    """ORDER BY <output name or position> of a reg column: PostgreSQL sorts
    regclass & co by oid, so sort by the oid, not by the printed name."""
    for sort in sorts:
        key: Any = _int_const(sort.node)
        if key is None and isinstance(sort.node, ast.ColumnRef) and len(sort.node.fields) == 1:
            key = getattr(sort.node.fields[0], "sval", None)
        if key is not None and key in wrapped:
            sort.node = _copy_tree(wrapped[key])


def _like_call(op: str, left: ast.Node, pattern: ast.Node, escape: ast.Node) -> ast.FuncCall:
    negate, insensitive = _LIKE_OPS[op]
    name = ("not_" if negate else "") + ("ilike" if insensitive else "like") + "_escape"
    return _func(name, left, pattern, escape)


def _strip_cast(node: Any) -> Any:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    return node


def _const_value(node: ast.A_Const) -> Any:
    val = node.val
    for attr in ("sval", "ival", "fval", "boolval"):
        if hasattr(val, attr):
            return getattr(val, attr)
    return None


def _bool_const(node: Any) -> Optional[bool]:
    if not isinstance(node, ast.A_Const) or node.isnull:
        return None
    val = _const_value(node)
    if isinstance(val, bool):
        return val
    text = str(val).strip().lower()
    if text in ("t", "true", "on", "yes", "y", "1"):
        return True
    if text in ("f", "false", "off", "no", "n", "0"):
        return False
    return None


def _format_parts(fmt: str, texts: List[ast.Node]) -> List[ast.Node]:
    """Pieces of PostgreSQL's format(): %s (NULL -> ''), %I, %L, %%."""
    parts: List[ast.Node] = []
    buf: List[str] = []
    argi, i = 0, 0
    while i < len(fmt):
        if fmt[i] != "%":
            buf.append(fmt[i])
            i += 1
            continue
        spec = fmt[i + 1] if i + 1 < len(fmt) else ""
        if spec == "%":
            buf.append("%")
        elif spec in ("s", "I", "L"):
            if argi >= len(texts):
                raise RewriteError("22023", "too few arguments for format()")
            if buf:
                parts.append(_const("".join(buf)))
                buf = []
            parts.append(_format_arg(spec, texts[argi]))
            argi += 1
        else:
            raise _unsupported(f"format() conversion %{spec}")
        i += 2
    if buf:
        parts.append(_const("".join(buf)))
    return parts


def _format_arg(spec: str, text: ast.Node) -> ast.Node:
    if spec == "s":
        return text  # concat() skips NULL, as format('%s', NULL) prints ''
    if spec == "I":
        return _rq_fn("quote_ident", text)
    return _tpl("coalesce(rq_fn.quote_literal(__v), 'NULL')", v=text)


_FUNC_HANDLERS = {
    "set_config": _Rewriter._set_config,
    "array_lower": _Rewriter._array_bound, "array_upper": _Rewriter._array_bound,
    "array_length": _Rewriter._array_bound, "cardinality": _Rewriter._array_bound,
    "generate_subscripts": _Rewriter._subscripts_call,
    "_pg_expandarray": _Rewriter._expandarray_call,
    "format": _Rewriter._format,
    "substring": _Rewriter._substring,
    "array_to_string": _Rewriter._array_to_string,
    "unnest": _Rewriter._unnest,
    "generate_series": _Rewriter._generate_series,
    "pg_partition_ancestors": _Rewriter._partition_ancestors,
    "pg_get_viewdef": _Rewriter._viewdef_call,
}
# Functions taking text: a reg argument is passed as its name, as PostgreSQL's cast does.
_TEXT_ARG_FUNCS = frozenset((
    "concat", "concat_ws", "quote_ident", "quote_literal", "lower", "upper", "length",
    "replace", "split_part", "left", "right", "substr", "strpos", "string_agg", "position"))


# --------------------------------------------------------------------------------------
# rewrite()
# --------------------------------------------------------------------------------------

def _parse_for_rewrite(sql: str) -> Tuple[ast.RawStmt, ...]:
    """``pglast.parse_sql(sql)``'s statements, built from libpg_query's
    JSON (astjson: half the time), which classify() usually parsed just
    before on this thread.

    Raises:
        pglast.parser.ParseError, RecursionError: as parse_sql."""
    last = getattr(_last_parse, "value", None)
    _last_parse.value = None
    json_stmts = last[1] if last is not None and last[0] == sql else astjson.json_stmts(sql)
    try:
        return astjson.from_json_stmts(json_stmts)
    except (AttributeError, KeyError, TypeError, ValueError):  # a shape astjson does not know
        logger.debug("astjson could not build %r: pglast parses it", sql, exc_info=True)
        return pglast.parse_sql(sql)


@lru_cache(maxsize=_REWRITE_CACHE_SIZE)
def _rewrite_cached(sql: str) -> Union[RewriteResult, RewriteError]:
    try:
        stmts = _parse_for_rewrite(sql)
    except pglast.parser.ParseError as exc:
        return RewriteError("42601", str(exc))
    except RecursionError:
        return RewriteError("54001", "stack depth limit exceeded")
    if not stmts:
        return RewriteError("42601", "empty query")
    try:
        # (a statement without the word has no CTE: the walk looking for
        # them is skipped)
        return _rewrite_statements(stmts, "with" in sql.lower())
    except RewriteError as exc:
        return exc
    except RecursionError:  # PostgreSQL's parser and planner have a depth limit too
        return RewriteError("54001", "stack depth limit exceeded")
    except Exception as exc:  # a bug here must reach the client as an error, not a crash
        logger.debug("rewrite failed for %r", sql, exc_info=True)
        return RewriteError("0A000", f"cannot translate this catalog query: {exc}")


def _rewrite_statements(stmts: Sequence[ast.RawStmt], may_have_ctes: bool = True
                        ) -> RewriteResult:
    texts, set_configs, param_types = [], [], {}  # type: ignore[var-annotated]
    output_types: Optional[List[Optional[str]]] = None
    for raw in stmts:
        rw = _Rewriter(set_configs)
        tree = rw.run(raw.stmt, may_have_ctes)
        texts.append(_DuckStream()(tree))
        for num, typ in rw.param_types.items():
            param_types.setdefault(num, typ)
        output_types = rw.output_types
    return RewriteResult(";\n".join(texts), set_configs, param_types, output_types)


# A quoted literal or identifier (skipped), or a parameter reference, in the
# rewriter's output: pglast prints strings as '...' with '' inside.
_PARAM_TOKEN = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)(?!\d)""")
_LITERAL_PARAM_TYPES = (type(None), bool, int, float, str)


def bind_literals(duck_sql: str, params: Sequence[Any]) -> Optional[str]:
    """``duck_sql`` (rewrite()'s output) with each ``$n`` replaced by the
    value ``params[n-1]`` as a literal; None when a value is of another type
    or a reference has no value (the caller passes them to DuckDB instead).

    Why: DuckDB's Python client imports pandas the first time it converts a
    parameter (~300 ms and ~50 MB), which every JDBC tool's first metadata
    call paid."""
    from .schema import sql_literal

    if not all(isinstance(v, _LITERAL_PARAM_TYPES) for v in params):
        return None
    missing = False

    def sub(m: "re.Match[str]") -> str:
        nonlocal missing
        if m.group(1) is None:
            return m.group(0)
        n = int(m.group(1))
        if not 1 <= n <= len(params):
            missing = True
            return m.group(0)
        text = sql_literal(params[n - 1])
        # parenthesised: "x - $1" must not become the comment "x --5"
        return f"({text})" if text.startswith("-") else text

    out = _PARAM_TOKEN.sub(sub, duck_sql)
    return None if missing else out


def rewrite(sql: str) -> RewriteResult:
    """PostgreSQL catalog query -> DuckDB SQL (a :class:`RewriteResult`, a str).

    Raises :class:`RewriteError` (42601 for a syntax error, 0A000 for what the
    emulation cannot express). Results are cached by SQL text."""
    out = _rewrite_cached(sql)
    if isinstance(out, RewriteError):
        raise RewriteError(out.sqlstate, out.message)
    return out
