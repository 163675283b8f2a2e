-- Contains-searches use trigram indexes; pg_trgm is a trusted extension (identity creates it
-- too: the catalog migrates on its own when embedded without identity).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Support tiers: read-only reference data, seeded into every realm (GOLD, SILVER).
CREATE TABLE catalog_support_tiers (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX catalog_support_tiers_name ON catalog_support_tiers (realm_id, name);
CREATE INDEX catalog_support_tiers_description ON catalog_support_tiers (realm_id, description, id);
CREATE INDEX catalog_support_tiers_created ON catalog_support_tiers (realm_id, created_at, id);
CREATE INDEX catalog_support_tiers_uid ON catalog_support_tiers (realm_id, id);

-- Clusters: sets of Kafka brokers. Axual shows no audit fields for them; the columns are kept
-- for Portico's own ordering and audit. `bootstrap_servers` is a JSON array of "host:port".
CREATE TABLE catalog_clusters (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    location TEXT,
    api_url TEXT,
    cluster_browse_url TEXT,
    bootstrap_servers TEXT NOT NULL,
    billing_cloud_enabled BOOLEAN,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX catalog_clusters_name ON catalog_clusters (realm_id, name);
CREATE INDEX catalog_clusters_description ON catalog_clusters (realm_id, description, id);
CREATE INDEX catalog_clusters_location ON catalog_clusters (realm_id, location, id);
CREATE INDEX catalog_clusters_api_url ON catalog_clusters (realm_id, api_url, id);
CREATE INDEX catalog_clusters_browse_url ON catalog_clusters (realm_id, cluster_browse_url, id);
CREATE INDEX catalog_clusters_created ON catalog_clusters (realm_id, created_at, id);
CREATE INDEX catalog_clusters_uid ON catalog_clusters (realm_id, id);
-- findByNameContaining compares lower(name) LIKE '%text%' (pg_trgm comes with identity's migrations).
CREATE INDEX catalog_clusters_name_trgm ON catalog_clusters USING gin (lower(name) gin_trgm_ops);
