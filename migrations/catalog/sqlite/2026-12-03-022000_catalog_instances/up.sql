-- Instances: installations of the event bus, powered by clusters. `ca_certs` is a JSON array of
-- {"pem", "expires_on"} (expiry read from the PEM when stored), `properties` a JSON object of
-- string values (the instance's Kafka defaults, in the order they are shown).
CREATE TABLE catalog_instances (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    description TEXT,
    api_url TEXT NOT NULL,
    support_tier_id TEXT REFERENCES catalog_support_tiers (id),
    connect_enabled BOOLEAN NOT NULL,
    connect_urls TEXT,
    ca_certs TEXT NOT NULL,
    properties TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX catalog_instances_short_name ON catalog_instances (realm_id, short_name);
CREATE INDEX catalog_instances_name ON catalog_instances (realm_id, name, id);
CREATE INDEX catalog_instances_description ON catalog_instances (realm_id, description, id);
CREATE INDEX catalog_instances_api_url ON catalog_instances (realm_id, api_url, id);
CREATE INDEX catalog_instances_created ON catalog_instances (realm_id, created_at, id);
CREATE INDEX catalog_instances_modified ON catalog_instances (realm_id, modified_at, id);
CREATE INDEX catalog_instances_uid ON catalog_instances (realm_id, id);
CREATE INDEX catalog_instances_tier ON catalog_instances (support_tier_id);

-- The clusters powering an instance, in the order given, with their schema registry URLs.
CREATE TABLE catalog_instance_clusters (
    instance_id TEXT NOT NULL REFERENCES catalog_instances (id) ON DELETE CASCADE,
    cluster_id TEXT NOT NULL REFERENCES catalog_clusters (id),
    realm_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    schema_registry_urls TEXT,
    PRIMARY KEY (instance_id, cluster_id)
);
CREATE INDEX catalog_instance_clusters_cluster ON catalog_instance_clusters (realm_id, cluster_id);
