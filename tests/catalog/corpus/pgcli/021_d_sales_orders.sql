-- client: pgcli
-- action: \d sales.orders
-- source: dbcli/pgcli + dbcli/pgspecial: pgspecial/dbcommands.py describe_table_details
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
SELECT t.tgname,
                        pg_catalog.pg_get_triggerdef(t.oid, true),
                        t.tgenabled
                   FROM pg_catalog.pg_trigger t
                   WHERE t.tgrelid = '{oid:sales.orders}' AND NOT t.tgisinternal
                   ORDER BY 1
