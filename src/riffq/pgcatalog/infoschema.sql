-- PostgreSQL 15's information_schema as DuckDB views in schema rq_is
-- (see infoschema.py), over rq_pg.* and rq_fn.*. Written after the
-- semantics of PostgreSQL's own view definitions; riffq grants every
-- privilege (pg_has_role / has_*_privilege are true), so the privilege
-- filters of those definitions keep every row, as for a superuser.
-- Statements end with ';' at the end of a line. Each view only has to
-- produce its columns by name: infoschema.py puts them in PostgreSQL's
-- order and types.

-- ---- helper functions (information_schema._pg_*) --------------------------

CREATE MACRO rq_is._pg_truetypid(typtype, typbasetype, atttypid) AS
    CASE WHEN typtype = 'd' THEN typbasetype ELSE atttypid END;
CREATE MACRO rq_is._pg_truetypmod(typtype, typtypmod, atttypmod) AS
    CASE WHEN typtype = 'd' THEN typtypmod ELSE atttypmod END;

CREATE MACRO rq_is._pg_char_max_length(typid, typmod) AS
    CASE WHEN typid IS NULL OR typmod IS NULL OR typmod = -1 THEN NULL
         WHEN typid IN (1042, 1043) THEN typmod - 4
         WHEN typid IN (1560, 1562) THEN typmod END::INTEGER;

-- Octet length: characters times the database encoding's longest
-- character (UTF8: 4; riffq's databases are UTF8).
CREATE MACRO rq_is._pg_char_octet_length(typid, typmod) AS
    CASE WHEN typid IS NULL OR typmod IS NULL THEN NULL
         WHEN typid IN (25, 1042, 1043)
         THEN CASE WHEN typmod = -1 THEN 1073741824
                   ELSE rq_is._pg_char_max_length(typid, typmod) * 4 END END::INTEGER;

CREATE MACRO rq_is._pg_numeric_precision(typid, typmod) AS
    CASE WHEN typmod IS NULL THEN NULL
         WHEN typid = 21 THEN 16 WHEN typid = 23 THEN 32 WHEN typid = 20 THEN 64
         WHEN typid = 1700 THEN CASE WHEN typmod = -1 THEN NULL
                                     ELSE ((typmod - 4) >> 16) & 65535 END
         WHEN typid = 700 THEN 24 WHEN typid = 701 THEN 53 END::INTEGER;

CREATE MACRO rq_is._pg_numeric_precision_radix(typid, typmod) AS
    CASE WHEN typmod IS NULL THEN NULL
         WHEN typid IN (21, 23, 20, 700, 701) THEN 2 WHEN typid = 1700 THEN 10 END::INTEGER;

CREATE MACRO rq_is._pg_numeric_scale(typid, typmod) AS
    CASE WHEN typmod IS NULL THEN NULL
         WHEN typid IN (21, 23, 20) THEN 0
         WHEN typid = 1700 THEN CASE WHEN typmod = -1 THEN NULL ELSE (typmod - 4) & 65535 END
    END::INTEGER;

CREATE MACRO rq_is._pg_datetime_precision(typid, typmod) AS
    CASE WHEN typmod IS NULL THEN NULL
         WHEN typid = 1082 THEN 0
         WHEN typid IN (1083, 1114, 1184, 1266) THEN CASE WHEN typmod < 0 THEN 6 ELSE typmod END
         WHEN typid = 1186 THEN CASE WHEN typmod < 0 OR typmod & 65535 = 65535 THEN 6
                                     ELSE typmod & 65535 END END::INTEGER;

-- The fields of an interval type ('interval year to month' -> 'YEAR TO MONTH').
CREATE MACRO rq_is._pg_interval_type(typid, typmod) AS
    CASE WHEN typid = 1186 AND typmod IS NOT NULL
         THEN nullif(upper(regexp_extract(rq_fn.format_type(typid, typmod),
                                          '^interval[()0-9]* (.*)$', 1)), '') END;

-- _pg_expandarray(arr): (x, n) per element; as a table and as a set-returning
-- expression (JDBC selects information_schema._pg_expandarray(indkey) AS keys
-- and then reads (keys).x and (keys).n).
CREATE MACRO rq_is._pg_expandarray(arr) AS
    unnest(list_transform(generate_series(1, len(arr)), rq_li -> {'x': arr[rq_li], 'n': rq_li}));
CREATE MACRO rq_is._pg_expandarray(arr) AS TABLE
    SELECT unnest(arr) AS x, generate_subscripts(arr, 1) AS n;

CREATE MACRO rq_is._pg_index_position(idxoid, attnum) AS (
    SELECT min(u.n) FROM (SELECT unnest(ix.indkey) AS x, generate_subscripts(ix.indkey, 1) AS n
                          FROM rq_pg.pg_index ix WHERE ix.indexrelid = idxoid) u
    WHERE u.x = attnum);

-- nameconcatoid(name, oid): name_oid, the name shortened to fit 63 bytes.
CREATE MACRO rq_is._nameconcatoid(nm, objoid) AS
    left(nm, 63 - length('_' || objoid::VARCHAR)) || '_' || objoid::VARCHAR;

CREATE MACRO rq_is._db_encoding() AS coalesce((
    SELECT rq_fn.pg_encoding_to_char(min(d.encoding)) FROM rq_pg.pg_database d
    WHERE d.datname = rq_fn.current_database()), 'UTF8');

-- acldefault(kind, owner) as aclitem texts (PostgreSQL 15's defaults).
CREATE MACRO rq_is._acldefault(kind, owner) AS
    CASE kind WHEN 'r' THEN [owner || '=arwdDxt/' || owner]
              WHEN 's' THEN [owner || '=rwU/' || owner]
              WHEN 'f' THEN ['=X/' || owner, owner || '=X/' || owner]
              WHEN 'l' THEN ['=U/' || owner, owner || '=U/' || owner]
              WHEN 'T' THEN ['=U/' || owner, owner || '=U/' || owner]
              WHEN 'n' THEN [owner || '=UC/' || owner]
              WHEN 'd' THEN ['=Tc/' || owner, owner || '=CTc/' || owner]
              WHEN 'F' THEN [owner || '=U/' || owner]
              WHEN 'S' THEN [owner || '=U/' || owner]
              ELSE []::VARCHAR[] END;

CREATE MACRO rq_is._acl_role(r) AS
    CASE WHEN r = '' THEN 'PUBLIC' WHEN r LIKE '"%"' THEN replace(r[2:-2], '""', '"') ELSE r END;

-- aclexplode(): one struct per (aclitem, privilege) of 'grantee=privs/grantor'.
CREATE MACRO rq_is._aclexplode(acl) AS
    flatten(list_transform(acl, rq_la -> list_transform(
        regexp_extract_all(split_part(regexp_extract(rq_la, '=(.*)$', 1), '/', 1), '[A-Za-z]\*?'),
        rq_lp -> {'grantor': rq_is._acl_role(regexp_extract(rq_la, '/([^/]*)$', 1)),
                  'grantee': rq_is._acl_role(regexp_extract(rq_la, '^(.*?)=', 1)),
                  'privilege_type': CASE rq_lp[1] WHEN 'a' THEN 'INSERT' WHEN 'r' THEN 'SELECT'
                      WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' WHEN 'D' THEN 'TRUNCATE'
                      WHEN 'x' THEN 'REFERENCES' WHEN 't' THEN 'TRIGGER' WHEN 'X' THEN 'EXECUTE'
                      WHEN 'U' THEN 'USAGE' WHEN 'C' THEN 'CREATE' WHEN 'T' THEN 'TEMPORARY'
                      WHEN 'c' THEN 'CONNECT' WHEN 's' THEN 'SET' WHEN 'A' THEN 'ALTER SYSTEM' END,
                  'is_grantable': rq_lp[2:] = '*'})));

-- is_grantable of a privilege row: PostgreSQL's pg_has_role(grantee, owner,
-- 'USAGE') (the grantee is the owner, a superuser or a direct member of the
-- owner role) or the grant option.
CREATE MACRO rq_is._grantable(grantee, owner, grant_option) AS
    CASE WHEN grant_option OR grantee = owner OR EXISTS (
             SELECT 1 FROM rq_pg.pg_authid r WHERE r.rolname = grantee AND (r.rolsuper OR EXISTS (
                 SELECT 1 FROM rq_pg.pg_auth_members m JOIN rq_pg.pg_authid o ON o.oid = m.roleid
                 WHERE m.member = r.oid AND o.rolname = owner)))
         THEN 'YES' ELSE 'NO' END;

-- Roles a privilege row may name: every role, and PUBLIC.
CREATE VIEW rq_is._grantees AS
    SELECT a.oid, a.rolname FROM rq_pg.pg_authid a UNION ALL SELECT 0, 'PUBLIC';

-- Automatically updatable views (PostgreSQL: one table or updatable view in
-- FROM, no DISTINCT / GROUP BY / HAVING / LIMIT / OFFSET / set operations /
-- WITH / aggregates / window or set-returning functions), judged from the
-- definition text as pg_get_viewdef lays it out; a column is updatable when
-- its target is a plain column reference. (riffq answers no writes; this
-- only reports what PostgreSQL would.)
CREATE MACRO rq_is._view_targets(def) AS
    string_split(regexp_replace(regexp_extract(def, '^\s*SELECT ((?s:.*?))\n   FROM ', 1),
                                ',\n    (\S)', chr(1) || '\1', 'g'), chr(1));
CREATE MACRO rq_is._view_updatable(def) AS
    regexp_matches(def, '\n   FROM [A-Za-z0-9_."]+( [A-Za-z0-9_"]+)?(;|\n  WHERE )')
    AND NOT regexp_matches(def, '^\s*(WITH|SELECT DISTINCT)|\n  GROUP BY |\n  HAVING |'
                                || '\n LIMIT |\n OFFSET |\nUNION|\nINTERSECT|\nEXCEPT')
    AND NOT regexp_matches(regexp_extract(def, '^\s*SELECT ((?s:.*?))\n   FROM ', 1),
        '(^|[^A-Za-z0-9_])(count|sum|avg|min|max|array_agg|string_agg|bool_and|bool_or|every|'
        || 'json_agg|jsonb_agg|json_object_agg|jsonb_object_agg|xmlagg|stddev|variance|unnest|'
        || 'generate_series|generate_subscripts|regexp_matches|json_each|jsonb_each|'
        || 'json_array_elements|jsonb_array_elements)\(| OVER ');
CREATE MACRO rq_is._plain_target(t) AS
    regexp_full_match(trim(t), '[A-Za-z0-9_"]+(\.[A-Za-z0-9_"]+)?( AS [A-Za-z0-9_"]+)?');
CREATE MACRO rq_is._view_base(def) AS
    regexp_extract(def, '\n   FROM ([A-Za-z0-9_."]+)( [A-Za-z0-9_"]+)?(;|\n  WHERE )', 1);
-- Updatable: simple, and its FROM relation a table or (recursively) an
-- updatable view.
CREATE VIEW rq_is._s_view_upd AS
    WITH RECURSIVE v AS (
        SELECT d.oid, coalesce(rq_is._view_updatable(d.def), false) AS simple,
               rq_is._view_targets(d.def) AS targets, b.oid AS base
        FROM (SELECT c.oid, rq_fn._viewdef(c.oid) AS def FROM rq_pg.pg_class c
              WHERE c.relkind = 'v') d
        LEFT JOIN (SELECT oid, rq_fn._parse_name(nullif(rq_is._view_base(def), '')) AS parts
                   FROM (SELECT c.oid, rq_fn._viewdef(c.oid) AS def FROM rq_pg.pg_class c
                         WHERE c.relkind = 'v')) bn ON bn.oid = d.oid
        LEFT JOIN rq_fn._vis_pg_class b
               ON b.name = bn.parts[-1]
              AND CASE WHEN len(bn.parts) = 1 THEN b.visible ELSE b.nspname = bn.parts[-2] END),
    chain(oid, cur, depth) AS (
        SELECT oid, base, 0 FROM v WHERE simple
        UNION ALL
        SELECT chain.oid, v.base, chain.depth + 1 FROM chain JOIN v ON v.oid = chain.cur AND v.simple
        WHERE chain.depth < 8)
    SELECT v.oid, v.targets,
           EXISTS (SELECT 1 FROM chain JOIN rq_pg.pg_class b ON b.oid = chain.cur
                   WHERE chain.oid = v.oid AND b.relkind IN ('r', 'p'))
           AND coalesce(list_bool_or(list_transform(v.targets, rq_lt -> rq_is._plain_target(rq_lt))),
                        false) AS updatable
    FROM v;
-- ... read from its precomputed rows (derived.py, family "view")
CREATE VIEW rq_is._view_upd AS
    SELECT k.oid, k.targets, k.updatable FROM rq_base.rq_k_view k
    WHERE k.key IN (rq_fn._bkey(), rq_fn._tkey());

-- ---- views ------------------------------------------------------------------

CREATE VIEW rq_is.information_schema_catalog_name AS
    SELECT rq_fn.current_database() AS catalog_name;

CREATE VIEW rq_is.enabled_roles AS
    SELECT a.rolname AS role_name FROM rq_pg.pg_authid a;

CREATE VIEW rq_is.applicable_roles AS
    SELECT a.rolname AS grantee, b.rolname AS role_name,
           CASE WHEN m.admin_option THEN 'YES' ELSE 'NO' END AS is_grantable
    FROM (SELECT member, roleid, admin_option FROM rq_pg.pg_auth_members
          UNION
          SELECT d.datdba, r.oid, false FROM rq_pg.pg_database d, rq_pg.pg_authid r
          WHERE d.datname = rq_fn.current_database() AND r.rolname = 'pg_database_owner') m
    JOIN rq_pg.pg_authid a ON m.member = a.oid
    JOIN rq_pg.pg_authid b ON m.roleid = b.oid;

CREATE VIEW rq_is.administrable_role_authorizations AS
    SELECT grantee, role_name, is_grantable FROM rq_is.applicable_roles WHERE is_grantable = 'YES';

CREATE VIEW rq_is.schemata AS
    SELECT rq_fn.current_database() AS catalog_name, n.nspname AS schema_name,
           u.rolname AS schema_owner, NULL AS default_character_set_catalog,
           NULL AS default_character_set_schema, NULL AS default_character_set_name,
           NULL AS sql_path
    FROM rq_pg.pg_namespace n JOIN rq_pg.pg_authid u ON n.nspowner = u.oid;

CREATE VIEW rq_is.tables AS
    SELECT rq_fn.current_database() AS table_catalog, nc.nspname AS table_schema,
           c.relname AS table_name,
           CASE WHEN c.relkind IN ('r', 'p') THEN 'BASE TABLE' WHEN c.relkind = 'v' THEN 'VIEW'
                WHEN c.relkind = 'f' THEN 'FOREIGN' END AS table_type,
           NULL AS self_referencing_column_name, NULL AS reference_generation,
           CASE WHEN t.typname IS NOT NULL THEN rq_fn.current_database() END
               AS user_defined_type_catalog,
           t.nspname AS user_defined_type_schema, t.typname AS user_defined_type_name,
           CASE WHEN c.relkind IN ('r', 'p') OR vu.updatable THEN 'YES' ELSE 'NO' END
               AS is_insertable_into,
           CASE WHEN t.typname IS NOT NULL THEN 'YES' ELSE 'NO' END AS is_typed,
           NULL AS commit_action
    FROM rq_pg.pg_namespace nc
    JOIN rq_pg.pg_class c ON nc.oid = c.relnamespace
    LEFT JOIN (SELECT t.oid, t.typname, nt.nspname FROM rq_pg.pg_type t
               JOIN rq_pg.pg_namespace nt ON t.typnamespace = nt.oid) t ON c.reloftype = t.oid
    LEFT JOIN rq_is._view_upd vu ON vu.oid = c.oid
    WHERE c.relkind IN ('r', 'v', 'f', 'p');

CREATE VIEW rq_is.views AS
    SELECT rq_fn.current_database() AS table_catalog, nc.nspname AS table_schema,
           c.relname AS table_name, rq_fn.pg_get_viewdef(c.oid) AS view_definition,
           CASE WHEN list_contains(c.reloptions, 'check_option=cascaded') THEN 'CASCADED'
                WHEN list_contains(c.reloptions, 'check_option=local') THEN 'LOCAL'
                ELSE 'NONE' END AS check_option,
           CASE WHEN vu.updatable THEN 'YES' ELSE 'NO' END AS is_updatable,
           CASE WHEN vu.updatable THEN 'YES' ELSE 'NO' END AS is_insertable_into,
           CASE WHEN EXISTS (SELECT 1 FROM rq_pg.pg_trigger tg WHERE tg.tgrelid = c.oid
                             AND tg.tgtype & 81 = 81) THEN 'YES' ELSE 'NO' END
               AS is_trigger_updatable,
           CASE WHEN EXISTS (SELECT 1 FROM rq_pg.pg_trigger tg WHERE tg.tgrelid = c.oid
                             AND tg.tgtype & 73 = 73) THEN 'YES' ELSE 'NO' END
               AS is_trigger_deletable,
           CASE WHEN EXISTS (SELECT 1 FROM rq_pg.pg_trigger tg WHERE tg.tgrelid = c.oid
                             AND tg.tgtype & 69 = 69) THEN 'YES' ELSE 'NO' END
               AS is_trigger_insertable_into
    FROM rq_pg.pg_namespace nc JOIN rq_pg.pg_class c ON c.relnamespace = nc.oid
    LEFT JOIN rq_is._view_upd vu ON vu.oid = c.oid
    WHERE c.relkind = 'v';

-- Column facts shared by columns / attributes: the type seen through a domain.
CREATE VIEW rq_is._attr_types AS
    SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull,
           a.attcollation, a.attidentity, a.attgenerated, a.attisdropped,
           t.typtype, t.typnotnull, t.typname, nt.nspname AS typnsp,
           bt.typname AS btypname, nbt.nspname AS btypnsp,
           rq_is._pg_truetypid(t.typtype, t.typbasetype, a.atttypid) AS ttid,
           rq_is._pg_truetypmod(t.typtype, t.typtypmod, a.atttypmod) AS ttmod,
           CASE WHEN t.typtype = 'd' THEN
                CASE WHEN bt.typelem <> 0 AND bt.typlen = -1 THEN 'ARRAY'
                     WHEN nbt.nspname = 'pg_catalog' THEN rq_fn.format_type(t.typbasetype, NULL)
                     ELSE 'USER-DEFINED' END
                ELSE
                CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
                     WHEN nt.nspname = 'pg_catalog' THEN rq_fn.format_type(a.atttypid, NULL)
                     ELSE 'USER-DEFINED' END END AS data_type,
           co.nspname AS collnsp, co.collname
    FROM rq_pg.pg_attribute a
    JOIN rq_pg.pg_type t ON a.atttypid = t.oid
    JOIN rq_pg.pg_namespace nt ON t.typnamespace = nt.oid
    LEFT JOIN (SELECT bt.oid, bt.typname, bt.typelem, bt.typlen, bt.typnamespace
               FROM rq_pg.pg_type bt) bt ON t.typtype = 'd' AND t.typbasetype = bt.oid
    LEFT JOIN rq_pg.pg_namespace nbt ON bt.typnamespace = nbt.oid
    LEFT JOIN (SELECT co.oid, co.collname, nco.nspname FROM rq_pg.pg_collation co
               JOIN rq_pg.pg_namespace nco ON co.collnamespace = nco.oid
               WHERE nco.nspname <> 'pg_catalog' OR co.collname <> 'default') co
           ON a.attcollation = co.oid
    WHERE a.attnum > 0 AND NOT a.attisdropped;

CREATE VIEW rq_is._s_columns AS
    SELECT c.oid AS oid, rq_fn.current_database() AS table_catalog, nc.nspname AS table_schema,
           c.relname AS table_name, x.attname AS column_name, x.attnum AS ordinal_position,
           CASE WHEN x.attgenerated = '' THEN ad.adbin END AS column_default,
           CASE WHEN x.attnotnull OR (x.typtype = 'd' AND x.typnotnull) THEN 'NO' ELSE 'YES' END
               AS is_nullable,
           x.data_type,
           rq_is._pg_char_max_length(x.ttid, x.ttmod) AS character_maximum_length,
           rq_is._pg_char_octet_length(x.ttid, x.ttmod) AS character_octet_length,
           rq_is._pg_numeric_precision(x.ttid, x.ttmod) AS numeric_precision,
           rq_is._pg_numeric_precision_radix(x.ttid, x.ttmod) AS numeric_precision_radix,
           rq_is._pg_numeric_scale(x.ttid, x.ttmod) AS numeric_scale,
           rq_is._pg_datetime_precision(x.ttid, x.ttmod) AS datetime_precision,
           rq_is._pg_interval_type(x.ttid, x.ttmod) AS interval_type,
           NULL AS interval_precision, NULL AS character_set_catalog,
           NULL AS character_set_schema, NULL AS character_set_name,
           CASE WHEN x.collnsp IS NOT NULL THEN rq_fn.current_database() END AS collation_catalog,
           x.collnsp AS collation_schema, x.collname AS collation_name,
           CASE WHEN x.typtype = 'd' THEN rq_fn.current_database() END AS domain_catalog,
           CASE WHEN x.typtype = 'd' THEN x.typnsp END AS domain_schema,
           CASE WHEN x.typtype = 'd' THEN x.typname END AS domain_name,
           rq_fn.current_database() AS udt_catalog,
           coalesce(x.btypnsp, x.typnsp) AS udt_schema, coalesce(x.btypname, x.typname) AS udt_name,
           NULL AS scope_catalog, NULL AS scope_schema, NULL AS scope_name,
           NULL AS maximum_cardinality, x.attnum::VARCHAR AS dtd_identifier,
           'NO' AS is_self_referencing,
           CASE WHEN x.attidentity IN ('a', 'd') THEN 'YES' ELSE 'NO' END AS is_identity,
           CASE x.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END
               AS identity_generation,
           seq.seqstart::VARCHAR AS identity_start, seq.seqincrement::VARCHAR AS identity_increment,
           seq.seqmax::VARCHAR AS identity_maximum, seq.seqmin::VARCHAR AS identity_minimum,
           CASE WHEN seq.seqcycle THEN 'YES' ELSE 'NO' END AS identity_cycle,
           CASE WHEN x.attgenerated <> '' THEN 'ALWAYS' ELSE 'NEVER' END AS is_generated,
           CASE WHEN x.attgenerated <> '' THEN ad.adbin END AS generation_expression,
           CASE WHEN c.relkind IN ('r', 'p')
                     OR (vu.updatable AND rq_is._plain_target(vu.targets[x.attnum]))
                THEN 'YES' ELSE 'NO' END AS is_updatable
    FROM rq_is._attr_types x
    JOIN rq_pg.pg_class c ON x.attrelid = c.oid
    JOIN rq_pg.pg_namespace nc ON c.relnamespace = nc.oid
    LEFT JOIN rq_pg.pg_attrdef ad ON x.attrelid = ad.adrelid AND x.attnum = ad.adnum
    LEFT JOIN (SELECT d.refobjid, d.refobjsubid, s.* FROM rq_pg.pg_depend d
               JOIN rq_pg.pg_sequence s ON d.classid = 1259 AND d.objid = s.seqrelid
                                       AND d.deptype = 'i'
               WHERE d.refclassid = 1259) seq
           ON seq.refobjid = c.oid AND seq.refobjsubid = x.attnum
    LEFT JOIN rq_is._s_view_upd vu ON vu.oid = c.oid
    WHERE c.relkind IN ('r', 'v', 'f', 'p');

-- information_schema.columns reads precomputed rows (derived.py's 'columns'
-- family: binding and running rq_is._s_columns costs DuckDB ~60 ms a query).
-- The database's name is the session's, not the one the rows were filled for
-- (the built-in rows are shared by every database).
CREATE VIEW rq_is.columns AS
    SELECT rq_fn.current_database() AS table_catalog, table_schema, table_name, column_name,
           ordinal_position, column_default, is_nullable, data_type,
           character_maximum_length, character_octet_length, numeric_precision,
           numeric_precision_radix, numeric_scale, datetime_precision, interval_type,
           interval_precision, character_set_catalog, character_set_schema, character_set_name,
           CASE WHEN collation_schema IS NOT NULL THEN rq_fn.current_database() END
               AS collation_catalog, collation_schema, collation_name,
           CASE WHEN domain_schema IS NOT NULL THEN rq_fn.current_database() END
               AS domain_catalog, domain_schema, domain_name,
           rq_fn.current_database() AS udt_catalog, udt_schema, udt_name, scope_catalog,
           scope_schema, scope_name, maximum_cardinality, dtd_identifier, is_self_referencing,
           is_identity, identity_generation, identity_start, identity_increment,
           identity_maximum, identity_minimum, identity_cycle, is_generated,
           generation_expression, is_updatable
    FROM rq_base.rq_k_columns k WHERE k.key IN (rq_fn._bkey(), rq_fn._tkey());

CREATE VIEW rq_is.attributes AS
    SELECT rq_fn.current_database() AS udt_catalog, nc.nspname AS udt_schema,
           c.relname AS udt_name, x.attname AS attribute_name, x.attnum AS ordinal_position,
           ad.adbin AS attribute_default,
           CASE WHEN x.attnotnull OR (x.typtype = 'd' AND x.typnotnull) THEN 'NO' ELSE 'YES' END
               AS is_nullable,
           CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
                WHEN x.typnsp = 'pg_catalog' THEN rq_fn.format_type(x.atttypid, NULL)
                ELSE 'USER-DEFINED' END AS data_type,
           rq_is._pg_char_max_length(x.ttid, x.ttmod) AS character_maximum_length,
           rq_is._pg_char_octet_length(x.ttid, x.ttmod) AS character_octet_length,
           NULL AS character_set_catalog, NULL AS character_set_schema,
           NULL AS character_set_name,
           CASE WHEN co.nspname IS NOT NULL THEN rq_fn.current_database() END AS collation_catalog,
           co.nspname AS collation_schema, co.collname AS collation_name,
           rq_is._pg_numeric_precision(x.ttid, x.ttmod) AS numeric_precision,
           rq_is._pg_numeric_precision_radix(x.ttid, x.ttmod) AS numeric_precision_radix,
           rq_is._pg_numeric_scale(x.ttid, x.ttmod) AS numeric_scale,
           rq_is._pg_datetime_precision(x.ttid, x.ttmod) AS datetime_precision,
           rq_is._pg_interval_type(x.ttid, x.ttmod) AS interval_type,
           NULL AS interval_precision, rq_fn.current_database() AS attribute_udt_catalog,
           x.typnsp AS attribute_udt_schema, x.typname AS attribute_udt_name,
           NULL AS scope_catalog, NULL AS scope_schema, NULL AS scope_name,
           NULL AS maximum_cardinality, x.attnum::VARCHAR AS dtd_identifier,
           'NO' AS is_derived_reference_attribute
    FROM rq_is._attr_types x
    JOIN rq_pg.pg_type t ON t.oid = x.atttypid
    JOIN rq_pg.pg_class c ON x.attrelid = c.oid
    JOIN rq_pg.pg_namespace nc ON c.relnamespace = nc.oid
    LEFT JOIN rq_pg.pg_attrdef ad ON x.attrelid = ad.adrelid AND x.attnum = ad.adnum
    LEFT JOIN (SELECT co.oid, co.collname, nco.nspname FROM rq_pg.pg_collation co
               JOIN rq_pg.pg_namespace nco ON co.collnamespace = nco.oid
               WHERE nco.nspname <> 'pg_catalog' OR co.collname <> 'default') co
           ON x.attcollation = co.oid
    WHERE c.relkind = 'c';

-- Constraints on tables, plus PostgreSQL's synthetic NOT NULL checks.
CREATE VIEW rq_is.table_constraints AS
    SELECT rq_fn.current_database() AS constraint_catalog, nc.nspname AS constraint_schema,
           c.conname AS constraint_name, rq_fn.current_database() AS table_catalog,
           nr.nspname AS table_schema, r.relname AS table_name,
           CASE c.contype WHEN 'c' THEN 'CHECK' WHEN 'f' THEN 'FOREIGN KEY'
                          WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' END AS constraint_type,
           CASE WHEN c.condeferrable THEN 'YES' ELSE 'NO' END AS is_deferrable,
           CASE WHEN c.condeferred THEN 'YES' ELSE 'NO' END AS initially_deferred,
           'YES' AS enforced,
           CASE WHEN c.contype = 'u' THEN CASE WHEN (SELECT NOT ix.indnullsnotdistinct
                    FROM rq_pg.pg_index ix WHERE ix.indexrelid = c.conindid) THEN 'YES' ELSE 'NO' END
           END AS nulls_distinct
    FROM rq_pg.pg_constraint c
    JOIN rq_pg.pg_namespace nc ON nc.oid = c.connamespace
    JOIN rq_pg.pg_class r ON c.conrelid = r.oid
    JOIN rq_pg.pg_namespace nr ON nr.oid = r.relnamespace
    WHERE c.contype NOT IN ('t', 'x') AND r.relkind IN ('r', 'p')
    UNION ALL
    SELECT rq_fn.current_database(), nr.nspname,
           nr.oid::VARCHAR || '_' || r.oid::VARCHAR || '_' || a.attnum::VARCHAR || '_not_null',
           rq_fn.current_database(), nr.nspname, r.relname, 'CHECK', 'NO', 'NO', 'YES', NULL
    FROM rq_pg.pg_namespace nr
    JOIN rq_pg.pg_class r ON nr.oid = r.relnamespace
    JOIN rq_pg.pg_attribute a ON r.oid = a.attrelid
    WHERE a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p');

CREATE VIEW rq_is.check_constraints AS
    SELECT rq_fn.current_database() AS constraint_catalog, rs.nspname AS constraint_schema,
           con.conname AS constraint_name,
           substr(rq_fn.pg_get_constraintdef(con.oid), 7) AS check_clause
    FROM rq_pg.pg_constraint con
    LEFT JOIN rq_pg.pg_namespace rs ON rs.oid = con.connamespace
    WHERE con.contype = 'c'
    UNION
    SELECT rq_fn.current_database(), n.nspname,
           n.oid::VARCHAR || '_' || r.oid::VARCHAR || '_' || a.attnum::VARCHAR || '_not_null',
           a.attname || ' IS NOT NULL'
    FROM rq_pg.pg_namespace n
    JOIN rq_pg.pg_class r ON n.oid = r.relnamespace
    JOIN rq_pg.pg_attribute a ON r.oid = a.attrelid
    WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull AND r.relkind IN ('r', 'p');

CREATE VIEW rq_is.key_column_usage AS
    SELECT rq_fn.current_database() AS constraint_catalog, ss.nc_nspname AS constraint_schema,
           ss.conname AS constraint_name, rq_fn.current_database() AS table_catalog,
           ss.nr_nspname AS table_schema, ss.relname AS table_name, a.attname AS column_name,
           ss.n AS ordinal_position,
           CASE WHEN ss.contype = 'f'
                THEN rq_is._pg_index_position(ss.conindid, ss.confkey[ss.n]) END
               AS position_in_unique_constraint
    FROM (SELECT r.oid AS roid, r.relname, nc.nspname AS nc_nspname, nr.nspname AS nr_nspname,
                 c.conname, c.contype, c.conindid, c.confkey,
                 unnest(c.conkey) AS x, generate_subscripts(c.conkey, 1) AS n
          FROM rq_pg.pg_constraint c
          JOIN rq_pg.pg_class r ON r.oid = c.conrelid
          JOIN rq_pg.pg_namespace nr ON nr.oid = r.relnamespace
          JOIN rq_pg.pg_namespace nc ON nc.oid = c.connamespace
          WHERE c.contype IN ('p', 'u', 'f') AND r.relkind IN ('r', 'p')) ss
    JOIN rq_pg.pg_attribute a ON ss.roid = a.attrelid AND a.attnum = ss.x
    WHERE NOT a.attisdropped;

-- The referenced key: the PRIMARY KEY / UNIQUE constraint of the
-- referenced table owning the index the foreign key uses (PostgreSQL finds
-- it through pg_depend, which riffq does not keep).
CREATE VIEW rq_is.referential_constraints AS
    SELECT rq_fn.current_database() AS constraint_catalog, ncon.nspname AS constraint_schema,
           con.conname AS constraint_name,
           CASE WHEN npkc.nspname IS NULL THEN NULL ELSE rq_fn.current_database() END
               AS unique_constraint_catalog,
           npkc.nspname AS unique_constraint_schema, pkc.conname AS unique_constraint_name,
           CASE con.confmatchtype WHEN 'f' THEN 'FULL' WHEN 'p' THEN 'PARTIAL' WHEN 's' THEN 'NONE'
           END AS match_option,
           CASE con.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
                WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' WHEN 'a' THEN 'NO ACTION'
           END AS update_rule,
           CASE con.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
                WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' WHEN 'a' THEN 'NO ACTION'
           END AS delete_rule
    FROM rq_pg.pg_namespace ncon
    JOIN rq_pg.pg_constraint con ON ncon.oid = con.connamespace AND con.contype = 'f'
    JOIN rq_pg.pg_class c ON con.conrelid = c.oid
    LEFT JOIN rq_pg.pg_constraint pkc ON pkc.conindid = con.conindid AND pkc.contype IN ('p', 'u')
                                     AND pkc.conrelid = con.confrelid AND con.conindid <> 0
    LEFT JOIN rq_pg.pg_namespace npkc ON pkc.connamespace = npkc.oid;

CREATE VIEW rq_is.constraint_column_usage AS
    SELECT rq_fn.current_database() AS table_catalog, x.tblschema AS table_schema,
           x.tblname AS table_name, x.colname AS column_name,
           rq_fn.current_database() AS constraint_catalog, x.cstrschema AS constraint_schema,
           x.cstrname AS constraint_name
    FROM (SELECT DISTINCT nr.nspname AS tblschema, r.relname AS tblname, a.attname AS colname,
                 nc.nspname AS cstrschema, c.conname AS cstrname
          FROM rq_pg.pg_constraint c
          JOIN rq_pg.pg_namespace nc ON c.connamespace = nc.oid
          JOIN rq_pg.pg_class r ON r.oid = c.conrelid
          JOIN rq_pg.pg_namespace nr ON nr.oid = r.relnamespace
          JOIN rq_pg.pg_attribute a ON a.attrelid = r.oid AND list_contains(c.conkey, a.attnum)
          WHERE c.contype = 'c' AND r.relkind IN ('r', 'p') AND NOT a.attisdropped
          UNION ALL
          SELECT nr.nspname, r.relname, a.attname, nc.nspname, c.conname
          FROM rq_pg.pg_constraint c
          JOIN rq_pg.pg_namespace nc ON nc.oid = c.connamespace
          JOIN rq_pg.pg_class r
            ON r.oid = CASE c.contype WHEN 'f' THEN c.confrelid ELSE c.conrelid END
          JOIN rq_pg.pg_namespace nr ON nr.oid = r.relnamespace
          JOIN rq_pg.pg_attribute a ON r.oid = a.attrelid
           AND list_contains(CASE c.contype WHEN 'f' THEN c.confkey ELSE c.conkey END, a.attnum)
          WHERE NOT a.attisdropped AND c.contype IN ('p', 'u', 'f')
            AND r.relkind IN ('r', 'p')) x;

CREATE VIEW rq_is.constraint_table_usage AS
    SELECT rq_fn.current_database() AS table_catalog, nr.nspname AS table_schema,
           r.relname AS table_name, rq_fn.current_database() AS constraint_catalog,
           nc.nspname AS constraint_schema, c.conname AS constraint_name
    FROM rq_pg.pg_constraint c
    JOIN rq_pg.pg_namespace nc ON c.connamespace = nc.oid
    JOIN rq_pg.pg_class r ON (c.contype = 'f' AND c.confrelid = r.oid)
                          OR (c.contype IN ('p', 'u') AND c.conrelid = r.oid)
    JOIN rq_pg.pg_namespace nr ON r.relnamespace = nr.oid
    WHERE r.relkind IN ('r', 'p');

CREATE VIEW rq_is.domain_constraints AS
    SELECT rq_fn.current_database() AS constraint_catalog, rs.nspname AS constraint_schema,
           con.conname AS constraint_name, rq_fn.current_database() AS domain_catalog,
           n.nspname AS domain_schema, t.typname AS domain_name,
           CASE WHEN con.condeferrable THEN 'YES' ELSE 'NO' END AS is_deferrable,
           CASE WHEN con.condeferred THEN 'YES' ELSE 'NO' END AS initially_deferred
    FROM rq_pg.pg_constraint con
    JOIN rq_pg.pg_namespace rs ON rs.oid = con.connamespace
    JOIN rq_pg.pg_type t ON t.oid = con.contypid
    JOIN rq_pg.pg_namespace n ON n.oid = t.typnamespace;

CREATE VIEW rq_is.domains AS
    SELECT rq_fn.current_database() AS domain_catalog, nt.nspname AS domain_schema,
           t.typname AS domain_name,
           CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
                WHEN nbt.nspname = 'pg_catalog' THEN rq_fn.format_type(t.typbasetype, NULL)
                ELSE 'USER-DEFINED' END AS data_type,
           rq_is._pg_char_max_length(t.typbasetype, t.typtypmod) AS character_maximum_length,
           rq_is._pg_char_octet_length(t.typbasetype, t.typtypmod) AS character_octet_length,
           NULL AS character_set_catalog, NULL AS character_set_schema,
           NULL AS character_set_name,
           CASE WHEN co.nspname IS NOT NULL THEN rq_fn.current_database() END AS collation_catalog,
           co.nspname AS collation_schema, co.collname AS collation_name,
           rq_is._pg_numeric_precision(t.typbasetype, t.typtypmod) AS numeric_precision,
           rq_is._pg_numeric_precision_radix(t.typbasetype, t.typtypmod) AS numeric_precision_radix,
           rq_is._pg_numeric_scale(t.typbasetype, t.typtypmod) AS numeric_scale,
           rq_is._pg_datetime_precision(t.typbasetype, t.typtypmod) AS datetime_precision,
           rq_is._pg_interval_type(t.typbasetype, t.typtypmod) AS interval_type,
           NULL AS interval_precision, t.typdefault AS domain_default,
           rq_fn.current_database() AS udt_catalog, nbt.nspname AS udt_schema,
           bt.typname AS udt_name, NULL AS scope_catalog, NULL AS scope_schema,
           NULL AS scope_name, NULL AS maximum_cardinality, '1' AS dtd_identifier
    FROM rq_pg.pg_type t
    JOIN rq_pg.pg_namespace nt ON t.typnamespace = nt.oid
    JOIN rq_pg.pg_type bt ON t.typbasetype = bt.oid AND t.typtype = 'd'
    JOIN rq_pg.pg_namespace nbt ON bt.typnamespace = nbt.oid
    LEFT JOIN (SELECT co.oid, co.collname, nco.nspname FROM rq_pg.pg_collation co
               JOIN rq_pg.pg_namespace nco ON co.collnamespace = nco.oid
               WHERE nco.nspname <> 'pg_catalog' OR co.collname <> 'default') co
           ON t.typcollation = co.oid;

CREATE VIEW rq_is.column_domain_usage AS
    SELECT rq_fn.current_database() AS domain_catalog, nt.nspname AS domain_schema,
           t.typname AS domain_name, rq_fn.current_database() AS table_catalog,
           nc.nspname AS table_schema, c.relname AS table_name, a.attname AS column_name
    FROM rq_pg.pg_type t
    JOIN rq_pg.pg_namespace nt ON t.typnamespace = nt.oid
    JOIN rq_pg.pg_attribute a ON a.atttypid = t.oid
    JOIN rq_pg.pg_class c ON a.attrelid = c.oid
    JOIN rq_pg.pg_namespace nc ON c.relnamespace = nc.oid
    WHERE t.typtype = 'd' AND c.relkind IN ('r', 'v', 'f', 'p') AND a.attnum > 0
      AND NOT a.attisdropped;

CREATE VIEW rq_is.column_udt_usage AS
    SELECT rq_fn.current_database() AS udt_catalog, coalesce(x.btypnsp, x.typnsp) AS udt_schema,
           coalesce(x.btypname, x.typname) AS udt_name, rq_fn.current_database() AS table_catalog,
           nc.nspname AS table_schema, c.relname AS table_name, x.attname AS column_name
    FROM rq_is._attr_types x
    JOIN rq_pg.pg_class c ON x.attrelid = c.oid
    JOIN rq_pg.pg_namespace nc ON nc.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'v', 'f', 'p');

CREATE VIEW rq_is.domain_udt_usage AS
    SELECT rq_fn.current_database() AS udt_catalog, nbt.nspname AS udt_schema,
           bt.typname AS udt_name, rq_fn.current_database() AS domain_catalog,
           nt.nspname AS domain_schema, t.typname AS domain_name
    FROM rq_pg.pg_type t
    JOIN rq_pg.pg_namespace nt ON t.typnamespace = nt.oid
    JOIN rq_pg.pg_type bt ON t.typbasetype = bt.oid
    JOIN rq_pg.pg_namespace nbt ON bt.typnamespace = nbt.oid
    WHERE t.typtype = 'd';

CREATE VIEW rq_is.collations AS
    SELECT rq_fn.current_database() AS collation_catalog, nc.nspname AS collation_schema,
           c.collname AS collation_name, 'NO PAD' AS pad_attribute
    FROM rq_pg.pg_collation c JOIN rq_pg.pg_namespace nc ON c.collnamespace = nc.oid
    WHERE c.collencoding = -1 OR c.collencoding = coalesce((SELECT min(d.encoding)
          FROM rq_pg.pg_database d WHERE d.datname = rq_fn.current_database()), 6);

CREATE VIEW rq_is.collation_character_set_applicability AS
    SELECT rq_fn.current_database() AS collation_catalog, nc.nspname AS collation_schema,
           c.collname AS collation_name, NULL AS character_set_catalog,
           NULL AS character_set_schema, rq_is._db_encoding() AS character_set_name
    FROM rq_pg.pg_collation c JOIN rq_pg.pg_namespace nc ON c.collnamespace = nc.oid
    WHERE c.collencoding = -1 OR c.collencoding = coalesce((SELECT min(d.encoding)
          FROM rq_pg.pg_database d WHERE d.datname = rq_fn.current_database()), 6);

CREATE VIEW rq_is.character_sets AS
    SELECT NULL AS character_set_catalog, NULL AS character_set_schema,
           rq_is._db_encoding() AS character_set_name,
           CASE WHEN rq_is._db_encoding() = 'UTF8' THEN 'UCS' ELSE rq_is._db_encoding() END
               AS character_repertoire,
           rq_is._db_encoding() AS form_of_use,
           rq_fn.current_database() AS default_collate_catalog,
           nc.nspname AS default_collate_schema, c.collname AS default_collate_name
    FROM rq_pg.pg_database d
    LEFT JOIN rq_pg.pg_collation c ON d.datcollate = c.collcollate AND d.datctype = c.collctype
    LEFT JOIN rq_pg.pg_namespace nc ON c.collnamespace = nc.oid
    WHERE d.datname = rq_fn.current_database()
    ORDER BY length(c.collname) DESC, c.collname LIMIT 1;

CREATE VIEW rq_is.sequences AS
    SELECT rq_fn.current_database() AS sequence_catalog, nc.nspname AS sequence_schema,
           c.relname AS sequence_name, rq_fn.format_type(s.seqtypid, NULL) AS data_type,
           rq_is._pg_numeric_precision(s.seqtypid, -1) AS numeric_precision,
           2 AS numeric_precision_radix, 0 AS numeric_scale,
           s.seqstart::VARCHAR AS start_value, s.seqmin::VARCHAR AS minimum_value,
           s.seqmax::VARCHAR AS maximum_value, s.seqincrement::VARCHAR AS increment,
           CASE WHEN s.seqcycle THEN 'YES' ELSE 'NO' END AS cycle_option
    FROM rq_pg.pg_namespace nc
    JOIN rq_pg.pg_class c ON c.relnamespace = nc.oid
    JOIN rq_pg.pg_sequence s ON c.oid = s.seqrelid
    WHERE c.relkind = 'S'
      AND NOT EXISTS (SELECT 1 FROM rq_pg.pg_depend d WHERE d.classid = 1259
                      AND d.objid = c.oid AND d.deptype = 'i');

CREATE VIEW rq_is.routines AS
    SELECT rq_fn.current_database() AS specific_catalog, n.nspname AS specific_schema,
           rq_is._nameconcatoid(p.proname, p.oid) AS specific_name,
           rq_fn.current_database() AS routine_catalog, n.nspname AS routine_schema,
           p.proname AS routine_name,
           CASE p.prokind WHEN 'f' THEN 'FUNCTION' WHEN 'p' THEN 'PROCEDURE' END AS routine_type,
           CASE WHEN p.prokind = 'p' THEN NULL
                WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
                WHEN nt.nspname = 'pg_catalog' THEN rq_fn.format_type(t.oid, NULL)
                ELSE 'USER-DEFINED' END AS data_type,
           CASE WHEN nt.nspname IS NOT NULL THEN rq_fn.current_database() END AS type_udt_catalog,
           nt.nspname AS type_udt_schema, t.typname AS type_udt_name,
           CASE WHEN p.prokind <> 'p' THEN '0' END AS dtd_identifier,
           CASE WHEN l.lanname = 'sql' THEN 'SQL' ELSE 'EXTERNAL' END AS routine_body,
           p.prosrc AS routine_definition,
           CASE WHEN l.lanname = 'c' THEN p.prosrc END AS external_name,
           upper(l.lanname) AS external_language, 'GENERAL' AS parameter_style,
           CASE WHEN p.provolatile = 'i' THEN 'YES' ELSE 'NO' END AS is_deterministic,
           'MODIFIES' AS sql_data_access,
           CASE WHEN p.prokind <> 'p' THEN CASE WHEN p.proisstrict THEN 'YES' ELSE 'NO' END END
               AS is_null_call,
           'YES' AS schema_level_routine, 0 AS max_dynamic_result_sets,
           CASE WHEN p.prosecdef THEN 'DEFINER' ELSE 'INVOKER' END AS security_type,
           'NO' AS as_locator, 'NO' AS is_udt_dependent
    FROM rq_pg.pg_namespace n
    JOIN rq_pg.pg_proc p ON n.oid = p.pronamespace
    JOIN rq_pg.pg_language l ON p.prolang = l.oid
    LEFT JOIN (SELECT t.oid, t.typname, t.typelem, t.typlen, t.typnamespace FROM rq_pg.pg_type t) t
           ON p.prorettype = t.oid AND p.prokind <> 'p'
    LEFT JOIN rq_pg.pg_namespace nt ON t.typnamespace = nt.oid;

-- One row per argument; defaults of the last pronargdefaults input
-- arguments from proargdefaults (JSON list of expression texts).
CREATE VIEW rq_is.parameters AS
    SELECT rq_fn.current_database() AS specific_catalog, ss.nspname AS specific_schema,
           rq_is._nameconcatoid(ss.proname, ss.p_oid) AS specific_name,
           ss.n AS ordinal_position,
           CASE WHEN ss.proargmodes IS NULL THEN 'IN'
                WHEN ss.mode = 'i' THEN 'IN' WHEN ss.mode = 'o' THEN 'OUT'
                WHEN ss.mode = 'b' THEN 'INOUT' WHEN ss.mode = 'v' THEN 'IN'
                WHEN ss.mode = 't' THEN 'OUT' END AS parameter_mode,
           'NO' AS is_result, 'NO' AS as_locator,
           nullif(ss.proargnames[ss.n], '') AS parameter_name,
           CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
                WHEN nt.nspname = 'pg_catalog' THEN rq_fn.format_type(t.oid, NULL)
                ELSE 'USER-DEFINED' END AS data_type,
           rq_fn.current_database() AS udt_catalog, nt.nspname AS udt_schema,
           t.typname AS udt_name, ss.n::VARCHAR AS dtd_identifier,
           CASE WHEN ss.isinput AND ss.isinput_no > ss.pronargs - ss.pronargdefaults
                THEN rq_fn._json_list(ss.proargdefaults)[
                         ss.isinput_no - (ss.pronargs - ss.pronargdefaults)] END
               AS parameter_default
    FROM (SELECT *, coalesce(mode IN ('i', 'b', 'v'), true) AS isinput,
                 (sum(CASE WHEN coalesce(mode IN ('i', 'b', 'v'), true) THEN 1 ELSE 0 END)
                     OVER (PARTITION BY p_oid ORDER BY n))::BIGINT AS isinput_no
          FROM (SELECT n.nspname, p.proname, p.oid AS p_oid, p.proargnames, p.proargmodes,
                       p.pronargs, p.pronargdefaults, p.proargdefaults,
                       unnest(coalesce(p.proallargtypes, p.proargtypes)) AS x,
                       unnest(coalesce(p.proargmodes,
                                       list_transform(coalesce(p.proallargtypes, p.proargtypes),
                                                      rq_lx -> 'i'))) AS mode,
                       generate_subscripts(coalesce(p.proallargtypes, p.proargtypes), 1) AS n
                FROM rq_pg.pg_namespace n JOIN rq_pg.pg_proc p ON n.oid = p.pronamespace)) ss
    JOIN rq_pg.pg_type t ON t.oid = ss.x
    JOIN rq_pg.pg_namespace nt ON t.typnamespace = nt.oid;

CREATE VIEW rq_is.user_defined_types AS
    SELECT rq_fn.current_database() AS user_defined_type_catalog,
           n.nspname AS user_defined_type_schema, c.relname AS user_defined_type_name,
           'STRUCTURED' AS user_defined_type_category, 'YES' AS is_instantiable
    FROM rq_pg.pg_namespace n
    JOIN rq_pg.pg_class c ON n.oid = c.relnamespace
    JOIN rq_pg.pg_type t ON t.typrelid = c.oid
    WHERE c.relkind = 'c';

-- ---- privileges ---------------------------------------------------------------

CREATE VIEW rq_is.table_privileges AS
    SELECT c.acl.grantor AS grantor, c.acl.grantee AS grantee,
           rq_fn.current_database() AS table_catalog, nc.nspname AS table_schema,
           c.relname AS table_name, c.acl.privilege_type AS privilege_type,
           rq_is._grantable(c.acl.grantee, c.owner, c.acl.is_grantable) AS is_grantable,
           CASE WHEN c.acl.privilege_type = 'SELECT' THEN 'YES' ELSE 'NO' END AS with_hierarchy
    FROM (SELECT c.relname, c.relnamespace, o.rolname AS owner, unnest(rq_is._aclexplode(coalesce(c.relacl,
                     rq_is._acldefault('r', o.rolname)))) AS acl
          FROM rq_pg.pg_class c JOIN rq_pg.pg_authid o ON o.oid = c.relowner
          WHERE c.relkind IN ('r', 'v', 'f', 'p')) c
    JOIN rq_pg.pg_namespace nc ON c.relnamespace = nc.oid
    JOIN rq_pg.pg_authid g ON g.rolname = c.acl.grantor
    JOIN rq_is._grantees e ON e.rolname = c.acl.grantee
    WHERE c.acl.privilege_type IN ('INSERT', 'SELECT', 'UPDATE', 'DELETE', 'TRUNCATE',
                                   'REFERENCES', 'TRIGGER');

CREATE VIEW rq_is.role_table_grants AS
    SELECT * FROM rq_is.table_privileges
    WHERE grantor IN (SELECT role_name FROM rq_is.enabled_roles)
       OR grantee IN (SELECT role_name FROM rq_is.enabled_roles);

CREATE VIEW rq_is.column_privileges AS
    SELECT x.grantor, x.grantee, rq_fn.current_database() AS table_catalog,
           nc.nspname AS table_schema, x.relname AS table_name, x.attname AS column_name,
           x.privilege_type,
           rq_is._grantable(x.grantee, x.owner, x.grantable) AS is_grantable
    FROM (SELECT c.acl.grantor AS grantor, c.acl.grantee AS grantee, a.attname, c.relname,
                 c.relnamespace, c.acl.privilege_type AS privilege_type,
                 c.acl.is_grantable AS grantable, c.owner
          FROM (SELECT c.oid, c.relname, c.relnamespace, o.rolname AS owner,
                       unnest(rq_is._aclexplode(coalesce(c.relacl,
                                                         rq_is._acldefault('r', o.rolname)))) AS acl
                FROM rq_pg.pg_class c JOIN rq_pg.pg_authid o ON o.oid = c.relowner
                WHERE c.relkind IN ('r', 'v', 'f', 'p')) c
          JOIN rq_pg.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          UNION
          SELECT a.acl.grantor, a.acl.grantee, a.attname, c.relname, c.relnamespace,
                 a.acl.privilege_type, a.acl.is_grantable, o.rolname
          FROM (SELECT a.attrelid, a.attname, unnest(rq_is._aclexplode(a.attacl)) AS acl
                FROM rq_pg.pg_attribute a
                WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL) a
          JOIN rq_pg.pg_class c ON a.attrelid = c.oid
          JOIN rq_pg.pg_authid o ON o.oid = c.relowner
          WHERE c.relkind IN ('r', 'v', 'f', 'p')) x
    JOIN rq_pg.pg_namespace nc ON x.relnamespace = nc.oid
    JOIN rq_pg.pg_authid g ON g.rolname = x.grantor
    JOIN rq_is._grantees e ON e.rolname = x.grantee
    WHERE x.privilege_type IN ('INSERT', 'SELECT', 'UPDATE', 'REFERENCES');

CREATE VIEW rq_is.role_column_grants AS
    SELECT * FROM rq_is.column_privileges
    WHERE grantor IN (SELECT role_name FROM rq_is.enabled_roles)
       OR grantee IN (SELECT role_name FROM rq_is.enabled_roles);

CREATE VIEW rq_is.routine_privileges AS
    SELECT p.acl.grantor AS grantor, p.acl.grantee AS grantee,
           rq_fn.current_database() AS specific_catalog, n.nspname AS specific_schema,
           rq_is._nameconcatoid(p.proname, p.oid) AS specific_name,
           rq_fn.current_database() AS routine_catalog, n.nspname AS routine_schema,
           p.proname AS routine_name, 'EXECUTE' AS privilege_type,
           rq_is._grantable(p.acl.grantee, p.owner, p.acl.is_grantable) AS is_grantable
    FROM (SELECT p.oid, p.proname, p.pronamespace, o.rolname AS owner,
                 unnest(rq_is._aclexplode(coalesce(p.proacl, rq_is._acldefault('f', o.rolname))))
                     AS acl
          FROM rq_pg.pg_proc p JOIN rq_pg.pg_authid o ON o.oid = p.proowner) p
    JOIN rq_pg.pg_namespace n ON p.pronamespace = n.oid
    JOIN rq_pg.pg_authid g ON g.rolname = p.acl.grantor
    JOIN rq_is._grantees e ON e.rolname = p.acl.grantee
    WHERE p.acl.privilege_type = 'EXECUTE';

CREATE VIEW rq_is.role_routine_grants AS
    SELECT * FROM rq_is.routine_privileges
    WHERE grantor IN (SELECT role_name FROM rq_is.enabled_roles)
       OR grantee IN (SELECT role_name FROM rq_is.enabled_roles);

CREATE VIEW rq_is.udt_privileges AS
    SELECT t.acl.grantor AS grantor, t.acl.grantee AS grantee,
           rq_fn.current_database() AS udt_catalog, n.nspname AS udt_schema,
           t.typname AS udt_name, 'TYPE USAGE' AS privilege_type,
           rq_is._grantable(t.acl.grantee, t.owner, t.acl.is_grantable) AS is_grantable
    FROM (SELECT t.typname, t.typnamespace, o.rolname AS owner,
                 unnest(rq_is._aclexplode(coalesce(t.typacl, rq_is._acldefault('T', o.rolname))))
                     AS acl
          FROM rq_pg.pg_type t JOIN rq_pg.pg_authid o ON o.oid = t.typowner
          WHERE t.typtype = 'c') t
    JOIN rq_pg.pg_namespace n ON t.typnamespace = n.oid
    JOIN rq_pg.pg_authid g ON g.rolname = t.acl.grantor
    JOIN rq_is._grantees e ON e.rolname = t.acl.grantee
    WHERE t.acl.privilege_type = 'USAGE';

CREATE VIEW rq_is.role_udt_grants AS
    SELECT * FROM rq_is.udt_privileges
    WHERE grantor IN (SELECT role_name FROM rq_is.enabled_roles)
       OR grantee IN (SELECT role_name FROM rq_is.enabled_roles);

CREATE VIEW rq_is.usage_privileges AS
    SELECT u.rolname AS grantor, 'PUBLIC' AS grantee, rq_fn.current_database() AS object_catalog,
           n.nspname AS object_schema, c.collname AS object_name, 'COLLATION' AS object_type,
           'USAGE' AS privilege_type, 'NO' AS is_grantable
    FROM rq_pg.pg_collation c
    JOIN rq_pg.pg_authid u ON u.oid = c.collowner
    JOIN rq_pg.pg_namespace n ON c.collnamespace = n.oid
    WHERE c.collencoding = -1 OR c.collencoding = coalesce((SELECT min(d.encoding)
          FROM rq_pg.pg_database d WHERE d.datname = rq_fn.current_database()), 6)
    UNION ALL
    SELECT t.acl.grantor, t.acl.grantee, rq_fn.current_database(), n.nspname, t.typname,
           'DOMAIN', 'USAGE',
           rq_is._grantable(t.acl.grantee, t.owner, t.acl.is_grantable)
    FROM (SELECT t.typname, t.typnamespace, o.rolname AS owner,
                 unnest(rq_is._aclexplode(coalesce(t.typacl, rq_is._acldefault('T', o.rolname))))
                     AS acl
          FROM rq_pg.pg_type t JOIN rq_pg.pg_authid o ON o.oid = t.typowner
          WHERE t.typtype = 'd') t
    JOIN rq_pg.pg_namespace n ON t.typnamespace = n.oid
    JOIN rq_pg.pg_authid g ON g.rolname = t.acl.grantor
    JOIN rq_is._grantees e ON e.rolname = t.acl.grantee
    WHERE t.acl.privilege_type = 'USAGE'
    UNION ALL
    SELECT c.acl.grantor, c.acl.grantee, rq_fn.current_database(), n.nspname, c.relname,
           'SEQUENCE', 'USAGE',
           rq_is._grantable(c.acl.grantee, c.owner, c.acl.is_grantable)
    FROM (SELECT c.relname, c.relnamespace, o.rolname AS owner,
                 unnest(rq_is._aclexplode(coalesce(c.relacl, rq_is._acldefault('r', o.rolname))))
                     AS acl
          FROM rq_pg.pg_class c JOIN rq_pg.pg_authid o ON o.oid = c.relowner
          WHERE c.relkind = 'S') c
    JOIN rq_pg.pg_namespace n ON c.relnamespace = n.oid
    JOIN rq_pg.pg_authid g ON g.rolname = c.acl.grantor
    JOIN rq_is._grantees e ON e.rolname = c.acl.grantee
    WHERE c.acl.privilege_type = 'USAGE';

CREATE VIEW rq_is.role_usage_grants AS
    SELECT * FROM rq_is.usage_privileges
    WHERE grantor IN (SELECT role_name FROM rq_is.enabled_roles)
       OR grantee IN (SELECT role_name FROM rq_is.enabled_roles);

-- ---- data type descriptors ------------------------------------------------------

CREATE VIEW rq_is.data_type_privileges AS
    SELECT rq_fn.current_database() AS object_catalog, x.objschema AS object_schema,
           x.objname AS object_name, x.objtype AS object_type, x.objdtdid AS dtd_identifier
    FROM (SELECT udt_schema AS objschema, udt_name AS objname, 'USER-DEFINED TYPE' AS objtype,
                 dtd_identifier AS objdtdid FROM rq_is.attributes
          UNION ALL SELECT table_schema, table_name, 'TABLE', dtd_identifier FROM rq_is.columns
          UNION ALL SELECT domain_schema, domain_name, 'DOMAIN', dtd_identifier FROM rq_is.domains
          UNION ALL SELECT specific_schema, specific_name, 'ROUTINE', dtd_identifier
                    FROM rq_is.parameters
          UNION ALL SELECT specific_schema, specific_name, 'ROUTINE', dtd_identifier
                    FROM rq_is.routines) x;

-- Array-typed columns, attributes, domains and routine arguments / results.
CREATE VIEW rq_is.element_types AS
    SELECT rq_fn.current_database() AS object_catalog, n.nspname AS object_schema,
           x.objname AS object_name, x.objtype AS object_type,
           x.objdtdid AS collection_type_identifier,
           CASE WHEN nbt.nspname = 'pg_catalog' THEN rq_fn.format_type(bt.oid, NULL)
                ELSE 'USER-DEFINED' END AS data_type,
           CASE WHEN co.nspname IS NOT NULL THEN rq_fn.current_database() END AS collation_catalog,
           co.nspname AS collation_schema, co.collname AS collation_name,
           rq_fn.current_database() AS udt_catalog, nbt.nspname AS udt_schema,
           bt.typname AS udt_name, 'a' || x.objdtdid AS dtd_identifier
    FROM (SELECT c.relnamespace AS objschema, c.relname AS objname,
                 CASE WHEN c.relkind = 'c' THEN 'USER-DEFINED TYPE' ELSE 'TABLE' END AS objtype,
                 a.attnum::VARCHAR AS objdtdid, a.atttypid AS objtypeid,
                 a.attcollation AS objcollation
          FROM rq_pg.pg_class c JOIN rq_pg.pg_attribute a ON c.oid = a.attrelid
          WHERE c.relkind IN ('r', 'v', 'f', 'c', 'p') AND a.attnum > 0 AND NOT a.attisdropped
          UNION ALL
          SELECT t.typnamespace, t.typname, 'DOMAIN', '1', t.typbasetype, t.typcollation
          FROM rq_pg.pg_type t WHERE t.typtype = 'd'
          UNION ALL
          SELECT p.pronamespace, rq_is._nameconcatoid(p.proname, p.oid), 'ROUTINE',
                 generate_subscripts(coalesce(p.proallargtypes, p.proargtypes), 1)::VARCHAR,
                 unnest(coalesce(p.proallargtypes, p.proargtypes)), 0
          FROM rq_pg.pg_proc p
          UNION ALL
          SELECT p.pronamespace, rq_is._nameconcatoid(p.proname, p.oid), 'ROUTINE', '0',
                 p.prorettype, 0
          FROM rq_pg.pg_proc p) x
    JOIN rq_pg.pg_namespace n ON n.oid = x.objschema
    JOIN rq_pg.pg_type arrt ON arrt.oid = x.objtypeid AND arrt.typelem <> 0 AND arrt.typlen = -1
    JOIN rq_pg.pg_type bt ON arrt.typelem = bt.oid
    JOIN rq_pg.pg_namespace nbt ON nbt.oid = bt.typnamespace
    LEFT JOIN (SELECT co.oid, co.collname, nco.nspname FROM rq_pg.pg_collation co
               JOIN rq_pg.pg_namespace nco ON co.collnamespace = nco.oid
               WHERE nco.nspname <> 'pg_catalog' OR co.collname <> 'default') co
           ON x.objcollation = co.oid;
