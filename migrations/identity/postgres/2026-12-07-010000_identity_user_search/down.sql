CREATE INDEX users_email_trgm ON users USING gin (lower(email) gin_trgm_ops);
CREATE INDEX users_middle_name_trgm ON users USING gin (lower(middle_name) gin_trgm_ops);
CREATE INDEX users_last_name_trgm ON users USING gin (lower(last_name) gin_trgm_ops);
CREATE INDEX users_first_name_trgm ON users USING gin (lower(first_name) gin_trgm_ops);
DROP TABLE identity_user_trigram_counts;
DROP TABLE identity_user_trigrams;
