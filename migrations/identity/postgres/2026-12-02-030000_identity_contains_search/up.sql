-- "Contains" searches (findByFirstName, findByLastName, searchUser, findByNameContaining)
-- compare lower(column) LIKE '%text%': trigram GIN indexes serve them without scanning the
-- realm's rows. pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_first_name_trgm ON users USING gin (lower(first_name) gin_trgm_ops);
CREATE INDEX users_last_name_trgm ON users USING gin (lower(last_name) gin_trgm_ops);
CREATE INDEX users_middle_name_trgm ON users USING gin (lower(middle_name) gin_trgm_ops);
CREATE INDEX users_email_trgm ON users USING gin (lower(email) gin_trgm_ops);
CREATE INDEX groups_name_trgm ON user_groups USING gin (lower(name) gin_trgm_ops);
CREATE INDEX realms_display_name_trgm ON realms USING gin (lower(display_name) gin_trgm_ops);
