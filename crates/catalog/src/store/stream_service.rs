//! Streams over the database.

use super::schema::catalog_streams;
use super::streams::{self, StreamFilter};
use super::{CatalogStore, levels, schemas};
use crate::error::CatalogError;
use crate::model::{DataType, Level, LevelKind, SchemaEntry, Stream, StreamInput, StreamView};
use crate::service::MANAGE_STREAMS;
use crate::service::{STREAM_DEPENDENT_COUNTS, StreamPage, StreamService};
use portico_core::audit::{Stamp, audited_write};
use portico_core::context::Requirement;
use portico_core::dependents::{DeletionConstraints, Target};
use portico_core::hooks::GroupRef;
use portico_core::ids::new_uuid;
use portico_core::page::PageRequest;
use portico_core::text::check_field;
use portico_core::write::{Precondition, committed, revise};
use portico_core::{DbConnection, RequestContext};
use std::collections::HashMap;
use uuid::Uuid;

fn validate(input: &StreamInput) -> Result<(), CatalogError> {
    if let Some(name) = &input.name {
        check_field("name", name, 180, false)?;
        let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '));
        if name.chars().count() < 3 || !valid || name.trim().is_empty() {
            return Err(CatalogError::invalid(
                "name",
                "'name' must be 3-180 letters, digits, '.', '-', '_' and spaces",
            ));
        }
    }
    if let Some(Some(description)) = &input.description {
        check_field("description", description, 200, true)?;
    }
    if let Some(properties) = &input.properties {
        for (key, value) in properties.set_values() {
            super::validate::validate_property_text(key, value)?;
        }
    }
    Ok(())
}

/// An AVRO side needs its schema; another type has none.
fn check_types(stream: &Stream) -> Result<(), CatalogError> {
    for (side, kind, schema) in
        [("key", stream.key_type, stream.key_schema), ("value", stream.value_type, stream.value_schema)]
    {
        let field = format!("{side}Schema");
        match (kind, schema) {
            (DataType::Avro, None) => {
                return Err(CatalogError::invalid(
                    field.clone(),
                    format!("'{field}' is required when '{side}Type' is AVRO"),
                ));
            }
            (other, Some(_)) if other != DataType::Avro => {
                return Err(CatalogError::invalid(
                    field.clone(),
                    format!("'{field}' applies only when '{side}Type' is AVRO"),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn apply(stream: &mut Stream, input: &StreamInput) {
    let input = input.clone();
    if let Some(name) = input.name {
        stream.name = name;
    }
    if let Some(description) = input.description {
        stream.description = description;
    }
    if let Some(properties) = input.properties {
        properties.apply(&mut stream.properties);
    }
    if let Some(owner) = input.owner {
        stream.owner = owner;
    }
    if let Some(compacted) = input.compacted {
        stream.compacted = compacted;
    }
    if let Some(kind) = input.key_type {
        stream.key_type = kind;
    }
    if let Some(kind) = input.value_type {
        stream.value_type = kind;
    }
    if let Some(schema) = input.key_schema {
        stream.key_schema = schema;
    }
    if let Some(schema) = input.value_schema {
        stream.value_schema = schema;
    }
    if let Some(level) = input.integrity {
        stream.integrity = level;
    }
    if let Some(level) = input.confidentiality {
        stream.confidentiality = level;
    }
}

/// Entities a page of stream views shares, each read once.
#[derive(Default)]
pub(super) struct Related {
    groups: HashMap<Uuid, Option<GroupRef>>,
    schemas: HashMap<Uuid, Option<SchemaEntry>>,
    levels: HashMap<Uuid, Option<Level>>,
    /// Whether the caller is a stream admin, and its groups.
    caller: Option<(bool, Vec<Uuid>)>,
}

impl CatalogStore {
    pub(super) fn manages_stream(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        owner: Uuid,
    ) -> Result<bool, CatalogError> {
        Ok(ctx.require(MANAGE_STREAMS).is_ok() || self.caller_groups(conn, ctx)?.contains(&owner))
    }

    pub(super) fn existing_stream(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<Stream, CatalogError> {
        streams::get(conn, ctx.realm.id, id)?.ok_or_else(|| CatalogError::not_found("stream", "not_found", id.simple()))
    }

    fn stream_view(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        stream: Stream,
    ) -> Result<StreamView, CatalogError> {
        self.stream_view_with(conn, ctx, stream, &mut Related::default())
    }

    /// The view of `stream`, reading each related entity once per `related` (a page of streams
    /// mostly shares owners, schemas and levels, and the caller's groups are read once).
    pub(super) fn stream_view_with(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        stream: Stream,
        related: &mut Related,
    ) -> Result<StreamView, CatalogError> {
        let realm = ctx.realm.id;
        let owner = match related.groups.get(&stream.owner) {
            Some(found) => found.clone(),
            None => {
                let found = self.hooks.groups()?.group(conn, realm, stream.owner)?;
                related.groups.insert(stream.owner, found.clone());
                found
            }
        };
        let mut schema = |conn: &mut DbConnection, id: Option<Uuid>| -> Result<_, CatalogError> {
            let Some(id) = id else { return Ok(None) };
            if let Some(found) = related.schemas.get(&id) {
                return Ok(found.clone());
            }
            let found = schemas::get(conn, realm, id)?;
            related.schemas.insert(id, found.clone());
            Ok(found)
        };
        let key_schema = schema(conn, stream.key_schema)?;
        let value_schema = schema(conn, stream.value_schema)?;
        let mut level = |conn: &mut DbConnection, kind: LevelKind, id: Option<Uuid>| -> Result<_, CatalogError> {
            let Some(id) = id else { return Ok(None) };
            if let Some(found) = related.levels.get(&id) {
                return Ok(found.clone());
            }
            let found = levels::get(conn, realm, kind, id)?;
            related.levels.insert(id, found.clone());
            Ok(found)
        };
        let integrity = level(conn, LevelKind::Integrity, stream.integrity)?;
        let confidentiality = level(conn, LevelKind::Confidentiality, stream.confidentiality)?;
        let caller = match &related.caller {
            Some(caller) => caller.clone(),
            None => {
                let admin = ctx.require(MANAGE_STREAMS).is_ok();
                let groups = if admin { Vec::new() } else { self.caller_groups(conn, ctx)? };
                related.caller = Some((admin, groups.clone()));
                (admin, groups)
            }
        };
        let manage = caller.0 || caller.1.contains(&stream.owner);
        Ok(StreamView { stream, owner, key_schema, value_schema, integrity, confidentiality, manage })
    }

    /// Checks the stream's relations in the caller's realm, its types and its name.
    fn check_stream(&self, conn: &mut DbConnection, ctx: &RequestContext, stream: &Stream) -> Result<(), CatalogError> {
        let realm = ctx.realm.id;
        check_types(stream)?;
        if self.hooks.groups()?.group(conn, realm, stream.owner)?.is_none() {
            return Err(CatalogError::invalid(
                "owners",
                format!("'owners': the group '{}' does not exist", stream.owner.simple()),
            ));
        }
        for (field, schema) in [("keySchema", stream.key_schema), ("valueSchema", stream.value_schema)] {
            if let Some(id) = schema
                && schemas::get(conn, realm, id)?.is_none()
            {
                return Err(CatalogError::invalid(
                    field,
                    format!("'{field}': the schema '{}' does not exist", id.simple()),
                ));
            }
        }
        for (field, kind, level) in [
            ("integrity", LevelKind::Integrity, stream.integrity),
            ("confidentiality", LevelKind::Confidentiality, stream.confidentiality),
        ] {
            if let Some(id) = level
                && levels::get(conn, realm, kind, id)?.is_none()
            {
                return Err(CatalogError::invalid(
                    field,
                    format!("'{field}': the {field} '{}' does not exist", id.simple()),
                ));
            }
        }
        if streams::name_taken(conn, realm, &stream.name, stream.id)? {
            return Err(CatalogError::already_exists(
                "stream_name_taken",
                format!("A stream named '{}' already exists", stream.name),
            ));
        }
        Ok(())
    }

    fn stream_usage_in(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<DeletionConstraints, CatalogError> {
        let target = Target { collection: "streams", realm: ctx.realm.id, id };
        Ok(self.hooks.deletion_constraints(conn, &target, STREAM_DEPENDENT_COUNTS)?)
    }

    pub(super) fn require_stream_manager(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        owner: Uuid,
    ) -> Result<(), CatalogError> {
        if self.manages_stream(conn, ctx, owner)? {
            Ok(())
        } else {
            ctx.require(MANAGE_STREAMS)?;
            Ok(())
        }
    }
}

impl StreamService for CatalogStore {
    fn streams(
        &self,
        ctx: &RequestContext,
        filter: &StreamFilter,
        page: &PageRequest,
    ) -> Result<StreamPage, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.snapshot(|conn| {
            let admin = ctx.require(MANAGE_STREAMS).is_ok();
            let groups = if admin { Vec::new() } else { self.caller_groups(conn, ctx)? };
            let may_create = admin || !groups.is_empty();
            let mut related = Related { caller: Some((admin, groups)), ..Related::default() };
            let page = streams::page(conn, ctx.realm.id, filter, page)?
                .try_map(|stream| self.stream_view_with(conn, ctx, stream, &mut related))?;
            Ok(StreamPage { page, may_create })
        })
    }

    fn stream(&self, ctx: &RequestContext, id: Uuid) -> Result<StreamView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            let stream = self.existing_stream(conn, ctx, id)?;
            self.stream_view(conn, ctx, stream)
        })
    }

    fn create_stream(&self, ctx: &RequestContext, input: StreamInput) -> Result<StreamView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        validate(&input)?;
        let required = |present: bool, field: &str| {
            if present { Ok(()) } else { Err(CatalogError::invalid(field, format!("'{field}' is required"))) }
        };
        required(input.name.is_some(), "name")?;
        required(input.owner.is_some(), "owners")?;
        required(input.key_type.is_some(), "keyType")?;
        required(input.value_type.is_some(), "valueType")?;
        let now = self.clock.now();
        let actor = Some(ctx.actor().to_owned());
        let mut stream = Stream {
            id: new_uuid(),
            name: String::new(),
            description: None,
            properties: Vec::new(),
            owner: Uuid::nil(),
            compacted: false,
            key_type: DataType::String,
            value_type: DataType::String,
            key_schema: None,
            value_schema: None,
            integrity: None,
            confidentiality: None,
            stamp: Stamp { created_at: now, created_by: actor.clone(), modified_at: now, modified_by: actor },
            version: 0,
        };
        apply(&mut stream, &input);
        audited_write(&self.db, self.clock.as_ref(), ctx, "stream.create", "stream", |conn| {
            self.require_stream_manager(conn, ctx, stream.owner)?;
            self.check_stream(conn, ctx, &stream)?;
            streams::insert(conn, ctx.realm.id, &stream, ctx.actor(), now)?;
            let stored = self.existing_stream(conn, ctx, stream.id)?;
            Ok((self.stream_view(conn, ctx, stored)?, stream.id.simple().to_string()))
        })
    }

    fn update_stream(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: StreamInput,
        precondition: &Precondition,
    ) -> Result<StreamView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        validate(&input)?;
        let now = self.clock.now();
        let updated = audited_write(&self.db, self.clock.as_ref(), ctx, "stream.update", "stream", |conn| {
            portico_core::lock_row!(conn, catalog_streams, ctx.realm.id, id.to_string())?;
            let current = self.existing_stream(conn, ctx, id)?;
            self.require_stream_manager(conn, ctx, current.owner)?;
            let revised = revise(precondition, "stream", id.simple(), &current, current.version, |next| {
                apply(next, &input);
                Ok::<_, CatalogError>(())
            })?;
            let Some(next) = revised else {
                return Ok((self.stream_view(conn, ctx, current)?, id.simple().to_string()));
            };
            if next.owner != current.owner {
                // Handing a stream to another group needs the right to manage that group's streams.
                self.require_stream_manager(conn, ctx, next.owner)?;
            }
            self.check_stream(conn, ctx, &next)?;
            for (side, key, changed) in [
                ("key", true, next.key_schema != current.key_schema),
                ("value", false, next.value_schema != current.value_schema),
            ] {
                if changed && super::stream_configs::pins_versions(conn, ctx.realm.id, id, key)? {
                    return Err(CatalogError::conflict(
                        "stream_schema_in_use",
                        format!(
                            "the stream's configs use versions of its {side} schema; change or delete those configs first"
                        ),
                    ));
                }
            }
            let written = streams::update(conn, ctx.realm.id, &next, current.version, ctx.actor(), now)?;
            committed(precondition, "stream", id.simple(), current.version, written)?;
            if next.compacted != current.compacted {
                // The topics' cleanup.policy follows the stream's retention policy.
                self.want_stream_topics(conn, &ctx.realm, &next)?;
            }
            let stored = self.existing_stream(conn, ctx, id)?;
            Ok((self.stream_view(conn, ctx, stored)?, id.simple().to_string()))
        });
        self.wake_provisioner();
        updated
    }

    fn stream_usage(&self, ctx: &RequestContext, id: Uuid) -> Result<DeletionConstraints, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            self.existing_stream(conn, ctx, id)?;
            self.stream_usage_in(conn, ctx, id)
        })
    }

    fn delete_stream(&self, ctx: &RequestContext, id: Uuid, precondition: &Precondition) -> Result<(), CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        audited_write(&self.db, self.clock.as_ref(), ctx, "stream.delete", "stream", |conn| {
            portico_core::lock_row!(conn, catalog_streams, ctx.realm.id, id.to_string())?;
            let stream = self.existing_stream(conn, ctx, id)?;
            self.require_stream_manager(conn, ctx, stream.owner)?;
            precondition.check("stream", id.simple(), stream.version)?;
            if !self.stream_usage_in(conn, ctx, id)?.can_delete() {
                return Err(CatalogError::conflict(
                    "stream_in_use",
                    "the stream is still used; see its deletion constraints",
                ));
            }
            streams::delete(conn, ctx.realm.id, id)?;
            Ok(((), id.simple().to_string()))
        })
    }
}
