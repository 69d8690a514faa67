-- client: dbeaver
-- action: database list
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java (initializeRemoteInstance catalogQuery)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: ["appdb"]
-- keep_rows: datname=appdb
-- note: one row per database: only the fixture database is compared
-- expect: equal
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE 1 = 1 AND datallowconn AND NOT datistemplate OR db.datname =$1
ORDER BY db.datname
