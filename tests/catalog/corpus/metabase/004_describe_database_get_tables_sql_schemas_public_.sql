-- client: metabase
-- action: describe-database (get-tables-sql, schemas public+sales)
-- source: metabase/metabase src/metabase/driver/postgres.clj (get-tables-sql)
-- captured: rendered by hand from the HoneySQL form (identifier quoting may differ from what HoneySQL sends)
-- protocol: extended
-- params: ["^pg_", "information_schema", "public", "sales"]
-- ignore_columns: estimated_row_count
-- note: estimated_row_count is pg_stat_user_tables.n_live_tup (statistics)
-- expect: equal
SELECT "n"."nspname" AS "schema", "c"."relname" AS "name", CASE "c"."relkind" WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS "type", "d"."description" AS "description", "stat"."n_live_tup" AS "estimated_row_count" FROM "pg_catalog"."pg_class" AS "c" INNER JOIN "pg_catalog"."pg_namespace" AS "n" ON "c"."relnamespace" = "n"."oid" LEFT JOIN "pg_catalog"."pg_description" AS "d" ON ("c"."oid" = "d"."objoid") AND ("d"."objsubid" = 0) AND ("d"."classoid" = 'pg_class'::regclass) LEFT JOIN "pg_stat_user_tables" AS "stat" ON ("n"."nspname" = "stat"."schemaname") AND ("c"."relname" = "stat"."relname") WHERE ("c"."relnamespace" = "n"."oid") AND ("n"."nspname" !~ $1) AND ("n"."nspname" <> $2) AND c.relkind in ('r', 'p', 'v', 'f', 'm') AND ("n"."nspname" IN ($3, $4)) ORDER BY "type" ASC, "schema" ASC, "name" ASC
