-- client: pgcli
-- action: refresh
-- source: dbcli/pgcli + dbcli/pgspecial: pgcli/pgexecute.py completion refresh (CompletionRefresher)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: extended
-- params: ["{r,p,f}"]
-- expect: equal

        SELECT  n.nspname schema_name,
                c.relname table_name
        FROM    pg_catalog.pg_class c
                LEFT JOIN pg_catalog.pg_namespace n
                    ON n.oid = c.relnamespace
        WHERE   c.relkind = ANY($1)
        ORDER BY 1,2;
