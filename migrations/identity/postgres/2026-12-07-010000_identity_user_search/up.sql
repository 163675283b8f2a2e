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
-- They replace the pg_trgm indexes of the users' columns, which every realm shares: the
-- planner would use them for the LIKE as well and read their long posting lists for common
-- trigrams.
DROP INDEX users_first_name_trgm;
DROP INDEX users_last_name_trgm;
DROP INDEX users_middle_name_trgm;
DROP INDEX users_email_trgm;
-- The users made before.
INSERT INTO identity_user_trigrams (realm_id, trigram, entity_id)
    SELECT j.realm_id, substr(j.text, p.i, 3), j.id
    FROM (
        SELECT realm_id, id, lower(first_name || chr(10) || last_name || chr(10) || coalesce(middle_name, '') || chr(10) || email) AS text
        FROM users
    ) j CROSS JOIN generate_series(1, 400) AS p (i)
    WHERE p.i <= length(j.text) - 2
    ON CONFLICT DO NOTHING;
INSERT INTO identity_user_trigram_counts (realm_id, trigram, n)
    SELECT realm_id, trigram, COUNT(*) FROM identity_user_trigrams GROUP BY realm_id, trigram;
