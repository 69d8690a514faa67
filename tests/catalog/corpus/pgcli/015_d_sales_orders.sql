-- client: pgcli
-- action: \d sales.orders
-- source: dbcli/pgcli + dbcli/pgspecial: pgspecial/dbcommands.py describe_table_details
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: extended
-- params: ["^(sales)$", "^(orders)$"]
-- expect: equal
SELECT c.oid, n.nspname, c.relname
             FROM pg_catalog.pg_class c
             LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname ~ $1 AND c.relname OPERATOR(pg_catalog.~) $2
             ORDER BY 2,3
