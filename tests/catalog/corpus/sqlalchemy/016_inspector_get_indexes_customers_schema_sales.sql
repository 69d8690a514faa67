-- client: sqlalchemy
-- action: Inspector.get_indexes('customers', schema='sales')
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
SELECT pg_catalog.pg_opclass.oid, pg_catalog.pg_opclass.opcname 
FROM pg_catalog.pg_opclass 
WHERE NOT pg_catalog.pg_opclass.opcdefault
