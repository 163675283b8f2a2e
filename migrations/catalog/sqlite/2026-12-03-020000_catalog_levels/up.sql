-- Confidentiality and integrity levels (Axual): one per-realm table for both, told apart by
-- `kind` ('confidentiality' or 'integrity'). Streams are tagged with them.
CREATE TABLE catalog_levels (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    description TEXT,
    color TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT,
    modified_at TIMESTAMP NOT NULL,
    modified_by TEXT,
    version BIGINT NOT NULL
);
-- A level's name is unique within its realm and kind; it also serves sorting by level.
CREATE UNIQUE INDEX catalog_levels_level ON catalog_levels (realm_id, kind, level);
CREATE INDEX catalog_levels_created ON catalog_levels (realm_id, kind, created_at, id);
CREATE INDEX catalog_levels_modified ON catalog_levels (realm_id, kind, modified_at, id);
CREATE INDEX catalog_levels_description ON catalog_levels (realm_id, kind, description, id);
CREATE INDEX catalog_levels_color ON catalog_levels (realm_id, kind, color, id);
CREATE INDEX catalog_levels_uid ON catalog_levels (realm_id, kind, id);
