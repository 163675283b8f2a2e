-- Shared tables of portico-core: per-realm counters and the audit trail.
CREATE TABLE resource_counts (
    realm_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (realm_id, resource)
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    realm_id TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    request_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_events_realm_id ON audit_events (realm_id, id);
