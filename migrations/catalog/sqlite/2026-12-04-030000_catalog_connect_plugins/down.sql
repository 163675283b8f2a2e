DROP TABLE catalog_connect_plugins;
ALTER TABLE catalog_instances DROP COLUMN connect_checked_at;
