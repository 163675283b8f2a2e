DROP TABLE catalog_schema_versions;
DROP TABLE catalog_schemas;
