-- client: asyncpg
-- action: Connection.set_type_codec('customers', schema='sales')
-- source: MagicStack/asyncpg asyncpg/introspection.py (TYPE_BY_NAME)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: extended
-- params: ["customers", "sales"]
-- expect: equal
SELECT
    t.oid,
    t.typelem     AS elemtype,
    t.typtype     AS kind
FROM
    pg_catalog.pg_type AS t
    INNER JOIN pg_catalog.pg_namespace ns ON (ns.oid = t.typnamespace)
WHERE
    t.typname = $1 AND ns.nspname = $2
