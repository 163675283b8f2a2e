-- "Contains" searches of stream names (findByNameContaining): every three-character run of a
-- lower-cased name, per realm (portico_core::db::text::TrigramIndex). A search probes how many
-- streams of the realm hold each trigram of its text (bounded index-only counts), reads the
-- candidates of the rarest ones and lets LIKE decide: the cost follows the matches, not the
-- realm's size.
CREATE TABLE catalog_stream_trigrams (
    realm_id TEXT NOT NULL,
    trigram TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (realm_id, trigram, entity_id)
);
CREATE INDEX catalog_stream_trigrams_entity ON catalog_stream_trigrams (entity_id);
-- It replaces the pg_trgm index, which every realm shares: the planner would use it for the
-- LIKE as well and read its (large) posting lists for the common trigrams.
DROP INDEX catalog_streams_name_trgm;
-- The streams made before.
INSERT INTO catalog_stream_trigrams (realm_id, trigram, entity_id)
    SELECT s.realm_id, substr(lower(s.name), p.i, 3), s.id
    FROM catalog_streams s CROSS JOIN generate_series(1, 200) AS p (i)
    WHERE p.i <= length(s.name) - 2
    ON CONFLICT DO NOTHING;
