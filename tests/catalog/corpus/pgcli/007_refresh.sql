-- client: pgcli
-- action: refresh
-- source: dbcli/pgcli + dbcli/pgspecial: pgcli/pgexecute.py completion refresh (CompletionRefresher)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: simple
-- expect: equal

        SELECT d.datname
        FROM pg_catalog.pg_database d
        ORDER BY 1
