-- client: sqlalchemy
-- action: dialect initialize (first connect)
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py (PGDialect._get_default_schema_name)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
select current_schema()
