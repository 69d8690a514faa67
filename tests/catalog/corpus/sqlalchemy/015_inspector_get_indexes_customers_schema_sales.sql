-- client: sqlalchemy
-- action: Inspector.get_indexes('customers', schema='sales')
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: extended
-- params: ["btree"]
-- expect: equal
SELECT pg_catalog.pg_am.oid, pg_catalog.pg_am.amname 
FROM pg_catalog.pg_am 
WHERE pg_catalog.pg_am.amname = $1::VARCHAR
