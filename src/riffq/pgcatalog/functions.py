"""PostgreSQL 15 functions for catalog emulation: DuckDB macros in schema ``rq_fn``.

``install_functions(con)`` creates them in a DuckDB connection whose
``rq_pg`` relations already exist (DuckDB binds a macro's body when it is
created): schema.build_catalog_db(con) first, then install_functions(con),
then infoschema.install_information_schema(con). ~0.15 s.

The rewriter (rewrite.py) turns ``f(...)`` / ``pg_catalog.f(...)`` into
``rq_fn.f(...)`` for every name in ``FUNCTION_NAMES`` and casts to reg*
types into ``rq_fn.<reg>_in(text)`` (-> oid, BIGINT) / ``rq_fn.<reg>_out(oid)``
(-> PostgreSQL's text) for regclass, regtype, regproc, regprocedure, regoper,
regoperator, regnamespace, regrole, regcollation, regconfig, regdictionary.
``to_regX()`` return BIGINT or NULL; functions returning reg* types in
PostgreSQL (pg_typeof ...) return the oid.

Most macros live in functions.sql; families of trivial ones (privilege
checks, visibility tests, statistics counters, format(), the named reg
types) are generated here.

Errors: macros raise ``error('RQERR:<sqlstate>:<message>')``; DuckDB reports
them as ``InvalidInputException`` whose text contains that marker.
``split_error(str(exc))`` returns ``(sqlstate, message)`` for such errors.

Session state comes from DuckDB variables set per connection (design
contract): rq_db_name, rq_user, rq_pid, rq_search_path, rq_guc_* (the
settings, schema.settings_variables; 'search_path' tells whether pg_catalog
was listed explicitly, for current_schema(s)), rq_client_addr/port, rq_db_oid; optional:
rq_server_addr/port, rq_start_time, rq_version (the whole version() text).

Catalog conventions the definitions rely on:

- pg_attrdef.adbin, pg_constraint.conbin, pg_index.indpred: the deparsed
  expression (pg_get_expr(x, rel) text); pg_rewrite.ev_action of a view's
  _RETURN rule: pg_get_viewdef text;
- pg_index.indexprs, pg_proc.proargdefaults: a JSON list of the deparsed
  expressions (anything else, e.g. a raw node tree, reads as absent);
- pg_proc.prosqlbody: pg_get_function_sqlbody text;
- precomputed definitions win: rq_base.rq_defs (engine: kind 'index' /
  'view' / 'constraint') and rq_base.rq_objdef (built-in data).

Approximations (documented divergences from PostgreSQL):

- pretty output (pg_get_expr/_constraintdef/_indexdef with pretty = true):
  outer parentheses, '(x)::type' and parentheses around simple AND/OR terms
  are dropped; PostgreSQL drops every redundant one. pg_get_viewdef(x,
  true) / pg_get_ruledef(x, true) return the stored (non-pretty) text;
- pg_get_ruledef: SELECT (_RETURN) rules only; pg_get_triggerdef,
  pg_get_serial_sequence, pg_get_partkeydef: NULL (none exist);
- *_is_visible / regX_out: temporary schemas are ignored; regproc_out and
  regoper_out qualify a name unless it is the only one of that name in the
  path; function/operator visibility compares names and argument types;
- pg_get_indexdef: expression columns look like function calls when they
  read name(...); index tablespaces are not printed; exclusion constraints
  list plain columns only;
- regtype_in / to_regtype parse the SQL type syntax with patterns, not
  PostgreSQL's grammar (typmods are dropped; to_regtype('23') is NULL);
- has_*_privilege / pg_has_role: true (riffq has no privileges); sizes 0;
  pg_stat_get_* counters 0; pg_typeof: from the DuckDB type;
  format(): %s %I %L %% only, up to 8 arguments;
- quote_ident lower-case test is ASCII, like PostgreSQL's; identifiers in
  reg*_in are lower-cased with DuckDB's lower() (Unicode-aware).
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .derived import install_macros, slow_names

logger = logging.getLogger(__name__)

SQL_FILE = Path(__file__).with_name("functions.sql")
ERROR_MARKER = "RQERR:"
_ERROR_RE = re.compile(r"RQERR:([0-9A-Z]{5}):(.*)", re.S)

# pg_get_keywords() of PostgreSQL 15: (catcode, barelabel) -> words.
KEYWORDS: Dict[Tuple[str, bool], str] = {
    ("C", False): """
        char character precision
    """,
    ("C", True): """
        between bigint bit boolean coalesce dec decimal exists extract float greatest grouping
        inout int integer interval least national nchar none normalize nullif numeric out
        overlay position real row setof smallint substring time timestamp treat trim values
        varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse
        xmlpi xmlroot xmlserialize xmltable
    """,
    ("R", False): """
        array as create except fetch for from grant group having intersect into limit offset on
        order returning to union where window with
    """,
    ("R", True): """
        all analyse analyze and any asc asymmetric both case cast check collate column
        constraint current_catalog current_date current_role current_time current_timestamp
        current_user default deferrable desc distinct do else end false foreign in initially
        lateral leading localtime localtimestamp not null only or placing primary references
        select session_user some symmetric table then trailing true unique user using variadic
        when
    """,
    ("T", False): """
        isnull notnull overlaps
    """,
    ("T", True): """
        authorization binary collation concurrently cross current_schema freeze full ilike inner
        is join left like natural outer right similar tablesample verbose
    """,
    ("U", False): """
        day filter hour minute month over second varying within without year
    """,
    ("U", True): """
        abort absolute access action add admin after aggregate also alter always asensitive
        assertion assignment at atomic attach attribute backward before begin breadth by cache
        call called cascade cascaded catalog chain characteristics checkpoint class close
        cluster columns comment comments commit committed compression configuration conflict
        connection constraints content continue conversion copy cost csv cube current cursor
        cycle data database deallocate declare defaults deferred definer delete delimiter
        delimiters depends depth detach dictionary disable discard document domain double drop
        each enable encoding encrypted enum escape event exclude excluding exclusive execute
        explain expression extension external family finalize first following force forward
        function functions generated global granted groups handler header hold identity if
        immediate immutable implicit import include including increment index indexes inherit
        inherits inline input insensitive insert instead invoker isolation key label language
        large last leakproof level listen load local location lock locked logged mapping match
        matched materialized maxvalue merge method minvalue mode move name names new next nfc
        nfd nfkc nfkd no normalized nothing notify nowait nulls object of off oids old operator
        option options ordinality others overriding owned owner parallel parameter parser
        partial partition passing password plans policy preceding prepare prepared preserve
        prior privileges procedural procedure procedures program publication quote range read
        reassign recheck recursive ref referencing refresh reindex relative release rename
        repeatable replace replica reset restart restrict return returns revoke role rollback
        rollup routine routines rows rule savepoint schema schemas scroll search security
        sequence sequences serializable server session set sets share show simple skip snapshot
        sql stable standalone start statement statistics stdin stdout storage stored strict
        strip subscription support sysid system tables tablespace temp template temporary text
        ties transaction transform trigger truncate trusted type types uescape unbounded
        uncommitted unencrypted unknown unlisten unlogged until update vacuum valid validate
        validator value version view views volatile whitespace work wrapper write xml yes zone
    """,
}

KEYWORD_CATEGORY = {"U": "unreserved", "C": "unreserved (cannot be function or type name)",
                    "T": "reserved (can be function or type name)", "R": "reserved"}

# pg_encoding_to_char(0..41).
ENCODINGS: Tuple[str, ...] = (
    "SQL_ASCII", "EUC_JP", "EUC_CN", "EUC_KR", "EUC_TW", "EUC_JIS_2004", "UTF8", "MULE_INTERNAL",
    "LATIN1", "LATIN2", "LATIN3", "LATIN4", "LATIN5", "LATIN6", "LATIN7", "LATIN8", "LATIN9",
    "LATIN10", "WIN1256", "WIN1258", "WIN866", "WIN874", "KOI8R", "WIN1251", "WIN1252",
    "ISO_8859_5", "ISO_8859_6", "ISO_8859_7", "ISO_8859_8", "WIN1250", "WIN1253", "WIN1254",
    "WIN1255", "WIN1257", "KOI8U", "SJIS", "BIG5", "GBK", "UHC", "GB18030", "JOHAB",
    "SHIFT_JIS_2004")

# pg_char_to_encoding(): names PostgreSQL accepts, lower-cased without
# punctuation (as its clean_encoding_name() compares them).
ENCODING_ALIASES: Dict[str, int] = {
    "abc": 19, "alt": 20, "big5": 36, "euccn": 2, "eucjis2004": 5, "eucjp": 1, "euckr": 3,
    "euctw": 4, "gb18030": 39, "gbk": 37, "iso88591": 8, "iso885910": 13, "iso885913": 14,
    "iso885914": 15, "iso885915": 16, "iso885916": 17, "iso88592": 9, "iso88593": 10,
    "iso88594": 11, "iso88595": 25, "iso88596": 26, "iso88597": 27, "iso88598": 28,
    "iso88599": 12, "johab": 40, "koi8": 22, "koi8r": 22, "koi8u": 34, "latin1": 8,
    "latin10": 17, "latin2": 9, "latin3": 10, "latin4": 11, "latin5": 12, "latin6": 13,
    "latin7": 14, "latin8": 15, "latin9": 16, "mskanji": 35, "muleinternal": 7, "shiftjis": 35,
    "shiftjis2004": 41, "sjis": 35, "sqlascii": 0, "tcvn": 19, "tcvn5712": 19, "uhc": 38,
    "unicode": 6, "utf8": 6, "vscii": 19, "win": 23, "win1250": 29, "win1251": 23,
    "win1252": 24, "win1253": 30, "win1254": 31, "win1255": 32, "win1256": 18, "win1257": 33,
    "win1258": 19, "win866": 20, "win874": 21, "win932": 35, "win936": 37, "win949": 38,
    "win950": 36, "windows1250": 29, "windows1251": 23, "windows1252": 24, "windows1253": 30,
    "windows1254": 31, "windows1255": 32, "windows1256": 18, "windows1257": 33,
    "windows1258": 19, "windows866": 20, "windows874": 21, "windows932": 35, "windows936": 37,
    "windows949": 38, "windows950": 36}

# has_*_privilege() and pg_has_role(): every check passes (riffq has no
# privilege system); NULL in, NULL out as in PostgreSQL (strict functions).
PRIVILEGE_FUNCTIONS: Tuple[str, ...] = (
    "has_any_column_privilege", "has_column_privilege", "has_database_privilege",
    "has_foreign_data_wrapper_privilege", "has_function_privilege", "has_language_privilege",
    "has_parameter_privilege", "has_schema_privilege", "has_sequence_privilege",
    "has_server_privilege", "has_table_privilege", "has_tablespace_privilege",
    "has_type_privilege", "pg_has_role")

# pg_*_is_visible(): name -> (catalog, name column, namespace column, other
# columns an object must share to hide another: the signature).
VISIBILITY: Dict[str, Tuple[str, str, str, Tuple[str, ...]]] = {
    "pg_type_is_visible": ("pg_type", "typname", "typnamespace", ()),
    "pg_table_is_visible": ("pg_class", "relname", "relnamespace", ()),
    "pg_function_is_visible": ("pg_proc", "proname", "pronamespace", ("proargtypes",)),
    "pg_operator_is_visible": ("pg_operator", "oprname", "oprnamespace", ("oprleft", "oprright")),
    "pg_opclass_is_visible": ("pg_opclass", "opcname", "opcnamespace", ("opcmethod",)),
    "pg_opfamily_is_visible": ("pg_opfamily", "opfname", "opfnamespace", ("opfmethod",)),
    "pg_collation_is_visible": ("pg_collation", "collname", "collnamespace", ()),
    "pg_conversion_is_visible": ("pg_conversion", "conname", "connamespace", ()),
    "pg_statistics_obj_is_visible": ("pg_statistic_ext", "stxname", "stxnamespace", ()),
    "pg_ts_config_is_visible": ("pg_ts_config", "cfgname", "cfgnamespace", ()),
    "pg_ts_dict_is_visible": ("pg_ts_dict", "dictname", "dictnamespace", ()),
    "pg_ts_parser_is_visible": ("pg_ts_parser", "prsname", "prsnamespace", ()),
    "pg_ts_template_is_visible": ("pg_ts_template", "tmplname", "tmplnamespace", ()),
}

# pg_stat_get_*(): counters are 0, times NULL (nothing is ever scanned).
STAT_FUNCTIONS: Dict[str, str] = {
    **{name: "0::BIGINT" for name in (
        "numscans tuples_returned tuples_fetched tuples_inserted tuples_updated tuples_deleted "
        "tuples_hot_updated live_tuples dead_tuples mod_since_analyze ins_since_vacuum "
        "blocks_fetched blocks_hit vacuum_count autovacuum_count analyze_count "
        "autoanalyze_count db_xact_commit db_xact_rollback db_blocks_fetched db_blocks_hit "
        "db_tuples_returned db_tuples_fetched db_tuples_inserted db_tuples_updated "
        "db_tuples_deleted db_conflict_tablespace db_conflict_lock db_conflict_snapshot "
        "db_conflict_bufferpin db_conflict_startup_deadlock db_conflict_all db_deadlocks "
        "db_checksum_failures db_temp_files db_temp_bytes db_sessions db_sessions_abandoned "
        "db_sessions_fatal db_sessions_killed function_calls xact_numscans "
        "xact_tuples_returned xact_tuples_fetched xact_tuples_inserted xact_tuples_updated "
        "xact_tuples_deleted xact_tuples_hot_updated xact_blocks_fetched xact_blocks_hit "
        "xact_function_calls").split()},
    **{name: "0::DOUBLE" for name in (
        "db_blk_read_time db_blk_write_time db_session_time db_active_time "
        "db_idle_in_transaction_time function_total_time function_self_time "
        "xact_function_total_time xact_function_self_time").split()},
    **{name: "NULL::TIMESTAMPTZ" for name in (
        "last_vacuum_time last_autovacuum_time last_analyze_time last_autoanalyze_time "
        "db_checksum_last_failure db_stat_reset_time").split()},
    "db_numbackends": "1::INTEGER",
}
STAT_FUNCTIONS_NOARG: Dict[str, str] = {
    **{name: "0::BIGINT" for name in (
        "bgwriter_timed_checkpoints bgwriter_requested_checkpoints "
        "bgwriter_buf_written_checkpoints bgwriter_buf_written_clean "
        "bgwriter_maxwritten_clean buf_written_backend buf_fsync_backend buf_alloc").split()},
    "checkpoint_write_time": "0::DOUBLE", "checkpoint_sync_time": "0::DOUBLE",
    "bgwriter_stat_reset_time": "rq_fn.pg_postmaster_start_time()",
    "snapshot_timestamp": "now()",
}

FORMAT_MAX_ARGS = 8

# reg* types over catalogs named schema-qualified like collations:
# reg -> (catalog, name column, namespace column, what PostgreSQL's
# "does not exist" message calls it).
NAMED_REGTYPES: Dict[str, Tuple[str, str, str, str]] = {
    "regcollation": ("pg_collation", "collname", "collnamespace", "collation"),
    "regconfig": ("pg_ts_config", "cfgname", "cfgnamespace", "text search configuration"),
    "regdictionary": ("pg_ts_dict", "dictname", "dictnamespace", "text search dictionary"),
}


def split_error(message: str) -> Optional[Tuple[str, str]]:
    """``(sqlstate, message)`` of an error raised by an rq_fn macro, found in
    the text of the DuckDB exception; None for any other error."""
    m = _ERROR_RE.search(message)
    if m is None:
        return None
    return m.group(1), m.group(2).split("\n", 1)[0]


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _sql_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(_sql_str(i) for i in items) + "]"


def keyword_rows() -> List[Tuple[str, str, bool, str, str]]:
    """pg_get_keywords() rows (word, catcode, barelabel, catdesc, baredesc)."""
    rows = []
    for (cat, bare), words in KEYWORDS.items():
        for w in words.split():
            rows.append((w, cat, bare, KEYWORD_CATEGORY[cat],
                         "can be bare label" if bare else "requires AS"))
    return sorted(rows)


def _reserved_words() -> List[str]:
    """Keywords quote_ident() must quote (all but the unreserved ones)."""
    return sorted(w for (cat, _), words in KEYWORDS.items() if cat != "U" for w in words.split())


def _visibility_sql() -> str:
    """Views rq_fn._vis_<catalog> and the pg_*_is_visible() macros.

    Set-based (grouped per name, joined back) rather than a correlated NOT
    EXISTS per object or a window: DuckDB runs it much faster."""
    out = []
    for fn, (cat, name, nsp, extra) in VISIBILITY.items():
        extra_cols = "".join(f"o.{c}, " for c in extra)
        keys = ", ".join(("name",) + extra)
        out.append(
            f"CREATE VIEW rq_fn._vis_{cat} AS\n"
            f"    SELECT o.oid, o.nspname, o.name,\n"
            f"           o.pos IS NOT NULL AND o.pos = s.minpos AS visible,\n"
            f"           o.pos IS NOT NULL AND u.cnt = 1 AS name_unique\n"
            f"    FROM (SELECT o.oid, o.{name} AS name, {extra_cols}"
            f"n.nspname, rq_fn._nsp_pos(n.nspname) AS pos\n"
            f"          FROM rq_pg.{cat} o JOIN rq_pg.pg_namespace n ON n.oid = o.{nsp}) o\n"
            f"    JOIN (SELECT {', '.join('o.' + c for c in ('name',) + extra)},"
            f" min(rq_fn._nsp_pos(n.nspname)) AS minpos\n"
            f"          FROM (SELECT o.{name} AS name, {extra_cols}o.{nsp}"
            f" FROM rq_pg.{cat} o) o\n"
            f"          JOIN rq_pg.pg_namespace n ON n.oid = o.{nsp} GROUP BY ALL) s"
            f" USING ({keys})\n"
            f"    JOIN (SELECT o.{name} AS name, count(rq_fn._nsp_pos(n.nspname)) AS cnt\n"
            f"          FROM rq_pg.{cat} o JOIN rq_pg.pg_namespace n ON n.oid = o.{nsp}"
            f" GROUP BY ALL) u USING (name);\n"
            f"CREATE MACRO rq_fn.{fn}(objoid) AS (\n"
            f"    SELECT v.visible FROM rq_fn._vis_{cat} v WHERE v.oid = objoid);")
    return "\n".join(out)


def _generated_sql() -> List[str]:
    """Macros of the trivial families (privileges, statistics, format)."""
    out = []
    for fn in PRIVILEGE_FUNCTIONS:
        arities = (3, 4) if fn == "has_column_privilege" else (2, 3)
        bodies = []
        for n in arities:
            args = [f"a{i}" for i in range(1, n + 1)]
            nulls = " OR ".join(f"{a} IS NULL" for a in args)
            bodies.append(f"({', '.join(args)}) AS CASE WHEN {nulls} THEN NULL ELSE true END")
        out.append(f"CREATE MACRO rq_fn.{fn}{', '.join(bodies)}")
    for name, value in STAT_FUNCTIONS.items():
        out.append(f"CREATE MACRO rq_fn.pg_stat_get_{name}(oid) AS {value}")
    for name, value in STAT_FUNCTIONS_NOARG.items():
        out.append(f"CREATE MACRO rq_fn.pg_stat_get_{name}() AS {value}")
    out.append("CREATE MACRO rq_fn.pg_stat_get_backend_idset() AS TABLE "
               "SELECT 1 AS pg_stat_get_backend_idset")
    out.append(_format_sql())
    out.extend(_named_reg_sql())
    return out


def _named_reg_sql() -> List[str]:
    """regcollation / regconfig / regdictionary: _in, _out and to_ forms."""
    out = []
    for reg, (cat, name, nsp, what) in NAMED_REGTYPES.items():
        out.append(
            f"CREATE MACRO rq_fn._{reg}_lookup(parts) AS (\n"
            f"    SELECT arg_min(o.oid, coalesce(rq_fn._nsp_pos(n.nspname), 0))\n"
            f"    FROM rq_pg.{cat} o JOIN rq_pg.pg_namespace n ON n.oid = o.{nsp}\n"
            f"    WHERE o.{name} = parts[-1] AND CASE len(parts) WHEN 1 THEN"
            f" rq_fn._nsp_pos(n.nspname) IS NOT NULL ELSE n.nspname = parts[-2] END)")
        out.append(
            f"CREATE MACRO rq_fn.{reg}_out(objoid) AS\n"
            f"    CASE WHEN objoid IS NULL THEN NULL WHEN objoid = 0 THEN '-'\n"
            f"         ELSE coalesce((SELECT rq_fn._qualify(v.nspname, v.name, v.visible)\n"
            f"                        FROM rq_fn._vis_{cat} v WHERE v.oid = objoid),"
            f" objoid::VARCHAR) END")
        out.append(
            f"CREATE MACRO rq_fn.{reg}_in(s) AS (\n"
            f"    SELECT CASE WHEN x.s IS NULL THEN NULL WHEN x.s = '-' THEN 0::BIGINT\n"
            f"                WHEN regexp_full_match(x.s, '[0-9]+') THEN x.s::BIGINT\n"
            f"                WHEN x.err IS NOT NULL THEN error(x.err)\n"
            f"                ELSE coalesce(rq_fn._{reg}_lookup(x.parts), error('RQERR:42704:{what}"
            f" \"' || rq_fn._name_text(x.parts) || '\" does not exist')) END\n"
            f"    FROM (SELECT y.*, rq_fn._name_error(y.s, y.parts, 'qualified') AS err\n"
            f"          FROM (SELECT s AS s, rq_fn._parse_name(s) AS parts) y) x)")
        out.append(
            f"CREATE MACRO rq_fn.to_{reg}(s) AS (\n"
            f"    SELECT CASE WHEN len(x.parts) <= 3 THEN rq_fn._{reg}_lookup(x.parts) END\n"
            f"    FROM (SELECT rq_fn._parse_name(s) AS parts) x)")
    return out


def _format_sql() -> str:
    """format(fmt, a1 .. aN): the text between %s / %I / %L specifiers
    interleaved with the formatted arguments."""
    overloads = ["(f) AS rq_fn._format_done(f)"]
    for n in range(1, FORMAT_MAX_ARGS + 1):
        args = [f"a{i}" for i in range(1, n + 1)]
        pieces = ["rq_fn._format_parts(f)[1]"]
        for i, a in enumerate(args, start=1):
            pieces.append(f"rq_fn._format_arg(rq_fn._format_specs(f)[{i}], {a})")
            pieces.append(f"coalesce(rq_fn._format_parts(f)[{i + 1}], '')")
        body = f"rq_fn._format_done({' || '.join(pieces)})"
        overloads.append(f"(f, {', '.join(args)}) AS CASE WHEN f IS NULL THEN NULL ELSE {body} END")
    return "CREATE MACRO rq_fn.format" + ", ".join(overloads)


def _defs_view_sql(con: Any) -> str:
    """rq_fn._defs(oid, kind, definition): precomputed definitions of this
    database's objects, from whichever of the engine's rq_base.rq_defs
    (kind 'index' / 'view' / 'constraint') and the built-in rq_objdef
    (classid 1259 / 2606) exist; kind here is 'rel' or 'con'."""
    have = {(r[0], r[1]) for r in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
        "SELECT schema_name, view_name FROM duckdb_views()").fetchall()}
    parts = []
    db_filter = "_db = 0 OR _db = getvariable('rq_db_oid')"
    if ("rq_base", "rq_defs") in have:
        parts.append("SELECT oid, CASE WHEN kind = 'constraint' THEN 'con' ELSE 'rel' END AS kind,"
                     f" definition FROM rq_base.rq_defs WHERE {db_filter}")
    for schema in ("rq_pg", "rq_base"):
        if (schema, "rq_objdef") in have:
            cols = [r[0] for r in con.execute(
                f"SELECT column_name FROM duckdb_columns() WHERE schema_name = '{schema}'"
                " AND table_name = 'rq_objdef'").fetchall()]
            where = f" WHERE {db_filter}" if "_db" in cols else ""
            parts.append("SELECT objid AS oid, CASE WHEN classid = 2606 THEN 'con' ELSE 'rel' END"
                         f" AS kind, definition FROM {schema}.rq_objdef{where}")
            break
    if not parts:
        parts.append("SELECT NULL::BIGINT AS oid, NULL::VARCHAR AS kind,"
                     " NULL::VARCHAR AS definition WHERE false")
    return "CREATE VIEW rq_fn._defs AS " + " UNION ALL ".join(parts)


def _statements(sql: str) -> List[str]:
    """The statements of functions.sql (each ends with ';' at a line end)."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";[ \t]*\n", body + "\n") if s.strip()]


_MACRO_HEAD = re.compile(r'CREATE MACRO rq_fn\.("?\w+"?)\s*', re.S)
_OVERLOAD = re.compile(r"\s*\(([^()]*)\)\s+AS\s+", re.S)
_STRING = re.compile(r"'(?:[^']|'')*'")


def _split_overloads(rest: str) -> List[Tuple[str, str]]:
    """'(a) AS body1, (a, b) AS body2' -> [('a', 'body1'), ('a, b', 'body2')]."""
    out: List[Tuple[str, str]] = []
    pos = 0
    while True:
        m = _OVERLOAD.match(rest, pos)
        if m is None:
            raise ValueError(f"cannot parse macro overload: {rest[pos:pos + 80]!r}")
        depth, i, quote = 0, m.end(), False
        while i < len(rest):
            ch = rest[i]
            if ch == "'":
                quote = not quote
            elif not quote and ch == "(":
                depth += 1
            elif not quote and ch == ")":
                depth -= 1
            elif not quote and depth == 0 and ch == "," and _OVERLOAD.match(rest, i + 1):
                break
            i += 1
        out.append((m.group(1), rest[m.end():i].strip()))
        if i >= len(rest):
            return out
        pos = i + 1


def _hygienic(name: str, params: str, body: str) -> str:
    """Body of a macro with subqueries, made safe from name capture.

    DuckDB expands macros textually: an argument such as ``t.oid`` or
    ``oid`` would bind to a table or column of the macro's own subqueries
    when their names collide. So the body reads its parameters from a
    one-row derived table with no FROM of its own (its expressions bind in
    the caller's scope) under an alias unique to the macro.
    """
    names = [p.strip() for p in params.split(",") if p.strip()]
    if not names or "SELECT" not in body.upper() or body.upper().startswith("TABLE"):
        return body
    alias = "arg_" + name.strip('"')
    # a parameter name, not a qualified column (x.s), an alias (AS s) or a call
    word = re.compile(r"(?<![.\w])(?<!AS )(" + "|".join(map(re.escape, names)) + r")(?![\w(])")
    pieces, last = [], 0
    for m in _STRING.finditer(body):
        pieces.append(word.sub(lambda w: f"{alias}.{w.group(1)}", body[last:m.start()]))
        pieces.append(m.group(0))
        last = m.end()
    pieces.append(word.sub(lambda w: f"{alias}.{w.group(1)}", body[last:]))
    cols = ", ".join(f"{n} AS {n}" for n in names)
    return f"(SELECT {''.join(pieces)} FROM (SELECT {cols}) {alias})"


def _make_hygienic(stmt: str) -> str:
    """Apply _hygienic() to every overload of a CREATE MACRO statement."""
    m = _MACRO_HEAD.match(stmt)
    if m is None:
        return stmt
    overloads = _split_overloads(stmt[m.end():])
    name = m.group(1)
    return f"CREATE MACRO rq_fn.{name}" + ", ".join(
        f"({params}) AS {_hygienic(name, params, body)}" for params, body in overloads)


def _paren_group_regex(depth: int = 6) -> str:
    """RE2 pattern of one '(...)' group with paired parentheses inside."""
    pattern = r"\([^()]*\)"
    for _ in range(depth - 1):
        pattern = r"\((?:[^()]|" + pattern + r")*\)"
    return pattern


def _filled_sql() -> str:
    enc_aliases = "{" + ", ".join(f"{_sql_str(k)}: {v}" for k, v in ENCODING_ALIASES.items()) + "}"
    start = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f+00")
    tokens = {"@START_TIME@": start, "@MAX_ENCODING@": str(len(ENCODINGS) - 1),
              "@ENCODINGS@": _sql_list(ENCODINGS), "@ENCODING_ALIASES@": enc_aliases,
              "@RESERVED@": " " + " ".join(_reserved_words()) + " ",
              "@VISIBILITY_MACROS@": _visibility_sql(), "@PAREN_GROUP@": _paren_group_regex()}
    sql = SQL_FILE.read_text(encoding="utf-8")
    for token, value in tokens.items():
        sql = sql.replace(token, value)
    return sql


def install_functions(con: Any) -> None:
    """Create schema rq_fn and every macro of this module in DuckDB ``con``
    (rq_pg must already hold the catalog relations), and the Python
    functions some of them call (pyfuncs.py)."""
    from .pyfuncs import install_python_functions

    install_python_functions(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS rq_fn")
    # one statement: executemany() would cost ~0.25 s for the ~470 rows
    values = ", ".join(f"({_sql_str(w)}, {_sql_str(c)}, {str(b).lower()}, {_sql_str(cd)},"
                       f" {_sql_str(bd)})" for w, c, b, cd, bd in keyword_rows())
    con.execute("CREATE OR REPLACE TABLE rq_fn._keywords AS SELECT * FROM (VALUES "
                f"{values}) v(word, catcode, barelabel, catdesc, baredesc)")
    con.execute(slow_names(_defs_view_sql(con)))
    for stmt in _statements(_filled_sql()) + _generated_sql():
        # the hot text builders become table lookups (derived.py); their
        # definitions, and every call made here, use the slow originals
        stmt = slow_names(_make_hygienic(stmt))
        try:
            con.execute(stmt)
        except Exception:
            logger.error("rq_fn: failed to create: %s", stmt[:200])
            raise
    install_macros(con)


def _macro_names() -> frozenset:
    names = set(re.findall(r"CREATE MACRO rq_fn\.\"?([a-z_0-9]+)\"?\(",
                           SQL_FILE.read_text(encoding="utf-8")))
    names.update(PRIVILEGE_FUNCTIONS, VISIBILITY, ("format",))
    for reg in NAMED_REGTYPES:
        names.update((f"{reg}_in", f"{reg}_out", f"to_{reg}"))
    names.update(f"pg_stat_get_{n}" for n in (*STAT_FUNCTIONS, *STAT_FUNCTIONS_NOARG,
                                              "backend_idset"))
    return frozenset(n for n in names if not n.startswith("_"))


# Every PostgreSQL function rq_fn emulates (public names; helpers start
# with '_'). The regX_in / regX_out forms are for the rewriter's casts.
FUNCTION_NAMES: frozenset = _macro_names()
