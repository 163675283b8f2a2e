-- What the catalog still has to do on its Kafka clusters: one row per topic and cluster, the
-- newest wanted state (APPLY: exist with these partitions and configs; DELETE: be gone).
-- Written in the same transaction as the change that wants it; removed once a worker has
-- applied that revision. A worker claims a row until claimed_until (one replica at a time).
CREATE TABLE catalog_topic_outbox (
    realm_id TEXT NOT NULL,
    cluster_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('APPLY', 'DELETE')),
    partitions BIGINT NOT NULL,
    configs TEXT NOT NULL,
    revision BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (realm_id, cluster_id, topic)
);
CREATE INDEX catalog_topic_outbox_due ON catalog_topic_outbox (due_at);
