DROP TABLE catalog_streams;
