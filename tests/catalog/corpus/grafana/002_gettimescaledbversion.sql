-- client: grafana
-- action: getTimescaleDBVersion
-- source: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: []
-- expect: equal
SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'
