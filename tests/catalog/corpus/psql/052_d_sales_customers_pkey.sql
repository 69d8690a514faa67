-- client: psql
-- action: \d sales.customers_pkey
-- source: postgres/postgres REL_15_STABLE src/bin/psql/describe.c (describeTableDetails/describeOneTableDetails)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
SELECT a.attname,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  CASE WHEN a.attnum <= (SELECT i.indnkeyatts FROM pg_catalog.pg_index i WHERE i.indexrelid = '{oid:sales.customers_pkey}') THEN 'yes' ELSE 'no' END AS is_key,
  pg_catalog.pg_get_indexdef(a.attrelid, a.attnum, TRUE) AS indexdef
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = '{oid:sales.customers_pkey}' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;
