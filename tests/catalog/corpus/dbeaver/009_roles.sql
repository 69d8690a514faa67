-- client: dbeaver
-- action: roles
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreDatabase.java (RoleCache)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: []
-- keep_rows: rolname=postgres
-- note: built-in pg_* roles are not compared; the connecting role is
-- expect: equal
SELECT a.oid,a.*,pd.description FROM pg_catalog.pg_roles a 
left join pg_catalog.pg_shdescription pd on a.oid = pd.objoid
ORDER BY a.rolname
