//! Gateway integration tests: the whole app in-process over a real database per test
//! (SQLite, or PostgreSQL when PORTICO_TEST_POSTGRES_URL is set).
#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

mod authorization;
mod axual_groups;
mod axual_kit;
mod axual_users;
mod bad_input;
mod basic_and_utilihive;
mod catalog_clusters;
mod catalog_connect_plugins;
mod catalog_environments;
mod catalog_instances;
mod catalog_kit_rules;
mod catalog_levels;
mod catalog_schemas;
mod catalog_seed;
mod catalog_stream_configs;
mod catalog_streams;
mod catalog_topics;
mod catalog_topics_tls;
mod concurrency;
mod cors;
mod credential_stores;
mod credentials;
mod edges;
mod gateway;
mod login;
mod login_forms;
mod mattr;
mod migrations;
mod onegini;
mod onegini_checks;
mod origin;
mod request_path;
mod seed;
mod support;
mod tls;
mod token_state;
mod tokens;
mod utilihive_edges;
mod utilihive_flows;
mod utilihive_resources;
mod utilihive_secrets;
mod utilihive_tables;
