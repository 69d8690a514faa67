-- client: pgjdbc
-- action: CatalogMeta result_metadata
-- source: pgjdbc/pgjdbc pgjdbc/src/main/java/org/postgresql/jdbc/PgResultSetMetaData.java (fetchFieldMetaData)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: extended
-- params: []
-- expect: equal
SELECT c.oid, a.attnum, a.attname, c.relname, n.nspname, a.attnotnull OR (t.typtype = 'd' AND t.typnotnull), a.attidentity != '' OR pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval(%' FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON (c.relnamespace = n.oid) JOIN pg_catalog.pg_attribute a ON (c.oid = a.attrelid) JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid) LEFT JOIN pg_catalog.pg_attrdef d ON (d.adrelid = a.attrelid AND d.adnum = a.attnum) JOIN (SELECT {oid:sales.orders} AS oid , 1 AS attnum UNION ALL SELECT {oid:sales.orders}, 2 UNION ALL SELECT {oid:sales.orders}, 3 UNION ALL SELECT {oid:sales.orders}, 4 UNION ALL SELECT {oid:sales.orders}, 5 UNION ALL SELECT {oid:sales.orders}, 6 UNION ALL SELECT {oid:sales.orders}, 7 UNION ALL SELECT {oid:sales.orders}, 8 UNION ALL SELECT {oid:sales.orders}, 9 UNION ALL SELECT {oid:sales.orders}, 10 UNION ALL SELECT {oid:sales.orders}, 11) vals ON (c.oid = vals.oid AND a.attnum = vals.attnum) where c.oid in ({oid:sales.orders})
