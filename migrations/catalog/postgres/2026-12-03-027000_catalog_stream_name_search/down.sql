CREATE INDEX catalog_streams_name_trgm ON catalog_streams USING gin (lower(name) gin_trgm_ops);
DROP TABLE catalog_stream_trigrams;
