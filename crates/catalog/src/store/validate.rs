//! Field checks the catalog's services share.

use crate::error::CatalogError;
use portico_core::text::check_field;

/// An absolute `http`/`https` URL of at most 255 characters.
pub(super) fn validate_url(field: &str, value: &str) -> Result<(), CatalogError> {
    check_field(field, value, 255, false)?;
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err(CatalogError::invalid(field, format!("'{field}' must be a well-formed http(s) URL"))),
    }
}

/// A name of 3–50 letters, digits, `.`, `-`, `_` and spaces (clusters, instances).
pub(super) fn validate_name(field: &str, name: &str) -> Result<(), CatalogError> {
    check_field(field, name, 50, false)?;
    let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '));
    if name.chars().count() < 3 || !valid || name.trim().is_empty() {
        return Err(CatalogError::invalid(
            field,
            format!("'{field}' must be 3-50 characters of letters, digits, '.', '-', '_' and spaces"),
        ));
    }
    Ok(())
}

/// A property's name and text (any name, as streams' own variables take).
pub(super) fn validate_property_text(key: &str, value: &str) -> Result<(), CatalogError> {
    let key_ok = !key.is_empty()
        && key.len() <= 255
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if !key_ok {
        return Err(CatalogError::invalid(
            "properties",
            format!(
                "'properties': '{}' is not a property name (lower-case letters, digits, '.', '-', '_')",
                key.escape_debug()
            ),
        ));
    }
    check_field("properties", value, 255, false)
}

/// Known instance properties and what their values must be.
pub(super) fn validate_property(key: &str, value: &str) -> Result<(), CatalogError> {
    let invalid = |reason: &str| CatalogError::invalid("properties", format!("'properties.{key}' {reason}"));
    validate_property_text(key, value)?;
    let positive = || value.parse::<u32>().is_ok_and(|n| n > 0);
    match key {
        "replication.factor" | "num.partitions" | "min.insync.replicas" if !positive() => {
            Err(invalid("must be a positive whole number"))
        }
        "segment.ms" if !value.parse::<u64>().is_ok_and(|n| n > 0) => {
            Err(invalid("must be a positive number of milliseconds"))
        }
        "retention.ms" if !value.parse::<i64>().is_ok_and(|n| n > 0 || n == -1) => {
            Err(invalid("must be a positive number of milliseconds, or -1 (unlimited)"))
        }
        "cleanup.policy" if !matches!(value, "delete" | "compact" | "delete,compact" | "compact,delete") => {
            Err(invalid("must be delete, compact or delete,compact"))
        }
        _ => Ok(()),
    }
}

/// Retention (1,000–160,704,000,000 ms) and partitions (1–120,000) of an environment's or a
/// stream config's topics.
pub(super) fn validate_topic_sizes(retention_time: Option<i64>, partitions: Option<i64>) -> Result<(), CatalogError> {
    if let Some(retention) = retention_time
        && !(1_000..=160_704_000_000).contains(&retention)
    {
        return Err(CatalogError::invalid("retentionTime", "'retentionTime' must be 1000-160704000000 milliseconds"));
    }
    if let Some(partitions) = partitions
        && !(1..=120_000).contains(&partitions)
    {
        return Err(CatalogError::invalid("partitions", "'partitions' must be 1-120000"));
    }
    Ok(())
}
