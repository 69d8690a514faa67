-- client: metabase
-- action: enum types
-- source: metabase/metabase src/metabase/driver/postgres.clj (enum-types)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: []
-- expect: equal
SELECT nspname, typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid IN (SELECT DISTINCT enumtypid FROM pg_enum e)
