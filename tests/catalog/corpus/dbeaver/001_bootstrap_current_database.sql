-- client: dbeaver
-- action: bootstrap: current database
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java (initializeRemoteInstance)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: []
-- expect: equal
SELECT current_database()
