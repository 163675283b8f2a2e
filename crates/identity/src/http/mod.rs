//! The identity APIs' wire formats (feature `http`): token endpoints (`tokens`), MATTR
//! management (`mattr`) and Axual identity (`axual`).

pub mod mattr;
pub mod tokens;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every identity route. The gateway provides the services as app data:
/// `Data<dyn TokenService>`, `Data<dyn TenantService>`, ... and a `Data<CursorCodec>`.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(tokens::realm_token)
        .service(tokens::utilihive_token)
        .service(tokens::management_token)
        .service(tokens::jwks)
        .service(tokens::realm_certs)
        .service(tokens::discovery)
        .service(tokens::introspect)
        .service(tokens::revoke)
        .service(tokens::logout)
        .service(mattr::list_environments)
        .service(mattr::list_tenants)
        .service(mattr::create_tenant)
        .service(mattr::get_tenant)
        .service(mattr::delete_tenant)
        .service(mattr::list_clients)
        .service(mattr::create_client)
        .service(mattr::update_client)
        .service(mattr::delete_client);
}
