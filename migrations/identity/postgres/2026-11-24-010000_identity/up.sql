-- portico-identity: environments, realms, users, roles, groups, clients, signing keys, tokens.

CREATE TABLE environments (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX environments_created ON environments (created_at, id);

CREATE TABLE realms (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    environment_id TEXT NOT NULL REFERENCES environments (id),
    domain TEXT,
    logo TEXT,
    issuer_url TEXT,
    data_classification_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    feature_config TEXT,
    retention_time BIGINT NOT NULL,
    partitions BIGINT NOT NULL,
    properties TEXT NOT NULL,
    contact_user_id TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX realms_created ON realms (created_at, id);
CREATE INDEX realms_environment ON realms (environment_id);
CREATE INDEX realms_display_name ON realms (display_name);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL REFERENCES realms (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    middle_name TEXT,
    phone_number TEXT,
    password_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL DEFAULT 0,
    UNIQUE (realm_id, email)
);
CREATE INDEX users_email ON users (email);
CREATE INDEX users_realm_created ON users (realm_id, created_at, id);
CREATE INDEX users_realm_first_name ON users (realm_id, first_name);
CREATE INDEX users_realm_last_name ON users (realm_id, last_name);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    realm_id TEXT NOT NULL REFERENCES realms (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_realm_role ON user_roles (realm_id, role);

CREATE TABLE user_groups (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL REFERENCES realms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT,
    phone_number TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP,
    modified_by TEXT,
    version BIGINT NOT NULL DEFAULT 0,
    UNIQUE (realm_id, name)
);
CREATE INDEX groups_realm_created ON user_groups (realm_id, created_at, id);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    realm_id TEXT NOT NULL REFERENCES realms (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);
CREATE INDEX group_members_realm ON group_members (realm_id);

CREATE TABLE clients (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL REFERENCES realms (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    roles TEXT NOT NULL,
    secret_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    modified_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX clients_realm_created ON clients (realm_id, created_at, id);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    algorithm TEXT NOT NULL,
    private_key TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP,
    expires_at TIMESTAMP
);
CREATE INDEX signing_keys_created ON signing_keys (created_at);

CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX revoked_tokens_expires ON revoked_tokens (expires_at);
CREATE INDEX revoked_tokens_realm ON revoked_tokens (realm_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL REFERENCES realms (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT,
    scope TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_realm ON refresh_tokens (realm_id);

-- Failed logins per account and source address: a bounded back-off that an attacker at one
-- address cannot turn into a lock-out of the account everywhere.
CREATE TABLE login_failures (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP,
    PRIMARY KEY (user_id, source)
);
