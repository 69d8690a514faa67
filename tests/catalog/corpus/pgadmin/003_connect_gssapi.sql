-- client: pgadmin
-- action: connect (Connection._initialize, server version >= 12)
-- source: pgadmin-org/pgadmin4 web/pgadmin/utils/driver/psycopg3/connection.py
-- captured: transcribed by hand from the source
-- protocol: simple
-- params: []
-- expect: equal
SELECT
             gss_authenticated, encrypted
        FROM
            pg_catalog.pg_stat_gssapi
        WHERE pid = pg_backend_pid()
