DROP TABLE catalog_levels;
