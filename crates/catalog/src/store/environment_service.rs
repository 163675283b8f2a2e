//! Environments over the database.

use super::CatalogStore;
use super::schema::catalog_environments;
use super::validate::{validate_name, validate_property, validate_topic_sizes};
use super::{environments, instances};
use crate::error::CatalogError;
use crate::model::{
    DEFAULT_PARTITIONS, DEFAULT_RETENTION_MS, Environment, EnvironmentFilter, EnvironmentInput, EnvironmentView,
};
use crate::service::{ENVIRONMENT_DEPENDENT_COUNTS, EnvironmentService};
use crate::service::{MANAGE_ENVIRONMENTS, MANAGE_PLATFORM, SYNCHRONIZE};
use portico_core::audit::Stamp;
use portico_core::audit::audited_write;
use portico_core::context::Requirement;
use portico_core::dependents::{DeletionConstraints, Target};
use portico_core::ids::new_uuid;
use portico_core::page::{Page, PageRequest};
use portico_core::text::check_field;
use portico_core::write::{Precondition, committed, revise};
use portico_core::{DbConnection, RequestContext};
use uuid::Uuid;

/// Checks an environment's input (relations are checked against the realm by the caller).
fn validate_environment(input: &EnvironmentInput) -> Result<(), CatalogError> {
    if let Some(name) = &input.name {
        validate_name("name", name)?;
    }
    if let Some(short_name) = &input.short_name {
        check_field("shortName", short_name, 20, false)?;
        let valid = short_name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if short_name.len() < 3 || !valid {
            return Err(CatalogError::invalid("shortName", "'shortName' must be 3-20 lower-case letters and digits"));
        }
    }
    if let Some(Some(description)) = &input.description {
        check_field("description", description, 200, true)?;
    }
    if let Some(Some(color)) = &input.color {
        check_field("color", color, 12, false)?;
    }
    validate_topic_sizes(input.retention_time, input.partitions)?;
    if let Some(properties) = &input.properties {
        for (key, value) in properties.set_values() {
            validate_property(key, value)?;
        }
    }
    Ok(())
}

impl CatalogStore {
    /// The owner groups whose private environments the caller sees (`None`: all of them).
    fn visible_groups(&self, conn: &mut DbConnection, ctx: &RequestContext) -> Result<Option<Vec<Uuid>>, CatalogError> {
        if ctx.require(MANAGE_ENVIRONMENTS).is_ok() {
            return Ok(None);
        }
        Ok(Some(self.caller_groups(conn, ctx)?))
    }

    /// Whether the caller may change (and, if private, delete) `environment`.
    fn manages(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        environment: &Environment,
    ) -> Result<bool, CatalogError> {
        Ok(match self.visible_groups(conn, ctx)? {
            None => true,
            Some(groups) => groups.contains(&environment.owner),
        })
    }

    /// The environment if the caller may see it (404 otherwise, as if it did not exist).
    pub(super) fn visible_environment(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<Environment, CatalogError> {
        let missing = || CatalogError::not_found("environment", "not_found", id.simple());
        let environment = environments::get(conn, ctx.realm.id, id)?.ok_or_else(missing)?;
        if environment.private && !self.manages(conn, ctx, &environment)? {
            return Err(missing());
        }
        Ok(environment)
    }

    fn environment_view(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        environment: Environment,
    ) -> Result<EnvironmentView, CatalogError> {
        let instance = match environment.instance {
            Some(id) => match instances::get(conn, ctx.realm.id, id)? {
                Some(instance) => Some(self.instance_view(conn, ctx, instance)?),
                None => None,
            },
            None => None,
        };
        let owner = self.hooks.groups()?.group(conn, ctx.realm.id, environment.owner)?;
        let manage = self.manages(conn, ctx, &environment)?;
        let synchronize = ctx.require(SYNCHRONIZE).is_ok();
        Ok(EnvironmentView { environment, instance, owner, manage, synchronize })
    }

    /// Checks the environment's relations in the caller's realm and its short name.
    fn check_environment_relations(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        environment: &Environment,
    ) -> Result<(), CatalogError> {
        if self.hooks.groups()?.group(conn, ctx.realm.id, environment.owner)?.is_none() {
            return Err(CatalogError::invalid(
                "owners",
                format!("'owners': the group '{}' does not exist", environment.owner.simple()),
            ));
        }
        if let Some(instance) = environment.instance
            && instances::get(conn, ctx.realm.id, instance)?.is_none()
        {
            return Err(CatalogError::invalid(
                "instance",
                format!("'instance': the instance '{}' does not exist", instance.simple()),
            ));
        }
        if environments::short_name_taken(conn, ctx.realm.id, &environment.short_name, environment.id)? {
            return Err(CatalogError::already_exists(
                "environment_short_name_taken",
                format!("An environment with the short name '{}' already exists", environment.short_name),
            ));
        }
        Ok(())
    }

    fn environment_usage_in(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        environment: &Environment,
    ) -> Result<DeletionConstraints, CatalogError> {
        if !environment.private {
            return Err(CatalogError::unsupported(
                "environment_public",
                "Public environments cannot be deleted; only private ones have deletion constraints",
            ));
        }
        let target = Target { collection: "environments", realm: ctx.realm.id, id: environment.id };
        Ok(self.hooks.deletion_constraints(conn, &target, ENVIRONMENT_DEPENDENT_COUNTS)?)
    }
}

/// Applies `input` to `environment`; a private environment is always `Auto` (asking for
/// `Stream owner` on one is a 400).
fn apply_environment(environment: &mut Environment, input: &EnvironmentInput) -> Result<(), CatalogError> {
    let input = input.clone();
    if let Some(name) = input.name {
        environment.name = name;
    }
    if let Some(short_name) = input.short_name {
        environment.short_name = short_name;
    }
    if let Some(description) = input.description {
        environment.description = description;
    }
    if let Some(color) = input.color {
        environment.color = color;
    }
    if let Some(private) = input.private {
        environment.private = private;
    }
    match input.auto_approved {
        Some(false) if environment.private => {
            return Err(CatalogError::invalid(
                "authorizationIssuer",
                "'authorizationIssuer' must be Auto for a private environment",
            ));
        }
        Some(auto) => environment.auto_approved = auto,
        None if environment.private => environment.auto_approved = true,
        None => {}
    }
    if let Some(instance) = input.instance {
        environment.instance = instance;
    }
    if let Some(owner) = input.owner {
        environment.owner = owner;
    }
    if let Some(retention) = input.retention_time {
        environment.retention_time = retention;
    }
    if let Some(partitions) = input.partitions {
        environment.partitions = partitions;
    }
    if let Some(properties) = input.properties {
        properties.apply(&mut environment.properties);
    }
    Ok(())
}

impl EnvironmentService for CatalogStore {
    fn environments(
        &self,
        ctx: &RequestContext,
        filter: &EnvironmentFilter,
        page: &PageRequest,
    ) -> Result<Page<Environment>, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.snapshot(|conn| {
            let groups = self.visible_groups(conn, ctx)?;
            environments::page(conn, ctx.realm.id, filter, groups.as_deref(), page)
        })
    }

    fn environment(&self, ctx: &RequestContext, id: Uuid) -> Result<EnvironmentView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            let environment = self.visible_environment(conn, ctx, id)?;
            self.environment_view(conn, ctx, environment)
        })
    }

    fn create_environment(
        &self,
        ctx: &RequestContext,
        input: EnvironmentInput,
    ) -> Result<EnvironmentView, CatalogError> {
        ctx.require(MANAGE_ENVIRONMENTS)?;
        validate_environment(&input)?;
        if input.instance.flatten().is_some() {
            ctx.require(MANAGE_PLATFORM)?;
        }
        let required = |present: bool, field: &str| {
            if present { Ok(()) } else { Err(CatalogError::invalid(field, format!("'{field}' is required"))) }
        };
        required(input.name.is_some(), "name")?;
        required(input.short_name.is_some(), "shortName")?;
        required(input.owner.is_some(), "owners")?;
        let now = self.clock.now();
        let actor = Some(ctx.actor().to_owned());
        let mut environment = Environment {
            id: new_uuid(),
            name: String::new(),
            short_name: String::new(),
            description: None,
            color: None,
            auto_approved: false,
            private: false,
            instance: None,
            owner: Uuid::nil(),
            retention_time: DEFAULT_RETENTION_MS,
            partitions: DEFAULT_PARTITIONS,
            properties: Vec::new(),
            stamp: Stamp { created_at: now, created_by: actor.clone(), modified_at: now, modified_by: actor },
            version: 0,
        };
        apply_environment(&mut environment, &input)?;
        audited_write(&self.db, self.clock.as_ref(), ctx, "environment.create", "environment", |conn| {
            self.check_environment_relations(conn, ctx, &environment)?;
            environments::insert(conn, ctx.realm.id, &environment, ctx.actor(), now)?;
            let stored = self.visible_environment(conn, ctx, environment.id)?;
            Ok((self.environment_view(conn, ctx, stored)?, environment.id.simple().to_string()))
        })
    }

    fn update_environment(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: EnvironmentInput,
        precondition: &Precondition,
    ) -> Result<EnvironmentView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        validate_environment(&input)?;
        let now = self.clock.now();
        audited_write(&self.db, self.clock.as_ref(), ctx, "environment.update", "environment", |conn| {
            portico_core::lock_row!(conn, catalog_environments, ctx.realm.id, id.to_string())?;
            let current = self.visible_environment(conn, ctx, id)?;
            if !self.manages(conn, ctx, &current)? {
                ctx.require(MANAGE_ENVIRONMENTS)?;
            }
            if input.instance.is_some_and(|instance| instance != current.instance) {
                ctx.require(MANAGE_PLATFORM)?;
            }
            let revised = revise(precondition, "environment", id.simple(), &current, current.version, |next| {
                apply_environment(next, &input)
            })?;
            let Some(next) = revised else {
                return Ok((self.environment_view(conn, ctx, current)?, id.simple().to_string()));
            };
            self.check_environment_relations(conn, ctx, &next)?;
            let written = environments::update(conn, ctx.realm.id, &next, current.version, ctx.actor(), now)?;
            committed(precondition, "environment", id.simple(), current.version, written)?;
            let stored = environments::get(conn, ctx.realm.id, id)?
                .ok_or_else(|| CatalogError::not_found("environment", "not_found", id.simple()))?;
            Ok((self.environment_view(conn, ctx, stored)?, id.simple().to_string()))
        })
    }

    fn environment_usage(&self, ctx: &RequestContext, id: Uuid) -> Result<DeletionConstraints, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            let environment = self.visible_environment(conn, ctx, id)?;
            self.environment_usage_in(conn, ctx, &environment)
        })
    }

    fn delete_environment(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        audited_write(&self.db, self.clock.as_ref(), ctx, "environment.delete", "environment", |conn| {
            portico_core::lock_row!(conn, catalog_environments, ctx.realm.id, id.to_string())?;
            let environment = self.visible_environment(conn, ctx, id)?;
            if !self.manages(conn, ctx, &environment)? {
                ctx.require(MANAGE_ENVIRONMENTS)?;
            }
            precondition.check("environment", id.simple(), environment.version)?;
            if !self.environment_usage_in(conn, ctx, &environment)?.can_delete() {
                return Err(CatalogError::conflict(
                    "environment_in_use",
                    "the environment is still used; see its deletion constraints",
                ));
            }
            environments::delete(conn, ctx.realm.id, id)?;
            Ok(((), id.simple().to_string()))
        })
    }

    fn may_create_environments(&self, ctx: &RequestContext) -> bool {
        ctx.require(MANAGE_ENVIRONMENTS).is_ok()
    }

    fn synchronize_environment(&self, ctx: &RequestContext, id: Uuid) -> Result<(), CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        // 404 before 403: a hidden environment is not there for the caller.
        self.db.read(|conn| self.visible_environment(conn, ctx, id).map(|_| ()))?;
        ctx.require(SYNCHRONIZE)?;
        self.synchronize(ctx, "environment.synchronize", "environment", id, |conn| {
            self.visible_environment(conn, ctx, id)?;
            Ok(vec![id])
        })
    }
}
