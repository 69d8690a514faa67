-- client: psycopg
-- action: TypeInfo.fetch(int4, text[], numeric, uuid, jsonb, hstore)
-- source: psycopg/psycopg psycopg/psycopg/_typeinfo.py (TypeInfo._get_info_query)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: extended
-- params: ["text[]"]
-- expect: equal
SELECT
    typname AS name, oid, typarray AS array_oid,
    oid::regtype::text AS regtype, typdelim AS delimiter
FROM pg_type t
WHERE t.oid = to_regtype($1)
ORDER BY t.oid
