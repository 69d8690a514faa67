-- client: dbeaver
-- action: standard_conforming_strings
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java (readSetting)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: ["standard_conforming_strings"]
-- expect: equal
select * from pg_catalog.pg_settings where name=$1
