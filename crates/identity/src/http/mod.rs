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
use portico_core::http::{Access, Format, Module, ModuleContext, Routes};
use std::sync::Arc;

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
    routes,
    axual_collections: axual::COLLECTIONS,
    axual_entries: axual::ENTRIES,
    roles: crate::model::IDENTITY_ROLES,
    realm_paths: &[],
    start,
};

const ANY: Requirement<'static> = Requirement::Authenticated;
const PLATFORM: Requirement<'static> = Requirement::PlatformAdmin;

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

/// Every route of the module with what it requires (the kit registers them in matching order).
pub fn routes(routes: &mut Routes) {
    routes
        .add(Access::Public, tokens::realm_token)
        .add(Access::Public, tokens::utilihive_token)
        .add(Access::Public, tokens::management_token)
        .add(Access::Public, tokens::jwks)
        .add(Access::Public, tokens::realm_certs)
        .add(Access::Public, tokens::discovery)
        .add(Access::Public, tokens::introspect)
        .add(Access::Public, tokens::revoke)
        .add(Access::Public, tokens::logout)
        .add(Access::Public, login::authorize)
        .add(Access::Public, login::sign_in)
        .add(Access::Public, login::end_session)
        .add(Access::Public, login::end_session_form)
        .add(PLATFORM, mattr::list_environments)
        .add(PLATFORM, mattr::list_tenants)
        .add(PLATFORM, mattr::create_tenant)
        .add(PLATFORM, mattr::get_tenant)
        .add(PLATFORM, mattr::delete_tenant)
        .add(PLATFORM, mattr::list_clients)
        .add(PLATFORM, mattr::create_client)
        .add(PLATFORM, mattr::update_client)
        .add(PLATFORM, mattr::delete_client)
        .add(ANY, axual::current::get_current_user)
        .add(ANY, axual::current::get_current_groups)
        .add(ANY, axual::current::get_current_tenant)
        .add(ANY, axual::users::user_searches)
        .add(ANY, axual::users::find_by_first_name)
        .add(ANY, axual::users::find_by_last_name)
        .add(ANY, axual::users::search_user)
        .add(ANY, axual::users::find_by_role)
        .add(ANY, axual::users::find_by_email)
        .add(ANY, axual::users::list_users)
        .add(MANAGE_USERS, axual::users::create_user)
        .add(ANY, axual::users::get_user)
        .add(ANY, axual::users::patch_user)
        .add(MANAGE_USERS, axual::users::delete_user)
        .add(MANAGE_USERS, axual::users::assign_roles)
        .add(ANY, axual::groups::group_searches)
        .add(ANY, axual::groups::find_groups_by_name)
        .add(ANY, axual::groups::find_groups_by_name_containing)
        .add(ANY, axual::groups::find_by_members_contains)
        .add(ANY, axual::groups::list_groups)
        .add(MANAGE_GROUPS, axual::groups::create_group)
        .add(ANY, axual::groups::get_group)
        .add(ANY, axual::groups::patch_group)
        .add(ANY, axual::groups::deletion_constraints)
        .add(ANY, axual::groups::delete_group)
        .add(ANY, axual::groups::list_members)
        .add(ANY, axual::groups::add_members)
        .add(ANY, axual::groups::replace_members)
        .add(ANY, axual::groups::remove_member)
        .add(ANY, axual::tenants::tenant_searches)
        .add(PLATFORM, axual::tenants::find_tenants_by_name)
        .add(PLATFORM, axual::tenants::find_tenants_by_short_name)
        .add(PLATFORM, axual::tenants::find_tenants_by_name_containing)
        .add(PLATFORM, axual::tenants::list_axual_tenants)
        .add(PLATFORM, axual::tenants::create_axual_tenant)
        .add(ANY, axual::tenants::get_axual_tenant)
        .add(PLATFORM, axual::tenants::patch_tenant)
        .add(ANY, axual::tenants::get_contact);
}
