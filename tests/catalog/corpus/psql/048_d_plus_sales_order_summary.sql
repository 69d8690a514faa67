-- client: psql
-- action: \d+ sales.order_summary
-- source: postgres/postgres REL_15_STABLE src/bin/psql/describe.c (describeTableDetails/describeOneTableDetails)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
SELECT pg_catalog.pg_get_viewdef('{oid:sales.order_summary}'::pg_catalog.oid, true);
