//! MATTR management: environments, tenants (realms) and their clients. Platform admins only.

use super::IdentityStore;
use crate::config::ConsoleClient;
use crate::error::IdentityError;
use crate::model::{
    CLIENT_ID_LEN, CLIENT_SECRET_LEN, Client, Environment, IssuedClient, Realm, validate_length, validate_realm_name,
    validate_redirect_uris, validate_roles,
};
use crate::secrets::hash_client_secret;
use crate::service::{ClientSettings, CreatedTenant, Tenant, TenantService};
use crate::store::{clients, environments, realms};
use portico_core::RealmId;
use portico_core::audit::audited_write;
use portico_core::context::{MASTER_REALM, PLATFORM_ADMIN_ROLE, Requirement};
use portico_core::cursor::{CursorPage, CursorRequest};
use portico_core::db::{counters, lock_realm};
use portico_core::ids::{new_uuid, random_alphanumeric};
use portico_core::write::{Precondition, committed};
use portico_core::{DbConnection, RequestContext, Timestamp};
use uuid::Uuid;

/// Counter name of clients per realm.
pub const CLIENTS: &str = "clients";

/// Roles of the client created with a tenant.
pub const FIRST_CLIENT_ROLES: &[&str] = &["TENANT_ADMIN"];

impl IdentityStore {
    /// Creates the MATTR environments in `names` that do not exist yet (configuration: every
    /// start). Existing environments are never changed or removed. Returns the names created.
    pub fn ensure_environments(&self, names: &[String]) -> Result<Vec<String>, IdentityError> {
        let now = self.clock.now();
        let mut created = Vec::new();
        for name in names {
            validate_realm_name("identity.environments", name)?;
            let made = self.db.write(|conn| {
                if environments::by_name(conn, name)?.is_some() {
                    return Ok::<bool, IdentityError>(false);
                }
                let environment = Environment {
                    id: new_uuid(),
                    name: name.clone(),
                    domain: format!("{name}.portico.local"),
                    created_at: now,
                };
                environments::insert(conn, &environment)?;
                Ok(true)
            });
            match made {
                Ok(true) => created.push(name.clone()),
                Ok(false) => {}
                Err(err) if err.is_unique_violation() => {}
                Err(err) => return Err(err),
            }
        }
        Ok(created)
    }

    /// Creates or updates the configured browser-console client: a public client of realm
    /// `master` with exactly the configured URIs (configuration: every start). A confidential
    /// client of that id is never turned into a public one.
    pub fn ensure_console_client(&self, console: &ConsoleClient) -> Result<(), IdentityError> {
        const FIELD: &str = "identity.console_client_id";
        let id = &console.client_id;
        if id.is_empty() || id.len() > 128 || id.contains(':') || id.chars().any(char::is_control) {
            return Err(IdentityError::invalid(FIELD, "must be 1-128 characters without ':'"));
        }
        validate_redirect_uris("identity.console_redirect_uris", &console.redirect_uris)?;
        validate_redirect_uris("identity.console_post_logout_redirect_uris", &console.post_logout_redirect_uris)?;
        let now = self.clock.now();
        let written = self.db.write(|conn| {
            let master = realms::by_name(conn, MASTER_REALM)?
                .ok_or_else(|| IdentityError::Internal("realm master is missing".into()))?;
            match clients::in_realm(conn, master.id, id)? {
                Some((client, _)) if !client.public => {
                    Err(IdentityError::invalid(FIELD, format!("'{id}' is a confidential client, not a console")))
                }
                Some((client, _)) => {
                    let wanted = Client {
                        redirect_uris: console.redirect_uris.clone(),
                        post_logout_redirect_uris: console.post_logout_redirect_uris.clone(),
                        ..client.clone()
                    };
                    if wanted == client {
                        return Ok(false);
                    }
                    let updated = Client { modified_at: now, version: client.version + 1, ..wanted };
                    Ok(clients::update(conn, &updated, client.version)?)
                }
                None => {
                    let client = Client {
                        id: new_uuid(),
                        realm_id: master.id,
                        client_id: id.clone(),
                        name: "Console".to_owned(),
                        roles: Vec::new(),
                        public: true,
                        redirect_uris: console.redirect_uris.clone(),
                        post_logout_redirect_uris: console.post_logout_redirect_uris.clone(),
                        created_at: now,
                        modified_at: now,
                        version: 0,
                    };
                    clients::insert(conn, &client, None)?;
                    counters::adjust(conn, master.id, CLIENTS, 1)?;
                    Ok(true)
                }
            }
        });
        match written {
            Ok(true) => {
                self.security_changed();
                Ok(())
            }
            Ok(false) => Ok(()),
            // Another replica wrote it at the same moment, or the id is taken in another realm.
            Err(err) if err.is_unique_violation() => {
                let mine = self.db.read(|conn| {
                    let master = realms::by_name(conn, MASTER_REALM)?;
                    Ok::<_, IdentityError>(match master {
                        Some(master) => clients::in_realm(conn, master.id, id)?.is_some(),
                        None => false,
                    })
                })?;
                if mine {
                    Ok(())
                } else {
                    Err(IdentityError::invalid(FIELD, format!("'{id}' is taken by another realm's client")))
                }
            }
            Err(err) => Err(err),
        }
    }

    fn tenant_of(&self, conn: &mut DbConnection, realm: Realm) -> Result<Tenant, IdentityError> {
        let environment = environments::get(conn, realm.environment_id)?
            .ok_or_else(|| IdentityError::Internal(format!("environment of realm {} is missing", realm.name)))?;
        Ok(Tenant { realm, environment })
    }

    fn tenant_realm(&self, conn: &mut DbConnection, id: Uuid) -> Result<Realm, IdentityError> {
        realms::get(conn, id.into())?
            .filter(|r| r.name != MASTER_REALM)
            .ok_or_else(|| IdentityError::not_found("tenant", id))
    }

    /// The platform admin's context moved into tenant `id`'s realm, so that a write there holds
    /// that realm (a concurrent deletion of it waits, or the write finds it gone) and its audit
    /// row is the tenant's, not `master`'s.
    fn in_tenant(&self, ctx: &RequestContext, id: Uuid) -> Result<RequestContext, IdentityError> {
        let realm = self.db.read(|conn| self.tenant_realm(conn, id))?;
        Ok(ctx.in_realm(realm.reference()))
    }

    /// Stores a realm, refusing a taken name.
    pub(crate) fn insert_realm(
        &self,
        conn: &mut DbConnection,
        realm: &Realm,
        field: &str,
    ) -> Result<(), IdentityError> {
        if realms::by_name(conn, &realm.name)?.is_some() {
            return Err(IdentityError::already_exists(
                "tenant_name_taken",
                format!("{field} '{}' is already in use", realm.name),
            ));
        }
        realms::insert(conn, realm)?;
        self.hooks.realm_created(conn, &realm.reference(), realm.audit.created_at)?;
        Ok(())
    }

    fn new_client(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        settings: &ClientSettings,
        now: Timestamp,
    ) -> Result<IssuedClient, IdentityError> {
        let client = Client {
            id: new_uuid(),
            realm_id: realm,
            client_id: random_alphanumeric(CLIENT_ID_LEN),
            name: settings.name.clone().unwrap_or_default(),
            roles: settings.roles.clone().unwrap_or_default(),
            public: settings.public,
            redirect_uris: settings.redirect_uris.clone().unwrap_or_default(),
            post_logout_redirect_uris: settings.post_logout_redirect_uris.clone().unwrap_or_default(),
            created_at: now,
            modified_at: now,
            version: 0,
        };
        let secret = (!settings.public).then(|| random_alphanumeric(CLIENT_SECRET_LEN));
        let hash = secret.as_deref().map(|secret| hash_client_secret(&self.sealer, secret));
        clients::insert(conn, &client, hash.as_deref())?;
        counters::adjust(conn, realm, CLIENTS, 1)?;
        Ok(IssuedClient { client, secret })
    }
}

fn validate_client(settings: &ClientSettings) -> Result<(), IdentityError> {
    if let Some(name) = &settings.name {
        if name.trim().is_empty() {
            return Err(IdentityError::invalid("name", "name must not be empty"));
        }
        validate_length("name", name, 1, 100)?;
    }
    if let Some(roles) = &settings.roles {
        validate_roles("roles", roles.iter())?;
        // MATTR clients belong to tenants, never to realm master.
        if roles.iter().any(|role| role == PLATFORM_ADMIN_ROLE) {
            return Err(IdentityError::invalid("roles", "PLATFORM_ADMIN can only be held in realm master"));
        }
    }
    if let Some(uris) = &settings.redirect_uris {
        validate_redirect_uris("redirectUris", uris)?;
    }
    if let Some(uris) = &settings.post_logout_redirect_uris {
        validate_redirect_uris("postLogoutRedirectUris", uris)?;
    }
    Ok(())
}

impl TenantService for IdentityStore {
    fn environments(
        &self,
        ctx: &RequestContext,
        page: &CursorRequest,
    ) -> Result<CursorPage<Environment>, IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        self.db.read(|conn| Ok(environments::list(conn, page)?))
    }

    fn tenants(&self, ctx: &RequestContext, page: &CursorRequest) -> Result<CursorPage<Tenant>, IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        self.db.read(|conn| {
            let slice = realms::list(conn, page)?;
            let items =
                slice.items.into_iter().map(|realm| self.tenant_of(conn, realm)).collect::<Result<Vec<_>, _>>()?;
            Ok(CursorPage { items, last: slice.last })
        })
    }

    fn tenant(&self, ctx: &RequestContext, id: Uuid) -> Result<Tenant, IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        self.db.read(|conn| {
            let realm = self.tenant_realm(conn, id)?;
            self.tenant_of(conn, realm)
        })
    }

    fn create_tenant(
        &self,
        ctx: &RequestContext,
        name: Option<String>,
        subdomain: &str,
        environment: Uuid,
    ) -> Result<CreatedTenant, IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        validate_realm_name("subdomain", subdomain)?;
        if let Some(name) = &name {
            validate_length("name", name, 1, 100)?;
        }
        let now = self.clock.now();
        let created = audited_write(&self.db, self.clock.as_ref(), ctx, "tenant.create", "tenant", |conn| {
            let environment = environments::get(conn, environment)?.ok_or_else(|| {
                IdentityError::invalid("environmentId", format!("environment '{environment}' does not exist"))
            })?;
            let display_name = name.clone().unwrap_or_else(|| subdomain.to_owned());
            let realm = Realm::with_defaults(subdomain, &display_name, environment.id, Some(ctx.actor()), now);
            self.insert_realm(conn, &realm, "subdomain")?;
            let roles = FIRST_CLIENT_ROLES.iter().map(|r| (*r).to_owned()).collect();
            let first = ClientSettings {
                name: Some(format!("{display_name} client")),
                roles: Some(roles),
                ..ClientSettings::default()
            };
            let client = self.new_client(conn, realm.id, &first, now)?;
            let id = realm.id.to_string();
            Ok::<_, IdentityError>((CreatedTenant { tenant: Tenant { realm, environment }, client }, id))
        })?;
        self.security_changed();
        Ok(created)
    }

    fn delete_tenant(&self, ctx: &RequestContext, id: Uuid) -> Result<(), IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        audited_write(&self.db, self.clock.as_ref(), ctx, "tenant.delete", "tenant", |conn| {
            // The row lock makes every write of the realm that started first finish first; writes
            // that start later find the realm gone (see `audited_write`).
            lock_realm(conn, RealmId::from(id))?;
            let realm = self.tenant_realm(conn, id)?;
            self.hooks.realm_deleting(conn, realm.id)?;
            counters::clear_realm(conn, realm.id)?;
            // Its users go with the realm (foreign keys); their search index is not keyed to them.
            crate::store::users::purge_search(conn, realm.id)?;
            realms::delete(conn, realm.id)?;
            Ok::<_, IdentityError>(((), id.to_string()))
        })?;
        self.security_changed();
        Ok(())
    }

    fn clients(
        &self,
        ctx: &RequestContext,
        tenant: Uuid,
        page: &CursorRequest,
    ) -> Result<CursorPage<Client>, IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        self.db.read(|conn| {
            let realm = self.tenant_realm(conn, tenant)?;
            Ok(clients::list(conn, realm.id, page)?)
        })
    }

    fn create_client(
        &self,
        ctx: &RequestContext,
        tenant: Uuid,
        settings: ClientSettings,
    ) -> Result<IssuedClient, IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        validate_client(&settings)?;
        let now = self.clock.now();
        let ctx = &self.in_tenant(ctx, tenant)?;
        audited_write(&self.db, self.clock.as_ref(), ctx, "client.create", "client", |conn| {
            let realm = self.tenant_realm(conn, tenant)?;
            let issued = self.new_client(conn, realm.id, &settings, now)?;
            let id = issued.client.client_id.clone();
            Ok((issued, id))
        })
    }

    fn update_client(
        &self,
        ctx: &RequestContext,
        tenant: Uuid,
        client_id: &str,
        changes: ClientSettings,
    ) -> Result<Client, IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        validate_client(&changes)?;
        let now = self.clock.now();
        let ctx = &self.in_tenant(ctx, tenant)?;
        let updated = audited_write(&self.db, self.clock.as_ref(), ctx, "client.update", "client", |conn| {
            let realm = self.tenant_realm(conn, tenant)?;
            let (client, _) = clients::in_realm(conn, realm.id, client_id)?
                .ok_or_else(|| IdentityError::not_found("client", client_id))?;
            let changed = Client {
                name: changes.name.clone().unwrap_or(client.name.clone()),
                roles: changes.roles.clone().unwrap_or(client.roles.clone()),
                redirect_uris: changes.redirect_uris.clone().unwrap_or(client.redirect_uris.clone()),
                post_logout_redirect_uris: changes
                    .post_logout_redirect_uris
                    .clone()
                    .unwrap_or(client.post_logout_redirect_uris.clone()),
                ..client.clone()
            };
            if changed == client {
                return Ok::<_, IdentityError>((client, client_id.to_owned()));
            }
            let updated = Client { modified_at: now, version: client.version + 1, ..changed };
            let written = clients::update(conn, &updated, client.version)?;
            committed(&Precondition::none(), "client", client_id, client.version, written)?;
            Ok((updated, client_id.to_owned()))
        })?;
        self.security_changed();
        Ok(updated)
    }

    fn delete_client(&self, ctx: &RequestContext, tenant: Uuid, client_id: &str) -> Result<(), IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        let ctx = &self.in_tenant(ctx, tenant)?;
        audited_write(&self.db, self.clock.as_ref(), ctx, "client.delete", "client", |conn| {
            let realm = self.tenant_realm(conn, tenant)?;
            if !clients::delete(conn, realm.id, client_id)? {
                return Err(IdentityError::not_found("client", client_id));
            }
            counters::adjust(conn, realm.id, CLIENTS, -1)?;
            Ok(((), client_id.to_owned()))
        })?;
        self.security_changed();
        Ok(())
    }
}
