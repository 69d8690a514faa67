-- client: pgcli
-- action: \d sales.orders
-- source: dbcli/pgcli + dbcli/pgspecial: pgspecial/dbcommands.py describe_table_details
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
SELECT conrelid::pg_catalog.regclass, conname,
  pg_catalog.pg_get_constraintdef(c.oid, true) as condef
FROM pg_catalog.pg_constraint c
WHERE c.confrelid = '{oid:sales.orders}' AND c.contype = 'f' ORDER BY 1;
