//! The FlexDeploy API's routes (none mounted yet).

/// Registers this crate's routes with the gateway.
pub fn configure(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {}
