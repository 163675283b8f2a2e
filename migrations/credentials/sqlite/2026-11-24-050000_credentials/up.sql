-- portico-credentials: FlexDeploy credential store providers (with input definitions),
-- credential stores, credentials and their sealed inputs. Ids are numeric, as in FlexDeploy.

CREATE TABLE credential_store_providers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    realm_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    active BOOLEAN NOT NULL,
    builtin BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL,
    UNIQUE (realm_id, name)
);
CREATE INDEX credential_store_providers_realm ON credential_store_providers (realm_id, id);

CREATE TABLE credential_store_input_defs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    realm_id TEXT NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES credential_store_providers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    required BOOLEAN NOT NULL,
    secret BOOLEAN NOT NULL,
    display_order BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (provider_id, name)
);
CREATE INDEX credential_store_input_defs_realm ON credential_store_input_defs (realm_id, provider_id);

CREATE TABLE credential_stores (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    realm_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    provider_id BIGINT NOT NULL REFERENCES credential_store_providers (id),
    active BOOLEAN NOT NULL,
    builtin BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL,
    UNIQUE (realm_id, name)
);
CREATE INDEX credential_stores_realm ON credential_stores (realm_id, id);
CREATE INDEX credential_stores_provider ON credential_stores (provider_id);

CREATE TABLE credentials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    realm_id TEXT NOT NULL,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    scope TEXT NOT NULL,
    store_id BIGINT NOT NULL REFERENCES credential_stores (id),
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL,
    UNIQUE (realm_id, name)
);
CREATE INDEX credentials_realm ON credentials (realm_id, id);
CREATE INDEX credentials_realm_scope ON credentials (realm_id, scope);
CREATE INDEX credentials_store ON credentials (store_id);

CREATE TABLE credential_inputs (
    credential_id BIGINT NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    input_def_id BIGINT NOT NULL REFERENCES credential_store_input_defs (id),
    realm_id TEXT NOT NULL,
    value TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (credential_id, input_def_id)
);
CREATE INDEX credential_inputs_realm ON credential_inputs (realm_id);
CREATE INDEX credential_inputs_def ON credential_inputs (input_def_id);

-- Numbering starts where FlexDeploy's examples do (store 11000, input definition 12000).
INSERT INTO sqlite_sequence (name, seq) VALUES
    ('credential_store_providers', 9999),
    ('credential_store_input_defs', 11999),
    ('credential_stores', 10999),
    ('credentials', 10999);
