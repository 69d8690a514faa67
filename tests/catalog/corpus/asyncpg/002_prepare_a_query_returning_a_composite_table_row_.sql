-- client: asyncpg
-- action: prepare a query returning a composite (table row) type
-- source: MagicStack/asyncpg asyncpg/connection.py (_introspect_types: JIT off around the introspection query)
-- captured: PostgreSQL 15.18 (Debian 15.18-0+deb12u1) server log (log_statement=all)
-- protocol: extended
-- params: []
-- expect: equal

                    SELECT
                        current_setting('jit') AS cur,
                        set_config('jit', 'off', false) AS new
