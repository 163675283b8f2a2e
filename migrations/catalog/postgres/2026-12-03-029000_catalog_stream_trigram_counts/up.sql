-- How many rows of each realm hold each trigram of `catalog_stream_trigrams` (portico_core::db::text::TrigramIndex
-- keeps it exact in the transactions that change the index): a search looks its trigrams up
-- here to pick the rarest ones to intersect.
CREATE TABLE catalog_stream_trigram_counts (
    realm_id TEXT NOT NULL,
    trigram TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (realm_id, trigram)
);
INSERT INTO catalog_stream_trigram_counts (realm_id, trigram, n)
SELECT realm_id, trigram, COUNT(*) FROM catalog_stream_trigrams GROUP BY realm_id, trigram;
