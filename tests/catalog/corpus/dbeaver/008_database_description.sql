-- client: dbeaver
-- action: database description
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (getDescription)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: ["appdb"]
-- expect: equal
select description from pg_shdescription join pg_database on objoid = pg_database.oid where datname = $1
