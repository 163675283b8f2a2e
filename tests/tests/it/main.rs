//! End-to-end tests: the real `portico` binary over HTTP.

mod lifecycle;
mod walk;
