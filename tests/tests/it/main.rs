//! End-to-end tests: the real `portico` binary over HTTP.

#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]
mod lifecycle;
mod walk;
