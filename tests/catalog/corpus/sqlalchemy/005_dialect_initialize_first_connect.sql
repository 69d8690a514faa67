-- client: sqlalchemy
-- action: dialect initialize (first connect)
-- source: psycopg/psycopg psycopg/psycopg/_typeinfo.py (TypeInfo.fetch('hstore') from sqlalchemy lib/sqlalchemy/dialects/postgresql/psycopg.py)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: extended
-- params: ["hstore"]
-- expect: equal
SELECT
    typname AS name, oid, typarray AS array_oid,
    oid::regtype::text AS regtype, typdelim AS delimiter
FROM pg_type t
WHERE t.oid = to_regtype($1)
ORDER BY t.oid
