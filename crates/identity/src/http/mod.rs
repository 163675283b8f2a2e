//! The identity APIs' wire formats (feature `http`): token endpoints (`tokens`), MATTR
//! management (`mattr`) and Axual identity (`axual`).

pub mod axual;
pub mod mattr;
pub mod tokens;

use crate::config::IdentityConfig;
use crate::service::{Authenticator, GroupService, RealmService, TenantService, TokenService, UserService};
use crate::store::IdentityStore;
use actix_web::web::Data;
use portico_core::cursor::CursorCodec;
use portico_core::http::module::{AppData, StartFailure};
use portico_core::http::{Format, Module, ModuleContext};
use std::sync::Arc;
use utoipa_actix_web::service_config::ServiceConfig;

/// The identity module: tokens (OAuth errors), MATTR management (MATTR errors) and Axual
/// identity (Axual errors, the host's default). It calls every module's realm hooks when
/// realms are created or deleted and when a group's deletion constraints are asked for.
pub const MODULE: Module = Module {
    name: "identity",
    migrations: &crate::MIGRATIONS,
    error_formats: &[
        ("/v1", Format::Mattr),
        ("/oauth", Format::OAuth),
        ("/authentication", Format::OAuth),
        ("/auth/realms", Format::OAuth),
    ],
    routes: configure,
    axual_collections: axual::COLLECTIONS,
    axual_entries: axual::ENTRIES,
    roles: crate::model::IDENTITY_ROLES,
    start,
};

/// Opens the identity store (signing keys), creates the configured MATTR environments, and
/// provides every identity service and the MATTR cursor codec as app data.
fn start(ctx: &ModuleContext) -> Result<AppData, StartFailure> {
    let config: IdentityConfig = ctx.config();
    let store = IdentityStore::open(ctx.db.clone(), ctx.sealer.clone(), ctx.clock.clone(), config.clone())?
        .with_hooks(ctx.hooks.clone());
    let created = store.ensure_environments(&config.environments)?;
    if !created.is_empty() {
        tracing::info!(?created, "created configured MATTR environments");
    }
    let store = Arc::new(store);
    let cursors = Data::new(CursorCodec::new(ctx.sealer.derive("core/cursor").0));
    Ok(Arc::new(move |cfg: &mut actix_web::web::ServiceConfig| {
        cfg.app_data(Data::from(store.clone() as Arc<dyn Authenticator>))
            .app_data(Data::from(store.clone() as Arc<dyn TokenService>))
            .app_data(Data::from(store.clone() as Arc<dyn TenantService>))
            .app_data(Data::from(store.clone() as Arc<dyn UserService>))
            .app_data(Data::from(store.clone() as Arc<dyn GroupService>))
            .app_data(Data::from(store.clone() as Arc<dyn RealmService>))
            .app_data(cursors.clone());
    }))
}

/// Registers every identity route. The services come as app data from [`MODULE`]'s start:
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
        .service(mattr::delete_client)
        .service(axual::current::get_current_user)
        .service(axual::current::get_current_groups)
        .service(axual::current::get_current_tenant)
        // Search routes before `/{uid}`: actix matches in registration order.
        .service(axual::users::user_searches)
        .service(axual::users::find_by_first_name)
        .service(axual::users::find_by_last_name)
        .service(axual::users::search_user)
        .service(axual::users::find_by_role)
        .service(axual::users::find_by_email)
        .service(axual::users::list_users)
        .service(axual::users::create_user)
        .service(axual::users::get_user)
        .service(axual::users::patch_user)
        .service(axual::users::delete_user)
        .service(axual::users::assign_roles)
        .service(axual::groups::group_searches)
        .service(axual::groups::find_groups_by_name)
        .service(axual::groups::find_groups_by_name_containing)
        .service(axual::groups::find_by_members_contains)
        .service(axual::groups::list_groups)
        .service(axual::groups::create_group)
        .service(axual::groups::get_group)
        .service(axual::groups::patch_group)
        .service(axual::groups::deletion_constraints)
        .service(axual::groups::delete_group)
        .service(axual::groups::list_members)
        .service(axual::groups::add_members)
        .service(axual::groups::replace_members)
        .service(axual::groups::remove_member)
        .service(axual::tenants::tenant_searches)
        .service(axual::tenants::find_tenants_by_name)
        .service(axual::tenants::find_tenants_by_short_name)
        .service(axual::tenants::find_tenants_by_name_containing)
        .service(axual::tenants::list_axual_tenants)
        .service(axual::tenants::create_axual_tenant)
        .service(axual::tenants::get_axual_tenant)
        .service(axual::tenants::patch_tenant)
        .service(axual::tenants::get_contact);
}
