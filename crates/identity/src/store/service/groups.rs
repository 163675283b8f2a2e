//! Axual groups of the caller's realm.

use super::IdentityStore;
use crate::error::IdentityError;
use crate::model::{AuditStamp, Group, User, validate_chars, validate_email, validate_length, validate_phone};
use crate::service::MANAGE_GROUPS;
use crate::service::{Allowed, GroupFilter};
use crate::service::{GROUP_DEPENDENT_COUNTS, GroupInput, GroupService};
use crate::store::groups::{self, GroupChanges};
use crate::store::schema::user_groups;
use crate::store::users;
use portico_core::RealmId;
use portico_core::audit::audited_write;
use portico_core::context::{PrincipalKind, Requirement};
use portico_core::dependents::{DeletionConstraints, Target};
use portico_core::ids::new_uuid;
use portico_core::page::{Page, PageRequest};
use portico_core::write::{Precondition, committed};
use portico_core::{DbConnection, RequestContext};
use uuid::Uuid;

fn validate_group(input: &GroupInput) -> Result<(), IdentityError> {
    if let Some(name) = &input.name {
        validate_length("name", name, 3, 80)?;
        validate_chars("name", name, &['.', '-', '_', ' '])?;
    }
    if let Some(Some(email)) = &input.email {
        validate_email("emailAddress", email)?;
    }
    if let Some(Some(phone)) = &input.phone_number {
        validate_phone("phoneNumber", phone)?;
    }
    Ok(())
}

impl IdentityStore {
    fn existing_group(&self, conn: &mut DbConnection, realm: RealmId, id: Uuid) -> Result<Group, IdentityError> {
        groups::get(conn, realm, id)?.ok_or_else(|| IdentityError::not_found("group", id.simple()))
    }

    /// The group, locked against concurrent writers until the transaction ends.
    fn group_for_update(&self, conn: &mut DbConnection, realm: RealmId, id: Uuid) -> Result<Group, IdentityError> {
        portico_core::lock_row!(conn, user_groups, realm, id.to_string())?;
        self.existing_group(conn, realm, id)
    }

    fn members(&self, conn: &mut DbConnection, realm: RealmId, id: Uuid) -> Result<Vec<User>, IdentityError> {
        let ids = groups::member_ids(conn, realm, id)?;
        let mut members = users::get_many(conn, realm, &ids)?;
        members.sort_by_key(|u| ids.iter().position(|id| *id == u.id));
        Ok(members)
    }

    /// Group admins may manage any group; members may manage their own group.
    fn require_group_manager(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        group: Uuid,
    ) -> Result<(), IdentityError> {
        if ctx.require(MANAGE_GROUPS).is_ok() {
            return Ok(());
        }
        ctx.require(Requirement::Authenticated)?;
        let member = ctx.principal.kind == PrincipalKind::User
            && Uuid::try_parse(&ctx.principal.id)
                .is_ok_and(|me| groups::member_ids(conn, ctx.realm.id, group).is_ok_and(|ids| ids.contains(&me)));
        if member {
            Ok(())
        } else {
            Err(IdentityError::forbidden("requires GROUP_ADMIN or TENANT_ADMIN, or membership of the group"))
        }
    }

    /// Checks that every id is a user of the realm.
    fn existing_users(&self, conn: &mut DbConnection, realm: RealmId, ids: &[Uuid]) -> Result<(), IdentityError> {
        let found = users::get_many(conn, realm, ids)?;
        match ids.iter().find(|id| !found.iter().any(|u| u.id == **id)) {
            Some(missing) => {
                Err(IdentityError::invalid("members", format!("the user '{}' does not exist", missing.simple())))
            }
            None => Ok(()),
        }
    }

    /// What the group owns in every registered domain.
    fn usage(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        group: Uuid,
    ) -> Result<DeletionConstraints, IdentityError> {
        let target = Target { collection: "groups", realm, id: group };
        Ok(self.hooks.deletion_constraints(conn, &target, GROUP_DEPENDENT_COUNTS)?)
    }

    /// Writes `changes` (or only a new version, for membership changes) against the version
    /// the change was computed from.
    fn bump(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        group: &Group,
        precondition: &Precondition,
        changes: &GroupChanges,
    ) -> Result<(), IdentityError> {
        let written =
            groups::update(conn, ctx.realm.id, group.id, group.version, changes, ctx.actor(), self.clock.now())?;
        Ok(committed(precondition, "group", group.id.simple(), group.version, written)?)
    }
}

impl GroupService for IdentityStore {
    fn groups(
        &self,
        ctx: &RequestContext,
        filter: &GroupFilter,
        page: &PageRequest,
    ) -> Result<Page<Group>, IdentityError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.snapshot(|conn| groups::page(conn, ctx.realm.id, filter, page))
    }

    fn group(&self, ctx: &RequestContext, id: Uuid) -> Result<(Group, Vec<User>), IdentityError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| Ok((self.existing_group(conn, ctx.realm.id, id)?, self.members(conn, ctx.realm.id, id)?)))
    }

    fn create_group(&self, ctx: &RequestContext, input: GroupInput) -> Result<(Group, Vec<User>), IdentityError> {
        ctx.require(MANAGE_GROUPS)?;
        let name = input.name.clone().ok_or_else(|| IdentityError::invalid("name", "name is required"))?;
        validate_group(&input)?;
        let now = self.clock.now();
        let actor = Some(ctx.actor().to_owned());
        let group = Group {
            id: new_uuid(),
            realm_id: ctx.realm.id,
            name,
            email: input.email.clone().flatten(),
            phone_number: input.phone_number.clone().flatten(),
            audit: AuditStamp::created(now, actor),
            version: 0,
        };
        let members = input.members.unwrap_or_default();
        audited_write(&self.db, self.clock.as_ref(), ctx, "group.create", "group", |conn| {
            if groups::name_taken(conn, ctx.realm.id, &group.name, None)? {
                return Err(IdentityError::already_exists(
                    "group_name_taken",
                    format!("a group named '{}' already exists", group.name),
                ));
            }
            self.existing_users(conn, ctx.realm.id, &members)?;
            groups::insert(conn, &group)?;
            groups::add_members(conn, ctx.realm.id, group.id, &members)?;
            Ok(((group.clone(), self.members(conn, ctx.realm.id, group.id)?), group.id.to_string()))
        })
    }

    fn update_group(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        patch: GroupInput,
        precondition: &Precondition,
    ) -> Result<(Group, Vec<User>), IdentityError> {
        validate_group(&patch)?;
        audited_write(&self.db, self.clock.as_ref(), ctx, "group.update", "group", |conn| {
            let group = self.group_for_update(conn, ctx.realm.id, id)?;
            self.require_group_manager(conn, ctx, id)?;
            precondition.check("group", id.simple(), group.version)?;
            if let Some(name) = &patch.name
                && *name != group.name
                && groups::name_taken(conn, ctx.realm.id, name, Some(id))?
            {
                return Err(IdentityError::already_exists(
                    "group_name_taken",
                    format!("a group named '{name}' already exists"),
                ));
            }
            // Only what differs is written; a PATCH that changes nothing keeps the version.
            let mut changed = false;
            if let Some(members) = &patch.members {
                self.existing_users(conn, ctx.realm.id, members)?;
                let current = groups::member_ids(conn, ctx.realm.id, id)?;
                let gone: Vec<Uuid> = current.iter().filter(|m| !members.contains(m)).copied().collect();
                changed |= groups::remove_members(conn, ctx.realm.id, id, &gone)? > 0;
                changed |= groups::add_members(conn, ctx.realm.id, id, members)? > 0;
            }
            let changes = GroupChanges {
                name: patch.name.clone().filter(|v| *v != group.name),
                email: patch.email.clone().filter(|v| *v != group.email),
                phone_number: patch.phone_number.clone().filter(|v| *v != group.phone_number),
            };
            if changed || changes != GroupChanges::default() {
                self.bump(conn, ctx, &group, precondition, &changes)?;
            }
            Ok(((self.existing_group(conn, ctx.realm.id, id)?, self.members(conn, ctx.realm.id, id)?), id.to_string()))
        })
    }

    fn group_usage(&self, ctx: &RequestContext, id: Uuid) -> Result<DeletionConstraints, IdentityError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            self.existing_group(conn, ctx.realm.id, id)?;
            self.usage(conn, ctx.realm.id, id)
        })
    }

    fn delete_group(&self, ctx: &RequestContext, id: Uuid, precondition: &Precondition) -> Result<(), IdentityError> {
        audited_write(&self.db, self.clock.as_ref(), ctx, "group.delete", "group", |conn| {
            let group = self.group_for_update(conn, ctx.realm.id, id)?;
            self.require_group_manager(conn, ctx, id)?;
            precondition.check("group", id.simple(), group.version)?;
            if !self.usage(conn, ctx.realm.id, id)?.can_delete() {
                return Err(IdentityError::conflict(
                    "group_in_use",
                    "the group still owns resources; see its deletion constraints",
                ));
            }
            groups::delete(conn, ctx.realm.id, id)?;
            Ok(((), id.to_string()))
        })
    }

    fn set_members(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        members: &[Uuid],
        replace: bool,
    ) -> Result<(), IdentityError> {
        audited_write(&self.db, self.clock.as_ref(), ctx, "group.members", "group", |conn| {
            let group = self.group_for_update(conn, ctx.realm.id, id)?;
            self.require_group_manager(conn, ctx, id)?;
            self.existing_users(conn, ctx.realm.id, members)?;
            let mut changed = false;
            if replace {
                let current = groups::member_ids(conn, ctx.realm.id, id)?;
                let gone: Vec<Uuid> = current.iter().filter(|m| !members.contains(m)).copied().collect();
                changed |= groups::remove_members(conn, ctx.realm.id, id, &gone)? > 0;
            }
            changed |= groups::add_members(conn, ctx.realm.id, id, members)? > 0;
            if changed {
                self.bump(conn, ctx, &group, &Precondition::none(), &GroupChanges::default())?;
            }
            Ok(((), id.to_string()))
        })
    }

    fn remove_member(&self, ctx: &RequestContext, id: Uuid, user: Uuid) -> Result<(), IdentityError> {
        audited_write(&self.db, self.clock.as_ref(), ctx, "group.members", "group", |conn| {
            let group = self.group_for_update(conn, ctx.realm.id, id)?;
            self.require_group_manager(conn, ctx, id)?;
            if groups::remove_members(conn, ctx.realm.id, id, &[user])? == 0 {
                return Err(IdentityError::not_found("member", user.simple()));
            }
            self.bump(conn, ctx, &group, &Precondition::none(), &GroupChanges::default())?;
            Ok(((), id.to_string()))
        })
    }

    fn may_create_groups(&self, ctx: &RequestContext) -> bool {
        ctx.require(MANAGE_GROUPS).is_ok()
    }

    fn group_allowed(&self, ctx: &RequestContext, members: &[User]) -> Allowed {
        let member = ctx.principal.kind == PrincipalKind::User
            && members.iter().any(|m| m.id.to_string() == ctx.principal.id)
            && ctx.require(Requirement::Authenticated).is_ok();
        let manager = ctx.require(MANAGE_GROUPS).is_ok() || member;
        Allowed { edit: manager, delete: manager, assign_roles: false }
    }
}

/// Other domains name groups as owners (catalog environments, applications, streams).
impl portico_core::hooks::GroupDirectory for IdentityStore {
    fn group(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        id: Uuid,
    ) -> Result<Option<portico_core::hooks::GroupRef>, portico_core::DbError> {
        Ok(groups::get(conn, realm, id)?.map(|group| portico_core::hooks::GroupRef {
            id: group.id,
            name: group.name,
            email: group.email,
            phone_number: group.phone_number,
            created_at: group.audit.created_at,
            created_by: group.audit.created_by,
            modified_at: group.audit.modified_at,
            modified_by: group.audit.modified_by,
        }))
    }

    fn groups_of(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        user: Uuid,
    ) -> Result<Vec<Uuid>, portico_core::DbError> {
        Ok(groups::of_user(conn, realm, user)?)
    }
}
