-- client: psql_tab
-- action: column names
-- source: postgres/postgres REL_15_STABLE src/bin/psql/tab-complete.c
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
SELECT a.attname, NULL::pg_catalog.text FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c, pg_catalog.pg_namespace nr WHERE c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped AND (a.attname) LIKE '%' AND c.relname = 'products' AND c.relnamespace = nr.oid AND nr.nspname = 'public'
LIMIT 1000
