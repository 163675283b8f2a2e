//! Structured logging with `tracing` (text or JSON lines); request spans carry the request id.

use crate::settings::LogSettings;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once (later calls are ignored, e.g. in tests).
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result =
        if settings.format == "json" { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
    if result.is_err() {
        tracing::debug!("a tracing subscriber was already installed");
    }
}
