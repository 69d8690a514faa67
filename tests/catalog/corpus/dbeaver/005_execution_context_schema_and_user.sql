-- client: dbeaver
-- action: execution context: schema and user
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreExecutionContext.java (refreshDefaults)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: []
-- expect: equal
SELECT current_schema(),session_user
