DROP TABLE catalog_stream_trigrams;
