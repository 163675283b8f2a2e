//! Confidentiality and integrity levels over the database.

use super::CatalogStore;
use super::levels::{self, LevelFields};
use super::schema::catalog_levels;
use crate::error::CatalogError;
use crate::model::{Level, LevelInput, LevelKind};
use crate::service::MANAGE_LEVELS;
use crate::service::{LEVEL_DEPENDENT_COUNTS, LevelService};
use portico_core::audit::audited_write;
use portico_core::context::Requirement;
use portico_core::dependents::{DeletionConstraints, Target};
use portico_core::ids::new_uuid;
use portico_core::page::{Page, PageRequest};
use portico_core::text::{check_field, check_name};
use portico_core::write::{Precondition, committed, revise};
use portico_core::{DbConnection, RequestContext};
use uuid::Uuid;

/// Who may read levels of `kind`: any user of the realm for confidentialities (streams show
/// them to everyone), tenant admins for integrities (as the seed says).
fn readers(kind: LevelKind) -> Requirement<'static> {
    match kind {
        LevelKind::Confidentiality => Requirement::Authenticated,
        LevelKind::Integrity => MANAGE_LEVELS,
    }
}

/// Checks the level's fields and lower-cases its name (Axual answers `"L2"` as `"l2"`).
fn normalize(input: &mut LevelInput) -> Result<(), CatalogError> {
    if let Some(level) = &mut input.level {
        check_name("level", level, 50)?;
        if level.trim().is_empty() {
            return Err(CatalogError::invalid("level", "'level' must not be empty"));
        }
        *level = level.to_lowercase();
    }
    if let Some(Some(description)) = &input.description {
        check_field("description", description, 200, true)?;
    }
    if let Some(Some(color)) = &input.color {
        check_field("color", color, 12, false)?;
    }
    Ok(())
}

fn fields(level: &Level) -> LevelFields<'_> {
    LevelFields { level: &level.level, description: level.description.as_deref(), color: level.color.as_deref() }
}

impl CatalogStore {
    fn existing_level(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        kind: LevelKind,
        id: Uuid,
    ) -> Result<Level, CatalogError> {
        levels::get(conn, ctx.realm.id, kind, id)?
            .ok_or_else(|| CatalogError::not_found(kind.as_str(), "not_found", id.simple()))
    }

    fn unique_level(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        kind: LevelKind,
        level: &str,
        except: Option<Uuid>,
    ) -> Result<(), CatalogError> {
        if levels::name_taken(conn, ctx.realm.id, kind, level, except)? {
            return Err(CatalogError::already_exists(
                "level_taken",
                format!("A {} named '{level}' already exists", kind.as_str()),
            ));
        }
        Ok(())
    }

    fn usage(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        kind: LevelKind,
        id: Uuid,
    ) -> Result<DeletionConstraints, CatalogError> {
        let target = Target { collection: kind.rel(), realm: ctx.realm.id, id };
        Ok(self.hooks.deletion_constraints(conn, &target, LEVEL_DEPENDENT_COUNTS)?)
    }
}

impl LevelService for CatalogStore {
    fn levels(&self, ctx: &RequestContext, kind: LevelKind, page: &PageRequest) -> Result<Page<Level>, CatalogError> {
        ctx.require(readers(kind))?;
        self.db.snapshot(|conn| levels::page(conn, ctx.realm.id, kind, page))
    }

    fn level(&self, ctx: &RequestContext, kind: LevelKind, id: Uuid) -> Result<Level, CatalogError> {
        ctx.require(readers(kind))?;
        self.db.read(|conn| self.existing_level(conn, ctx, kind, id))
    }

    fn create_level(
        &self,
        ctx: &RequestContext,
        kind: LevelKind,
        mut input: LevelInput,
    ) -> Result<Level, CatalogError> {
        ctx.require(MANAGE_LEVELS)?;
        normalize(&mut input)?;
        let name = input.level.clone().ok_or_else(|| CatalogError::invalid("level", "'level' is required"))?;
        let now = self.clock.now();
        let id = new_uuid();
        let action = format!("{}.create", kind.as_str());
        audited_write(&self.db, self.clock.as_ref(), ctx, &action, kind.as_str(), |conn| {
            self.unique_level(conn, ctx, kind, &name, None)?;
            let fields = LevelFields {
                level: &name,
                description: input.description.as_ref().and_then(|d| d.as_deref()),
                color: input.color.as_ref().and_then(|c| c.as_deref()),
            };
            levels::insert(conn, ctx.realm.id, kind, id, fields, ctx.actor(), now)?;
            Ok((self.existing_level(conn, ctx, kind, id)?, id.simple().to_string()))
        })
    }

    fn update_level(
        &self,
        ctx: &RequestContext,
        kind: LevelKind,
        id: Uuid,
        mut input: LevelInput,
        precondition: &Precondition,
    ) -> Result<Level, CatalogError> {
        ctx.require(MANAGE_LEVELS)?;
        normalize(&mut input)?;
        let now = self.clock.now();
        let action = format!("{}.update", kind.as_str());
        audited_write(&self.db, self.clock.as_ref(), ctx, &action, kind.as_str(), |conn| {
            portico_core::lock_row!(conn, catalog_levels, ctx.realm.id, id.to_string())?;
            let current = self.existing_level(conn, ctx, kind, id)?;
            let revised = revise(precondition, kind.as_str(), id.simple(), &current, current.version, |next| {
                if let Some(level) = &input.level {
                    next.level.clone_from(level);
                }
                if let Some(description) = &input.description {
                    next.description.clone_from(description);
                }
                if let Some(color) = &input.color {
                    next.color.clone_from(color);
                }
                Ok::<_, CatalogError>(())
            })?;
            let Some(next) = revised else {
                return Ok((current, id.simple().to_string()));
            };
            if next.level != current.level {
                self.unique_level(conn, ctx, kind, &next.level, Some(id))?;
            }
            let written =
                levels::update(conn, ctx.realm.id, kind, id, current.version, fields(&next), ctx.actor(), now)?;
            committed(precondition, kind.as_str(), id.simple(), current.version, written)?;
            Ok((self.existing_level(conn, ctx, kind, id)?, id.simple().to_string()))
        })
    }

    fn level_usage(
        &self,
        ctx: &RequestContext,
        kind: LevelKind,
        id: Uuid,
    ) -> Result<DeletionConstraints, CatalogError> {
        ctx.require(MANAGE_LEVELS)?;
        self.db.read(|conn| {
            self.existing_level(conn, ctx, kind, id)?;
            self.usage(conn, ctx, kind, id)
        })
    }

    fn delete_level(
        &self,
        ctx: &RequestContext,
        kind: LevelKind,
        id: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CatalogError> {
        ctx.require(MANAGE_LEVELS)?;
        let action = format!("{}.delete", kind.as_str());
        audited_write(&self.db, self.clock.as_ref(), ctx, &action, kind.as_str(), |conn| {
            portico_core::lock_row!(conn, catalog_levels, ctx.realm.id, id.to_string())?;
            let level = self.existing_level(conn, ctx, kind, id)?;
            precondition.check(kind.as_str(), id.simple(), level.version)?;
            let usage = self.usage(conn, ctx, kind, id)?;
            if !usage.can_delete() {
                return Err(CatalogError::conflict(
                    "level_in_use",
                    format!("The {} is used by {} streams", kind.as_str(), usage.get("streamsCount")),
                ));
            }
            levels::delete(conn, ctx.realm.id, kind, id)?;
            Ok(((), id.simple().to_string()))
        })
    }

    fn may_manage_levels(&self, ctx: &RequestContext) -> bool {
        ctx.require(MANAGE_LEVELS).is_ok()
    }
}
