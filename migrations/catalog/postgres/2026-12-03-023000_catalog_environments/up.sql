-- Environments: a tenant's functional stages (test, acceptance, production), owned by a group
-- and, once linked by a platform admin, deployed on an instance. `properties` is a JSON object.
CREATE TABLE catalog_environments (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    description TEXT,
    color TEXT,
    auto_approved BOOLEAN NOT NULL,
    private BOOLEAN NOT NULL,
    instance_id TEXT REFERENCES catalog_instances (id),
    owner_id TEXT NOT NULL,
    retention_time BIGINT NOT NULL,
    partitions BIGINT NOT NULL,
    properties TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX catalog_environments_short_name ON catalog_environments (realm_id, short_name);
CREATE INDEX catalog_environments_name ON catalog_environments (realm_id, name, id);
CREATE INDEX catalog_environments_description ON catalog_environments (realm_id, description, id);
CREATE INDEX catalog_environments_color ON catalog_environments (realm_id, color, id);
CREATE INDEX catalog_environments_retention ON catalog_environments (realm_id, retention_time, id);
CREATE INDEX catalog_environments_partitions ON catalog_environments (realm_id, partitions, id);
CREATE INDEX catalog_environments_created ON catalog_environments (realm_id, created_at, id);
CREATE INDEX catalog_environments_modified ON catalog_environments (realm_id, modified_at, id);
CREATE INDEX catalog_environments_uid ON catalog_environments (realm_id, id);
CREATE INDEX catalog_environments_instance ON catalog_environments (realm_id, instance_id);
CREATE INDEX catalog_environments_owner ON catalog_environments (realm_id, owner_id);
-- findByNameContaining compares lower(name) LIKE '%text%'.
CREATE INDEX catalog_environments_name_trgm ON catalog_environments USING gin (lower(name) gin_trgm_ops);
