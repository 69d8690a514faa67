"""PostgreSQL 15's catalog as DuckDB tables and views (design: docs/catalog.md).

``build_catalog_db(con)`` creates in a DuckDB connection:

- ``rq_base.<rel>``: a TABLE per pg_catalog table and per pg_catalog view
  kept as a table (below), columns exactly PostgreSQL 15's (names, order;
  types by ``TYPE_MAP``) plus ``_db BIGINT`` (0 = visible in every
  database, else the owning database's OID). Built-in rows come from
  ``data/<rel>.ndjson`` (scripts/gen_pg_catalog.py) with ``_db = 0``.
  Relations without built-in rows (pg_database, pg_sequence, pg_attrdef,
  pg_depend, pg_rewrite, pg_stat_activity, ...) get their table on first
  use (``CatalogSchema.insert_rows`` / ``base_table``); until then
  ``rq_pg.<rel>`` is a constant empty view of the same shape. Creating ~80
  empty tables up front would cost ~20 ms of every build.
- ``rq_base.rq_objdef(classid, objid, definition, _db)``: pg_get_viewdef /
  pg_get_indexdef (classid 1259) and pg_get_constraintdef (classid 2606)
  texts of the built-in objects; ``rq_base.rq_defs(oid, kind, definition,
  _db)``: the engine's, for registered objects (kind 'index' / 'view' /
  'constraint'). pg_views, pg_matviews and pg_indexes read both (and
  pg_rewrite.ev_action for a view missing from both).
- ``rq_pg.<rel>``: a VIEW per pg_catalog relation. Over a table:
  ``SELECT <cols> FROM rq_base.<rel> WHERE _db = 0 OR _db =
  getvariable('rq_db_oid')``; shared catalogs (``pg_class.relisshared``:
  pg_authid, pg_database, pg_tablespace, pg_auth_members, pg_shdescription,
  pg_db_role_setting, pg_shdepend, ...) and views kept as tables: no filter.

pg_catalog views, per view:

- defined over other rq_pg views like PostgreSQL does (``DERIVED_VIEWS``;
  registered objects show up by themselves): pg_roles, pg_shadow, pg_user,
  pg_group, pg_tables, pg_views, pg_matviews, pg_indexes, pg_sequences
  (last_value NULL), pg_stat_{all,sys,user}_tables,
  pg_stat_xact_{all,sys,user}_tables, pg_statio_{all,sys,user}_tables,
  pg_stat_{all,sys,user}_indexes, pg_statio_{all,sys,user}_indexes,
  pg_statio_{all,sys,user}_sequences, pg_stat_database (counters 0,
  timestamps NULL; numbackends counts rq_pg.pg_stat_activity rows).
- pg_settings: table ``rq_base.pg_settings`` with the built-in rows; the
  view ``rq_pg.pg_settings`` takes ``setting`` from the session's
  variables (``rq_guc_settings``, see settings_variables(): values in their
  base unit) when the name is there, else the table's value: the engine's
  per-session overlay hook.
- tables with built-in rows: pg_config, pg_available_extensions,
  pg_available_extension_versions, pg_timezone_names, pg_timezone_abbrevs.
- pg_stat_activity: one row per connection, written by the engine before a
  query that reads it (CatalogEngine.ensure_activity), with each session's
  latest statement and its start; ``state`` is 'active' (and ``xact_start``
  that start) for the asking session. pg_stat_gssapi is derived from it;
  pg_stat_ssl's rows (the connection's TLS protocol, cipher and bits) are
  written with it.
- every other view (pg_locks, pg_stats, pg_policies, pg_rules,
  pg_prepared_statements, pg_cursors, pg_stat_bgwriter, pg_replication_*,
  pg_hba_file_rules, ...): a table with the view's shape, empty.

Loading: DuckDB's ``read_json`` reads the ``.ndjson`` files with explicit
column types (parsed straight into typed columns, no Python objects); see
build_catalog_db for the rest of the speed work.
"""

from __future__ import annotations

import functools
import json
import math
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import (Any, Dict, FrozenSet, List, Mapping, NamedTuple, Optional, Sequence, Set,
                    Tuple)

LOG = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
BASE = "rq_base"
PG = "rq_pg"
OBJDEF = "rq_objdef"
DEFS = "rq_defs"
DB_FILTER = "(_db = 0 OR _db = CAST(getvariable('rq_db_oid') AS BIGINT))"

TSTZ = "TIMESTAMP WITH TIME ZONE"
# PostgreSQL type (format_type text, typmod stripped) -> DuckDB column type,
# spelled as DuckDB's DESCRIBE spells it (FLOAT = REAL, TIMESTAMP WITH TIME
# ZONE = TIMESTAMPTZ in docs/catalog.md).
# OID-valued columns are UINTEGER: the type survives expressions and
# aggregates, so results can report PostgreSQL's oid / oid[] (drivers such as
# asyncpg rely on oid[] in their introspection queries).
TYPE_MAP: Dict[str, str] = {
    **{t: "UINTEGER" for t in (
        "oid", "regproc", "regprocedure", "regoper", "regoperator", "regclass", "regtype",
        "regnamespace", "regrole", "regconfig", "regdictionary", "regcollation",
        "xid", "cid")},
    "xid8": "BIGINT", "bigint": "BIGINT",
    "smallint": "SMALLINT", "integer": "INTEGER", "real": "FLOAT",
    "double precision": "DOUBLE", "boolean": "BOOLEAN", "numeric": "DOUBLE",
    **{t: "VARCHAR" for t in (
        "name", '"char"', "text", "character varying", "character", "pg_node_tree",
        "aclitem", "inet", "pg_lsn", "anyarray", "pg_ndistinct", "pg_dependencies",
        "pg_mcv_list", "pg_statistic[]")},
    # int2vector / oidvector get element types of their own (USMALLINT,
    # UBIGINT) so results can report them as PostgreSQL does ("1 2 3").
    "int2vector": "USMALLINT[]", "oidvector": "UBIGINT[]",
    **{t: "UINTEGER[]" for t in ("oid[]", "regtype[]")},
    **{t: "BIGINT[]" for t in ("smallint[]", "integer[]", "bigint[]")},
    **{t: "VARCHAR[]" for t in ("name[]", "text[]", "aclitem[]", '"char"[]')},
    "real[]": "FLOAT[]", "double precision[]": "DOUBLE[]", "boolean[]": "BOOLEAN[]",
    "timestamp with time zone": TSTZ, "interval": "INTERVAL", "bytea": "BLOB",
    # information_schema domains (by their base types)
    "information_schema.sql_identifier": "VARCHAR",
    "information_schema.character_data": "VARCHAR",
    "information_schema.yes_or_no": "VARCHAR",
    "information_schema.cardinal_number": "INTEGER",
    "information_schema.time_stamp": TSTZ,
}
NUMERIC_DUCK = {"SMALLINT", "USMALLINT", "INTEGER", "UINTEGER", "BIGINT", "UBIGINT", "FLOAT",
                "DOUBLE"}


def duck_type(pg_type: str) -> str:
    """DuckDB column type for a format_type() string (unknown -> VARCHAR)."""
    base = pg_type.split("(")[0].strip() if "(" in pg_type and not pg_type.endswith("[]") \
        else pg_type
    if base.startswith("timestamp") and "with time zone" in pg_type:
        return TSTZ
    return TYPE_MAP.get(base, TYPE_MAP.get(pg_type, "VARCHAR"))


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


# ---- pg_catalog views --------------------------------------------------------

def _owner(col: str) -> str:
    """pg_get_userbyid(col) given a LEFT JOIN of rq_pg.pg_authid AS o."""
    return f"coalesce(o.rolname, 'unknown (OID=' || {col} || ')')"


_SYS_SCHEMA = ("(schemaname IN ('pg_catalog', 'information_schema')"
               " OR starts_with(schemaname, 'pg_toast'))")
_ROLE_SETTING = (f"{PG}.pg_authid a LEFT JOIN {PG}.pg_db_role_setting s"
                 " ON a.oid = s.setrole AND s.setdatabase = 0")
# Relation definitions (pg_get_viewdef / pg_get_indexdef text) by oid: the
# built-in ones (rq_objdef) and the engine's (rq_defs, kind 'index'/'view').
_RELDEFS = (
    f"(SELECT objid AS oid, definition FROM {BASE}.{OBJDEF} WHERE classid = 1259 AND {DB_FILTER}"
    f" UNION ALL SELECT oid, definition FROM {BASE}.{DEFS}"
    f" WHERE kind <> 'constraint' AND {DB_FILTER})")
_DEF_JOIN = f"LEFT JOIN {_RELDEFS} d ON d.oid = {{oid}}"
# a registered view without an rq_defs row: its _RETURN rule's text
_VIEWDEF = (f"coalesce(d.definition, (SELECT min(r.ev_action) FROM {PG}.pg_rewrite r"
            " WHERE r.ev_class = c.oid AND r.rulename = '_RETURN'))")

# name -> (FROM ... [WHERE/GROUP BY] clause, {column: expression}); columns
# missing from the dict get 0 (numbers) or NULL, every column is CAST to its
# mapped type, in PostgreSQL's order. Order matters: later views may read
# earlier ones.
DERIVED_VIEWS: Dict[str, Tuple[str, Dict[str, str]]] = {
    "pg_roles": (_ROLE_SETTING, {
        "rolname": "a.rolname", "rolsuper": "a.rolsuper", "rolinherit": "a.rolinherit",
        "rolcreaterole": "a.rolcreaterole", "rolcreatedb": "a.rolcreatedb",
        "rolcanlogin": "a.rolcanlogin", "rolreplication": "a.rolreplication",
        "rolconnlimit": "a.rolconnlimit", "rolpassword": "'********'",
        "rolvaliduntil": "a.rolvaliduntil", "rolbypassrls": "a.rolbypassrls",
        "rolconfig": "s.setconfig", "oid": "a.oid"}),
    "pg_shadow": (_ROLE_SETTING + " WHERE a.rolcanlogin", {
        "usename": "a.rolname", "usesysid": "a.oid", "usecreatedb": "a.rolcreatedb",
        "usesuper": "a.rolsuper", "userepl": "a.rolreplication",
        "usebypassrls": "a.rolbypassrls", "passwd": "a.rolpassword",
        "valuntil": "a.rolvaliduntil", "useconfig": "s.setconfig"}),
    "pg_user": (f"{PG}.pg_shadow", {
        "usename": "usename", "usesysid": "usesysid", "usecreatedb": "usecreatedb",
        "usesuper": "usesuper", "userepl": "userepl", "usebypassrls": "usebypassrls",
        "passwd": "'********'", "valuntil": "valuntil", "useconfig": "useconfig"}),
    "pg_group": (f"{PG}.pg_authid a WHERE NOT a.rolcanlogin", {
        "groname": "a.rolname", "grosysid": "a.oid",
        "grolist": (f"coalesce((SELECT list(m.member ORDER BY m.member) FROM {PG}.pg_auth_members m"
                    " WHERE m.roleid = a.oid), [])")}),
    "pg_tables": (
        f"{PG}.pg_class c LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        f" LEFT JOIN {PG}.pg_tablespace t ON t.oid = c.reltablespace"
        f" LEFT JOIN {PG}.pg_authid o ON o.oid = c.relowner WHERE c.relkind IN ('r', 'p')", {
            "schemaname": "n.nspname", "tablename": "c.relname",
            "tableowner": _owner("c.relowner"), "tablespace": "t.spcname",
            "hasindexes": "c.relhasindex", "hasrules": "c.relhasrules",
            "hastriggers": "c.relhastriggers", "rowsecurity": "c.relrowsecurity"}),
    "pg_views": (
        f"{PG}.pg_class c LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        f" LEFT JOIN {PG}.pg_authid o ON o.oid = c.relowner "
        + _DEF_JOIN.format(oid="c.oid") + " WHERE c.relkind = 'v'", {
            "schemaname": "n.nspname", "viewname": "c.relname",
            "viewowner": _owner("c.relowner"), "definition": _VIEWDEF}),
    "pg_matviews": (
        f"{PG}.pg_class c LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        f" LEFT JOIN {PG}.pg_tablespace t ON t.oid = c.reltablespace"
        f" LEFT JOIN {PG}.pg_authid o ON o.oid = c.relowner "
        + _DEF_JOIN.format(oid="c.oid") + " WHERE c.relkind = 'm'", {
            "schemaname": "n.nspname", "matviewname": "c.relname",
            "matviewowner": _owner("c.relowner"), "tablespace": "t.spcname",
            "hasindexes": "c.relhasindex", "ispopulated": "c.relispopulated",
            "definition": _VIEWDEF}),
    "pg_indexes": (
        f"{PG}.pg_index x JOIN {PG}.pg_class c ON c.oid = x.indrelid"
        f" JOIN {PG}.pg_class i ON i.oid = x.indexrelid"
        f" LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        f" LEFT JOIN {PG}.pg_tablespace t ON t.oid = i.reltablespace "
        + _DEF_JOIN.format(oid="i.oid")
        + " WHERE c.relkind IN ('r', 'm', 'p') AND i.relkind IN ('i', 'I')", {
            "schemaname": "n.nspname", "tablename": "c.relname", "indexname": "i.relname",
            "tablespace": "t.spcname", "indexdef": "d.definition"}),
    "pg_sequences": (
        f"{PG}.pg_sequence s JOIN {PG}.pg_class c ON c.oid = s.seqrelid"
        f" LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        f" LEFT JOIN {PG}.pg_authid o ON o.oid = c.relowner WHERE c.relkind = 'S'", {
            "schemaname": "n.nspname", "sequencename": "c.relname",
            "sequenceowner": _owner("c.relowner"), "data_type": "s.seqtypid",
            "start_value": "s.seqstart", "min_value": "s.seqmin", "max_value": "s.seqmax",
            "increment_by": "s.seqincrement", "cycle": "s.seqcycle",
            "cache_size": "s.seqcache", "last_value": "NULL"}),
    "pg_stat_all_tables": (
        f"{PG}.pg_class c LEFT JOIN {PG}.pg_index i ON c.oid = i.indrelid"
        f" LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 't', 'm', 'p') GROUP BY c.oid, n.nspname, c.relname", {
            "relid": "c.oid", "schemaname": "n.nspname", "relname": "c.relname",
            "idx_scan": "CASE WHEN count(i.indexrelid) > 0 THEN 0 END",
            "idx_tup_fetch": "CASE WHEN count(i.indexrelid) > 0 THEN 0 END",
            "last_vacuum": "NULL", "last_autovacuum": "NULL", "last_analyze": "NULL",
            "last_autoanalyze": "NULL"}),
    "pg_stat_xact_all_tables": (
        f"{PG}.pg_class c LEFT JOIN {PG}.pg_index i ON c.oid = i.indrelid"
        f" LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 't', 'm', 'p') GROUP BY c.oid, n.nspname, c.relname", {
            "relid": "c.oid", "schemaname": "n.nspname", "relname": "c.relname",
            "idx_scan": "CASE WHEN count(i.indexrelid) > 0 THEN 0 END",
            "idx_tup_fetch": "CASE WHEN count(i.indexrelid) > 0 THEN 0 END"}),
    "pg_statio_all_tables": (
        f"{PG}.pg_class c LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 't', 'm')", {
            "relid": "c.oid", "schemaname": "n.nspname", "relname": "c.relname",
            "idx_blks_read": "CASE WHEN c.relhasindex THEN 0 END",
            "idx_blks_hit": "CASE WHEN c.relhasindex THEN 0 END",
            "toast_blks_read": "CASE WHEN c.reltoastrelid <> 0 THEN 0 END",
            "toast_blks_hit": "CASE WHEN c.reltoastrelid <> 0 THEN 0 END",
            "tidx_blks_read": "CASE WHEN c.reltoastrelid <> 0 THEN 0 END",
            "tidx_blks_hit": "CASE WHEN c.reltoastrelid <> 0 THEN 0 END"}),
    "pg_stat_all_indexes": (
        f"{PG}.pg_class c JOIN {PG}.pg_index x ON c.oid = x.indrelid"
        f" JOIN {PG}.pg_class i ON i.oid = x.indexrelid"
        f" LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 't', 'm')", {
            "relid": "c.oid", "indexrelid": "i.oid", "schemaname": "n.nspname",
            "relname": "c.relname", "indexrelname": "i.relname"}),
    "pg_statio_all_indexes": (
        f"{PG}.pg_class c JOIN {PG}.pg_index x ON c.oid = x.indrelid"
        f" JOIN {PG}.pg_class i ON i.oid = x.indexrelid"
        f" LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 't', 'm')", {
            "relid": "c.oid", "indexrelid": "i.oid", "schemaname": "n.nspname",
            "relname": "c.relname", "indexrelname": "i.relname"}),
    "pg_statio_all_sequences": (
        f"{PG}.pg_class c LEFT JOIN {PG}.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'S'", {
            "relid": "c.oid", "schemaname": "n.nspname", "relname": "c.relname"}),
    # riffq never authenticates with GSSAPI: every backend, not authenticated
    "pg_stat_gssapi": (f"{PG}.pg_stat_activity a", {
        "pid": "a.pid", "gss_authenticated": "false", "principal": "NULL",
        "encrypted": "false"}),
    "pg_stat_database": (
        f"(SELECT 0::BIGINT AS oid, NULL::VARCHAR AS datname UNION ALL"
        f" SELECT oid, datname FROM {PG}.pg_database) d", {
            "datid": "d.oid", "datname": "d.datname",
            "numbackends": (f"CASE WHEN d.oid = 0 THEN 0 ELSE (SELECT count(*) FROM"
                            f" {PG}.pg_stat_activity s WHERE s.datid = d.oid) END"),
            "checksum_failures": "NULL", "checksum_last_failure": "NULL",
            "stats_reset": "NULL"}),
}


def _add_sys_user_variants() -> None:
    """pg_stat_sys_tables, pg_stat_user_tables, ...: the "all" view filtered
    on schemaname, like PostgreSQL ({"*": ""} = same columns as the source)."""
    for src in ("pg_stat_all_tables", "pg_stat_xact_all_tables", "pg_statio_all_tables",
                "pg_stat_all_indexes", "pg_statio_all_indexes", "pg_statio_all_sequences"):
        for kind, cond in (("sys", _SYS_SCHEMA), ("user", f"NOT {_SYS_SCHEMA}")):
            DERIVED_VIEWS[src.replace("_all_", f"_{kind}_")] = (
                f"{PG}.{src} WHERE {cond}", {"*": ""})


_add_sys_user_variants()

# rq_pg.pg_stat_activity.state: the engine writes 'idle' for every session;
# the asking one is running a query (its own), in a transaction of its own
_ASKING = "pid = CAST(getvariable('rq_pid') AS INTEGER)"
ACTIVITY_STATE = f"CASE WHEN {_ASKING} THEN 'active' ELSE state END"
ACTIVITY_XACT_START = f"CASE WHEN {_ASKING} THEN query_start ELSE xact_start END"

# The session's settings, three aligned VARCHAR[] DuckDB variables (engine
# hook): rq_guc_names (lower-case names), rq_guc_values (SHOW's text:
# current_setting) and rq_guc_settings (pg_settings.setting: numbers with a
# unit in their base unit, work_mem "4096"). Lists, not a MAP: DuckDB builds
# a 350-entry MAP in ~4.6 ms, splits one string into a list in ~0.5 ms, and
# a session sets them at login and after every SET.
def guc_lookup(var: str, name_sql: str) -> str:
    """SQL reading setting ``name_sql`` (a lower-case name expression) from
    variable ``var`` (rq_guc_values or rq_guc_settings); NULL when unset."""
    return (f"getvariable('{var}')[list_position(getvariable('rq_guc_names'), {name_sql})]")


def settings_variables(shown: Dict[str, str], settings: Dict[str, str],
                       names: bool = True) -> List[str]:
    """SET VARIABLE statements for a session's settings (see above).

    Args:
        shown: lower-case name -> SHOW's text, every setting.
        settings: lower-case name -> pg_settings.setting where it differs
            from SHOW's text.
        names: also set rq_guc_names (unchanged since the last call: False).
    """
    keys = list(shown)
    out = [f"SET VARIABLE rq_guc_names = {_varchar_list(keys)}"] if names else []
    out.append(f"SET VARIABLE rq_guc_values = {_varchar_list(list(shown.values()))}")
    out.append("SET VARIABLE rq_guc_settings = "
               + _varchar_list([settings.get(k, v) for k, v in shown.items()]))
    return out


def _varchar_list(values: List[str]) -> str:
    """A VARCHAR[] literal DuckDB reads fast: one string split at a
    separator no value holds, else (a value holds it, or none) a list."""
    if values and not any("\x1f" in v for v in values):
        return f"string_split({sql_literal(chr(31).join(values))}, chr(31))"
    return f"{sql_literal(values)}::VARCHAR[]"


# rq_pg.pg_settings.setting: the session's value, else built-in
SETTINGS_OVERLAY = (f"coalesce({guc_lookup('rq_guc_settings', 'lower(name)')}, setting)")


# ---- relation shapes -----------------------------------------------------------

class Column(NamedTuple):
    """One column: PostgreSQL name and type (format_type text) and DuckDB type."""
    name: str
    pg_type: str
    duck_type: str


@dataclass
class Relation:
    """A pg_catalog (or information_schema) relation's shape and emulation kind."""
    schema: str
    name: str
    oid: int
    relkind: str
    shared: bool
    columns: List[Column]
    kind: str = "table"  # table | derived (over rq_pg) | info (information_schema)


_relations_lock = threading.Lock()
_relations_raw: Optional[List[Dict[str, Any]]] = None


def relations_json() -> List[Dict[str, Any]]:
    """relations.json, parsed once per process: the catalog's relations
    (load_relations) and the rewriter's tables both read it, at a server's
    start and on two threads (~5 ms a parse). Callers must not modify it.

    Raises:
        OSError, ValueError: the file is missing or unreadable.
    """
    global _relations_raw
    with _relations_lock:
        if _relations_raw is None:
            with open(DATA_DIR / "relations.json", encoding="utf-8") as f:
                _relations_raw = json.load(f)
        return _relations_raw


@functools.lru_cache(maxsize=1)
def load_relations() -> Dict[str, Relation]:
    """relations.json -> {name or 'information_schema.name': Relation} (cached)."""
    out: Dict[str, Relation] = {}
    for r in relations_json():
        cols = [Column(c["name"], c["type"], duck_type(c["type"])) for c in r["columns"]]
        rel = Relation(r["schema"], r["name"], r["oid"], r["relkind"], r["shared"], cols)
        if r["schema"] == "pg_catalog":
            rel.kind = "derived" if r["name"] in DERIVED_VIEWS else "table"
            out[r["name"]] = rel
        else:
            rel.kind = "info"
            out[f"{r['schema']}.{r['name']}"] = rel
    out[OBJDEF] = Relation(BASE, OBJDEF, 0, "r", False, [
        Column("classid", "oid", "BIGINT"), Column("objid", "oid", "BIGINT"),
        Column("definition", "text", "VARCHAR")], kind="table")
    out[DEFS] = Relation(BASE, DEFS, 0, "r", False, [
        Column("oid", "oid", "BIGINT"), Column("kind", "text", "VARCHAR"),
        Column("definition", "text", "VARCHAR")], kind="table")
    return out


@dataclass
class CatalogSchema:
    """What build_catalog_db created, plus helpers to add/remove rows.

    One instance per DuckDB database. Tables of relations without built-in
    rows (pg_database, pg_sequence, pg_attrdef, pg_depend, pg_stat_activity,
    ...) are created on first use (insert_rows / base_table): until then
    rq_pg.<rel> is an empty constant view, which keeps build_catalog_db fast.
    """
    rels: Dict[str, Relation] = field(default_factory=dict)
    created: FrozenSet[str] = frozenset()  # the tables build_catalog_db made
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def relations(self) -> Set[str]:
        """Names of the pg_catalog relations available as rq_pg.<name>."""
        return {n for n, r in self.rels.items() if r.schema == "pg_catalog"}

    @property
    def base_relations(self) -> Set[str]:
        """Relations backed by a table rq_base.<name> (insert_rows/delete_rows
        work; the table itself may not exist yet, see base_table())."""
        return {n for n, r in self.rels.items() if r.kind == "table"}

    @property
    def info_schema_relations(self) -> Set[str]:
        """information_schema relation names (shapes only, see columns())."""
        return {r.name for r in self.rels.values() if r.kind == "info"}

    def columns(self, relname: str) -> List[Tuple[str, str, str]]:
        """[(name, pg_type, duck_type)] of a pg_catalog relation ('pg_class'),
        'rq_objdef', or an information_schema one ('information_schema.tables')."""
        return [(c.name, c.pg_type, c.duck_type) for c in self._rel(relname).columns]

    def is_shared(self, relname: str) -> bool:
        """True for cluster-wide catalogs (rq_pg view not filtered by database)."""
        return self._rel(relname).shared

    def _rel(self, relname: str) -> Relation:
        name = relname[len("pg_catalog."):] if relname.startswith("pg_catalog.") else relname
        try:
            return self.rels[name]
        except KeyError:
            raise KeyError(f"unknown catalog relation {relname!r}") from None

    def base_table(self, con: Any, relname: str) -> str:
        """Qualified name of rq_base.<relname>, creating the table (and
        pointing rq_pg.<relname> at it) if it does not exist yet."""
        rel = self._rel(relname)
        if rel.kind != "table":
            raise ValueError(f"{relname} is a view over other catalogs: change those instead")
        with self._lock:
            if not self._exists(con, rel):
                stmts = [_empty_table_sql(rel)]
                if rel.schema == "pg_catalog":
                    stmts.append(_view_over_table_sql(rel, replace=True))
                con.execute(";".join(stmts))
        return f"{BASE}.{_q(rel.name)}"

    def _exists(self, con: Any, rel: Relation) -> bool:
        """Whether rq_base.<rel> exists, as ``con``'s transaction sees it (a
        table created in a rolled-back transaction is gone again)."""
        if rel.name in self.created:  # made by build_catalog_db: always there
            return True
        return con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
            f" AND schema_name = {sql_literal(BASE)} AND table_name = {sql_literal(rel.name)}"
        ).fetchone()[0] > 0

    def insert_rows(self, con: Any, relname: str, rows: Sequence[Mapping[str, Any]],
                    db_oid: int) -> None:
        """Append rows (dicts keyed by PostgreSQL column name; missing keys are
        NULL) to rq_base.<relname> with ``_db = db_oid`` (0: every database).
        Arrays are Python lists; oids/reg* are ints."""
        for sql in self.insert_sql(con, relname, rows, db_oid):
            con.execute(sql)

    def insert_sql(self, con: Any, relname: str, rows: Sequence[Mapping[str, Any]],
                   db_oid: int) -> List[str]:
        """insert_rows' statements, for the caller to run (the table is
        created on ``con`` now if it does not exist yet)."""
        if not rows:
            return []
        rel = self._rel(relname)
        names = {c.name for c in rel.columns}
        for row in rows:
            unknown = set(row) - names
            if unknown:
                raise ValueError(f"{relname} has no column(s) {sorted(unknown)}")
        target = self.base_table(con, relname)
        # Literals, not parameters (see sql_literal), a few hundred rows per
        # statement: one JSON text DuckDB reads as typed structs (a tenth of
        # the time DuckDB takes to bind the same rows as VALUES), else (a
        # value JSON cannot carry: bytes, NaN) VALUES.
        spec = sql_literal(json.dumps([{f"c{i}": c.duck_type for i, c in enumerate(rel.columns)}]))
        names = ", ".join(f"c{i}" for i in range(len(rel.columns)))
        from_values = ", ".join(f"CAST(v.c{i} AS {c.duck_type})"
                                for i, c in enumerate(rel.columns))
        out = []
        for start in range(0, len(rows), _JSON_CHUNK):
            chunk = rows[start:start + _JSON_CHUNK]
            text = _rows_json(rel.columns, chunk)
            if text is not None:
                # (the struct's fields unnested, in the table's order: ~15%
                # cheaper to plan than naming each, s.c0, s.c1...)
                out.append(f"INSERT INTO {target} SELECT unnest(s), {int(db_oid)}"
                           f" FROM (SELECT unnest(from_json({sql_literal(text)}, {spec})) AS s)")
                continue
            for at in range(0, len(chunk), _INSERT_CHUNK):
                values = ", ".join(
                    "(" + ", ".join(sql_literal(row.get(c.name)) for c in rel.columns) + ")"
                    for row in chunk[at:at + _INSERT_CHUNK])
                out.append(f"INSERT INTO {target} SELECT {from_values}, {int(db_oid)}"
                           f" FROM (VALUES {values}) v({names})")
        return out

    def delete_rows(self, con: Any, relname: str, where_sql: str,
                    params: Optional[Sequence[Any]] = None) -> None:
        """DELETE FROM rq_base.<relname> WHERE <where_sql> (DuckDB SQL, may use
        ``_db`` and ``$n``/``?`` parameters)."""
        sql = self.delete_sql(con, relname, where_sql)
        if sql is None:
            return
        if params:
            con.execute(sql, list(params))
        else:
            con.execute(sql)

    def delete_sql(self, con: Any, relname: str, where_sql: str) -> Optional[str]:
        """delete_rows' statement, for the caller to run; None when the
        table does not exist (yet) in ``con``'s transaction."""
        rel = self._rel(relname)
        if rel.kind != "table":
            raise ValueError(f"{relname} is a view over other catalogs: change those instead")
        if not self._exists(con, rel):
            return None
        return f"DELETE FROM {BASE}.{_q(rel.name)} WHERE {where_sql}"


# ---- building -----------------------------------------------------------------

_INSERT_CHUNK = 500   # rows per VALUES statement
_JSON_CHUNK = 4000    # rows per JSON statement (2,000 tables' sync: 500 -> 4,000 saved 15%)


def _rows_json(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> Optional[str]:
    """Rows as a JSON array of objects keyed c0, c1, ... (insert_rows);
    None when a value has no exact JSON form (bytes, NaN, infinities)."""
    def plain(value: Any) -> Any:
        if isinstance(value, (bytes, bytearray)):
            raise TypeError("bytes")
        return str(value)  # as sql_literal writes it (dates, decimals...)

    keys = [f"c{i}" for i in range(len(columns))]
    names = [c.name for c in columns]
    try:
        return json.dumps([dict(zip(keys, map(row.get, names))) for row in rows],
                          allow_nan=False, default=plain, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


def sql_literal(value: Any) -> str:
    """A Python value (None, bool, int, float, str, bytes, list/tuple of
    those; anything else by its str()) as a DuckDB SQL literal.

    Why not parameters: DuckDB's Python client imports pandas the first time
    it converts a parameter value (~150 ms and ~50 MB here), which the
    catalog's start and its first session would pay."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"'{value}'::DOUBLE"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]"
    if isinstance(value, (bytes, bytearray)):
        return "'" + "".join(f"\\x{b:02x}" for b in value) + "'::BLOB"
    return "'" + str(value).replace("'", "''") + "'"


def _data_file(name: str) -> Optional[Path]:
    p = DATA_DIR / f"{name}.ndjson"
    return p if p.exists() else None


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _empty_table_sql(rel: Relation) -> str:
    cols = ", ".join(f"{_q(c.name)} {c.duck_type}" for c in rel.columns)
    return f"CREATE TABLE {BASE}.{_q(rel.name)} ({cols}, _db BIGINT)"


def _loaded_table_sql(rel: Relation, path: Path) -> str:
    """CREATE TABLE rq_base.<rel> AS its data file's rows, _db = 0."""
    spec = ", ".join(f"{_sql_str(c.name)}: {_sql_str(c.duck_type)}" for c in rel.columns)
    # explicit types: read_json parses straight into them, no inference pass
    return (f"CREATE TABLE {BASE}.{_q(rel.name)} AS SELECT *, 0::BIGINT AS _db"
            f" FROM read_json({_sql_str(str(path))}, columns={{{spec}}},"
            " format='newline_delimited')")


def _view_over_table_sql(rel: Relation, replace: bool = False) -> str:
    cols = ", ".join(_q(c.name) for c in rel.columns)
    if rel.name == "pg_settings":
        cols = cols.replace('"setting"', f"{SETTINGS_OVERLAY} AS setting", 1)
    if rel.name == "pg_stat_activity":  # the asking session is the one running a query
        cols = cols.replace('"state"', f"{ACTIVITY_STATE} AS state", 1)
        cols = cols.replace('"xact_start"', f"{ACTIVITY_XACT_START} AS xact_start", 1)
    where = "" if rel.shared or rel.relkind == "v" else f" WHERE {DB_FILTER}"
    create = "CREATE OR REPLACE VIEW" if replace else "CREATE VIEW"
    return f"{create} {PG}.{_q(rel.name)} AS SELECT {cols} FROM {BASE}.{_q(rel.name)}{where}"


def _empty_view_sql(rel: Relation) -> str:
    """rq_pg.<rel> for a relation with no rows yet (no table behind it)."""
    cols = ", ".join(f"CAST(NULL AS {c.duck_type}) AS {_q(c.name)}" for c in rel.columns)
    return f"CREATE VIEW {PG}.{_q(rel.name)} AS SELECT {cols} WHERE false"


def _derived_view_sql(rel: Relation) -> str:
    """CREATE VIEW rq_pg.<rel> from DERIVED_VIEWS, columns cast to their types."""
    source, exprs = DERIVED_VIEWS[rel.name]
    items = []
    for c in rel.columns:
        if "*" in exprs:  # a filtered copy of another view with the same columns
            expr = _q(c.name)
        else:
            expr = exprs.get(c.name, "0" if c.duck_type in NUMERIC_DUCK else "NULL")
        items.append(f"CAST({expr} AS {c.duck_type}) AS {_q(c.name)}")
    return f"CREATE VIEW {PG}.{_q(rel.name)} AS SELECT {', '.join(items)} FROM {source}"


@dataclass(frozen=True)
class _Plan:
    """The build, as SQL scripts: ``schemas``; then ``parallel`` (two scripts
    run at the same time on two cursors: each table load followed by its
    rq_pg view, and the empty views); then ``final`` (the derived views,
    which read the others)."""
    schemas: str
    parallel: Tuple[str, str]
    final: str
    created: FrozenSet[str]


# Estimated cost of a statement, to balance the two parallel scripts:
# read_json costs ~0.6 ms plus ~4.5 ms per MB, a view ~0.25 ms.
def _load_cost(path: Path) -> float:
    return 0.6 + path.stat().st_size * 4.5e-6


@functools.lru_cache(maxsize=1)
def _plan() -> _Plan:
    rels = load_relations()
    # (cost, statements that must run in this order on one cursor)
    independent: List[Tuple[float, List[str]]] = []
    created = set()
    for rel in rels.values():
        if rel.kind != "table":
            continue
        path = _data_file(rel.name)
        if path is not None:
            stmts = [_loaded_table_sql(rel, path)]
            if rel.schema == "pg_catalog":
                stmts.append(_view_over_table_sql(rel))
            independent.append((_load_cost(path) + 0.3, stmts))
            created.add(rel.name)
        elif rel.schema == "pg_catalog":
            independent.append((0.25, [_empty_view_sql(rel)]))
        else:  # rq_defs: read by pg_views / pg_indexes, so it must exist
            independent.append((0.25, [_empty_table_sql(rel)]))
            created.add(rel.name)
    groups: Tuple[List[str], List[str]] = ([], [])
    load = [0.0, 0.0]
    for cost, stmts in sorted(independent, key=lambda x: -x[0]):
        i = 0 if load[0] <= load[1] else 1
        groups[i].extend(stmts)
        load[i] += cost
    final = [_derived_view_sql(rels[name]) for name in DERIVED_VIEWS if name in rels]
    return _Plan(
        schemas=f"CREATE SCHEMA IF NOT EXISTS {BASE}; CREATE SCHEMA IF NOT EXISTS {PG};",
        parallel=(_script(groups[0]), _script(groups[1])),
        final=_script(final), created=frozenset(created))


def _script(stmts: Sequence[str]) -> str:
    return ";\n".join(stmts) + ";" if stmts else ""


def catalog_sql() -> str:
    """Every statement build_catalog_db runs, as one sequential script."""
    plan = _plan()
    return "\n".join([plan.schemas, *plan.parallel, plan.final])


def build_catalog_db(con: Any) -> CatalogSchema:
    """Create schemas rq_base and rq_pg in DuckDB connection ``con`` and load
    PostgreSQL 15's built-in catalog rows. Returns the CatalogSchema.

    Speed (this is on every server start): the ~300 statements run as a few
    multi-statement scripts; ``threads`` is set to 1 meanwhile (restored
    afterwards) because DuckDB's per-statement thread coordination costs
    more than parallel parsing gains for these small statements; instead the
    table loads run on two cursors at once (DuckDB releases the GIL).
    ``threads`` is database-wide: build before the database serves queries."""
    started = time.perf_counter()
    plan = _plan()
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads = 1")
    try:
        con.execute(plan.schemas)
        _run_parallel(con, plan.parallel)
        con.execute(plan.final)
    finally:
        con.execute(f"SET threads = {int(threads)}")
    LOG.debug("catalog built in %.1f ms", (time.perf_counter() - started) * 1e3)
    return CatalogSchema(dict(load_relations()), plan.created)


def _run_parallel(con: Any, scripts: Tuple[str, str]) -> None:
    """Run scripts[0] on a second cursor in a thread while scripts[1] runs
    on ``con``; re-raise the first error."""
    errors: List[BaseException] = []
    cur = con.cursor()

    def work() -> None:
        try:
            if scripts[0]:
                cur.execute(scripts[0])
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    worker = threading.Thread(target=work, name="rq-catalog-load", daemon=True)
    worker.start()
    try:
        if scripts[1]:
            con.execute(scripts[1])
    finally:
        worker.join()
        cur.close()
    if errors:
        raise errors[0]
