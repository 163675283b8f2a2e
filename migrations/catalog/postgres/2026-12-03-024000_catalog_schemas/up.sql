-- Schemas (Avro), named by their full name, with the compatibility mode new versions are
-- checked against (Confluent's meanings; NONE by default, as Axual checks nothing).
CREATE TABLE catalog_schemas (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    compatibility TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX catalog_schemas_name ON catalog_schemas (realm_id, name);
CREATE INDEX catalog_schemas_description ON catalog_schemas (realm_id, description, id);
CREATE INDEX catalog_schemas_created ON catalog_schemas (realm_id, created_at, id);
CREATE INDEX catalog_schemas_modified ON catalog_schemas (realm_id, modified_at, id);
CREATE INDEX catalog_schemas_uid ON catalog_schemas (realm_id, id);

-- Versions of a schema, numbered in upload order (`position`: what "latest" means): the body as given, its Parsing Canonical Form and fingerprint (NULL for
-- a body that is not Avro, which POST /schema_versions accepts as the seed does).
CREATE TABLE catalog_schema_versions (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    schema_id TEXT NOT NULL REFERENCES catalog_schemas (id),
    label TEXT NOT NULL,
    body TEXT NOT NULL,
    canonical TEXT,
    fingerprint TEXT,
    position BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX catalog_schema_versions_label ON catalog_schema_versions (schema_id, label);
CREATE INDEX catalog_schema_versions_fingerprint ON catalog_schema_versions (schema_id, fingerprint);
CREATE UNIQUE INDEX catalog_schema_versions_position ON catalog_schema_versions (schema_id, position);
CREATE INDEX catalog_schema_versions_schema ON catalog_schema_versions (realm_id, schema_id, position);
CREATE INDEX catalog_schema_versions_created ON catalog_schema_versions (realm_id, created_at, id);
CREATE INDEX catalog_schema_versions_modified ON catalog_schema_versions (realm_id, modified_at, id);
CREATE INDEX catalog_schema_versions_label_sort ON catalog_schema_versions (realm_id, label, id);
CREATE INDEX catalog_schema_versions_uid ON catalog_schema_versions (realm_id, id);
-- findByNameContaining compares lower(name) LIKE '%text%'.
CREATE INDEX catalog_schemas_name_trgm ON catalog_schemas USING gin (lower(name) gin_trgm_ops);
