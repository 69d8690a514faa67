-- client: dbeaver
-- action: access methods
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (AccessMethodCache)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: []
-- expect: equal
SELECT am.oid,am.* FROM pg_catalog.pg_am am 
ORDER BY am.oid
