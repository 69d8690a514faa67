-- client: npgsql
-- action: enum labels query alone
-- source: npgsql/npgsql src/Npgsql/PostgresDatabaseInfo.cs (GenerateLoadEnumFieldsQuery)
-- captured: expanded by hand
-- protocol: simple
-- expect: equal

-- Load enum fields
SELECT typ.oid, enumlabel
FROM pg_enum
JOIN pg_type AS typ ON typ.oid = enumtypid
JOIN pg_namespace AS ns ON ns.oid = typ.typnamespace

ORDER BY oid, enumsortorder;
