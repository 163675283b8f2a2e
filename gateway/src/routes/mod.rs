//! The gateway's own routes: health, readiness, information and metrics.

pub mod health;
