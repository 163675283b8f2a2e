-- portico-gitsync: Onegini instances, their git configuration (the password sealed), the
-- record of every synchronisation, the manifest of each instance's current file set (the
-- files themselves are in object storage) and the per-instance synchronisation lock.

CREATE TABLE gitsync_instances (
    realm_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    current_set TEXT,
    PRIMARY KEY (realm_id, instance_id)
);

CREATE TABLE gitsync_configs (
    realm_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    remote_url TEXT NOT NULL,
    authentication_type TEXT NOT NULL,
    username TEXT,
    password TEXT,
    synchronization_type TEXT NOT NULL,
    selected_reference TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL,
    PRIMARY KEY (realm_id, instance_id)
);

CREATE TABLE gitsync_synchronizations (
    id TEXT PRIMARY KEY,
    realm_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    reference TEXT,
    requested_commit TEXT,
    commit_id TEXT,
    file_count BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    digest TEXT,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    outcome TEXT NOT NULL,
    error TEXT,
    requested_by TEXT NOT NULL
);
CREATE INDEX gitsync_synchronizations_instance ON gitsync_synchronizations (realm_id, instance_id, started_at);

CREATE TABLE gitsync_files (
    realm_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    set_id TEXT NOT NULL,
    path TEXT NOT NULL,
    size BIGINT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (realm_id, instance_id, set_id, path)
);

CREATE TABLE gitsync_locks (
    realm_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    holder TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (realm_id, instance_id)
);
