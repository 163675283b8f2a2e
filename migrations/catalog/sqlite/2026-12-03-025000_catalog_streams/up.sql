-- Streams: a flow of similar events (a Kafka topic per environment, through stream configs),
-- owned by a group, with key and value types, their Avro schemas and classification levels.
CREATE TABLE catalog_streams (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    properties TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    retention_policy TEXT NOT NULL,
    key_type TEXT NOT NULL,
    value_type TEXT NOT NULL,
    key_schema_id TEXT REFERENCES catalog_schemas (id),
    value_schema_id TEXT REFERENCES catalog_schemas (id),
    integrity_id TEXT REFERENCES catalog_levels (id),
    confidentiality_id TEXT REFERENCES catalog_levels (id),
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX catalog_streams_name ON catalog_streams (realm_id, name);
CREATE INDEX catalog_streams_description ON catalog_streams (realm_id, description, id);
CREATE INDEX catalog_streams_retention ON catalog_streams (realm_id, retention_policy, id);
CREATE INDEX catalog_streams_created ON catalog_streams (realm_id, created_at, id);
CREATE INDEX catalog_streams_modified ON catalog_streams (realm_id, modified_at, id);
CREATE INDEX catalog_streams_uid ON catalog_streams (realm_id, id);
CREATE INDEX catalog_streams_owner ON catalog_streams (realm_id, owner_id);
CREATE INDEX catalog_streams_integrity ON catalog_streams (realm_id, integrity_id);
CREATE INDEX catalog_streams_confidentiality ON catalog_streams (realm_id, confidentiality_id);
CREATE INDEX catalog_streams_key_schema ON catalog_streams (key_schema_id);
CREATE INDEX catalog_streams_value_schema ON catalog_streams (value_schema_id);
