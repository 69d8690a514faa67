-- client: dbeaver
-- action: database info
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (readDatabaseInfo)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: ["appdb"]
-- expect: equal
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname=$1
