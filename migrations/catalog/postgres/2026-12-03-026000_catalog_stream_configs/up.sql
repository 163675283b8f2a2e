-- Stream configs: one stream on one environment (its topic there), with retention,
-- partitions, Kafka properties and the schema versions its key and value use.
CREATE TABLE catalog_stream_configs (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    stream_id TEXT NOT NULL REFERENCES catalog_streams (id),
    environment_id TEXT NOT NULL REFERENCES catalog_environments (id),
    retention_time BIGINT NOT NULL,
    partitions BIGINT NOT NULL,
    properties TEXT NOT NULL,
    key_schema_version_id TEXT REFERENCES catalog_schema_versions (id),
    value_schema_version_id TEXT REFERENCES catalog_schema_versions (id),
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL
);
-- One config per stream and environment.
CREATE UNIQUE INDEX catalog_stream_configs_pair ON catalog_stream_configs (realm_id, stream_id, environment_id);
CREATE INDEX catalog_stream_configs_environment ON catalog_stream_configs (realm_id, environment_id, stream_id);
CREATE INDEX catalog_stream_configs_key_version ON catalog_stream_configs (key_schema_version_id);
CREATE INDEX catalog_stream_configs_value_version ON catalog_stream_configs (value_schema_version_id);
