-- client: dbeaver
-- action: tables of schema sales
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreSchema.java (TableCache.prepareLookupStatement)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: ["{nspoid:sales}"]
-- ignore_columns: relfilenode, relpages, reltuples, relallvisible, reltoastrelid
-- note: storage columns (file node, page/tuple statistics, toast table) are physical
-- expect: equal
SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr,  pg_catalog.pg_get_partkeydef(c.oid) as partition_key 
FROM pg_catalog.pg_class c
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass
WHERE c.relnamespace=$1 AND c.relkind not in ('i','I','c')
