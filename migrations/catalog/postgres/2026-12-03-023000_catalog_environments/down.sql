DROP TABLE catalog_environments;
