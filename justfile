# Portico convenience recipes. Each is one or two commands that CI (.ci/run) runs directly;
# `just` is never required.

# list the recipes
default:
    @just --list

# run the server on the embedded default (SQLite under ./data)
run:
    cargo run --release -p portico-gateway

# run every test on SQLite
test:
    cargo test --workspace

# run every test on the local PostgreSQL
test-pg:
    PORTICO_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test --workspace

# format the code
fmt:
    cargo fmt --all

# lint like CI does
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# apply pending migrations to the configured database
migrate:
    cargo run -p portico-gateway -- migrate

# print the OpenAPI document
openapi:
    cargo run -q -p portico-gateway -- openapi

# everything CI does
ci:
    ./.ci/run
