DROP TABLE catalog_topic_outbox;
