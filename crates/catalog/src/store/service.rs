//! The catalog services over the database.

use super::CatalogStore;
use super::levels::{self, LevelFields};
use super::{clusters, support_tiers};
use crate::error::CatalogError;
use crate::model::{Cluster, ClusterFilter, ClusterInput, Level, LevelInput, LevelKind, SupportTier};
use crate::service::{ClusterService, LEVEL_DEPENDENT_COUNTS, LevelService, SupportTierService, TENANT_ADMINS};
use portico_core::audit::audited_write;
use portico_core::context::Requirement;
use portico_core::db::{RowKey, lock_row};
use portico_core::dependents::{DeletionConstraints, Target};
use portico_core::ids::new_uuid;
use portico_core::page::{Page, PageRequest};
use portico_core::text::check_field;
use portico_core::write::{Precondition, committed, revise};
use portico_core::{DbConnection, RequestContext};
use uuid::Uuid;

/// Who may read levels of `kind`: any user of the realm for confidentialities (streams show
/// them to everyone), tenant admins for integrities (as the seed says).
fn readers(kind: LevelKind) -> Requirement<'static> {
    match kind {
        LevelKind::Confidentiality => Requirement::Authenticated,
        LevelKind::Integrity => Requirement::AnyRole(TENANT_ADMINS),
    }
}

/// Checks the level's fields and lower-cases its name (Axual answers `"L2"` as `"l2"`).
fn normalize(input: &mut LevelInput) -> Result<(), CatalogError> {
    if let Some(level) = &mut input.level {
        check_field("level", level, 50, false)?;
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
        self.db.read(|conn| levels::page(conn, ctx.realm.id, kind, page))
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
        ctx.require(Requirement::AnyRole(TENANT_ADMINS))?;
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
        ctx.require(Requirement::AnyRole(TENANT_ADMINS))?;
        normalize(&mut input)?;
        let now = self.clock.now();
        let action = format!("{}.update", kind.as_str());
        audited_write(&self.db, self.clock.as_ref(), ctx, &action, kind.as_str(), |conn| {
            lock_row(conn, "catalog_levels", "id", RowKey::Text(&id.to_string()))?;
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
        ctx.require(Requirement::AnyRole(TENANT_ADMINS))?;
        self.db.read(|conn| {
            self.existing_level(conn, ctx, kind, id)?;
            self.usage(conn, ctx, kind, id)
        })
    }

    fn delete_level(&self, ctx: &RequestContext, kind: LevelKind, id: Uuid) -> Result<(), CatalogError> {
        ctx.require(Requirement::AnyRole(TENANT_ADMINS))?;
        let action = format!("{}.delete", kind.as_str());
        audited_write(&self.db, self.clock.as_ref(), ctx, &action, kind.as_str(), |conn| {
            lock_row(conn, "catalog_levels", "id", RowKey::Text(&id.to_string()))?;
            self.existing_level(conn, ctx, kind, id)?;
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
        ctx.require(Requirement::AnyRole(TENANT_ADMINS)).is_ok()
    }
}

impl SupportTierService for CatalogStore {
    fn support_tiers(&self, ctx: &RequestContext, page: &PageRequest) -> Result<Page<SupportTier>, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| support_tiers::page(conn, ctx.realm.id, page))
    }

    fn support_tier(&self, ctx: &RequestContext, id: Uuid) -> Result<SupportTier, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            support_tiers::get(conn, ctx.realm.id, id)?
                .ok_or_else(|| CatalogError::not_found("support tier", "not_found", id.simple()))
        })
    }
}

/// A cluster name: 3–50 letters, digits, `.`, `-`, `_` and spaces.
fn validate_cluster_name(name: &str) -> Result<(), CatalogError> {
    check_field("name", name, 50, false)?;
    let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '));
    if name.chars().count() < 3 || !valid || name.trim().is_empty() {
        return Err(CatalogError::invalid(
            "name",
            "'name' must be 3-50 characters of letters, digits, '.', '-', '_' and spaces",
        ));
    }
    Ok(())
}

/// An absolute `http`/`https` URL of at most 255 characters.
fn validate_url(field: &str, value: &str) -> Result<(), CatalogError> {
    check_field(field, value, 255, false)?;
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err(CatalogError::invalid(field, format!("'{field}' must be a well-formed http(s) URL"))),
    }
}

/// `host:port` (a host name, an IPv4 address or a bracketed IPv6 address, and a port).
fn validate_bootstrap_server(value: &str) -> Result<(), CatalogError> {
    let invalid = || {
        CatalogError::invalid(
            "bootstrapServers",
            format!("'bootstrapServers': '{value}' is not host:port (e.g. broker1.example.com:9092)"),
        )
    };
    check_field("bootstrapServers", value, 255, false)?;
    let (host, port) = value.rsplit_once(':').ok_or_else(invalid)?;
    let port_ok = port.parse::<u16>().is_ok_and(|p| p > 0);
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                })
        }
    };
    if port_ok && host_ok { Ok(()) } else { Err(invalid()) }
}

/// Checks a cluster's input; bootstrap servers become a set (first occurrence kept).
fn normalize_cluster(input: &mut ClusterInput) -> Result<(), CatalogError> {
    if let Some(name) = &input.name {
        validate_cluster_name(name)?;
    }
    if let Some(Some(description)) = &input.description {
        check_field("description", description, 200, true)?;
    }
    if let Some(Some(location)) = &input.location {
        check_field("location", location, 50, false)?;
    }
    if let Some(Some(url)) = &input.api_url {
        validate_url("apiUrl", url)?;
    }
    if let Some(Some(url)) = &input.cluster_browse_url {
        validate_url("clusterBrowseUrl", url)?;
    }
    if let Some(servers) = &mut input.bootstrap_servers {
        if servers.is_empty() {
            return Err(CatalogError::invalid("bootstrapServers", "'bootstrapServers' must not be empty"));
        }
        if servers.len() > 100 {
            return Err(CatalogError::invalid("bootstrapServers", "'bootstrapServers' may list at most 100 servers"));
        }
        for server in servers.iter() {
            validate_bootstrap_server(server)?;
        }
        let mut seen = std::collections::HashSet::new();
        servers.retain(|server| seen.insert(server.to_ascii_lowercase()));
    }
    Ok(())
}

impl CatalogStore {
    fn existing_cluster(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<Cluster, CatalogError> {
        clusters::get(conn, ctx.realm.id, id)?
            .ok_or_else(|| CatalogError::not_found("cluster", "not_found", id.simple()))
    }

    fn unique_cluster(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        name: &str,
        except: Option<Uuid>,
    ) -> Result<(), CatalogError> {
        match clusters::by_name(conn, ctx.realm.id, name)? {
            Some(other) if Some(other.id) != except => Err(CatalogError::already_exists(
                "cluster_name_taken",
                format!("A cluster named '{name}' already exists"),
            )),
            _ => Ok(()),
        }
    }
}

impl ClusterService for CatalogStore {
    fn clusters(
        &self,
        ctx: &RequestContext,
        filter: &ClusterFilter,
        page: &PageRequest,
    ) -> Result<Page<Cluster>, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| clusters::page(conn, ctx.realm.id, filter, page))
    }

    fn cluster(&self, ctx: &RequestContext, id: Uuid) -> Result<Cluster, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| self.existing_cluster(conn, ctx, id))
    }

    fn cluster_named(&self, ctx: &RequestContext, name: &str) -> Result<Cluster, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            clusters::by_name(conn, ctx.realm.id, name)?
                .ok_or_else(|| CatalogError::not_found("cluster", "not_found", name))
        })
    }

    fn create_cluster(&self, ctx: &RequestContext, mut input: ClusterInput) -> Result<Cluster, CatalogError> {
        ctx.require(Requirement::PlatformAdmin)?;
        normalize_cluster(&mut input)?;
        let name = input.name.clone().ok_or_else(|| CatalogError::invalid("name", "'name' is required"))?;
        let servers = input
            .bootstrap_servers
            .clone()
            .ok_or_else(|| CatalogError::invalid("bootstrapServers", "'bootstrapServers' is required"))?;
        let cluster = Cluster {
            id: new_uuid(),
            name,
            description: input.description.clone().flatten(),
            location: input.location.clone().flatten(),
            api_url: input.api_url.clone().flatten(),
            cluster_browse_url: input.cluster_browse_url.clone().flatten(),
            bootstrap_servers: servers,
            billing_cloud_enabled: input.billing_cloud_enabled.flatten(),
            version: 0,
        };
        let now = self.clock.now();
        audited_write(&self.db, self.clock.as_ref(), ctx, "cluster.create", "cluster", |conn| {
            self.unique_cluster(conn, ctx, &cluster.name, None)?;
            clusters::insert(conn, ctx.realm.id, &cluster, ctx.actor(), now)?;
            Ok((cluster.clone(), cluster.id.simple().to_string()))
        })
    }

    fn update_cluster(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        mut input: ClusterInput,
        precondition: &Precondition,
    ) -> Result<Cluster, CatalogError> {
        ctx.require(Requirement::PlatformAdmin)?;
        normalize_cluster(&mut input)?;
        let now = self.clock.now();
        audited_write(&self.db, self.clock.as_ref(), ctx, "cluster.update", "cluster", |conn| {
            lock_row(conn, "catalog_clusters", "id", RowKey::Text(&id.to_string()))?;
            let current = self.existing_cluster(conn, ctx, id)?;
            let revised = revise(precondition, "cluster", id.simple(), &current, current.version, |next| {
                let ClusterInput {
                    name,
                    description,
                    location,
                    api_url,
                    cluster_browse_url,
                    bootstrap_servers,
                    billing_cloud_enabled,
                } = input.clone();
                if let Some(name) = name {
                    next.name = name;
                }
                if let Some(description) = description {
                    next.description = description;
                }
                if let Some(location) = location {
                    next.location = location;
                }
                if let Some(api_url) = api_url {
                    next.api_url = api_url;
                }
                if let Some(url) = cluster_browse_url {
                    next.cluster_browse_url = url;
                }
                if let Some(servers) = bootstrap_servers {
                    next.bootstrap_servers = servers;
                }
                if let Some(billing) = billing_cloud_enabled {
                    next.billing_cloud_enabled = billing;
                }
                Ok::<_, CatalogError>(())
            })?;
            let Some(mut next) = revised else {
                return Ok((current, id.simple().to_string()));
            };
            if next.name != current.name {
                self.unique_cluster(conn, ctx, &next.name, Some(id))?;
            }
            let written = clusters::update(conn, ctx.realm.id, &next, current.version, ctx.actor(), now)?;
            committed(precondition, "cluster", id.simple(), current.version, written)?;
            next.version = current.version + 1;
            Ok((next, id.simple().to_string()))
        })
    }

    fn may_manage_clusters(&self, ctx: &RequestContext) -> bool {
        ctx.require(Requirement::PlatformAdmin).is_ok()
    }
}
