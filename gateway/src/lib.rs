//! # portico-gateway
//!
//! The `portico` binary: configuration, authentication, realm resolution, routing to every
//! domain crate, OpenAPI, health and metrics. It holds no domain logic; see
//! `docs/architecture.md` for the request path.

pub mod app;
pub mod auth;
pub mod cli;
pub mod failures;
pub mod memory;
pub mod observe;
pub mod openapi;
pub mod routes;
pub mod server;
pub mod settings;
pub mod telemetry;
