-- client: pgadmin
-- action: connect (Connection._initialize)
-- source: pgadmin-org/pgadmin4 web/pgadmin/utils/driver/psycopg3/connection.py
-- captured: transcribed by hand from the source (client encoding UTF8)
-- protocol: simple-batch
-- params: []
-- expect: equal
SET DateStyle=ISO; SET client_min_messages=notice; SELECT set_config('bytea_output','hex',false) FROM pg_settings WHERE name = 'bytea_output'; SET client_encoding='UTF8';
