-- client: pgcli
-- action: refresh
-- source: dbcli/pgcli pgcli/pgexecute.py (search_path_query)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal

        SELECT * FROM unnest(current_schemas(true))
