-- client: grafana
-- action: showTables(schema='sales')
-- source: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: []
-- expect: equal
SELECT quote_ident(table_name) AS "table"
      FROM information_schema.tables
      WHERE quote_ident(table_schema) = 'sales'
      ORDER BY 1
