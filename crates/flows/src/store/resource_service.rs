//! The resource registry: writes that add a revision only when the document changed, reads of
//! a revision or the latest, and the `textQuery` search.

use super::FlowsStore;
use super::resources::{self, NewRevision};
use crate::error::FlowsError;
use crate::resources::{
    ResourceQuery, ResourceRevision, ResourceSummary, ResourceType, ResourceWrite, RevisionSummary, check_resource_id,
    check_write,
};
use portico_core::audit::audited_write;
use portico_core::etag::{IfMatch, PreconditionFailed};
use portico_core::write::{Precondition, committed};
use portico_core::{CoreError, DbConnection, RequestContext};
use sha2::{Digest, Sha256};

fn not_found(kind: ResourceType, id: &str) -> FlowsError {
    crate::error::not_found("Resource", "resource_not_found", reference(kind, id))
}

fn reference(kind: ResourceType, id: &str) -> String {
    format!("{}:{id}", kind.as_str())
}

impl FlowsStore {
    fn existing_resource(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
    ) -> Result<(uuid::Uuid, ResourceSummary), FlowsError> {
        resources::get(conn, ctx.realm.id, kind, id)?.ok_or_else(|| not_found(kind, id))
    }

    fn revision_of(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        summary: &ResourceSummary,
        number: i64,
    ) -> Result<ResourceRevision, FlowsError> {
        resources::revision(conn, ctx.realm.id, summary, number)?.ok_or_else(|| {
            crate::error::not_found(
                "Resource revision",
                "resource_revision_not_found",
                format!("{}:{number}", reference(summary.kind, &summary.resource_id)),
            )
        })
    }

    pub(super) fn list_resources(
        &self,
        ctx: &RequestContext,
        query: &ResourceQuery,
    ) -> Result<Vec<ResourceSummary>, FlowsError> {
        self.db.read(|conn| Ok(resources::list(conn, ctx.realm.id, query)?))
    }

    pub(super) fn deployed_types(&self, ctx: &RequestContext) -> Result<Vec<ResourceType>, FlowsError> {
        self.db.read(|conn| Ok(resources::types(conn, ctx.realm.id)?))
    }

    pub(super) fn read_resource(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
    ) -> Result<(ResourceSummary, Vec<RevisionSummary>), FlowsError> {
        check_resource_id(id)?;
        self.db.read(|conn| {
            let (_, summary) = self.existing_resource(conn, ctx, kind, id)?;
            let revisions = resources::revisions(conn, ctx.realm.id, &summary)?;
            Ok((summary, revisions))
        })
    }

    pub(super) fn read_revision(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
        number: Option<i64>,
    ) -> Result<ResourceRevision, FlowsError> {
        check_resource_id(id)?;
        self.db.read(|conn| {
            let (_, summary) = self.existing_resource(conn, ctx, kind, id)?;
            self.revision_of(conn, ctx, &summary, number.unwrap_or(summary.latest_revision))
        })
    }

    pub(super) fn write_resource(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
        write: ResourceWrite,
        precondition: &Precondition,
    ) -> Result<(ResourceRevision, bool), FlowsError> {
        check_resource_id(id)?;
        check_write(&write)?;
        let checked = crate::resource_content::check(kind, &write.content)?;
        let sha256 = portico_core::ids::hex(&Sha256::digest(write.content.as_bytes()));
        let realm = ctx.realm.id;
        let what = reference(kind, id);
        audited_write(&self.db, self.clock.as_ref(), ctx, "resource.put", "resource", |conn| {
            super::lock(conn, realm, super::RESOURCE, &what)?;
            let now = self.clock.now();
            let mut new = NewRevision {
                kind,
                resource_id: id,
                revision: 1,
                content: &write.content,
                sha256: &sha256,
                title: checked.title.as_deref(),
                description: write.description.as_deref(),
            };
            let Some((key, current)) = resources::get(conn, realm, kind, id)? else {
                // `If-Match` (a version, or `*`) asks for a resource that does not exist.
                if precondition.if_match != IfMatch::Absent {
                    return Err(CoreError::Precondition(PreconditionFailed { current: 0 }));
                }
                resources::insert(conn, realm, &new, ctx.actor(), now)?;
                let (_, summary) = self.existing_resource(conn, ctx, kind, id)?;
                return Ok(((self.revision_of(conn, ctx, &summary, 1)?, true), what.clone()));
            };
            precondition.check("resource", &what, current.version)?;
            let latest = self.revision_of(conn, ctx, &current, current.latest_revision)?;
            if latest.content == write.content && latest.description == write.description {
                return Ok(((latest, false), what.clone()));
            }
            new.revision = current.latest_revision + 1;
            let written = resources::add_revision(conn, realm, key, &new, current.version, ctx.actor(), now)?;
            committed(precondition, "resource", &what, current.version, written)?;
            let (_, summary) = self.existing_resource(conn, ctx, kind, id)?;
            Ok(((self.revision_of(conn, ctx, &summary, new.revision)?, true), what.clone()))
        })
    }

    pub(super) fn remove_resource(
        &self,
        ctx: &RequestContext,
        kind: ResourceType,
        id: &str,
        precondition: &Precondition,
    ) -> Result<(), FlowsError> {
        check_resource_id(id)?;
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "resource.delete", "resource", |conn| {
            super::lock(conn, realm, super::RESOURCE, &reference(kind, id))?;
            let (key, current) = self.existing_resource(conn, ctx, kind, id)?;
            precondition.check("resource", reference(kind, id), current.version)?;
            resources::delete(conn, realm, kind, id, key)?;
            Ok(((), reference(kind, id)))
        })
    }
}
