DROP TABLE credential_inputs;
DROP TABLE credentials;
DROP TABLE credential_stores;
DROP TABLE credential_store_input_defs;
DROP TABLE credential_store_providers;
