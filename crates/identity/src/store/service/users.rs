//! Axual users of the caller's realm.

use super::IdentityStore;
use crate::error::IdentityError;
use crate::model::{AuditStamp, User, validate_email, validate_length, validate_phone, validate_roles};
use crate::service::MANAGE_USERS;
use crate::service::{Allowed, UserFilter};
use crate::service::{NewUser, UserPatch, UserService};
use crate::store::users::{self, UserChanges};
use portico_core::RealmId;
use portico_core::audit::audited_write;
use portico_core::context::{PLATFORM_ADMIN_ROLE, PrincipalKind, Requirement};
use portico_core::ids::new_uuid;
use portico_core::page::{Page, PageRequest};
use portico_core::write::{Precondition, committed};
use portico_core::{DbConnection, RequestContext};
use std::collections::BTreeSet;
use uuid::Uuid;

fn validate_names(first: Option<&str>, last: Option<&str>, middle: Option<&str>) -> Result<(), IdentityError> {
    if let Some(first) = first {
        validate_length("firstName", first.trim(), 2, 50)?;
    }
    if let Some(last) = last {
        validate_length("lastName", last.trim(), 2, 50)?;
    }
    if let Some(middle) = middle {
        validate_length("middleName", middle, 0, 16)?;
    }
    Ok(())
}

fn validate_password(password: Option<&str>) -> Result<(), IdentityError> {
    if let Some(password) = password {
        // Any printable character may be part of a password, invisible ones included.
        portico_core::text::check_field("password", password, 72, false)?;
    }
    Ok(())
}

impl IdentityStore {
    pub(crate) fn existing_user(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        id: Uuid,
    ) -> Result<User, IdentityError> {
        users::get(conn, realm, id)?.ok_or_else(|| IdentityError::not_found("user", id.simple()))
    }

    /// The user, locked against concurrent writers until the transaction ends.
    fn user_for_update(&self, conn: &mut DbConnection, realm: RealmId, id: Uuid) -> Result<User, IdentityError> {
        portico_core::lock_row!(conn, crate::store::schema::users, realm, id.to_string())?;
        self.existing_user(conn, realm, id)
    }

    /// Sets a user's roles (TENANT_ADMIN); `PLATFORM_ADMIN` only by platform admins, in `master`.
    fn assign(&self, ctx: &RequestContext, id: Uuid, roles: BTreeSet<String>) -> Result<User, IdentityError> {
        ctx.require(MANAGE_USERS)?;
        validate_roles("roles", roles.iter())?;
        if let Some(unknown) = roles.iter().find(|role| !self.hooks.is_known_role(role)) {
            return Err(IdentityError::invalid(
                "roles",
                format!("'{unknown}' is not a role; known roles are {}", self.hooks.known_roles().join(", ")),
            ));
        }
        if roles.contains(PLATFORM_ADMIN_ROLE) {
            if ctx.realm.name != portico_core::context::MASTER_REALM {
                return Err(IdentityError::invalid("roles", "PLATFORM_ADMIN can only be held in realm master"));
            }
            if !ctx.principal.is_platform_admin() {
                return Err(IdentityError::forbidden("only platform admins may grant PLATFORM_ADMIN"));
            }
        }
        let now = self.clock.now();
        let user = audited_write(&self.db, self.clock.as_ref(), ctx, "user.assign_roles", "user", |conn| {
            let user = self.user_for_update(conn, ctx.realm.id, id)?;
            if user.roles == roles {
                return Ok((user, id.to_string()));
            }
            users::set_roles(conn, ctx.realm.id, id, &roles)?;
            let written =
                users::update(conn, ctx.realm.id, id, user.version, &UserChanges::default(), ctx.actor(), now)?;
            committed(&Precondition::none(), "user", id.simple(), user.version, written)?;
            Ok::<_, IdentityError>((self.existing_user(conn, ctx.realm.id, id)?, id.to_string()))
        })?;
        self.security_changed();
        Ok(user)
    }
}

impl UserService for IdentityStore {
    fn current_user(&self, ctx: &RequestContext) -> Result<User, IdentityError> {
        ctx.require(Requirement::Authenticated)?;
        if ctx.principal.kind == PrincipalKind::Client {
            // A client acts as its own service account (Keycloak's service-account user).
            let now = self.clock.now();
            return Ok(User {
                id: Uuid::nil(),
                realm_id: ctx.principal.realm.id,
                email: format!("{}@clients.{}", ctx.principal.id, ctx.principal.realm.name),
                first_name: "service-account".into(),
                last_name: ctx.principal.id.clone(),
                middle_name: None,
                phone_number: None,
                roles: ctx.principal.roles.clone(),
                audit: AuditStamp::created(now, None),
                version: 0,
            });
        }
        let id = Uuid::try_parse(&ctx.principal.id).map_err(|_| IdentityError::not_found("user", &ctx.principal.id))?;
        self.db.read(|conn| self.existing_user(conn, ctx.principal.realm.id, id))
    }

    fn users(
        &self,
        ctx: &RequestContext,
        filter: &UserFilter,
        page: &PageRequest,
    ) -> Result<Page<User>, IdentityError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.snapshot(|conn| users::page(conn, ctx.realm.id, filter, page))
    }

    fn user(&self, ctx: &RequestContext, id: Uuid) -> Result<User, IdentityError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| self.existing_user(conn, ctx.realm.id, id))
    }

    fn create_user(&self, ctx: &RequestContext, user: NewUser) -> Result<User, IdentityError> {
        ctx.require(MANAGE_USERS)?;
        validate_names(Some(&user.first_name), Some(&user.last_name), user.middle_name.as_deref())?;
        validate_email("emailAddress", &user.email)?;
        validate_password(user.password.as_deref())?;
        if let Some(phone) = &user.phone_number {
            validate_phone("phoneNumber", phone)?;
        }
        let hash = user.password.as_deref().filter(|p| !p.is_empty()).map(|p| self.hasher.hash(p));
        let now = self.clock.now();
        let actor = Some(ctx.actor().to_owned());
        let created = User {
            id: new_uuid(),
            realm_id: ctx.realm.id,
            email: user.email.trim().to_owned(),
            first_name: user.first_name.trim().to_owned(),
            last_name: user.last_name.trim().to_owned(),
            middle_name: user.middle_name,
            phone_number: user.phone_number,
            roles: BTreeSet::new(),
            audit: AuditStamp::created(now, actor),
            version: 0,
        };
        audited_write(&self.db, self.clock.as_ref(), ctx, "user.create", "user", |conn| {
            if users::by_email_with_secret(conn, ctx.realm.id, &created.email)?.is_some() {
                return Err(IdentityError::already_exists(
                    "user_email_taken",
                    format!("a user with e-mail address '{}' already exists", created.email),
                ));
            }
            users::insert(conn, &created, hash.as_deref())?;
            Ok((created.clone(), created.id.to_string()))
        })
    }

    fn update_user(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        patch: UserPatch,
        precondition: &Precondition,
    ) -> Result<User, IdentityError> {
        let own = ctx.principal.kind == PrincipalKind::User && ctx.principal.id == id.to_string();
        if !own {
            ctx.require(MANAGE_USERS)?;
        }
        validate_names(
            patch.first_name.as_deref(),
            patch.last_name.as_deref(),
            patch.middle_name.clone().flatten().as_deref(),
        )?;
        validate_password(patch.password.as_deref())?;
        if let Some(Some(phone)) = &patch.phone_number {
            validate_phone("phoneNumber", phone)?;
        }
        let password_hash = patch.password.as_deref().filter(|p| !p.is_empty()).map(|p| self.hasher.hash(p));
        let now = self.clock.now();
        let updated = audited_write(&self.db, self.clock.as_ref(), ctx, "user.update", "user", |conn| {
            let user = self.user_for_update(conn, ctx.realm.id, id)?;
            precondition.check("user", id.simple(), user.version)?;
            // Only what differs is written; a PATCH that changes nothing keeps the version.
            let changes = UserChanges {
                first_name: patch
                    .first_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|v| *v != user.first_name)
                    .map(str::to_owned),
                last_name: patch
                    .last_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|v| *v != user.last_name)
                    .map(str::to_owned),
                middle_name: patch.middle_name.clone().filter(|v| *v != user.middle_name),
                phone_number: patch.phone_number.clone().filter(|v| *v != user.phone_number),
                password_hash: password_hash.clone(),
            };
            if changes == UserChanges::default() {
                return Ok((user, id.to_string()));
            }
            let written = users::update(conn, ctx.realm.id, id, user.version, &changes, ctx.actor(), now)?;
            committed(precondition, "user", id.simple(), user.version, written)?;
            Ok::<_, IdentityError>((self.existing_user(conn, ctx.realm.id, id)?, id.to_string()))
        })?;
        self.security_changed();
        Ok(updated)
    }

    fn assign_roles(&self, ctx: &RequestContext, id: Uuid, roles: BTreeSet<String>) -> Result<User, IdentityError> {
        self.assign(ctx, id, roles)
    }

    fn delete_user(&self, ctx: &RequestContext, id: Uuid, precondition: &Precondition) -> Result<(), IdentityError> {
        ctx.require(MANAGE_USERS)?;
        if ctx.principal.id == id.to_string() {
            return Err(IdentityError::conflict("self_deletion", "you cannot delete yourself"));
        }
        audited_write(&self.db, self.clock.as_ref(), ctx, "user.delete", "user", |conn| {
            let user = self.user_for_update(conn, ctx.realm.id, id)?;
            precondition.check("user", id.simple(), user.version)?;
            if !users::delete(conn, ctx.realm.id, id)? {
                return Err(IdentityError::not_found("user", id.simple()));
            }
            // The deleted user may be a tenant's business contact.
            crate::store::realms::clear_contact(conn, ctx.realm.id, id)?;
            Ok::<_, IdentityError>(((), id.to_string()))
        })?;
        self.security_changed();
        Ok(())
    }

    fn may_create_users(&self, ctx: &RequestContext) -> bool {
        ctx.require(MANAGE_USERS).is_ok()
    }

    fn user_allowed(&self, ctx: &RequestContext, user: &User) -> Allowed {
        let admin = ctx.require(MANAGE_USERS).is_ok();
        let own = ctx.principal.kind == PrincipalKind::User && ctx.principal.id == user.id.to_string();
        Allowed { edit: admin || own, delete: admin && !own, assign_roles: admin }
    }
}
