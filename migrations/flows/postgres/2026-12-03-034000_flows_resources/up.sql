-- portico-flows: registry resources. One row per resource (owner, type, id) with its latest
-- revision's metadata and the text `textQuery` searches; every revision's document beside it.
-- `flow_resource_trigrams` indexes the search text (see portico_core::db::text::TrigramIndex).

CREATE TABLE flow_resources (
    id TEXT NOT NULL UNIQUE,
    realm_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    latest_revision BIGINT NOT NULL,
    title TEXT,
    description TEXT,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL,
    PRIMARY KEY (realm_id, resource_type, resource_id)
);

CREATE TABLE flow_resource_revisions (
    realm_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    revision BIGINT NOT NULL,
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT,
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (realm_id, resource_type, resource_id, revision)
);

CREATE TABLE flow_resource_trigrams (
    realm_id TEXT NOT NULL,
    trigram TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (realm_id, trigram, entity_id)
);
CREATE INDEX flow_resource_trigrams_entity ON flow_resource_trigrams (entity_id);
