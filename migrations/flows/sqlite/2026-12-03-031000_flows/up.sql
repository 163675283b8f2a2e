-- portico-flows: Utilihive flows (the current definition per flow), every revision of each
-- definition, and the history of disables and enables.

CREATE TABLE flows (
    realm_id TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    version_label TEXT NOT NULL,
    source_type TEXT NOT NULL,
    definition TEXT NOT NULL,
    revision BIGINT NOT NULL,
    enabled BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL,
    PRIMARY KEY (realm_id, flow_id)
);

CREATE TABLE flow_revisions (
    realm_id TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    revision BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (realm_id, flow_id, revision)
);

CREATE TABLE flow_status_events (
    id TEXT PRIMARY KEY,
    realm_id TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    action TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    reason TEXT,
    changed_at TIMESTAMP NOT NULL,
    changed_by TEXT NOT NULL
);
CREATE INDEX flow_status_events_flow ON flow_status_events (realm_id, flow_id, changed_at);
