-- Kafka Connect plugins available on an instance, as its Connect cluster reports them
-- (GET /connector-plugins and each plugin's config definitions). Read-only through the API:
-- an instance's synchronize and the background worker replace an instance's rows; a plugin
-- keeps its uid while its class stays. `plugin_configs` is a JSON array of {"name", "type"}.
CREATE TABLE catalog_connect_plugins (
    id TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL,
    instance_id TEXT NOT NULL REFERENCES catalog_instances (id),
    plugin_class TEXT NOT NULL,
    plugin_type TEXT NOT NULL CHECK (plugin_type IN ('SINK', 'SOURCE')),
    plugin_version TEXT NOT NULL,
    plugin_configs TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    modified_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX catalog_connect_plugins_class ON catalog_connect_plugins (realm_id, instance_id, plugin_class);
CREATE INDEX catalog_connect_plugins_created ON catalog_connect_plugins (realm_id, created_at, id);
CREATE INDEX catalog_connect_plugins_uid ON catalog_connect_plugins (realm_id, id);
CREATE INDEX catalog_connect_plugins_by_class ON catalog_connect_plugins (realm_id, plugin_class, id);
CREATE INDEX catalog_connect_plugins_instance ON catalog_connect_plugins (instance_id);
-- When the instance's Connect cluster was last asked (the worker asks again after a while).
ALTER TABLE catalog_instances ADD COLUMN connect_checked_at TIMESTAMP;
