-- client: dbeaver
-- action: index column expression
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/PostgreSchema.java (IndexCache.fetchObjectRow: attrExpression)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: ["{oid:sales.customers_email_key}", "1"]
-- expect: equal
select pg_catalog.pg_get_indexdef($1, $2, true)
