-- client: pgcli
-- action: \d sales.orders
-- source: dbcli/pgcli + dbcli/pgspecial: pgspecial/dbcommands.py describe_table_details
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
SELECT c.oid::pg_catalog.regclass
FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i
WHERE c.oid = i.inhparent
  AND i.inhrelid = '{oid:sales.orders}'
ORDER BY inhseqno
