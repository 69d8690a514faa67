-- client: psql
-- action: \d sales.orders
-- source: postgres/postgres REL_15_STABLE src/bin/psql/describe.c (describeTableDetails/describeOneTableDetails)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
SELECT conname, conrelid::pg_catalog.regclass AS ontable,
       pg_catalog.pg_get_constraintdef(oid, true) AS condef
  FROM pg_catalog.pg_constraint c
 WHERE confrelid IN (SELECT pg_catalog.pg_partition_ancestors('{oid:sales.orders}')
                     UNION ALL VALUES ('{oid:sales.orders}'::pg_catalog.regclass))
       AND contype = 'f' AND conparentid = 0
ORDER BY conname;
