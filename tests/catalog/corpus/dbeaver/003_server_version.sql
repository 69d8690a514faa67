-- client: dbeaver
-- action: server version
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDataSource.java (initialize: serverVersion)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: []
-- normalise: version
-- expect: equal
SELECT version()
