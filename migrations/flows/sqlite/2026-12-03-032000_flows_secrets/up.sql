-- portico-flows: registry secrets (one row per key with its metadata) and every version of each
-- value, sealed (AES-256-GCM bound to realm, key and version).

CREATE TABLE flow_secrets (
    realm_id TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    secret_type TEXT NOT NULL,
    description TEXT,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL,
    PRIMARY KEY (realm_id, secret_key)
);

CREATE TABLE flow_secret_versions (
    realm_id TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    sealed_value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (realm_id, secret_key, version)
);
