-- client: sqlalchemy
-- action: dialect initialize (first connect)
-- source: sqlalchemy/sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
show transaction isolation level
