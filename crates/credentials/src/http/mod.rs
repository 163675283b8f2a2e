//! FlexDeploy's Credential API v2 (and the credential store and provider APIs beside it)
//! under `/flexdeploy/rest/v2/administration/security/`. Errors are RFC 9457 problem+json.

pub mod credentials;
pub mod providers;
pub mod stores;
pub mod wire;

use crate::error::CredentialsError;
use crate::service::CredentialService;
use crate::service::{READ, WRITE};
use crate::store::CredentialStore;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use portico_core::ErrorKind;
use portico_core::http::module::{AppData, StartFailure};
use portico_core::http::respond::{Versioned, json_with, no_store, versioned};
use portico_core::http::{ApiError, Failure, QueryPairs};
use portico_core::http::{Format, Module, ModuleContext, Routes};
use serde::Serialize;
use std::sync::Arc;

/// The base path of the FlexDeploy security APIs.
pub const BASE: &str = "/flexdeploy/rest/v2/administration/security";

/// The credentials module: FlexDeploy paths answer RFC 9457 problems; every realm gets its
/// built-in `Local` provider and store, and loses its credentials when it is deleted.
pub const MODULE: Module = Module {
    name: "credentials",
    migrations: &crate::MIGRATIONS,
    tables: crate::store::declared_tables,
    error_formats: &[("/flexdeploy", Format::Problem)],
    routes,
    axual_collections: &[],
    axual_entries: &[],
    roles: &["CREDENTIAL_ADMIN", "CREDENTIAL_VIEWER", "TENANT_ADMIN"],
    realm_paths: &[],
    start,
};

fn start(ctx: &ModuleContext) -> Result<AppData, StartFailure> {
    let store = Arc::new(CredentialStore::new(ctx.db.clone(), ctx.sealer.clone(), ctx.clock.clone()));
    ctx.hooks.add_lifecycle(store.clone());
    Ok(Arc::new(move |cfg: &mut actix_web::web::ServiceConfig| {
        cfg.app_data(actix_web::web::Data::from(store.clone() as Arc<dyn CredentialService>));
    }))
}

/// Every route of the module with what it requires (the kit registers them in matching order).
pub fn routes(routes: &mut Routes) {
    routes
        .add(READ, credentials::find_credentials)
        .add(READ, credentials::get_credential)
        .add(WRITE, credentials::create_credential)
        .add(WRITE, credentials::replace_credential)
        .add(WRITE, credentials::patch_credential)
        .add(READ, stores::find_stores)
        .add(READ, stores::get_store)
        .add(WRITE, stores::create_store)
        .add(WRITE, stores::replace_store)
        .add(WRITE, stores::patch_store)
        .add(READ, providers::find_providers)
        .add(READ, providers::get_provider)
        .add(WRITE, providers::create_provider)
        .add(WRITE, providers::replace_provider)
        .add(WRITE, providers::patch_provider);
}

/// FlexDeploy's rendering of the domain's errors: a name already taken is a 400 (the service
/// names the field when it finds the name taken; a concurrent create that takes it first is
/// caught by the unique index and answered the same way).
pub fn flex(err: CredentialsError) -> ApiError {
    let failure = Failure::from_domain(&err);
    if failure.kind == ErrorKind::AlreadyExists {
        return ApiError::new(Failure::new(ErrorKind::Invalid, "duplicate", failure.message));
    }
    ApiError::new(failure)
}

/// A numeric query parameter (400 when it is not a number).
pub fn number_param(query: &QueryPairs, name: &str) -> Result<Option<i64>, ApiError> {
    query.number::<i64>(name).map_err(ApiError::new)
}

/// `status` with `body` as JSON and the entity's version as `ETag`. Never stored by caches:
/// credential bodies may carry secret values in clear (for credential administrators).
pub fn versioned_json<T: Serialize>(status: StatusCode, version: i64, body: &T) -> HttpResponse {
    json_with(no_store(versioned(status, Versioned { version, modified_at: None })), "application/json", body)
}
