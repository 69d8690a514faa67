-- client: psql_tab
-- action: database names for \c
-- source: postgres/postgres REL_15_STABLE src/bin/psql/tab-complete.c
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal
SELECT datname FROM pg_catalog.pg_database  WHERE datname LIKE '%'
LIMIT 1000
