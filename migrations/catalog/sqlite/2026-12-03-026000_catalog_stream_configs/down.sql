DROP TABLE catalog_stream_configs;
