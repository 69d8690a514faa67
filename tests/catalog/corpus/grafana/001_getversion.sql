-- client: grafana
-- action: getVersion
-- source: grafana/grafana public/app/plugins/datasource/grafana-postgresql-datasource/postgresMetaQuery.ts
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: []
-- expect: equal
SELECT current_setting('server_version_num')::int/100 as version
