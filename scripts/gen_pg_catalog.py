#!/usr/bin/env python3
"""Dump PostgreSQL 15's built-in catalog into ``src/riffq/pgcatalog/data/``.

    python scripts/gen_pg_catalog.py [--dsn "host=... user=..."] [--out DIR]

Without ``--dsn`` a throw-away PostgreSQL 15 is started with
``tests/pgref.py``'s ``start_reference_pg()`` and removed afterwards.
The connected role must be a superuser (it reads ``pg_authid``).

Files written (all UTF-8 JSON, deterministic: same server -> same bytes):

- ``relations.json``: ``[{schema, name, oid, relkind, shared, columns:[{name,
  attnum, type, type_oid, typmod, notnull}]}]`` for every table and view of
  ``pg_catalog`` and every view (and the four tables) of
  ``information_schema``; ``type`` is ``format_type()`` text, ``attnum > 0``,
  ``shared`` is ``pg_class.relisshared``. Sorted by (schema, name).
- ``<relname>.ndjson`` per dumped catalog: newline-delimited JSON, one
  object per row with every column as a key, in PostgreSQL 15's column
  order; rows sorted by oid (or by the key in ``DUMPS``). NDJSON objects
  because DuckDB's read_json parses them straight into typed columns (the
  fastest way to load them, see riffq.pgcatalog.schema).
  Catalogs not dumped (pg_trigger, pg_rewrite, pg_policy, pg_inherits,
  pg_enum, pg_sequence, pg_foreign_*, pg_database, ...) get no file: they are
  empty and their shape comes from ``relations.json``.
- ``rq_objdef.ndjson``: rows ``{"classid", "objid", "definition"}``:
  ``pg_get_viewdef(oid)`` of the dumped views (classid 1259),
  ``pg_get_indexdef(oid)`` of the dumped indexes (1259) and
  ``pg_get_constraintdef(oid)`` of the dumped constraints (2606), for the
  emulation of pg_views / pg_indexes / pg_get_*def().

Value encoding (JSON round-trips exactly): oid and reg* (regproc, regtype,
...), xid, cid, xid8 and integers -> numbers; real/double -> numbers;
bool -> true/false; int2vector, oidvector, oid[], regtype[], int2[] ->
lists of numbers; name[], text[], "char"[], aclitem[] -> lists of strings;
timestamptz / interval -> text (DateStyle ISO, IntervalStyle postgres,
TimeZone UTC); pg_proc.proargdefaults -> a JSON list of the defaults'
``pg_get_expr()`` texts (riffq's convention; no client parses node trees);
other pg_node_tree, aclitem, pg_lsn, inet, anyarray, pg_ndistinct
and every other type -> its text output.

Rows dumped: pg_type, pg_proc, pg_am, pg_opclass, pg_opfamily, pg_operator,
pg_cast, pg_range, pg_language, pg_aggregate, pg_conversion, pg_ts_config,
pg_ts_config_map, pg_ts_dict, pg_ts_parser, pg_ts_template, pg_tablespace,
pg_shdescription, pg_timezone_names, pg_timezone_abbrevs: all rows;
pg_namespace: pg_catalog, pg_toast, information_schema, public;
pg_class / pg_attribute (system columns included) / pg_index: the relations
of pg_catalog and information_schema and their indexes; pg_constraint: the
built-in ones (oid < 16384); pg_collation: default, C, POSIX, ucs_basic;
pg_description: built-in objects (minus the collations not kept);
pg_extension, pg_available_extensions, pg_available_extension_versions:
plpgsql; pg_depend: the extension memberships of plpgsql's objects; pg_authid: predefined pg_* roles; pg_auth_members among those;
pg_settings and pg_config: scrubbed (below).

Scrub rules (no personal names, role names or machine paths in the data):

1. aclitem values: the bootstrap superuser's name (role oid 10, whatever it
   is called on the dumped server) becomes the placeholder ``{superuser}``
   (``{superuser}=arwdDxt/{superuser}``); riffq substitutes the serving user
   name at runtime. Any other non-predefined role name in an aclitem aborts
   the dump.
2. pg_authid: only roles named ``pg_*`` with oid < 16384; oid 10 (the
   bootstrap superuser) is left out, riffq creates it at runtime.
   rolpassword is NULL. pg_auth_members: only pairs among the kept roles.
3. pg_settings, all rows: sourcefile and sourceline NULL.
   - source ``command line``, ``client``, ``environment variable``,
     ``session`` or ``database``/``user``: setting and reset_val become boot_val
     (pending_restart false) and source ``default``: these reflect how the
     dump server was started (port, max_connections, ...), not PostgreSQL.
   - data_directory, config_file, hba_file, ident_file, external_pid_file,
     cluster_name: setting/reset_val/boot_val '' (source ``override`` kept
     for the first four, as PostgreSQL reports them).
   - every other setting whose value names an absolute path outside /usr,
     /etc, /bin, /lib, /run, /var (unix_socket_directories, ssl_*_file,
     log_directory, krb_server_keyfile, ... when set to such a path) gets
     boot_val, PostgreSQL's compiled default.
   - TimeZone and log_timezone: ``Etc/UTC`` (initdb copies the machine's
     zone); lc_messages, lc_monetary, lc_numeric, lc_time: ``C.UTF-8``.
   - any value containing the data directory is reset to boot_val ('' if
     NULL).
4. pg_config: the directory entries get the fixed Debian PostgreSQL 15
   layout in ``PG_CONFIG_DIRS`` (not the machine's); in CONFIGURE, CC,
   CPPFLAGS, CFLAGS*, LDFLAGS*, LIBS every token naming a path outside
   /usr, /etc, /bin, /lib, /run, /var is dropped (none in Debian's build).
5. pg_class: relpages, reltuples, relallvisible are the dump server's
   initdb-time values (identical for every fresh PostgreSQL 15 cluster).
6. Final check: the written text must not contain the data directory, its
   parent temp directory, the home directory, the dump server's superuser
   name as an aclitem grantee/grantor, or (as a whole word) the superuser's
   name, the OS user's name or the host name (3+ characters) unless it is
   ``postgres``, ``root`` or ``localhost`` (ordinary words in the data);
   otherwise the script fails and writes nothing.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import shlex
import socket
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import psycopg

LOG = logging.getLogger("gen_pg_catalog")
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "riffq" / "pgcatalog" / "data"

SUPERUSER_PLACEHOLDER = "{superuser}"
KEPT_NAMESPACES = ("pg_catalog", "pg_toast", "information_schema", "public")
KEPT_COLLATIONS = ("default", "C", "POSIX", "ucs_basic")

# pg_config directory entries, Debian's layout for PostgreSQL 15.
PG_CONFIG_DIRS: Dict[str, str] = {
    "BINDIR": "/usr/lib/postgresql/15/bin",
    "DOCDIR": "/usr/share/doc/postgresql-doc-15",
    "HTMLDIR": "/usr/share/doc/postgresql-doc-15",
    "INCLUDEDIR": "/usr/include/postgresql",
    "PKGINCLUDEDIR": "/usr/include/postgresql",
    "INCLUDEDIR-SERVER": "/usr/include/postgresql/15/server",
    "LIBDIR": "/usr/lib/x86_64-linux-gnu",
    "PKGLIBDIR": "/usr/lib/postgresql/15/lib",
    "LOCALEDIR": "/usr/share/locale",
    "MANDIR": "/usr/share/postgresql/15/man",
    "SHAREDIR": "/usr/share/postgresql/15",
    "SYSCONFDIR": "/etc/postgresql-common",
    "PGXS": "/usr/lib/postgresql/15/lib/pgxs/src/makefiles/pgxs.mk",
}
PG_CONFIG_FLAG_KEYS = ("CONFIGURE", "CC", "CPPFLAGS", "CFLAGS", "CFLAGS_SL", "LDFLAGS",
                       "LDFLAGS_EX", "LDFLAGS_SL", "LIBS")
SAFE_PATH_PREFIXES = ("/usr/", "/etc/", "/bin/", "/lib/", "/run/", "/var/")
SAFE_PATHS = ("/usr", "/etc", "/bin", "/lib", "/run", "/var")

# pg_settings rows that name the server's files or identity: value ''.
SETTINGS_BLANK = ("data_directory", "config_file", "hba_file", "ident_file",
                  "external_pid_file", "cluster_name")
SETTINGS_FIXED = {"TimeZone": "Etc/UTC", "log_timezone": "Etc/UTC",
                  "lc_messages": "C.UTF-8", "lc_monetary": "C.UTF-8",
                  "lc_numeric": "C.UTF-8", "lc_time": "C.UTF-8"}
SETTINGS_VOLATILE_SOURCES = ("command line", "client", "environment variable", "session",
                             "database", "user", "database user")

# Catalog -> (WHERE clause, ORDER BY). {rels} = oids of the dumped relations
# and their indexes, {roles} = the kept role oids.
DUMPS: Dict[str, Tuple[str, str]] = {
    "pg_type": ("true", "oid"),
    "pg_proc": ("true", "oid"),
    "pg_namespace": ("nspname IN ({namespaces})", "oid"),
    "pg_class": ("oid IN ({rels})", "oid"),
    "pg_attribute": ("attrelid IN ({rels})", "attrelid, attnum"),
    "pg_index": ("indexrelid IN ({rels})", "indexrelid"),
    "pg_constraint": ("oid < 16384", "oid"),
    "pg_am": ("true", "oid"),
    "pg_opclass": ("true", "oid"),
    "pg_opfamily": ("true", "oid"),
    "pg_operator": ("true", "oid"),
    "pg_cast": ("true", "oid"),
    "pg_range": ("true", "rngtypid"),
    "pg_language": ("true", "oid"),
    "pg_aggregate": ("true", "aggfnoid::oid"),
    "pg_collation": ("collname IN ({collations})", "oid"),
    "pg_tablespace": ("true", "oid"),
    "pg_extension": ("extname = 'plpgsql'", "oid"),
    # membership of plpgsql's objects in it (pgcli's is_extension)
    "pg_depend": ("deptype = 'e' AND refclassid = 'pg_extension'::regclass AND refobjid IN"
                  " (SELECT oid FROM pg_extension WHERE extname = 'plpgsql')",
                  "classid, objid, objsubid"),
    "pg_description": ("objoid < 16384 AND (classoid <> 'pg_collation'::regclass"
                       " OR objoid IN (SELECT oid FROM pg_collation"
                       " WHERE collname IN ({collations})))",
                       "objoid, classoid, objsubid"),
    "pg_shdescription": ("objoid < 16384", "objoid, classoid"),
    "pg_settings": ("true", "name COLLATE \"C\""),
    "pg_config": ("true", "name COLLATE \"C\""),
    "pg_authid": ("oid IN ({roles})", "oid"),
    "pg_auth_members": ("roleid IN ({roles}) AND member IN ({roles})"
                        " AND grantor IN ({roles}, 10)", "roleid, member"),
    "pg_conversion": ("true", "oid"),
    "pg_ts_config": ("true", "oid"),
    "pg_ts_config_map": ("true", "mapcfg, maptokentype, mapseqno"),
    "pg_ts_dict": ("true", "oid"),
    "pg_ts_parser": ("true", "oid"),
    "pg_ts_template": ("true", "oid"),
    "pg_available_extensions": ("name = 'plpgsql'", "name"),
    "pg_available_extension_versions": ("name = 'plpgsql'", "name, version"),
    "pg_timezone_names": ("true", "name COLLATE \"C\""),
    "pg_timezone_abbrevs": ("true", "abbrev COLLATE \"C\""),
}

OID_TYPES = {"oid", "regproc", "regprocedure", "regoper", "regoperator", "regclass",
             "regtype", "regnamespace", "regrole", "regconfig", "regdictionary",
             "regcollation"}
PLAIN_TYPES = {"smallint", "integer", "bigint", "real", "double precision", "boolean",
               "text", "numeric", "smallint[]", "integer[]", "bigint[]", "real[]",
               "double precision[]", "boolean[]"}


def select_expr(col: str, pgtype: str) -> str:
    """SQL fetching column ``col`` of type ``pgtype`` (format_type text) in a
    form psycopg turns into a JSON-ready Python value."""
    q = '"%s"' % col.replace('"', '""')
    if pgtype in OID_TYPES:
        return f"{q}::oid"
    if pgtype in ("xid", "cid", "xid8"):
        return f"{q}::text::numeric"
    if pgtype in PLAIN_TYPES:
        return q
    if pgtype in ("oidvector", "oid[]", "regtype[]"):
        return f"{q}::oid[]"
    if pgtype == "int2vector":
        return f"{q}::int2[]"
    if pgtype in ("name[]", "text[]", '"char"[]', "aclitem[]"):
        return f"{q}::text[]"
    return f"{q}::text"


def jsonable(value: Any) -> Any:
    """Python value from psycopg -> value json.dumps writes exactly."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


# ---- relations -------------------------------------------------------------

def fetch_relations(cur: psycopg.Cursor, only: str = "") -> List[Dict[str, Any]]:
    """Shapes of every pg_catalog table/view and information_schema view/table
    (or of the pg_catalog relation ``only``)."""
    rels = cur.execute(
        """SELECT n.nspname::text, c.relname::text, c.oid::int8, c.relkind::text,
                  c.relisshared
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('pg_catalog', 'information_schema')
              AND c.relkind IN ('r', 'v') AND (%s = '' OR c.relname = %s)
            ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C" """,
        (only, only)).fetchall()
    cols = cur.execute(
        """SELECT a.attrelid::int8, a.attname::text, a.attnum::int,
                  format_type(a.atttypid, a.atttypmod), a.atttypid::int8,
                  a.atttypmod, a.attnotnull
             FROM pg_attribute a
            WHERE a.attnum > 0 AND NOT a.attisdropped
              AND a.attrelid IN (SELECT c.oid FROM pg_class c
                                  WHERE c.relnamespace IN ('pg_catalog'::regnamespace,
                                                           'information_schema'::regnamespace))
            ORDER BY a.attrelid, a.attnum""").fetchall()
    by_rel: Dict[int, List[Dict[str, Any]]] = {}
    for relid, name, attnum, typ, typoid, typmod, notnull in cols:
        by_rel.setdefault(relid, []).append(
            {"name": name, "attnum": attnum, "type": typ, "type_oid": typoid,
             "typmod": typmod, "notnull": notnull})
    return [{"schema": nsp, "name": name, "oid": oid, "relkind": kind, "shared": shared,
             "columns": by_rel[oid]} for nsp, name, oid, kind, shared in rels]


def dumped_rel_oids(cur: psycopg.Cursor) -> List[int]:
    """OIDs of pg_catalog/information_schema tables, views and their indexes."""
    rows = cur.execute(
        """SELECT c.oid::int8 FROM pg_class c
            WHERE c.relnamespace IN ('pg_catalog'::regnamespace,
                                     'information_schema'::regnamespace)
              AND c.relkind IN ('r', 'v', 'i')
            ORDER BY 1""").fetchall()
    return [r[0] for r in rows]


def kept_role_oids(cur: psycopg.Cursor) -> List[int]:
    rows = cur.execute(
        """SELECT oid::int8 FROM pg_authid
            WHERE rolname LIKE 'pg\\_%' AND oid < 16384 AND oid <> 10
            ORDER BY 1""").fetchall()
    return [r[0] for r in rows]


# ---- dumping ---------------------------------------------------------------

def dump_relation(cur: psycopg.Cursor, rel: Dict[str, Any], where: str,
                  order: str) -> Dict[str, Any]:
    """All requested rows of one pg_catalog relation, JSON-ready."""
    exprs = ", ".join(select_expr(c["name"], c["type"]) for c in rel["columns"])
    sql = f"SELECT {exprs} FROM pg_catalog.{rel['name']} WHERE {where} ORDER BY {order}"
    rows = [[jsonable(v) for v in row] for row in cur.execute(sql).fetchall()]
    return {"relation": rel["name"], "columns": [c["name"] for c in rel["columns"]],
            "rows": rows}


def deparse_arg_defaults(cur: psycopg.Cursor, data: Dict[str, Any]) -> None:
    """pg_proc.proargdefaults: the JSON list of the defaults' texts (the
    catalog emulation's convention, functions.py), not the node tree."""
    texts = dict(cur.execute(
        "SELECT oid::int8, pg_get_expr(proargdefaults, 0) FROM pg_proc"
        " WHERE proargdefaults IS NOT NULL").fetchall())
    ix_oid, ix_defaults = data["columns"].index("oid"), data["columns"].index("proargdefaults")
    for row in data["rows"]:
        if row[ix_defaults] is not None:
            row[ix_defaults] = json.dumps(split_expressions(texts[row[ix_oid]]))


def split_expressions(text: str) -> List[str]:
    """``pg_get_expr()`` of a list ("'{}'::jsonb, false") -> its items, cut
    where PostgreSQL's parser says each one starts."""
    from pglast import parse_sql

    starts = [t.location - len("SELECT ") for t in parse_sql("SELECT " + text)[0].stmt.targetList]
    ends = starts[1:] + [len(text)]
    return [text[a:b].rstrip().rstrip(",").rstrip() for a, b in zip(starts, ends)]


def dump_objdefs(cur: psycopg.Cursor, rel_oids: Sequence[int]) -> Dict[str, Any]:
    """pg_get_viewdef / pg_get_indexdef / pg_get_constraintdef texts."""
    rels = ",".join(map(str, rel_oids))
    rows = cur.execute(
        f"""SELECT 1259::int8, c.oid::int8,
                   CASE c.relkind WHEN 'v' THEN pg_get_viewdef(c.oid)
                                  ELSE pg_get_indexdef(c.oid) END
              FROM pg_class c WHERE c.oid IN ({rels}) AND c.relkind IN ('v', 'i')
            UNION ALL
            SELECT 2606, oid::int8, pg_get_constraintdef(oid)
              FROM pg_constraint WHERE oid < 16384
            ORDER BY 1, 2""").fetchall()
    return {"relation": "rq_objdef", "columns": ["classid", "objid", "definition"],
            "rows": [list(r) for r in rows]}


# ---- scrubbing -------------------------------------------------------------

def scrub_aclitems(data: Dict[str, Any], rel: Dict[str, Any], superuser: str,
                   allowed: Iterable[str]) -> None:
    """Replace the superuser's name in aclitem[] columns by the placeholder."""
    allowed_names = set(allowed) | {"", SUPERUSER_PLACEHOLDER}
    acl_idx = [i for i, c in enumerate(rel["columns"]) if c["type"] == "aclitem[]"]
    for row in data["rows"]:
        for i in acl_idx:
            if row[i] is not None:
                row[i] = [scrub_aclitem(item, superuser, allowed_names) for item in row[i]]


def scrub_aclitem(item: str, superuser: str, allowed: set) -> str:
    """'grantee=privs/grantor' with the superuser named by the placeholder."""
    m = re.fullmatch(r'("(?:[^"]|"")*"|[^=]*)=([^/]*)/("(?:[^"]|"")*"|.*)', item)
    if m is None:
        raise ValueError(f"unexpected aclitem {item!r}")
    names = []
    for raw in (m.group(1), m.group(3)):
        name = raw[1:-1].replace('""', '"') if raw.startswith('"') else raw
        if name == superuser:
            name = SUPERUSER_PLACEHOLDER
        elif name not in allowed:
            raise ValueError(f"aclitem {item!r} names a non-predefined role")
        names.append(name)
    return f"{names[0]}={m.group(2)}/{names[1]}"


def scrub_settings(data: Dict[str, Any], datadir: str) -> None:
    """Neutral pg_settings: no paths, no trace of how the dump server ran."""
    cols = data["columns"]
    ix = {c: cols.index(c) for c in ("name", "setting", "source", "boot_val",
                                      "reset_val", "sourcefile", "sourceline",
                                      "pending_restart")}
    for row in data["rows"]:
        name = row[ix["name"]]
        row[ix["sourcefile"]] = None
        row[ix["sourceline"]] = None
        boot = row[ix["boot_val"]]
        if row[ix["source"]] in SETTINGS_VOLATILE_SOURCES:
            set_setting(row, ix, boot if boot is not None else "")
            row[ix["source"]] = "default"
            row[ix["pending_restart"]] = False
        if name in SETTINGS_BLANK:
            set_setting(row, ix, "")
            row[ix["boot_val"]] = ""
        elif name in SETTINGS_FIXED:
            set_setting(row, ix, SETTINGS_FIXED[name])
        elif datadir and datadir in str(row[ix["setting"]]) + str(row[ix["reset_val"]]):
            set_setting(row, ix, boot if boot is not None else "")
        elif not path_is_safe(str(row[ix["setting"]])):
            set_setting(row, ix, boot if boot is not None else "")


def set_setting(row: List[Any], ix: Dict[str, int], value: str) -> None:
    row[ix["setting"]] = value
    row[ix["reset_val"]] = value


def path_is_safe(value: str) -> bool:
    """False when value names an absolute path outside the system prefixes."""
    # a path starts a token or follows '=', ':' or a -I/-L style flag;
    # "${prefix}/include" is relative to another option, not a path here
    for m in re.finditer(r"(?:^|(?<=[\s='\",:])|(?<=-[ILR]))/[\w.\-/]*", value):
        path = m.group(0)
        if path not in SAFE_PATHS and not path.startswith(SAFE_PATH_PREFIXES):
            return False
    return True


def scrub_config(data: Dict[str, Any]) -> None:
    """pg_config: fixed directory layout, flags without foreign paths."""
    for row in data["rows"]:
        name = row[0]
        if name in PG_CONFIG_DIRS:
            row[1] = PG_CONFIG_DIRS[name]
        elif name in PG_CONFIG_FLAG_KEYS and row[1] is not None:
            row[1] = scrub_flags(row[1])


def scrub_flags(value: str) -> str:
    """Drop shell tokens (configure options, compiler flags) naming foreign paths."""
    try:
        tokens = shlex.split(value)
    except ValueError:
        return value if path_is_safe(value) else ""
    if all(path_is_safe(t) for t in tokens):
        return value
    kept = [t for t in tokens if path_is_safe(t)]
    if value.lstrip().startswith("'"):  # CONFIGURE: every option single-quoted
        return "".join(" '%s'" % t for t in kept)
    return " ".join(kept)


def check_clean(text: str, fname: str, forbidden: Sequence[str], words: Sequence[str],
                superuser: str) -> None:
    """Fail when a written file still names machine paths or people."""
    for s in forbidden:
        if s and s in text:
            raise SystemExit(f"{fname}: contains {s!r} after scrubbing")
    for w in words:
        if re.search(r"(?<![\w$])" + re.escape(w) + r"(?!\w)", text):
            raise SystemExit(f"{fname}: contains the name {w!r} after scrubbing")
    acl = re.escape(superuser)
    if re.search(r'(?:^|[\["{,])' + acl + r"=[a-zA-Z*]*/|=[a-zA-Z*]*/" + acl + r'(?:["},\]]|$)',
                 text, re.M):
        raise SystemExit(f"{fname}: an aclitem still names {superuser!r}")


# ---- output ----------------------------------------------------------------

def render(obj: Dict[str, Any]) -> str:
    """NDJSON: one compact object per row, keys in column order."""
    cols = obj["columns"]
    return "".join(json.dumps(dict(zip(cols, row)), ensure_ascii=False,
                              separators=(",", ":")) + "\n" for row in obj["rows"])


def render_relations(rels: List[Dict[str, Any]]) -> str:
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rels]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def generate(dsn: str, out: Path, datadir: str = "") -> Dict[str, int]:
    """Dump everything to ``out``; returns file name -> size in bytes."""
    # pg_settings comes from its own connection that SETs nothing, so the
    # dump shows the server's values, not this session's.
    with psycopg.connect(dsn, autocommit=True) as conn:
        settings_rel = fetch_relations(conn.cursor(), only="pg_settings")[0]
        settings = dump_relation(conn.cursor(), settings_rel, *DUMPS["pg_settings"])
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';"
                    " SET TimeZone = 'UTC'")
        superuser = cur.execute("SELECT rolname::text FROM pg_authid WHERE oid = 10").fetchone()[0]
        if not datadir:
            datadir = cur.execute("SELECT setting FROM pg_settings"
                                  " WHERE name = 'data_directory'").fetchone()[0] or ""
        relations = fetch_relations(cur)
        files = {"relations.json": render_relations(relations)}
        files.update(dump_catalogs(cur, relations, settings, superuser, datadir))
    return write_files(files, out, datadir, superuser)


def dump_catalogs(cur: psycopg.Cursor, relations: List[Dict[str, Any]],
                  settings: Dict[str, Any], superuser: str, datadir: str) -> Dict[str, str]:
    """Every ``DUMPS`` catalog plus rq_objdef, scrubbed: file name -> text."""
    by_name = {r["name"]: r for r in relations if r["schema"] == "pg_catalog"}
    rel_oids = dumped_rel_oids(cur)
    roles = kept_role_oids(cur)
    role_names = [r[0] for r in cur.execute(
        "SELECT rolname::text FROM pg_authid WHERE oid = ANY(%s)", (roles,)).fetchall()]
    fmt = {"rels": ",".join(map(str, rel_oids)), "roles": ",".join(map(str, roles)),
           "namespaces": ",".join(f"'{n}'" for n in KEPT_NAMESPACES),
           "collations": ",".join(f"'{n}'" for n in KEPT_COLLATIONS)}
    files: Dict[str, str] = {}
    for relname, (where, order) in DUMPS.items():
        if relname == "pg_settings":
            data = settings
            scrub_settings(data, datadir)
        else:
            data = dump_relation(cur, by_name[relname], where.format(**fmt), order)
        if relname == "pg_config":
            scrub_config(data)
        if relname == "pg_proc":
            deparse_arg_defaults(cur, data)
        scrub_aclitems(data, by_name[relname], superuser, role_names)
        files[f"{relname}.ndjson"] = render(data)
        LOG.info("%s: %d rows", relname, len(data["rows"]))
    files["rq_objdef.ndjson"] = render(dump_objdefs(cur, rel_oids))
    return files


def write_files(files: Dict[str, str], out: Path, datadir: str, superuser: str) -> Dict[str, int]:
    """Check every file for leftovers, then replace the output directory's JSON."""
    forbidden = [datadir, os.path.dirname(datadir.rstrip("/")) if datadir else "",
                 os.path.expanduser("~") if os.path.expanduser("~") not in ("/", "") else ""]
    forbidden = [f for f in forbidden if f and f not in ("/", "/tmp")]
    words = sorted(w for w in {superuser, _os_user(), socket.gethostname()}
                   if len(w) >= 3 and w not in ("postgres", "root", "localhost"))
    for fname, text in files.items():
        check_clean(text, fname, forbidden, words, superuser)
    out.mkdir(parents=True, exist_ok=True)
    for old in list(out.glob("*.json")) + list(out.glob("*.ndjson")):
        if old.name not in files:
            old.unlink()
    sizes = {}
    for fname, text in sorted(files.items()):
        (out / fname).write_text(text, encoding="utf-8")
        sizes[fname] = len(text.encode("utf-8"))
    return sizes


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dsn", help="libpq DSN of a PostgreSQL 15 superuser connection"
                    " (default: start a throw-away server)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ref = None
    dsn = args.dsn
    datadir = ""
    if dsn is None:
        sys.path.insert(0, str(ROOT / "tests"))
        from pgref import start_reference_pg
        ref = start_reference_pg()
        dsn, datadir = ref.dsn, ref.datadir
    try:
        with psycopg.connect(dsn) as conn:
            version = conn.info.server_version
        if version // 10000 != 15:
            raise SystemExit(f"need PostgreSQL 15, the server is {version}")
        sizes = generate(dsn, args.out, datadir)
    finally:
        if ref is not None:
            ref.stop()
    for fname, size in sizes.items():
        LOG.info("%-40s %9d", fname, size)
    LOG.info("%-40s %9d", "total", sum(sizes.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
