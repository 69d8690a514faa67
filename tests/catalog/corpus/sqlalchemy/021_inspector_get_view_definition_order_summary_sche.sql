-- client: sqlalchemy
-- action: Inspector.get_view_definition('order_summary', schema='sales')
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: extended
-- params: ["order_summary", "v", "m", "sales"]
-- expect: equal
SELECT pg_catalog.pg_get_viewdef(pg_catalog.pg_class.oid) AS pg_get_viewdef_1 
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relname = $1::VARCHAR AND pg_catalog.pg_class.relkind = ANY (ARRAY[$2::VARCHAR, $3::VARCHAR]) AND pg_catalog.pg_namespace.nspname = $4::VARCHAR
