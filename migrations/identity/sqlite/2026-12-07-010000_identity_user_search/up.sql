-- "Contains" searches of users (findByFirstName, findByLastName, searchUser): every
-- three-character run of a user's lower-cased names and e-mail address, joined by line feeds
-- (which none of them holds), per realm (portico_core::db::text::TrigramIndex). A search reads
-- how many users of the realm hold each trigram of its text, takes the rows of the rarest
-- ones and lets LIKE decide on the searched column: the cost follows the matches, not the
-- realm's size. One index serves the three searches (a first-name match holds its trigrams
-- in the joined text too).
CREATE TABLE identity_user_trigrams (
    realm_id TEXT NOT NULL,
    trigram TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    PRIMARY KEY (realm_id, trigram, entity_id)
);
CREATE INDEX identity_user_trigrams_entity ON identity_user_trigrams (entity_id);
CREATE TABLE identity_user_trigram_counts (
    realm_id TEXT NOT NULL,
    trigram TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (realm_id, trigram)
);
-- The users made before. SQLite's lower() folds ASCII only, as its LIKE does: a text this
-- backend's LIKE finds has these trigrams; the next write of a user stores the application's.
WITH RECURSIVE positions (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM positions WHERE i < 400),
joined (realm_id, id, text) AS (
    SELECT realm_id, id, lower(first_name || char(10) || last_name || char(10) || coalesce(middle_name, '') || char(10) || email)
    FROM users
)
INSERT OR IGNORE INTO identity_user_trigrams (realm_id, trigram, entity_id)
    SELECT j.realm_id, substr(j.text, p.i, 3), j.id FROM joined j JOIN positions p ON p.i <= length(j.text) - 2;
INSERT INTO identity_user_trigram_counts (realm_id, trigram, n)
    SELECT realm_id, trigram, COUNT(*) FROM identity_user_trigrams GROUP BY realm_id, trigram;
