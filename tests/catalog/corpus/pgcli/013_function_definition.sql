-- client: pgcli
-- action: function_definition
-- source: dbcli/pgcli + dbcli/pgspecial: pgcli/pgexecute.py PGExecute.function_definition (\ef)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: extended
-- params: ["format_type"]
-- expect: equal

        WITH f AS
            (SELECT $1::pg_catalog.regproc::pg_catalog.oid AS f_oid)
        SELECT pg_catalog.pg_get_functiondef(f.f_oid)
        FROM f
