-- FlexDeploy name queries match "contains, ignoring case": trigram GIN indexes serve them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX credentials_name_trgm ON credentials USING gin (lower(name) gin_trgm_ops);
CREATE INDEX credential_stores_name_trgm ON credential_stores USING gin (lower(name) gin_trgm_ops);
CREATE INDEX credential_store_providers_name_trgm ON credential_store_providers USING gin (lower(name) gin_trgm_ops);
