-- client: datagrip
-- action: startup: database, schema, user
-- source: datafusion-contrib/datafusion-postgres issue #165 (DataGrip 2025.2 startup, PostgreSQL server log)
-- captured: server log quoted in the issue
-- protocol: extended
-- params: []
-- expect: equal
select current_database(), current_schema(), current_user
