-- PostgreSQL 15 functions as DuckDB macros in schema rq_fn (see functions.py).
--
-- Conventions (docs/catalog_design.md): oids and reg* values are BIGINT;
-- session state comes from DuckDB variables (rq_search_path, rq_guc_*,
-- rq_user, rq_db_name, ...); expression columns (pg_attrdef.adbin,
-- pg_constraint.conbin, pg_index.indpred, pg_rewrite.ev_action) hold the
-- deparsed text; pg_index.indexprs and pg_proc.proargdefaults hold a JSON
-- array of deparsed expression texts; pg_proc.prosqlbody the body's text.
-- (functions.py's docstring lists the approximations.)
-- Errors: error('RQERR:<sqlstate>:<message>') (functions.split_error()).
-- Statements end with ';' at the end of a line (functions.py splits there).
-- @NAME@ tokens are filled in by functions.py.

-- ---- session -------------------------------------------------------------

-- Effective schema list: pg_catalog first unless listed (design contract).
CREATE MACRO rq_fn._path() AS
    coalesce(getvariable('rq_search_path'), ['pg_catalog', 'public']::VARCHAR[]);

-- Position of a schema in the effective path (NULL: not in the path).
CREATE MACRO rq_fn._nsp_pos(nsp) AS list_position(rq_fn._path(), nsp);

-- A setting as SHOW prints it (schema.settings_variables: aligned lists).
CREATE MACRO rq_fn._guc(name) AS
    getvariable('rq_guc_values')[list_position(getvariable('rq_guc_names'), lower(name))];

-- The path as the user wrote it: pg_catalog only when search_path lists it.
CREATE MACRO rq_fn._explicit_path() AS
    CASE WHEN rq_fn._path()[1] = 'pg_catalog' AND NOT coalesce(regexp_matches(
            rq_fn._guc('search_path'), '(^|,)\s*"?pg_catalog"?\s*(,|$)'), false)
         THEN rq_fn._path()[2:] ELSE rq_fn._path() END;

CREATE MACRO rq_fn.current_database() AS coalesce(getvariable('rq_db_name'), 'postgres');
CREATE MACRO rq_fn.current_catalog() AS rq_fn.current_database();
CREATE MACRO rq_fn.current_user() AS coalesce(getvariable('rq_user'), 'postgres');
CREATE MACRO rq_fn.current_role() AS rq_fn.current_user();
CREATE MACRO rq_fn.session_user() AS rq_fn.current_user();
CREATE MACRO rq_fn."user"() AS rq_fn.current_user();
CREATE MACRO rq_fn.current_schema() AS rq_fn._explicit_path()[1];
CREATE MACRO rq_fn.current_schemas(implicit) AS
    CASE WHEN implicit IS NULL THEN NULL
         WHEN implicit THEN rq_fn._path() ELSE rq_fn._explicit_path() END;

CREATE MACRO rq_fn.current_setting(name) AS
    CASE WHEN name IS NULL THEN NULL
         ELSE coalesce(rq_fn._guc(name), error('RQERR:42704:unrecognized configuration parameter "'
                                                || name || '"')) END,
    (name, missing_ok) AS
    CASE WHEN name IS NULL THEN NULL
         ELSE coalesce(rq_fn._guc(name), CASE WHEN NOT coalesce(missing_ok, false) THEN error(
             'RQERR:42704:unrecognized configuration parameter "' || name || '"') END) END;

CREATE MACRO rq_fn.version() AS coalesce(getvariable('rq_version'),
    'PostgreSQL ' || coalesce(rq_fn._guc('server_version'), '15.0')
    || ' on x86_64-pc-linux-gnu, compiled by gcc, 64-bit');
CREATE MACRO rq_fn.pg_backend_pid() AS coalesce(getvariable('rq_pid'), 0)::INTEGER;
CREATE MACRO rq_fn.pg_postmaster_start_time() AS
    coalesce(getvariable('rq_start_time'), TIMESTAMPTZ '@START_TIME@');
CREATE MACRO rq_fn.pg_conf_load_time() AS rq_fn.pg_postmaster_start_time();
CREATE MACRO rq_fn.pg_is_in_recovery() AS false;
CREATE MACRO rq_fn.pg_is_wal_replay_paused() AS false;
CREATE MACRO rq_fn.pg_jit_available() AS false;
CREATE MACRO rq_fn.pg_trigger_depth() AS 0;
CREATE MACRO rq_fn.pg_my_temp_schema() AS 0::BIGINT;
CREATE MACRO rq_fn.pg_is_other_temp_schema(nsp) AS false;
CREATE MACRO rq_fn.row_security_active(rel) AS false;
CREATE MACRO rq_fn.inet_client_addr() AS getvariable('rq_client_addr')::VARCHAR;
CREATE MACRO rq_fn.inet_client_port() AS getvariable('rq_client_port')::INTEGER;
CREATE MACRO rq_fn.inet_server_addr() AS getvariable('rq_server_addr')::VARCHAR;
CREATE MACRO rq_fn.inet_server_port() AS getvariable('rq_server_port')::INTEGER;
-- DuckDB's own transaction id: increases like PostgreSQL's.
CREATE MACRO rq_fn.txid_current() AS txid_current()::BIGINT;
CREATE MACRO rq_fn.pg_current_xact_id() AS txid_current()::BIGINT;
CREATE MACRO rq_fn.txid_current_if_assigned() AS txid_current()::BIGINT;
CREATE MACRO rq_fn.pg_current_wal_lsn() AS '0/1000000';
CREATE MACRO rq_fn.pg_last_wal_receive_lsn() AS NULL::VARCHAR;
CREATE MACRO rq_fn.pg_last_wal_replay_lsn() AS NULL::VARCHAR;
CREATE MACRO rq_fn.pg_client_encoding() AS coalesce(rq_fn._guc('client_encoding'), 'UTF8');

CREATE MACRO rq_fn.pg_encoding_to_char(enc) AS
    CASE WHEN enc IS NULL THEN NULL WHEN enc BETWEEN 0 AND @MAX_ENCODING@
         THEN @ENCODINGS@[enc + 1] ELSE '' END;
CREATE MACRO rq_fn.pg_char_to_encoding(name) AS
    CASE WHEN name IS NULL THEN NULL ELSE coalesce(
        MAP @ENCODING_ALIASES@[regexp_replace(lower(name), '[^a-z0-9]', '', 'g')], -1) END;

-- ---- identifiers -------------------------------------------------------------

-- parse_ident('a."B".c') -> ['a', 'B', 'c']: unquoted parts lower-cased, quoted
-- ones unescaped (approximation: a dot inside a quoted part splits it).
CREATE MACRO rq_fn.parse_ident(s, strict := true) AS
    list_transform(string_split(s, '.'), p -> CASE
        WHEN trim(p) LIKE '"%"' THEN replace(trim(p)[2:-2], '""', '"')
        ELSE lower(trim(p)) END);

-- PostgreSQL's quote_ident(): quotes unless all [a-z0-9_] (not starting with
-- a digit) and not a keyword other than an unreserved one.
-- quote_ident and the expression text helpers (_expr_text, _pretty_expr)
-- are Python functions (pyfuncs.py): as macros, their bodies cost ~1.2-1.4 ms
-- of planning at every call site.
CREATE MACRO rq_fn.quote_ident(s) AS rq_py_quote_ident(s::VARCHAR);

CREATE MACRO rq_fn._qualify(nsp, name, visible) AS
    CASE WHEN visible THEN '' ELSE rq_fn.quote_ident(nsp) || '.' END || rq_fn.quote_ident(name);

-- 'a.B."C d"' -> ['a', 'b', 'C d'] (PostgreSQL's name parsing); NULL when
-- the syntax is invalid. (Lambda parameters are named rq_l* so that they
-- cannot collide with table aliases of the query a macro expands into.)
CREATE MACRO rq_fn._parse_name(s) AS
    CASE WHEN regexp_full_match(s,
             '\s*("([^"]|"")+"|[^."\s]+)\s*(\.\s*("([^"]|"")+"|[^."\s]+)\s*)*')
         THEN list_transform(regexp_extract_all(s, '"(?:[^"]|"")+"|[^."\s]+'),
                             rq_lp -> CASE WHEN rq_lp[1] = '"' THEN replace(rq_lp[2:-2], '""', '"')
                                           ELSE lower(rq_lp) END) END;

-- Name of a (possibly qualified) object as PostgreSQL's messages print it.
CREATE MACRO rq_fn._name_text(parts) AS array_to_string(parts, '.');

CREATE MACRO rq_fn.quote_literal(v) AS
    CASE WHEN v IS NULL THEN NULL
         WHEN contains(v::VARCHAR, '\')
         THEN 'E''' || replace(replace(v::VARCHAR, '\', '\\'), '''', '''''') || ''''
         ELSE '''' || replace(v::VARCHAR, '''', '''''') || '''' END;
CREATE MACRO rq_fn.quote_nullable(v) AS coalesce(rq_fn.quote_literal(v), 'NULL');

-- A value as PostgreSQL's text output writes it (booleans are t/f).
CREATE MACRO rq_fn._pgtext(v) AS
    CASE WHEN typeof(v) = 'BOOLEAN' THEN CASE WHEN v::VARCHAR = 'true' THEN 't' ELSE 'f' END
         ELSE v::VARCHAR END;

-- ---- types ---------------------------------------------------------------------

CREATE MACRO rq_fn._interval_fields(f) AS
    CASE f WHEN 4 THEN ' year' WHEN 2 THEN ' month' WHEN 8 THEN ' day' WHEN 1024 THEN ' hour'
           WHEN 2048 THEN ' minute' WHEN 4096 THEN ' second' WHEN 6 THEN ' year to month'
           WHEN 1032 THEN ' day to hour' WHEN 3080 THEN ' day to minute'
           WHEN 7176 THEN ' day to second' WHEN 3072 THEN ' hour to minute'
           WHEN 7168 THEN ' hour to second' WHEN 6144 THEN ' minute to second' ELSE '' END;

-- The SQL-standard spelling of the built-in types format_type() special-cases;
-- NULL for every other type (and for bit/bpchar with typmod -1, which
-- PostgreSQL prints as the quoted type name). tmod NULL = no typmod given.
CREATE MACRO rq_fn._std_type_name(toid, tmod) AS
    CASE toid
        WHEN 16 THEN 'boolean' WHEN 700 THEN 'real' WHEN 701 THEN 'double precision'
        WHEN 21 THEN 'smallint' WHEN 23 THEN 'integer' WHEN 20 THEN 'bigint'
        WHEN 1560 THEN CASE WHEN tmod IS NULL THEN 'bit'
                            WHEN tmod >= 0 THEN 'bit(' || tmod::VARCHAR || ')' END
        WHEN 1042 THEN CASE WHEN tmod IS NULL THEN 'character'
                            WHEN tmod > 4 THEN 'character(' || (tmod - 4)::VARCHAR || ')'
                            WHEN tmod >= 0 THEN 'character' END
        WHEN 1043 THEN 'character varying'
                       || CASE WHEN tmod > 4 THEN '(' || (tmod - 4)::VARCHAR || ')' ELSE '' END
        WHEN 1562 THEN 'bit varying'
                       || CASE WHEN tmod >= 0 THEN '(' || tmod::VARCHAR || ')' ELSE '' END
        WHEN 1700 THEN 'numeric' || CASE WHEN tmod >= 4 THEN
                           '(' || (((tmod - 4) >> 16) & 65535)::VARCHAR || ','
                           || (xor((tmod - 4) & 2047, 1024) - 1024)::VARCHAR || ')' ELSE '' END
        WHEN 1083 THEN 'time' || CASE WHEN tmod >= 0 THEN '(' || tmod::VARCHAR || ')' ELSE '' END
                       || ' without time zone'
        WHEN 1266 THEN 'time' || CASE WHEN tmod >= 0 THEN '(' || tmod::VARCHAR || ')' ELSE '' END
                       || ' with time zone'
        WHEN 1114 THEN 'timestamp' || CASE WHEN tmod >= 0 THEN '(' || tmod::VARCHAR || ')' ELSE '' END
                       || ' without time zone'
        WHEN 1184 THEN 'timestamp' || CASE WHEN tmod >= 0 THEN '(' || tmod::VARCHAR || ')' ELSE '' END
                       || ' with time zone'
        WHEN 1186 THEN 'interval' || CASE WHEN tmod >= 0 THEN
                           rq_fn._interval_fields((tmod >> 16) & 32767)
                           || CASE WHEN tmod & 65535 <> 65535
                                   THEN '(' || (tmod & 65535)::VARCHAR || ')' ELSE '' END
                           ELSE '' END
    END;

-- pg_type rows with the element type format_type() deconstructs arrays into
-- ("true" arrays: varlena, not plain storage, array_subscript_handler).
CREATE MACRO rq_fn._type_base(t) AS
    CASE WHEN t.typelem <> 0 AND t.typlen = -1 AND t.typstorage <> 'p' AND t.typsubscript = 6179
         THEN t.typelem ELSE t.oid END;

-- Visibility views rq_fn._vis_<catalog>(oid, nspname, name, visible,
-- name_unique) and the pg_*_is_visible() macros (generated by functions.py):
-- visible = in the path and no earlier schema in the path has an object of
-- the same name (and signature); name_unique = the bare name finds only it.
@VISIBILITY_MACROS@

-- Per type: the base type format_type() names (element of a true array)
-- and that base's name as written when no special spelling applies.
CREATE VIEW rq_fn._type_names AS
    SELECT t.oid, b.oid AS base, b.oid <> t.oid AS is_array,
           rq_fn._qualify(v.nspname, b.typname, v.visible) AS generic
    FROM rq_pg.pg_type t
    JOIN rq_pg.pg_type b ON b.oid = rq_fn._type_base(t)
    JOIN rq_fn._vis_pg_type v ON v.oid = b.oid;

-- format_type() core; tmod NULL means "no typmod given" (format_type(x, NULL)).
CREATE MACRO rq_fn._format_type(toid, tmod) AS
    CASE WHEN toid IS NULL THEN NULL
         WHEN toid = 0 THEN '-'
         ELSE coalesce((
             SELECT coalesce(rq_fn._std_type_name(n.base, tmod),
                             n.generic || CASE WHEN tmod >= 0 THEN '(' || tmod::VARCHAR || ')'
                                               ELSE '' END)
                    || CASE WHEN n.is_array THEN '[]' ELSE '' END
             FROM rq_fn._type_names n WHERE n.oid = toid), '???') END;

CREATE MACRO rq_fn.format_type(toid, tmod) AS rq_fn._format_type(toid, tmod);

-- regtype output: format_type(oid, NULL), the number when the type is unknown.
CREATE MACRO rq_fn.regtype_out(toid) AS
    CASE WHEN toid IS NULL THEN NULL WHEN toid = 0 THEN '-'
         ELSE coalesce((SELECT CASE WHEN n.oid IS NOT NULL THEN rq_fn._format_type(n.oid, NULL) END
                        FROM rq_fn._type_names n WHERE n.oid = toid), toid::VARCHAR) END;

-- Type names as written in SQL: SQL-standard spellings, typmods and array
-- bounds removed; ['pg_catalog', typname] for the standard ones, else the
-- parsed (possibly qualified) name. NULL when it does not parse.
CREATE MACRO rq_fn._type_words(s) AS
    regexp_replace(trim(regexp_replace(regexp_replace(lower(s), '\([^)]*\)', ' ', 'g'),
                                       '\s+', ' ', 'g')), '\s*(\[[0-9]*\]\s*)+$', '');

-- Name parts of the SQL-standard type spellings (their base words).
CREATE MACRO rq_fn._std_type_parts(w) AS coalesce(MAP {
        'int': ['pg_catalog', 'int4'], 'integer': ['pg_catalog', 'int4'],
        'smallint': ['pg_catalog', 'int2'], 'bigint': ['pg_catalog', 'int8'],
        'real': ['pg_catalog', 'float4'], 'float': ['pg_catalog', 'float8'],
        'double precision': ['pg_catalog', 'float8'], 'decimal': ['pg_catalog', 'numeric'],
        'dec': ['pg_catalog', 'numeric'], 'numeric': ['pg_catalog', 'numeric'],
        'boolean': ['pg_catalog', 'bool'], 'character varying': ['pg_catalog', 'varchar'],
        'char varying': ['pg_catalog', 'varchar'], 'varchar': ['pg_catalog', 'varchar'],
        'national character varying': ['pg_catalog', 'varchar'],
        'national char varying': ['pg_catalog', 'varchar'],
        'nchar varying': ['pg_catalog', 'varchar'], 'character': ['pg_catalog', 'bpchar'],
        'char': ['pg_catalog', 'bpchar'], 'national character': ['pg_catalog', 'bpchar'],
        'national char': ['pg_catalog', 'bpchar'], 'nchar': ['pg_catalog', 'bpchar'],
        'bit varying': ['pg_catalog', 'varbit'], 'bit': ['pg_catalog', 'bit'],
        'time': ['pg_catalog', 'time'], 'time without time zone': ['pg_catalog', 'time'],
        'time with time zone': ['pg_catalog', 'timetz'],
        'timestamp': ['pg_catalog', 'timestamp'],
        'timestamp without time zone': ['pg_catalog', 'timestamp'],
        'timestamp with time zone': ['pg_catalog', 'timestamptz']}[w],
    CASE WHEN regexp_full_match(w,
              'interval( (year|month|day|hour|minute|second)( to (month|hour|minute|second))?)?')
         THEN ['pg_catalog', 'interval'] END);

-- Parts of a type name as written in SQL (float(p): float4 up to 24 bits).
-- The (SELECT ... FROM (SELECT ...) x) form evaluates each piece once:
-- macros expand textually, and repeating an argument multiplies the
-- planning work.
CREATE MACRO rq_fn._type_parts(s) AS (
    SELECT CASE WHEN x.fl IS NOT NULL THEN ['pg_catalog', CASE WHEN x.fl <= 24 THEN 'float4'
                                                              ELSE 'float8' END]
                WHEN contains(x.s, '"') THEN rq_fn._parse_name(regexp_replace(
                     regexp_replace(x.s, '\([^)"]*\)', '', 'g'), '\s*(\[[0-9]*\]\s*)+$', ''))
                ELSE coalesce(rq_fn._std_type_parts(x.w), rq_fn._parse_name(x.w)) END
    FROM (SELECT s AS s, rq_fn._type_words(s) AS w,
                 TRY_CAST(regexp_extract(lower(s),
                     '^\s*float\s*\(\s*([0-9]+)\s*\)\s*(\[[0-9]*\]\s*)*$', 1) AS INTEGER) AS fl) x);

CREATE MACRO rq_fn._type_is_array(s) AS regexp_matches(s, '\]\s*$');

-- The type's oid by name (search path when unqualified); NULL when missing.
CREATE MACRO rq_fn._type_lookup(parts) AS (
    SELECT arg_min(t.oid, coalesce(rq_fn._nsp_pos(n.nspname), 0))
    FROM rq_pg.pg_type t JOIN rq_pg.pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typname = parts[-1]
      AND CASE len(parts) WHEN 1 THEN rq_fn._nsp_pos(n.nspname) IS NOT NULL
                          ELSE n.nspname = parts[-2] END);

CREATE MACRO rq_fn._regtype_find(parts, arr) AS (
    SELECT CASE WHEN arr THEN nullif(t.typarray, 0) ELSE t.oid END
    FROM rq_pg.pg_type t WHERE t.oid = rq_fn._type_lookup(parts));

CREATE MACRO rq_fn._schema_missing(parts) AS
    len(parts) >= 2 AND NOT EXISTS (SELECT 1 FROM rq_pg.pg_namespace n WHERE n.nspname = parts[-2]);

-- Why a type name cannot be looked up (NULL: it can).
CREATE MACRO rq_fn._type_name_error(s, parts) AS
    CASE WHEN parts IS NULL THEN 'RQERR:42601:syntax error at or near "' || s || '"'
         WHEN len(parts) > 3
         THEN 'RQERR:42601:improper qualified name (too many dotted names): '
              || rq_fn._name_text(parts) END;

CREATE MACRO rq_fn.regtype_in(s) AS (
    SELECT CASE WHEN x.s IS NULL THEN NULL
                WHEN trim(x.s) = '-' THEN 0::BIGINT
                WHEN regexp_full_match(x.s, '\s*[0-9]+\s*') THEN trim(x.s)::BIGINT
                WHEN rq_fn._type_name_error(x.s, x.parts) IS NOT NULL
                     THEN error(rq_fn._type_name_error(x.s, x.parts))
                WHEN rq_fn._schema_missing(x.parts)
                     THEN error('RQERR:3F000:schema "' || x.parts[-2] || '" does not exist')
                ELSE coalesce(rq_fn._regtype_find(x.parts, x.arr), error('RQERR:42704:type "'
                     || rq_fn._name_text(x.parts) || CASE WHEN x.arr THEN '[]' ELSE '' END
                     || '" does not exist')) END
    FROM (SELECT s AS s, rq_fn._type_parts(s) AS parts, rq_fn._type_is_array(s) AS arr) x);

CREATE MACRO rq_fn.to_regtype(s) AS (
    SELECT CASE WHEN x.s IS NULL THEN NULL
                WHEN rq_fn._type_name_error(x.s, x.parts) IS NOT NULL
                     THEN error(rq_fn._type_name_error(x.s, x.parts))
                ELSE rq_fn._regtype_find(x.parts, x.arr) END
    FROM (SELECT s AS s, rq_fn._type_parts(s) AS parts, rq_fn._type_is_array(s) AS arr) x);

CREATE MACRO rq_fn._duck_type_oid(ty) AS
    CASE WHEN ty = 'BOOLEAN' THEN 16 WHEN ty = 'SMALLINT' THEN 21 WHEN ty = 'INTEGER' THEN 23
         WHEN ty = 'BIGINT' THEN 20 WHEN ty IN ('HUGEINT', 'UBIGINT', 'UHUGEINT') THEN 1700
         WHEN ty IN ('TINYINT', 'UTINYINT', 'USMALLINT') THEN 21 WHEN ty = 'UINTEGER' THEN 20
         WHEN ty = 'FLOAT' THEN 700 WHEN ty = 'DOUBLE' THEN 701 WHEN ty LIKE 'DECIMAL%' THEN 1700
         WHEN ty = 'VARCHAR' THEN 25 WHEN ty = 'BLOB' THEN 17 WHEN ty = 'DATE' THEN 1082
         WHEN ty = 'TIME' THEN 1083 WHEN ty = 'TIME WITH TIME ZONE' THEN 1266
         WHEN ty LIKE 'TIMESTAMP WITH TIME ZONE' THEN 1184 WHEN ty LIKE 'TIMESTAMP%' THEN 1114
         WHEN ty = 'INTERVAL' THEN 1186 WHEN ty = 'UUID' THEN 2950 WHEN ty = 'JSON' THEN 114
         WHEN ty = 'BIT' THEN 1562 WHEN ty = '"NULL"' THEN 705 WHEN ty LIKE 'STRUCT%' THEN 2249
         ELSE 25 END;

-- pg_typeof(): PostgreSQL type of a DuckDB value (approximation by DuckDB type).
CREATE MACRO rq_fn.pg_typeof(v) AS
    CASE WHEN typeof(v) LIKE '%[]' THEN coalesce((SELECT t.typarray FROM rq_pg.pg_type t
             WHERE t.oid = rq_fn._duck_type_oid(regexp_replace(typeof(v), '\[\]$', ''))), 2277)
         ELSE rq_fn._duck_type_oid(typeof(v)) END::BIGINT;
-- ---- relations -----------------------------------------------------------------

-- A relation's name, schema-qualified when not visible (regclass output).
CREATE MACRO rq_fn._relname(reloid) AS (
    SELECT rq_fn._qualify(v.nspname, v.name, v.visible) FROM rq_fn._vis_pg_class v
    WHERE v.oid = reloid);

-- Always schema-qualified (pg_get_indexdef's table, ...).
CREATE MACRO rq_fn._relname_qualified(reloid) AS (
    SELECT rq_fn.quote_ident(v.nspname) || '.' || rq_fn.quote_ident(v.name)
    FROM rq_fn._vis_pg_class v WHERE v.oid = reloid);

CREATE MACRO rq_fn.regclass_out(reloid) AS
    CASE WHEN reloid IS NULL THEN NULL WHEN reloid = 0 THEN '-'
         ELSE coalesce(rq_fn._relname(reloid), reloid::VARCHAR) END;

CREATE MACRO rq_fn._rel_lookup(parts) AS (
    SELECT arg_min(c.oid, coalesce(rq_fn._nsp_pos(n.nspname), 0))
    FROM rq_pg.pg_class c JOIN rq_pg.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = parts[-1]
      AND CASE len(parts) WHEN 1 THEN rq_fn._nsp_pos(n.nspname) IS NOT NULL
                          ELSE n.nspname = parts[-2] END);

-- Errors of name lookups shared by the reg*_in functions (NULL: no error).
CREATE MACRO rq_fn._name_error(s, parts, kind) AS
    CASE WHEN parts IS NULL THEN 'RQERR:42602:invalid name syntax'
         WHEN len(parts) > 3 THEN 'RQERR:42601:improper ' || kind
                                   || ' name (too many dotted names): ' || s
         WHEN len(parts) = 3 AND parts[1] <> rq_fn.current_database()
              THEN 'RQERR:0A000:cross-database references are not implemented: "'
                   || rq_fn._name_text(parts) || '"'
         WHEN rq_fn._schema_missing(parts)
              THEN 'RQERR:3F000:schema "' || parts[-2] || '" does not exist' END;

CREATE MACRO rq_fn.regclass_in(s) AS (
    SELECT CASE WHEN x.s IS NULL THEN NULL
                WHEN x.s = '-' THEN 0::BIGINT
                WHEN regexp_full_match(x.s, '[0-9]+') THEN x.s::BIGINT
                WHEN x.err IS NOT NULL THEN error(x.err)
                ELSE coalesce(rq_fn._rel_lookup(x.parts), error('RQERR:42P01:relation "'
                     || rq_fn._name_text(x.parts[-2:]) || '" does not exist')) END
    FROM (SELECT y.*, rq_fn._name_error(y.s, y.parts, 'relation') AS err
          FROM (SELECT s AS s, rq_fn._parse_name(s) AS parts) y) x);

-- Like regclass_in, but NULL (not an error) when the relation or its schema
-- does not exist; syntax errors still raise.
CREATE MACRO rq_fn.to_regclass(s) AS (
    SELECT CASE WHEN x.s IS NULL OR x.err LIKE 'RQERR:3F000:%' THEN NULL
                WHEN x.err IS NOT NULL THEN error(x.err)
                ELSE rq_fn._rel_lookup(x.parts) END
    FROM (SELECT y.*, rq_fn._name_error(y.s, y.parts, 'relation') AS err
          FROM (SELECT s AS s, rq_fn._parse_name(s) AS parts) y) x);

-- ---- schemas and roles ---------------------------------------------------------

CREATE MACRO rq_fn.regnamespace_out(nspoid) AS
    CASE WHEN nspoid IS NULL THEN NULL WHEN nspoid = 0 THEN '-'
         ELSE coalesce((SELECT rq_fn.quote_ident(n.nspname) FROM rq_pg.pg_namespace n
                        WHERE n.oid = nspoid), nspoid::VARCHAR) END;

CREATE MACRO rq_fn._nsp_lookup(parts) AS (
    SELECT min(n.oid) FROM rq_pg.pg_namespace n WHERE n.nspname = parts[1]);

CREATE MACRO rq_fn.regnamespace_in(s) AS
    CASE WHEN s IS NULL THEN NULL WHEN s = '-' THEN 0::BIGINT
         WHEN regexp_full_match(s, '[0-9]+') THEN s::BIGINT
         WHEN rq_fn._parse_name(s) IS NULL THEN error('RQERR:42602:invalid name syntax')
         WHEN len(rq_fn._parse_name(s)) <> 1 THEN error('RQERR:42602:invalid name syntax')
         ELSE coalesce(rq_fn._nsp_lookup(rq_fn._parse_name(s)),
                       error('RQERR:3F000:schema "' || rq_fn._parse_name(s)[1]
                             || '" does not exist')) END;

CREATE MACRO rq_fn.to_regnamespace(s) AS
    CASE WHEN s IS NULL THEN NULL
         WHEN rq_fn._parse_name(s) IS NULL OR len(rq_fn._parse_name(s)) <> 1
              THEN error('RQERR:42602:invalid name syntax')
         ELSE rq_fn._nsp_lookup(rq_fn._parse_name(s)) END;

CREATE MACRO rq_fn.pg_get_userbyid(roleoid) AS
    CASE WHEN roleoid IS NULL THEN NULL
         ELSE coalesce((SELECT a.rolname FROM rq_pg.pg_authid a WHERE a.oid = roleoid),
                       'unknown (OID=' || roleoid::VARCHAR || ')') END;

CREATE MACRO rq_fn.regrole_out(roleoid) AS
    CASE WHEN roleoid IS NULL THEN NULL WHEN roleoid = 0 THEN '-'
         ELSE coalesce((SELECT rq_fn.quote_ident(a.rolname) FROM rq_pg.pg_authid a
                        WHERE a.oid = roleoid), roleoid::VARCHAR) END;

CREATE MACRO rq_fn._role_lookup(parts) AS (
    SELECT min(a.oid) FROM rq_pg.pg_authid a WHERE a.rolname = parts[1]);

CREATE MACRO rq_fn.regrole_in(s) AS
    CASE WHEN s IS NULL THEN NULL WHEN s = '-' THEN 0::BIGINT
         WHEN regexp_full_match(s, '[0-9]+') THEN s::BIGINT
         WHEN rq_fn._parse_name(s) IS NULL OR len(rq_fn._parse_name(s)) <> 1
              THEN error('RQERR:42602:invalid name syntax')
         ELSE coalesce(rq_fn._role_lookup(rq_fn._parse_name(s)),
                       error('RQERR:42704:role "' || rq_fn._parse_name(s)[1]
                             || '" does not exist')) END;

CREATE MACRO rq_fn.to_regrole(s) AS
    CASE WHEN s IS NULL THEN NULL
         WHEN rq_fn._parse_name(s) IS NULL OR len(rq_fn._parse_name(s)) <> 1
              THEN error('RQERR:42602:invalid name syntax')
         ELSE rq_fn._role_lookup(rq_fn._parse_name(s)) END;

-- ---- functions -----------------------------------------------------------------

-- regproc output: the bare name when it alone finds exactly this function.
CREATE MACRO rq_fn.regproc_out(fnoid) AS
    CASE WHEN fnoid IS NULL THEN NULL WHEN fnoid = 0 THEN '-'
         ELSE coalesce((SELECT rq_fn._qualify(v.nspname, v.name, v.name_unique)
                        FROM rq_fn._vis_pg_proc v WHERE v.oid = fnoid), fnoid::VARCHAR) END;

-- Type names of an oid list, as format_type(oid, NULL) writes them.
CREATE MACRO rq_fn._type_list(oids) AS (
    SELECT coalesce(string_agg(rq_fn._format_type(u.t, NULL), ',' ORDER BY u.i), '')
    FROM (SELECT unnest(oids) AS t, generate_subscripts(oids, 1) AS i) u);

CREATE MACRO rq_fn.regprocedure_out(fnoid) AS
    CASE WHEN fnoid IS NULL THEN NULL WHEN fnoid = 0 THEN '-'
         ELSE coalesce((
             SELECT rq_fn._qualify(v.nspname, v.name, v.visible)
                    || '(' || rq_fn._type_list(p.proargtypes) || ')'
             FROM rq_pg.pg_proc p JOIN rq_fn._vis_pg_proc v ON v.oid = p.oid
             WHERE p.oid = fnoid), fnoid::VARCHAR) END;

CREATE MACRO rq_fn._proc_candidates(parts) AS (
    SELECT list(p.oid ORDER BY p.oid)
    FROM rq_pg.pg_proc p JOIN rq_pg.pg_namespace n ON n.oid = p.pronamespace
    WHERE p.proname = parts[-1]
      AND CASE len(parts) WHEN 1 THEN rq_fn._nsp_pos(n.nspname) IS NOT NULL
                          ELSE n.nspname = parts[-2] END);

CREATE MACRO rq_fn.regproc_in(s) AS (
    SELECT CASE WHEN x.s IS NULL THEN NULL WHEN x.s = '-' THEN 0::BIGINT
                WHEN regexp_full_match(x.s, '[0-9]+') THEN x.s::BIGINT
                WHEN x.err IS NOT NULL THEN error(x.err)
                WHEN len(coalesce(x.cands, [])) = 0
                     THEN error('RQERR:42883:function "' || x.s || '" does not exist')
                WHEN len(x.cands) > 1
                     THEN error('RQERR:42725:more than one function named "' || x.s || '"')
                ELSE x.cands[1] END
    FROM (SELECT y.*, rq_fn._name_error(y.s, y.parts, 'qualified') AS err,
                 rq_fn._proc_candidates(y.parts) AS cands
          FROM (SELECT s AS s, rq_fn._parse_name(s) AS parts) y) x);

CREATE MACRO rq_fn.to_regproc(s) AS (
    SELECT CASE WHEN len(x.parts) BETWEEN 1 AND 3 AND len(x.cands) = 1 THEN x.cands[1] END
    FROM (SELECT y.*, rq_fn._proc_candidates(y.parts) AS cands
          FROM (SELECT rq_fn._parse_name(s) AS parts) y) x);

-- 'name(type, ...)' -> its argument type oids (NULL when one is unknown).
CREATE MACRO rq_fn._arg_types(s) AS (
    SELECT CASE WHEN count(*) = count(rq_fn.to_regtype(u.a))
                THEN coalesce(list(rq_fn.to_regtype(u.a) ORDER BY u.i), []) END
    FROM (SELECT unnest(l) AS a, generate_subscripts(l, 1) AS i
          FROM (SELECT regexp_extract_all(regexp_extract(s, '\((.*)\)\s*$', 1),
                                          '([^,(]|\([^)]*\))+') AS l)) u
    WHERE trim(u.a) <> '');

CREATE MACRO rq_fn._regprocedure_find(s) AS (
    SELECT min(p.oid) FROM rq_pg.pg_proc p
    WHERE list_contains(rq_fn._proc_candidates(rq_fn._parse_name(regexp_extract(s, '^([^(]*)\(', 1))),
                        p.oid)
      AND p.proargtypes = rq_fn._arg_types(s));

CREATE MACRO rq_fn.regprocedure_in(s) AS
    CASE WHEN s IS NULL THEN NULL WHEN s = '-' THEN 0::BIGINT
         WHEN regexp_full_match(s, '[0-9]+') THEN s::BIGINT
         ELSE coalesce(rq_fn._regprocedure_find(s),
                       error('RQERR:42883:function "' || s || '" does not exist')) END;

CREATE MACRO rq_fn.to_regprocedure(s) AS rq_fn._regprocedure_find(s);

-- ---- operators -----------------------------------------------------------------

CREATE MACRO rq_fn.regoper_out(opoid) AS
    CASE WHEN opoid IS NULL THEN NULL WHEN opoid = 0 THEN '0'
         ELSE coalesce((
             SELECT CASE WHEN v.name_unique THEN v.name
                         ELSE rq_fn.quote_ident(v.nspname) || '.' || v.name END
             FROM rq_fn._vis_pg_operator v WHERE v.oid = opoid), opoid::VARCHAR) END;

CREATE MACRO rq_fn.regoperator_out(opoid) AS
    CASE WHEN opoid IS NULL THEN NULL WHEN opoid = 0 THEN '0'
         ELSE coalesce((
             SELECT CASE WHEN v.visible THEN '' ELSE rq_fn.quote_ident(v.nspname) || '.' END
                    || o.oprname || '('
                    || CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE rq_fn._format_type(o.oprleft, NULL) END
                    || ','
                    || CASE WHEN o.oprright = 0 THEN 'NONE' ELSE rq_fn._format_type(o.oprright, NULL) END
                    || ')'
             FROM rq_pg.pg_operator o JOIN rq_fn._vis_pg_operator v ON v.oid = o.oid
             WHERE o.oid = opoid), opoid::VARCHAR) END;

CREATE MACRO rq_fn._oper_candidates(s) AS (
    SELECT list(o.oid ORDER BY o.oid)
    FROM rq_pg.pg_operator o JOIN rq_pg.pg_namespace n ON n.oid = o.oprnamespace
    WHERE o.oprname = regexp_extract(trim(s), '([^.]+)$', 1)
      AND CASE WHEN contains(s, '.') AND NOT regexp_full_match(trim(s), '[^a-zA-Z_"]*')
               THEN n.nspname = rq_fn._parse_name(regexp_extract(trim(s), '^(.*)\.[^.]+$', 1))[1]
               ELSE rq_fn._nsp_pos(n.nspname) IS NOT NULL END);

CREATE MACRO rq_fn.regoper_in(s) AS (
    SELECT CASE WHEN x.s IS NULL THEN NULL WHEN regexp_full_match(x.s, '[0-9]+') THEN x.s::BIGINT
                WHEN len(coalesce(x.cands, [])) = 0
                     THEN error('RQERR:42883:operator does not exist: ' || x.s)
                WHEN len(x.cands) > 1
                     THEN error('RQERR:42725:more than one operator named ' || x.s)
                ELSE x.cands[1] END
    FROM (SELECT s AS s, rq_fn._oper_candidates(s) AS cands) x);

CREATE MACRO rq_fn.to_regoper(s) AS (
    SELECT CASE WHEN len(x.cands) = 1 THEN x.cands[1] END
    FROM (SELECT rq_fn._oper_candidates(s) AS cands) x);

CREATE MACRO rq_fn._regoperator_find(s) AS (
    SELECT min(o.oid) FROM rq_pg.pg_operator o
    WHERE list_contains(rq_fn._oper_candidates(regexp_extract(s, '^([^(]*)\(', 1)), o.oid)
      AND o.oprleft = coalesce(rq_fn.to_regtype(nullif(upper(trim(regexp_extract(s,
              '\(([^,]*),', 1))), 'NONE')), 0)
      AND o.oprright = coalesce(rq_fn.to_regtype(nullif(upper(trim(regexp_extract(s,
              ',([^,]*)\)\s*$', 1))), 'NONE')), 0));

CREATE MACRO rq_fn.regoperator_in(s) AS
    CASE WHEN s IS NULL THEN NULL WHEN regexp_full_match(s, '[0-9]+') THEN s::BIGINT
         ELSE coalesce(rq_fn._regoperator_find(s),
                       error('RQERR:42883:operator does not exist: ' || s)) END;

CREATE MACRO rq_fn.to_regoperator(s) AS rq_fn._regoperator_find(s);

-- ---- descriptions --------------------------------------------------------------

CREATE MACRO rq_fn.obj_description(obj) AS (
    SELECT min(d.description) FROM rq_pg.pg_description d
    WHERE d.objoid = obj AND d.objsubid = 0),
    (obj, catalog) AS (
    SELECT min(d.description) FROM rq_pg.pg_description d
    WHERE d.objoid = obj AND d.objsubid = 0
      AND d.classoid = (SELECT c.oid FROM rq_pg.pg_class c WHERE c.relnamespace = 11
                        AND (c.relname = catalog::VARCHAR OR c.oid::VARCHAR = catalog::VARCHAR)));

CREATE MACRO rq_fn.col_description(reloid, colnum) AS (
    SELECT min(d.description) FROM rq_pg.pg_description d
    WHERE d.objoid = reloid AND d.classoid = 1259 AND d.objsubid = colnum);

CREATE MACRO rq_fn.shobj_description(obj, catalog) AS (
    SELECT min(d.description) FROM rq_pg.pg_shdescription d
    WHERE d.objoid = obj
      AND d.classoid = (SELECT c.oid FROM rq_pg.pg_class c WHERE c.relnamespace = 11
                        AND (c.relname = catalog::VARCHAR OR c.oid::VARCHAR = catalog::VARCHAR)));

-- ---- object definitions --------------------------------------------------------

-- Attribute names of a relation, in the order of a key list, quoted.
CREATE MACRO rq_fn._attnames(reloid, keys) AS (
    SELECT string_agg(rq_fn.quote_ident(a.attname), ', ' ORDER BY u.i)
    FROM (SELECT unnest(keys) AS k, generate_subscripts(keys, 1) AS i) u
    JOIN rq_pg.pg_attribute a ON a.attrelid = reloid AND a.attnum = u.k);

-- @PAREN_GROUP@ (functions.py) matches one parenthesized group whose
-- parentheses pair up, nested up to 6 levels (quotes not considered).
-- A bare function call: name(...) and nothing after it.
CREATE MACRO rq_fn._looks_like_function(e) AS
    regexp_full_match(e, '[A-Za-z_"][A-Za-z0-9_$."]*@PAREN_GROUP@');

-- Pretty form of a non-pretty expression (pg_get_expr(x, rel, true) ...):
-- outer parentheses removed, '(x)::type' -> 'x::type', parentheses around
-- simple terms of AND / OR dropped. PostgreSQL's pretty printer drops every
-- parenthesis precedence makes redundant; this covers the common shapes.
CREATE MACRO rq_fn._pretty_expr(e) AS rq_py_pretty_expr(e::VARCHAR);

-- A JSON list of texts (pg_index.indexprs, pg_proc.proargdefaults); NULL for
-- anything else, e.g. a raw node tree PostgreSQL's dump kept as is.
CREATE MACRO rq_fn._json_list(j) AS
    CASE WHEN starts_with(j, '[') AND json_valid(j) THEN from_json(j, '["VARCHAR"]') END;

-- Precomputed definition text of an object (built-in data or the engine's
-- registrations), kind 'rel' (index/view) or 'con' (constraint).
-- (rq_fn._defs(oid, kind, definition) is created by functions.py.)
CREATE MACRO rq_fn._objdef(objoid, k) AS (
    SELECT min(d.definition) FROM rq_fn._defs d WHERE d.oid = objoid AND d.kind = k);

-- An index expression as an index column shows it: in parentheses unless
-- it looks like a function call.
CREATE MACRO rq_fn._wrap_expr(e) AS
    CASE WHEN rq_fn._looks_like_function(e) THEN e ELSE '(' || e || ')' END;

-- One row per index column: its text (name, or expression from indexprs,
-- numbered by the 0 keys up to it), pretty text, and for key columns the
-- collation (when not the column's), opclass (when not the type's
-- default: GetDefaultOpClass takes the exact input type, else a
-- binary-coercible or polymorphic default) and btree ordering.
CREATE VIEW rq_fn._index_cols AS
    SELECT u.indexrelid, u.k, u.k <= u.indnkeyatts AS iskey,
           CASE WHEN u.attnum <> 0 THEN rq_fn.quote_ident(u.attname)
                ELSE rq_fn._wrap_expr(u.expr) END AS col,
           CASE WHEN u.attnum <> 0 THEN rq_fn.quote_ident(u.attname)
                ELSE rq_fn._wrap_expr(u.expr_pretty) END AS col_pretty,
           u.opts
    FROM (SELECT w.*, rq_fn._pretty_expr(w.expr) AS expr_pretty,
                 CASE WHEN coalesce(w.coll, 0) <> 0 AND w.coll <> coalesce(
                               CASE WHEN w.attnum = 0 THEN 100 ELSE a.attcollation END, 0)
                      THEN ' COLLATE ' || rq_fn._qualify(collv.nspname, collv.name, collv.visible)
                      ELSE '' END
                 || CASE WHEN coalesce(w.cls, 0) <> 0 AND NOT coalesce(oc.opcdefault AND (
                              a.atttypid IS NULL OR oc.opcintype = a.atttypid OR (dflt.oid IS NULL AND (
                                  pc.oid IS NOT NULL OR oc.opcintype IN (2276, 2277, 3500, 3831, 4537)))),
                              true)
                         THEN ' ' || rq_fn._qualify(ocv.nspname, ocv.name, ocv.visible) ELSE '' END
                 || CASE WHEN am.amname <> 'btree' OR w.k > w.indnkeyatts THEN ''
                         WHEN w.opt & 1 = 1
                         THEN ' DESC' || CASE WHEN w.opt & 2 = 0 THEN ' NULLS LAST' ELSE '' END
                         WHEN w.opt & 2 = 2 THEN ' NULLS FIRST' ELSE '' END AS opts,
                 a.attname
          FROM (SELECT ix.indexrelid, ix.indrelid, ix.indnkeyatts, ix.indexprs,
                       unnest(list_transform(generate_series(1, len(ix.indkey)), rq_lk -> {
                           'k': rq_lk, 'attnum': ix.indkey[rq_lk], 'cls': ix.indclass[rq_lk],
                           'coll': ix.indcollation[rq_lk], 'opt': ix.indoption[rq_lk],
                           'expr': rq_fn._json_list(ix.indexprs)[
                               len(list_filter(ix.indkey[1:rq_lk], rq_lx -> rq_lx = 0))]}),
                              recursive := true)
                FROM rq_pg.pg_index ix) w
          LEFT JOIN rq_pg.pg_attribute a ON a.attrelid = w.indrelid AND a.attnum = w.attnum
          LEFT JOIN rq_pg.pg_class ic ON ic.oid = w.indexrelid
          LEFT JOIN rq_pg.pg_am am ON am.oid = ic.relam
          LEFT JOIN rq_pg.pg_opclass oc ON oc.oid = w.cls
          LEFT JOIN rq_fn._vis_pg_opclass ocv ON ocv.oid = oc.oid
          LEFT JOIN rq_pg.pg_opclass dflt ON dflt.opcmethod = oc.opcmethod AND dflt.opcdefault
                                         AND dflt.opcintype = a.atttypid
          LEFT JOIN rq_pg.pg_cast pc ON pc.castsource = a.atttypid AND pc.casttarget = oc.opcintype
                                    AND pc.castmethod = 'b'
          LEFT JOIN rq_fn._vis_pg_collation collv ON collv.oid = w.coll) u;

-- Every index's pg_get_indexdef texts, in one pass over _index_cols (the
-- macros below read one row; derived.py's "index" family reads them all):
-- def (precomputed text first), def_pretty (computed first: the
-- precomputed text is not pretty), cols / cols_pretty (per column).
-- A table macro: as a view, DuckDB 1.5's binder stops at its expression
-- depth limit (1000) when reading it.
CREATE MACRO rq_fn._indexdefs() AS TABLE
    SELECT p.indexrelid, p.cols, p.cols_pretty,
           coalesce(p.objdef, p.head || p.tbl || p.am || ' (' || p.keys || ')'
                    || coalesce(' INCLUDE (' || p.incl || ')', '') || p.tail
                    || coalesce(' WHERE ' || p.indpred, '')) AS def,
           coalesce(p.head || p.tbl_pretty || p.am || ' (' || p.keys_pretty || ')'
                    || coalesce(' INCLUDE (' || p.incl_pretty || ')', '') || p.tail
                    || coalesce(' WHERE ' || p.pred_pretty, ''),
                    p.objdef) AS def_pretty
    FROM (SELECT ix.indexrelid, ix.indpred, rq_fn._pretty_expr(ix.indpred) AS pred_pretty,
                 od.def AS objdef,
                 'CREATE ' || CASE WHEN ix.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX '
                 || rq_fn.quote_ident(ic.relname) || ' ON '
                 || CASE WHEN ic.relkind = 'I' THEN 'ONLY ' ELSE '' END AS head,
                 rq_fn.quote_ident(v.nspname) || '.' || rq_fn.quote_ident(v.name) AS tbl,
                 rq_fn._qualify(v.nspname, v.name, v.visible) AS tbl_pretty,
                 ' USING ' || am.amname AS am,
                 CASE WHEN ix.indnullsnotdistinct THEN ' NULLS NOT DISTINCT' ELSE '' END
                 || CASE WHEN ic.reloptions IS NOT NULL AND len(ic.reloptions) > 0
                         THEN ' WITH (' || array_to_string(ic.reloptions, ', ') || ')'
                         ELSE '' END AS tail,
                 c.keys, c.keys_pretty, c.incl, c.incl_pretty, c.cols, c.cols_pretty
          FROM rq_pg.pg_index ix
          JOIN rq_pg.pg_class ic ON ic.oid = ix.indexrelid
          JOIN rq_pg.pg_am am ON am.oid = ic.relam
          JOIN rq_fn._vis_pg_class v ON v.oid = ix.indrelid
          LEFT JOIN (SELECT d.oid, min(d.definition) AS def FROM rq_fn._defs d
                     WHERE d.kind = 'rel' GROUP BY d.oid) od ON od.oid = ix.indexrelid
          LEFT JOIN (SELECT c.indexrelid,
                            string_agg(c.col || c.opts, ', ' ORDER BY c.k)
                                FILTER (WHERE c.iskey) AS keys,
                            string_agg(c.col_pretty || c.opts, ', ' ORDER BY c.k)
                                FILTER (WHERE c.iskey) AS keys_pretty,
                            string_agg(c.col, ', ' ORDER BY c.k) FILTER (WHERE NOT c.iskey) AS incl,
                            string_agg(c.col_pretty, ', ' ORDER BY c.k)
                                FILTER (WHERE NOT c.iskey) AS incl_pretty,
                            list(c.col ORDER BY c.k) AS cols,
                            list(c.col_pretty ORDER BY c.k) AS cols_pretty
                     FROM rq_fn._index_cols c GROUP BY c.indexrelid) c
                 ON c.indexrelid = ix.indexrelid) p;

CREATE MACRO rq_fn.pg_get_indexdef(idxoid) AS (
    SELECT d.def FROM rq_fn._indexdefs() d WHERE d.indexrelid = idxoid),
    (idxoid, col, pretty) AS (
    SELECT CASE WHEN col IS NULL OR col = 0
                THEN CASE WHEN coalesce(pretty, false) THEN d.def_pretty ELSE d.def END
                ELSE coalesce(CASE WHEN coalesce(pretty, false) THEN d.cols_pretty
                                   ELSE d.cols END[col], '') END
    FROM rq_fn._indexdefs() d WHERE d.indexrelid = idxoid);

CREATE MACRO rq_fn._fk_action(a) AS
    CASE a WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
           WHEN 'd' THEN 'SET DEFAULT' END;

-- Per constraint, its column lists as pg_get_constraintdef prints them:
-- keys (conkey), refkeys (confkey), setcols (confdelsetcols), incl (the
-- index's INCLUDE columns) and excl (exclusion 'col WITH op' pairs).
CREATE VIEW rq_fn._con_cols AS
    SELECT u.oid,
           string_agg(rq_fn.quote_ident(a.attname), ', ' ORDER BY u.i)
               FILTER (WHERE u.kind = 'k') AS keys,
           string_agg(rq_fn.quote_ident(a.attname), ', ' ORDER BY u.i)
               FILTER (WHERE u.kind = 'f') AS refkeys,
           string_agg(rq_fn.quote_ident(a.attname), ', ' ORDER BY u.i)
               FILTER (WHERE u.kind = 'd') AS setcols,
           string_agg(rq_fn.quote_ident(a.attname), ', ' ORDER BY u.i)
               FILTER (WHERE u.kind = 'i') AS incl,
           string_agg(rq_fn.quote_ident(a.attname) || ' WITH ' || op.oprname, ', ' ORDER BY u.i)
               FILTER (WHERE u.kind = 'k') AS excl
    FROM (SELECT c.oid, 'k' AS kind, c.conrelid AS rel, unnest(c.conkey) AS attnum,
                 unnest(c.conexclop) AS op, generate_subscripts(c.conkey, 1) AS i
          FROM rq_pg.pg_constraint c
          UNION ALL
          SELECT c.oid, 'f', c.confrelid, unnest(c.confkey), NULL, generate_subscripts(c.confkey, 1)
          FROM rq_pg.pg_constraint c
          UNION ALL
          SELECT c.oid, 'd', c.conrelid, unnest(c.confdelsetcols), NULL,
                 generate_subscripts(c.confdelsetcols, 1)
          FROM rq_pg.pg_constraint c
          UNION ALL
          SELECT c.oid, 'i', ix.indrelid, unnest(ix.indkey[ix.indnkeyatts + 1:]), NULL,
                 generate_subscripts(ix.indkey[ix.indnkeyatts + 1:], 1)
          FROM rq_pg.pg_constraint c JOIN rq_pg.pg_index ix ON ix.indexrelid = c.conindid
          WHERE c.contype IN ('p', 'u', 'x')) u
    JOIN rq_pg.pg_attribute a ON a.attrelid = u.rel AND a.attnum = u.attnum
    LEFT JOIN rq_pg.pg_operator op ON op.oid = u.op
    GROUP BY u.oid;

-- Every constraint's pg_get_constraintdef texts (the macros below read one
-- row; derived.py's "constraint" family reads them all): def (precomputed
-- text first: exact PostgreSQL output for built-in and registered objects),
-- def_pretty (computed first: the precomputed text is not pretty).
CREATE VIEW rq_fn._condefs AS
    SELECT p.oid, coalesce(p.objdef, p.head || p.chk || p.tail) AS def,
           coalesce(p.head || p.chk_pretty || p.tail, p.objdef) AS def_pretty
    FROM (SELECT c.oid, od.def AS objdef,
                 CASE c.contype
                 WHEN 'p' THEN 'PRIMARY KEY (' || cc.keys || ')'
                               || coalesce(' INCLUDE (' || cc.incl || ')', '')
                 WHEN 'u' THEN 'UNIQUE '
                               || CASE WHEN ix.indnullsnotdistinct THEN 'NULLS NOT DISTINCT '
                                       ELSE '' END
                               || '(' || cc.keys || ')' || coalesce(' INCLUDE (' || cc.incl || ')', '')
                 WHEN 'f' THEN 'FOREIGN KEY (' || cc.keys || ') REFERENCES '
                               || rq_fn._qualify(rv.nspname, rv.name, rv.visible)
                               || '(' || cc.refkeys || ')'
                               || CASE c.confmatchtype WHEN 'f' THEN ' MATCH FULL'
                                       WHEN 'p' THEN ' MATCH PARTIAL' ELSE '' END
                               || coalesce(' ON UPDATE ' || rq_fn._fk_action(c.confupdtype), '')
                               || coalesce(' ON DELETE ' || rq_fn._fk_action(c.confdeltype), '')
                               || coalesce(' (' || cc.setcols || ')', '')
                 WHEN 'c' THEN 'CHECK ('
                 WHEN 'x' THEN 'EXCLUDE USING ' || am.amname || ' (' || cc.excl || ')'
                               || coalesce(' INCLUDE (' || cc.incl || ')', '')
                               || CASE WHEN ix.indpred IS NOT NULL
                                       THEN ' WHERE (' || ix.indpred || ')' ELSE '' END
                 WHEN 't' THEN 'TRIGGER'
                 END AS head,
                 CASE WHEN c.contype = 'c' THEN c.conbin ELSE '' END AS chk,
                 CASE WHEN c.contype = 'c' THEN rq_fn._pretty_expr(c.conbin) ELSE '' END
                     AS chk_pretty,
                 CASE WHEN c.contype = 'c' THEN ')' || CASE WHEN c.connoinherit
                                                           THEN ' NO INHERIT' ELSE '' END
                      ELSE '' END
                 || CASE WHEN c.condeferrable THEN ' DEFERRABLE' ELSE '' END
                 || CASE WHEN c.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END
                 || CASE WHEN NOT c.convalidated THEN ' NOT VALID' ELSE '' END AS tail
          FROM rq_pg.pg_constraint c
          LEFT JOIN rq_fn._con_cols cc ON cc.oid = c.oid
          LEFT JOIN rq_fn._vis_pg_class rv ON rv.oid = c.confrelid
          LEFT JOIN rq_pg.pg_index ix ON ix.indexrelid = c.conindid AND c.contype IN ('u', 'x')
          LEFT JOIN rq_pg.pg_class ic ON ic.oid = ix.indexrelid
          LEFT JOIN rq_pg.pg_am am ON am.oid = ic.relam
          LEFT JOIN (SELECT d.oid, min(d.definition) AS def FROM rq_fn._defs d
                     WHERE d.kind = 'con' GROUP BY d.oid) od ON od.oid = c.oid) p;

CREATE MACRO rq_fn.pg_get_constraintdef(conoid) AS (
    SELECT d.def FROM rq_fn._condefs d WHERE d.oid = conoid),
    (conoid, pretty) AS (
    SELECT CASE WHEN coalesce(pretty, false) THEN d.def_pretty ELSE d.def END
    FROM rq_fn._condefs d WHERE d.oid = conoid);

-- pg_get_expr(): expression columns already hold their text.
-- An expression column's text: a JSON list (proargdefaults, indexprs) prints
-- its items joined by ', ', as PostgreSQL prints a list of expressions.
CREATE MACRO rq_fn._expr_text(e) AS rq_py_expr_text(e::VARCHAR);

CREATE MACRO rq_fn.pg_get_expr(expr, relid) AS rq_fn._expr_text(expr::VARCHAR),
    (expr, relid, pretty) AS
    CASE WHEN coalesce(pretty, false) THEN rq_fn._pretty_expr(rq_fn._expr_text(expr::VARCHAR))
         ELSE rq_fn._expr_text(expr::VARCHAR) END;

-- A view's definition: precomputed text, else its _RETURN rule's action.
CREATE MACRO rq_fn._viewdef(viewoid) AS coalesce(rq_fn._objdef(viewoid, 'rel'), (
    SELECT min(r.ev_action) FROM rq_pg.pg_rewrite r
    WHERE r.ev_class = viewoid AND r.rulename = '_RETURN'));

-- Argument given as oid or as a (text) relation name.
CREATE MACRO rq_fn._oid_or_name(v) AS
    coalesce(try_cast(v AS BIGINT), rq_fn.regclass_in(v::VARCHAR));

CREATE MACRO rq_fn.pg_get_viewdef(v) AS rq_fn._viewdef(rq_fn._oid_or_name(v)),
    (v, pretty) AS rq_fn._viewdef(rq_fn._oid_or_name(v));

-- (the relation's name read once, qualified or not: DuckDB binds both arms of
-- a CASE, and two name lookups cost ~5 ms more to bind than one)
CREATE MACRO rq_fn._ruledef(ruleoid, pretty) AS (
    SELECT 'CREATE RULE ' || rq_fn.quote_ident(r.rulename) || ' AS' || chr(10) || '    ON '
           || CASE r.ev_type WHEN '1' THEN 'SELECT' WHEN '2' THEN 'UPDATE' WHEN '3' THEN 'INSERT'
                             ELSE 'DELETE' END
           || ' TO ' || (SELECT CASE WHEN pretty THEN rq_fn._qualify(v.nspname, v.name, v.visible)
                                     ELSE rq_fn.quote_ident(v.nspname) || '.'
                                          || rq_fn.quote_ident(v.name) END
                         FROM rq_fn._vis_pg_class v WHERE v.oid = r.ev_class)
           || ' DO ' || CASE WHEN r.is_instead THEN 'INSTEAD ' ELSE '' END
           || rtrim(rq_fn._viewdef(r.ev_class), ';') || ';'
    FROM rq_pg.pg_rewrite r WHERE r.oid = ruleoid AND r.ev_type = '1');
CREATE MACRO rq_fn.pg_get_ruledef(ruleoid) AS rq_fn._ruledef(ruleoid, false),
    (ruleoid, pretty) AS rq_fn._ruledef(ruleoid, coalesce(pretty, false));

-- No triggers, partitions or sequences owned by columns exist in the
-- emulated catalog.
CREATE MACRO rq_fn.pg_get_triggerdef(trigoid) AS NULL::VARCHAR,
    (trigoid, pretty) AS NULL::VARCHAR;
CREATE MACRO rq_fn.pg_get_serial_sequence(tab, col) AS NULL::VARCHAR;
CREATE MACRO rq_fn.pg_get_partkeydef(reloid) AS NULL::VARCHAR;
CREATE MACRO rq_fn.pg_get_partition_constraintdef(reloid) AS NULL::VARCHAR;
CREATE MACRO rq_fn.pg_get_replica_identity_index(reloid) AS (
    SELECT min(ix.indexrelid) FROM rq_pg.pg_index ix
    WHERE ix.indrelid = reloid AND ix.indisprimary);

CREATE MACRO rq_fn.pg_get_statisticsobjdef_columns(stxoid) AS (
    SELECT rq_fn._attnames(s.stxrelid, s.stxkeys)
    FROM rq_pg.pg_statistic_ext s WHERE s.oid = stxoid);

CREATE MACRO rq_fn.pg_get_statisticsobjdef(stxoid) AS (
    SELECT 'CREATE STATISTICS ' || rq_fn._qualify(n.nspname, s.stxname,
                                                   rq_fn._nsp_pos(n.nspname) IS NOT NULL)
           || CASE WHEN len(s.stxkind) < 3 THEN ' (' || array_to_string(list_transform(s.stxkind,
                   rq_lk -> CASE rq_lk WHEN 'd' THEN 'ndistinct' WHEN 'f' THEN 'dependencies'
                               WHEN 'm' THEN 'mcv' END), ', ') || ')' ELSE '' END
           || ' ON ' || rq_fn._attnames(s.stxrelid, s.stxkeys) || ' FROM '
           || rq_fn._relname(s.stxrelid)
    FROM rq_pg.pg_statistic_ext s JOIN rq_pg.pg_namespace n ON n.oid = s.stxnamespace
    WHERE s.oid = stxoid);

-- ---- function signatures ---------------------------------------------------------

-- Arguments of a function: position, mode, name, type, 1-based number
-- among the input arguments (0 for OUT / TABLE ones).
CREATE MACRO rq_fn._proc_args(fnoid) AS TABLE
    SELECT p.oid, p.prokind, p.pronargs, p.pronargdefaults, p.proargdefaults, a.i, a.mode,
           a.name, a.typ, a.mode IN ('i', 'b', 'v') AS isinput,
           (sum(CASE WHEN a.mode IN ('i', 'b', 'v') THEN 1 ELSE 0 END)
               OVER (PARTITION BY p.oid ORDER BY a.i))::BIGINT AS isinput_no
    FROM (SELECT fnoid AS fnoid) arg_pa, rq_pg.pg_proc p
    CROSS JOIN LATERAL (
        SELECT r.i, coalesce(p.proargmodes[r.i], 'i') AS mode,
               coalesce(p.proargnames[r.i], '') AS name,
               coalesce(p.proallargtypes, p.proargtypes)[r.i] AS typ
        FROM range(1, len(coalesce(p.proallargtypes, p.proargtypes)) + 1) r(i)) a
    WHERE p.oid = arg_pa.fnoid;

-- Arguments as pg_get_function_arguments ('args': with defaults),
-- _identity_arguments ('identity') and _result ('table': TABLE columns)
-- print them; ordered-set aggregates get their ORDER BY.
CREATE MACRO rq_fn._proc_arglist(fnoid, which) AS (
    SELECT coalesce(string_agg(
               CASE WHEN x.j - 1 = x.ord_at THEN CASE WHEN x.j > 1 THEN ' ' ELSE '' END || 'ORDER BY '
                    WHEN x.j > 1 THEN ', ' ELSE '' END || x.txt, '' ORDER BY x.j), '')
           || coalesce(CASE WHEN max(x.ord_at) = count(*) AND count(*) > 0
                            THEN ' ORDER BY ' || arg_max(x.txt, x.j) END, '')
    FROM (
        SELECT row_number() OVER (ORDER BY a.i) AS j,
               (SELECT ag.aggnumdirectargs FROM rq_pg.pg_aggregate ag
                WHERE ag.aggfnoid = a.oid AND ag.aggkind IN ('o', 'h')) AS ord_at,
               CASE WHEN which = 'table' THEN ''
                    WHEN a.mode = 'o' THEN 'OUT ' WHEN a.mode = 'b' THEN 'INOUT '
                    WHEN a.mode = 'v' THEN 'VARIADIC '
                    WHEN a.prokind = 'p' THEN 'IN ' ELSE '' END
               || CASE WHEN a.name <> '' THEN rq_fn.quote_ident(a.name) || ' ' ELSE '' END
               || rq_fn._format_type(a.typ, NULL)
               || CASE WHEN which = 'args' AND a.isinput
                            AND a.isinput_no > a.pronargs - a.pronargdefaults
                       THEN coalesce(' DEFAULT ' || rq_fn._json_list(a.proargdefaults)[
                                a.isinput_no - (a.pronargs - a.pronargdefaults)], '')
                       ELSE '' END AS txt
        FROM rq_fn._proc_args(fnoid) a
        WHERE CASE which WHEN 'table' THEN a.mode = 't' ELSE a.mode <> 't' END) x);

CREATE MACRO rq_fn.pg_get_function_arguments(fnoid) AS
    CASE WHEN EXISTS (SELECT 1 FROM rq_pg.pg_proc p WHERE p.oid = fnoid)
         THEN rq_fn._proc_arglist(fnoid, 'args') END;

CREATE MACRO rq_fn.pg_get_function_identity_arguments(fnoid) AS
    CASE WHEN EXISTS (SELECT 1 FROM rq_pg.pg_proc p WHERE p.oid = fnoid)
         THEN rq_fn._proc_arglist(fnoid, 'identity') END;

CREATE MACRO rq_fn.pg_get_function_result(fnoid) AS (
    SELECT CASE WHEN p.prokind = 'p' THEN NULL
                WHEN list_contains(p.proargmodes, 't')
                THEN 'TABLE(' || rq_fn._proc_arglist(p.oid, 'table') || ')'
                ELSE CASE WHEN p.proretset THEN 'SETOF ' ELSE '' END
                     || rq_fn._format_type(p.prorettype, NULL) END
    FROM rq_pg.pg_proc p WHERE p.oid = fnoid);

CREATE MACRO rq_fn.pg_get_function_arg_default(fnoid, argno) AS (
    SELECT CASE WHEN a.isinput AND a.isinput_no > a.pronargs - a.pronargdefaults
                THEN rq_fn._json_list(a.proargdefaults)[a.isinput_no - (a.pronargs - a.pronargdefaults)]
           END
    FROM rq_fn._proc_args(fnoid) a WHERE a.i = argno);

-- SQL-standard function bodies: pg_proc.prosqlbody holds the body's text
-- (pg_get_function_sqlbody output); a raw node tree cannot be shown.
CREATE MACRO rq_fn.pg_get_function_sqlbody(fnoid) AS (
    SELECT CASE WHEN NOT regexp_matches(p.prosqlbody, '^\(?\{') THEN p.prosqlbody END
    FROM rq_pg.pg_proc p WHERE p.oid = fnoid);

-- pg_get_functiondef(): CREATE OR REPLACE text as PostgreSQL 15 writes it
-- (SQL-standard bodies, TRANSFORM FOR TYPE and SET clauses' quoting are
-- approximated); aggregates are an error, as in PostgreSQL.
CREATE MACRO rq_fn._fn_flags(p, lanname) AS
    concat_ws(' ',
        CASE WHEN p.prokind = 'w' THEN 'WINDOW' END,
        CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' END,
        CASE p.proparallel WHEN 's' THEN 'PARALLEL SAFE' WHEN 'r' THEN 'PARALLEL RESTRICTED' END,
        CASE WHEN p.proisstrict THEN 'STRICT' END,
        CASE WHEN p.prosecdef THEN 'SECURITY DEFINER' END,
        CASE WHEN p.proleakproof THEN 'LEAKPROOF' END,
        CASE WHEN p.procost <> CASE WHEN lanname IN ('internal', 'c') THEN 1 ELSE 100 END
             THEN 'COST ' || printf('%g', p.procost) END,
        CASE WHEN p.prorows > 0 AND p.prorows <> 1000 THEN 'ROWS ' || printf('%g', p.prorows) END,
        CASE WHEN p.prosupport <> 0 THEN 'SUPPORT ' || rq_fn.regproc_out(p.prosupport) END);

CREATE MACRO rq_fn.pg_get_functiondef(fnoid) AS (
    SELECT CASE WHEN p.prokind = 'a'
                THEN error('RQERR:42809:"' || p.proname || '" is an aggregate function')
                ELSE '' END
           || 'CREATE OR REPLACE ' || CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END
           || ' ' || rq_fn.quote_ident(n.nspname) || '.' || rq_fn.quote_ident(p.proname)
           || '(' || rq_fn.pg_get_function_arguments(p.oid) || ')' || chr(10)
           || CASE WHEN p.prokind <> 'p'
                   THEN ' RETURNS ' || rq_fn.pg_get_function_result(p.oid) || chr(10) ELSE '' END
           || ' LANGUAGE ' || rq_fn.quote_ident(l.lanname) || chr(10)
           || CASE WHEN rq_fn._fn_flags(p, l.lanname) <> ''
                   THEN ' ' || rq_fn._fn_flags(p, l.lanname) || chr(10) ELSE '' END
           || coalesce(array_to_string(list_transform(p.proconfig,
                  rq_lc -> ' SET ' || split_part(rq_lc, '=', 1) || ' TO '
                           || rq_fn.quote_literal(substr(rq_lc, length(split_part(rq_lc, '=', 1)) + 2))
                           || chr(10)), ''), '')
           || CASE WHEN rq_fn.pg_get_function_sqlbody(p.oid) IS NOT NULL
                   THEN rq_fn.pg_get_function_sqlbody(p.oid)
                   ELSE 'AS ' || CASE WHEN p.probin IS NOT NULL
                                      THEN rq_fn.quote_literal(p.probin) || ', ' ELSE '' END
                        || CASE WHEN contains(p.prosrc, '$function$')
                                THEN '$function_$' || p.prosrc || '$function_$'
                                ELSE '$function$' || p.prosrc || '$function$' END END
           || chr(10)
    FROM rq_pg.pg_proc p
    JOIN rq_pg.pg_namespace n ON n.oid = p.pronamespace
    JOIN rq_pg.pg_language l ON l.oid = p.prolang
    WHERE p.oid = fnoid);

CREATE MACRO rq_fn.pg_tablespace_databases(ts) AS TABLE
    SELECT d.oid AS pg_tablespace_databases FROM rq_pg.pg_database d WHERE d.dattablespace = ts;

-- ---- sizes -----------------------------------------------------------------------

-- PostgreSQL 15's pg_size_pretty: below 10 kB in bytes, then each unit while
-- under 20 * 1024 - 1, halves rounded away from zero.
CREATE MACRO rq_fn._half_rounded(x) AS (x + CASE WHEN x < 0 THEN -1 ELSE 1 END) // 2;
CREATE MACRO rq_fn.pg_size_pretty(size) AS
    CASE WHEN size IS NULL THEN NULL
         WHEN abs(size) < 10240 THEN size::VARCHAR || ' bytes'
         ELSE rq_fn._size_units(trunc(size)::HUGEINT // 512) END;
CREATE MACRO rq_fn._size_units(kb) AS
    CASE WHEN abs(kb) < 20479 THEN rq_fn._half_rounded(kb)::VARCHAR || ' kB'
         WHEN abs(kb // 1024) < 20479 THEN rq_fn._half_rounded(kb // 1024)::VARCHAR || ' MB'
         WHEN abs(kb // 1048576) < 20479 THEN rq_fn._half_rounded(kb // 1048576)::VARCHAR || ' GB'
         WHEN abs(kb // 1073741824) < 20479
              THEN rq_fn._half_rounded(kb // 1073741824)::VARCHAR || ' TB'
         ELSE rq_fn._half_rounded(kb // 1099511627776)::VARCHAR || ' PB' END;

-- Nothing is stored on disk: every size is 0.
CREATE MACRO rq_fn.pg_total_relation_size(rel) AS 0::BIGINT;
CREATE MACRO rq_fn.pg_relation_size(rel) AS 0::BIGINT, (rel, fork) AS 0::BIGINT;
CREATE MACRO rq_fn.pg_table_size(rel) AS 0::BIGINT;
CREATE MACRO rq_fn.pg_indexes_size(rel) AS 0::BIGINT;
CREATE MACRO rq_fn.pg_database_size(db) AS 0::BIGINT;
CREATE MACRO rq_fn.pg_tablespace_size(ts) AS 0::BIGINT;
CREATE MACRO rq_fn.pg_column_size(v) AS NULL::INTEGER;
CREATE MACRO rq_fn.pg_tablespace_location(ts) AS '';
CREATE MACRO rq_fn.pg_relation_filenode(rel) AS (
    SELECT nullif(c.relfilenode, 0) FROM rq_pg.pg_class c WHERE c.oid = rel);
CREATE MACRO rq_fn.pg_relation_filepath(rel) AS NULL::VARCHAR;
CREATE MACRO rq_fn.pg_relation_is_publishable(rel) AS (
    SELECT c.relkind IN ('r', 'p') AND c.relnamespace NOT IN (11, 13, 99) AND c.oid >= 16384
           AND c.relpersistence = 'p'
    FROM rq_pg.pg_class c WHERE c.oid = rel);

-- ---- arrays and strings -------------------------------------------------------

CREATE MACRO rq_fn.array_to_string(arr, sep) AS
    array_to_string(list_transform(arr, rq_lx -> rq_fn._pgtext(rq_lx)), sep),
    (arr, sep, nullstr) AS
    array_to_string(list_transform(arr, rq_lx -> coalesce(rq_fn._pgtext(rq_lx), nullstr)), sep);

-- array_remove / array_replace compare with IS NOT DISTINCT FROM (NULL
-- elements can be removed), as PostgreSQL does.
CREATE MACRO rq_fn.array_remove(arr, v) AS
    CASE WHEN arr IS NOT NULL THEN list_filter(arr, rq_lx -> rq_lx IS DISTINCT FROM v) END;

CREATE MACRO rq_fn.array_replace(arr, v, w) AS
    CASE WHEN arr IS NOT NULL
         THEN list_transform(arr, rq_lx -> CASE WHEN rq_lx IS NOT DISTINCT FROM v THEN w
                                                ELSE rq_lx END) END;

CREATE MACRO rq_fn.array_positions(arr, v) AS
    list_filter(generate_series(1, len(arr)), rq_li -> arr[rq_li] IS NOT DISTINCT FROM v);

-- generate_subscripts() in a select list (a set-returning expression) ...
CREATE MACRO rq_fn.generate_subscripts(arr, dim) AS
    unnest(generate_series(1, CASE WHEN dim = 1 THEN len(arr) ELSE 0 END))::INTEGER,
    (arr, dim, rev) AS
    unnest(CASE WHEN rev THEN generate_series(CASE WHEN dim = 1 THEN len(arr) ELSE 0 END, 1, -1)
                ELSE generate_series(1, CASE WHEN dim = 1 THEN len(arr) ELSE 0 END) END)::INTEGER;
-- ... and in FROM.
CREATE MACRO rq_fn.generate_subscripts(arr, dim) AS TABLE (
    SELECT i::INTEGER AS generate_subscripts
    FROM range(1, CASE WHEN dim = 1 THEN len(arr) + 1 ELSE 1 END) r(i)),
    (arr, dim, rev) AS TABLE (
    SELECT CASE WHEN rev THEN len(arr) + 1 - i ELSE i END::INTEGER AS generate_subscripts
    FROM range(1, CASE WHEN dim = 1 THEN len(arr) + 1 ELSE 1 END) r(i));

CREATE MACRO rq_fn.pg_options_to_table(opts) AS TABLE
    SELECT split_part(o, '=', 1) AS option_name,
           CASE WHEN contains(o, '=') THEN substr(o, length(split_part(o, '=', 1)) + 2) END
               AS option_value
    FROM (SELECT unnest(opts) AS o);

CREATE MACRO rq_fn.pg_get_keywords() AS TABLE
    SELECT word, catcode, barelabel, catdesc, baredesc FROM rq_fn._keywords ORDER BY word;

-- format(): %s, %I, %L and %% only (no widths or positions).
CREATE MACRO rq_fn._format_arg(spec, v) AS
    CASE spec WHEN 'I' THEN rq_fn.quote_ident(v::VARCHAR) WHEN 'L' THEN rq_fn.quote_nullable(v)
              ELSE coalesce(rq_fn._pgtext(v), '') END;
CREATE MACRO rq_fn._format_parts(f) AS string_split_regex(replace(f, '%%', chr(1)), '%[sIL]');
CREATE MACRO rq_fn._format_specs(f) AS regexp_extract_all(replace(f, '%%', chr(1)), '%([sIL])', 1);
CREATE MACRO rq_fn._format_done(s) AS replace(s, chr(1), '%');
