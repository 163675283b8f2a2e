//! Axual tenants (realms): platform admins manage them; a tenant's own users see only it.

use super::IdentityStore;
use crate::error::IdentityError;
use crate::model::{Realm, validate_chars, validate_length, validate_realm_name};
use crate::service::{Allowed, RealmFilter};
use crate::service::{RealmService, TenantInput, TenantView};
use crate::store::realms;
use crate::store::{environments, users};
use portico_core::audit::audited_write;
use portico_core::context::{MASTER_REALM, Requirement};
use portico_core::db::lock_realm;
use portico_core::page::{Page, PageRequest};
use portico_core::write::{Precondition, committed, revise};
use portico_core::{DbConnection, RealmId, RequestContext};
use uuid::Uuid;

/// The longest logo (a URL, or a small `data:` image), in characters.
pub const MAX_LOGO: usize = 100_000;
/// The longest feature configuration (a JSON document), in characters.
pub const MAX_FEATURE_CONFIG: usize = 65_536;
/// The most tenant properties.
pub const MAX_PROPERTIES: usize = 200;

fn validate_tenant(input: &TenantInput) -> Result<(), IdentityError> {
    if let Some(name) = &input.name {
        validate_length("name", name, 3, 50)?;
        validate_chars("name", name, &['.', '-', '_', ' '])?;
    }
    if let Some(short_name) = &input.short_name {
        validate_length("shortName", short_name, 3, 12)?;
        validate_chars("shortName", short_name, &[])?;
    }
    if let Some(retention) = input.retention_time
        && !(1000..=160_704_000_000).contains(&retention)
    {
        return Err(IdentityError::invalid("retentionTime", "retentionTime must be between 1000 and 160704000000"));
    }
    if let Some(partitions) = input.partitions
        && !(1..=120_000).contains(&partitions)
    {
        return Err(IdentityError::invalid("partitions", "partitions must be between 1 and 120000"));
    }
    use portico_core::text::check_field;
    if let Some(Some(domain)) = &input.domain {
        check_field("domain", domain, 253, false)?;
    }
    if let Some(Some(logo)) = &input.logo {
        check_field("logo", logo, MAX_LOGO, false)?;
    }
    if let Some(Some(issuer)) = &input.issuer_url {
        check_field("issuerUrl", issuer, 2048, false)?;
    }
    if let Some(properties) = &input.properties {
        if properties.entries().len() > MAX_PROPERTIES {
            return Err(IdentityError::invalid("properties", format!("at most {MAX_PROPERTIES} properties")));
        }
        for (key, value) in properties.entries() {
            check_field("properties", key, 255, false)?;
            if let Some(value) = value {
                check_field(&format!("properties.{key}"), value, 4096, false)?;
            }
        }
    }
    if let Some(Some(config)) = &input.feature_config {
        check_field("featureConfig", config, MAX_FEATURE_CONFIG, true)?;
    }
    if let Some(Some(config)) = &input.feature_config
        && serde_json::from_str::<serde_json::Value>(config).is_err()
    {
        return Err(IdentityError::invalid("featureConfig", "featureConfig must be a JSON document in a string"));
    }
    Ok(())
}

impl IdentityStore {
    fn view(&self, conn: &mut DbConnection, realm: Realm) -> Result<TenantView, IdentityError> {
        let contact = match realm.contact_user_id {
            Some(user) => users::get(conn, realm.id, user)?,
            None => None,
        };
        Ok(TenantView { realm, contact })
    }

    fn apply(&self, conn: &mut DbConnection, realm: &mut Realm, input: TenantInput) -> Result<(), IdentityError> {
        if let Some(name) = input.name {
            realm.display_name = name;
        }
        if let Some(domain) = input.domain {
            realm.domain = domain;
        }
        if let Some(properties) = input.properties {
            properties.apply_to_map(&mut realm.properties);
        }
        if let Some(retention) = input.retention_time {
            realm.retention_time = retention;
        }
        if let Some(partitions) = input.partitions {
            realm.partitions = partitions;
        }
        if let Some(logo) = input.logo {
            realm.logo = logo;
        }
        if let Some(issuer) = input.issuer_url {
            realm.issuer_url = issuer;
        }
        if let Some(enabled) = input.data_classification_enabled {
            realm.data_classification_enabled = enabled;
        }
        if let Some(config) = input.feature_config {
            realm.feature_config = config;
        }
        if let Some(contact) = input.contact {
            if let Some(user) = contact
                && users::get(conn, realm.id, user)?.is_none()
            {
                return Err(IdentityError::invalid(
                    "contact",
                    format!("the user '{}' does not exist in this tenant", user.simple()),
                ));
            }
            realm.contact_user_id = contact;
        }
        Ok(())
    }
}

impl RealmService for IdentityStore {
    fn realms(
        &self,
        ctx: &RequestContext,
        filter: &RealmFilter,
        page: &PageRequest,
    ) -> Result<Page<TenantView>, IdentityError> {
        match filter {
            RealmFilter::Id(id) if *id == ctx.realm.id => ctx.require(Requirement::Authenticated)?,
            _ => ctx.require(Requirement::PlatformAdmin)?,
        }
        self.db.snapshot(|conn| {
            let Page { items, number, size, total } = realms::page(conn, filter, page)?;
            let wanted: Vec<(RealmId, Uuid)> =
                items.iter().filter_map(|r| r.contact_user_id.map(|c| (r.id, c))).collect();
            let mut contacts = users::contacts(conn, &wanted)?;
            let items = items
                .into_iter()
                .map(|realm| {
                    let contact = contacts.remove(&realm.id);
                    TenantView { realm, contact }
                })
                .collect();
            Ok(Page { items, number, size, total })
        })
    }

    fn realm(&self, ctx: &RequestContext, id: Uuid) -> Result<TenantView, IdentityError> {
        let id = RealmId::from(id);
        if id == ctx.realm.id {
            ctx.require(Requirement::Authenticated)?;
        } else {
            ctx.require(Requirement::PlatformAdmin)?;
        }
        self.db.read(|conn| {
            let realm = realms::get(conn, id)?.ok_or_else(|| IdentityError::not_found("tenant", id.uuid().simple()))?;
            self.view(conn, realm)
        })
    }

    fn create_realm(&self, ctx: &RequestContext, input: TenantInput) -> Result<TenantView, IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        let name = input.name.clone().ok_or_else(|| IdentityError::invalid("name", "name is required"))?;
        let short_name =
            input.short_name.clone().ok_or_else(|| IdentityError::invalid("shortName", "shortName is required"))?;
        validate_tenant(&input)?;
        // Realm names are DNS labels, compared without case: `Rabo` and `rabo` are one tenant.
        let realm_name = short_name.to_ascii_lowercase();
        validate_realm_name("shortName", &realm_name)?;
        let now = self.clock.now();
        let created = audited_write(&self.db, self.clock.as_ref(), ctx, "tenant.create", "tenant", |conn| {
            let environment = match realms::get(conn, ctx.principal.realm.id)? {
                Some(home) => home.environment_id,
                None => environments::list(conn, &portico_core::cursor::CursorRequest { limit: 1, after: None })?
                    .items
                    .first()
                    .map(|e| e.id)
                    .ok_or_else(|| IdentityError::Internal("no environment exists".into()))?,
            };
            let mut realm = Realm::with_defaults(&realm_name, &name, environment, Some(ctx.actor()), now);
            self.apply(conn, &mut realm, TenantInput { name: None, short_name: None, contact: None, ..input.clone() })?;
            self.insert_realm(conn, &realm, "shortName")?;
            let id = realm.id.to_string();
            Ok::<_, IdentityError>((TenantView { realm, contact: None }, id))
        })?;
        self.security_changed();
        Ok(created)
    }

    fn update_realm(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: TenantInput,
        precondition: &Precondition,
    ) -> Result<TenantView, IdentityError> {
        ctx.require(Requirement::PlatformAdmin)?;
        validate_tenant(&input)?;
        let now = self.clock.now();
        audited_write(&self.db, self.clock.as_ref(), ctx, "tenant.update", "tenant", |conn| {
            lock_realm(conn, RealmId::from(id))?;
            let realm = realms::get(conn, id.into())?.ok_or_else(|| IdentityError::not_found("tenant", id.simple()))?;
            if realm.name == MASTER_REALM {
                return Err(IdentityError::conflict("master_realm", "realm master is managed by configuration"));
            }
            // A body read with GET carries the short name: unchanged is fine, a rename is not.
            if let Some(short_name) = &input.short_name
                && !short_name.eq_ignore_ascii_case(&realm.name)
            {
                return Err(IdentityError::invalid("shortName", "shortName cannot be changed"));
            }
            let revised = revise(precondition, "tenant", id.simple(), &realm, realm.version, |next| {
                self.apply(conn, next, input.clone())
            })?;
            let Some(mut next) = revised else {
                return Ok((self.view(conn, realm)?, id.to_string()));
            };
            next.audit.modified_at = Some(now);
            next.audit.modified_by = Some(ctx.actor().to_owned());
            next.version = realm.version + 1;
            let written = realms::update(conn, &next, realm.version)?;
            committed(precondition, "tenant", id.simple(), realm.version, written)?;
            Ok((self.view(conn, next)?, id.to_string()))
        })
    }

    fn tenant_allowed(&self, ctx: &RequestContext) -> Allowed {
        let admin = ctx.require(Requirement::PlatformAdmin).is_ok();
        Allowed { edit: admin, delete: admin, assign_roles: false }
    }
}
