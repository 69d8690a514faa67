-- client: pgadmin
-- action: connect (Connection._initialize)
-- source: pgadmin-org/pgadmin4 web/pgadmin/utils/driver/psycopg3/connection.py
-- captured: transcribed by hand from the source
-- protocol: simple
-- params: []
-- expect: equal
SELECT
    db.oid as did, db.datname, db.datallowconn,
    pg_encoding_to_char(db.encoding) AS serverencoding,
    has_database_privilege(db.oid, 'CREATE') as cancreate,
    datistemplate
FROM
    pg_catalog.pg_database db
WHERE db.datname = current_database()
