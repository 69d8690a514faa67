-- client: psql
-- action: \d public.products
-- source: postgres/postgres REL_15_STABLE src/bin/psql/describe.c (describeTableDetails/describeOneTableDetails)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
SELECT c.oid::pg_catalog.regclass
FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i
WHERE c.oid = i.inhparent AND i.inhrelid = '{oid:public.products}'
  AND c.relkind != 'p' AND c.relkind != 'I'
ORDER BY inhseqno;
