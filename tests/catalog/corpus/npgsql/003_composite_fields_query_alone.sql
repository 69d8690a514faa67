-- client: npgsql
-- action: composite fields query alone
-- source: npgsql/npgsql src/Npgsql/PostgresDatabaseInfo.cs (GenerateLoadCompositeTypesQuery)
-- captured: expanded by hand
-- protocol: simple
-- expect: equal

-- Load field definitions for (free-standing) composite types
SELECT typ.oid, att.attname, att.atttypid
FROM pg_type AS typ
JOIN pg_namespace AS ns ON (ns.oid = typ.typnamespace)
JOIN pg_class AS cls ON (cls.oid = typ.typrelid)
JOIN pg_attribute AS att ON (att.attrelid = typ.typrelid)
WHERE
  (typ.typtype = 'c' AND cls.relkind='c') AND
  
  attnum > 0 AND     -- Don't load system attributes
  NOT attisdropped
ORDER BY typ.oid, att.attnum;
