//! The identity APIs' wire formats (feature `http`): token endpoints (`tokens`), MATTR
//! management (`mattr`) and Axual identity (`axual`).

pub mod axual;
pub mod login;
pub mod mattr;
pub mod tokens;

use crate::config::IdentityConfig;
use crate::service::{Authenticator, GroupService, RealmService, TenantService, TokenService, UserService};
use crate::service::{MANAGE_GROUPS, MANAGE_USERS};
use crate::store::IdentityStore;
use actix_web::web::Data;
use portico_core::context::Requirement;
use portico_core::cursor::CursorCodec;
use portico_core::http::module::{AppData, StartFailure};
use portico_core::http::{Format, Module, ModuleContext, RouteAccess};
use std::sync::Arc;
use utoipa_actix_web::service_config::ServiceConfig;

/// The identity module: tokens (OAuth errors), MATTR management (MATTR errors) and Axual
/// identity (Axual errors, the host's default). It calls every module's realm hooks when
/// realms are created or deleted and when a group's deletion constraints are asked for.
pub const MODULE: Module = Module {
    name: "identity",
    migrations: &crate::MIGRATIONS,
    tables: crate::store::declared_tables,
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
    access: ACCESS,
    realm_paths: &[],
    start,
};

const ANY: Requirement<'static> = Requirement::Authenticated;
const PLATFORM: Requirement<'static> = Requirement::PlatformAdmin;

/// What each route requires; finer rules (a user may change themself, a group's members may
/// manage it, a tenant's users may read it) are the services'.
const ACCESS: &[RouteAccess] = &[
    ("GET", "/v1/environments", PLATFORM),
    ("GET", "/v1/tenants", PLATFORM),
    ("POST", "/v1/tenants", PLATFORM),
    ("GET", "/v1/tenants/{tenantId}", PLATFORM),
    ("DELETE", "/v1/tenants/{tenantId}", PLATFORM),
    ("GET", "/v1/tenants/{tenantId}/clients", PLATFORM),
    ("POST", "/v1/tenants/{tenantId}/clients", PLATFORM),
    ("PUT", "/v1/tenants/{tenantId}/clients/{clientId}", PLATFORM),
    ("DELETE", "/v1/tenants/{tenantId}/clients/{clientId}", PLATFORM),
    ("GET", "/user", ANY),
    ("GET", "/group", ANY),
    ("GET", "/tenant", ANY),
    ("GET", "/users", ANY),
    ("POST", "/users", MANAGE_USERS),
    ("GET", "/users/{uid}", ANY),
    ("PATCH", "/users/{uid}", ANY),
    ("DELETE", "/users/{uid}", MANAGE_USERS),
    ("PUT", "/users/{uid}/roles", MANAGE_USERS),
    ("GET", "/users/search", ANY),
    ("GET", "/users/search/findByFirstName", ANY),
    ("GET", "/users/search/findByLastName", ANY),
    ("GET", "/users/search/findByRole", ANY),
    ("GET", "/users/search/searchUser", ANY),
    ("GET", "/users/search/findByEmailAddress", ANY),
    ("GET", "/groups", ANY),
    ("POST", "/groups", MANAGE_GROUPS),
    ("GET", "/groups/{uid}", ANY),
    ("PATCH", "/groups/{uid}", ANY),
    ("DELETE", "/groups/{uid}", ANY),
    ("GET", "/groups/{uid}/deletion-constraints", ANY),
    ("GET", "/groups/{uid}/members", ANY),
    ("POST", "/groups/{uid}/members", ANY),
    ("PUT", "/groups/{uid}/members", ANY),
    ("DELETE", "/groups/{uid}/members/{userUid}", ANY),
    ("GET", "/groups/search", ANY),
    ("GET", "/groups/search/findByName", ANY),
    ("GET", "/groups/search/findByNameContaining", ANY),
    ("GET", "/groups/search/findByMembersContains", ANY),
    ("GET", "/tenants", PLATFORM),
    ("POST", "/tenants", PLATFORM),
    ("GET", "/tenants/{uid}", ANY),
    ("PATCH", "/tenants/{uid}", PLATFORM),
    ("GET", "/tenants/{uid}/contact", ANY),
    ("GET", "/tenants/search", ANY),
    ("GET", "/tenants/search/findByName", PLATFORM),
    ("GET", "/tenants/search/findByShortName", PLATFORM),
    ("GET", "/tenants/search/findByNameContaining", PLATFORM),
];

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
    if let Some(console) = &config.console_client {
        store.ensure_console_client(console)?;
    }
    let store = Arc::new(store);
    ctx.hooks.set_groups(store.clone());
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
        .service(login::authorize)
        .service(login::sign_in)
        .service(login::end_session)
        .service(login::end_session_form)
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
