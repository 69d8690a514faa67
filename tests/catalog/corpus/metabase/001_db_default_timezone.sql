-- client: metabase
-- action: db-default-timezone
-- source: metabase/metabase src/metabase/driver/postgres.clj (driver/db-default-timezone)
-- captured: transcribed by hand from the source
-- protocol: extended
-- params: []
-- compare: shape
-- note: TimeZone's default is the server's own (initdb picked this host's zone); values are not compared
-- expect: equal
show timezone;
