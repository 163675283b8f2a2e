DROP INDEX realms_display_name_trgm;
DROP INDEX groups_name_trgm;
DROP INDEX users_email_trgm;
DROP INDEX users_middle_name_trgm;
DROP INDEX users_last_name_trgm;
DROP INDEX users_first_name_trgm;
DROP EXTENSION IF EXISTS pg_trgm;
