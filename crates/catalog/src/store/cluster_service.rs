//! Support tiers and clusters over the database.

use super::CatalogStore;
use super::schema::catalog_clusters;
use super::validate::{validate_name, validate_url};
use super::{clusters, support_tiers};
use crate::error::CatalogError;
use crate::model::{Cluster, ClusterFilter, ClusterInput, SupportTier};
use crate::service::MANAGE_PLATFORM;
use crate::service::{ClusterService, SupportTierService};
use portico_core::audit::audited_write;
use portico_core::context::Requirement;
use portico_core::ids::new_uuid;
use portico_core::page::{Page, PageRequest};
use portico_core::text::check_field;
use portico_core::write::{Precondition, committed, revise};
use portico_core::{DbConnection, RequestContext};
use uuid::Uuid;

impl SupportTierService for CatalogStore {
    fn support_tiers(&self, ctx: &RequestContext, page: &PageRequest) -> Result<Page<SupportTier>, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.snapshot(|conn| support_tiers::page(conn, ctx.realm.id, page))
    }

    fn support_tier(&self, ctx: &RequestContext, id: Uuid) -> Result<SupportTier, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            support_tiers::get(conn, ctx.realm.id, id)?
                .ok_or_else(|| CatalogError::not_found("support tier", "not_found", id.simple()))
        })
    }
}

/// `host:port` (a host name, an IPv4 address or a bracketed IPv6 address, and a port),
/// optionally after `PLAINTEXT://` or `SSL://` (a TLS listener, trusted by the CA certificates
/// of the instances the cluster powers).
fn validate_bootstrap_server(value: &str) -> Result<(), CatalogError> {
    let invalid = || {
        CatalogError::invalid(
            "bootstrapServers",
            format!("'bootstrapServers': '{value}' is not host:port (e.g. broker1.example.com:9092)"),
        )
    };
    check_field("bootstrapServers", value, 255, false)?;
    let (_, address) = crate::kafka::listener(value)
        .map_err(|reason| CatalogError::invalid("bootstrapServers", format!("'bootstrapServers': {reason}")))?;
    let (host, port) = address.rsplit_once(':').ok_or_else(invalid)?;
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
        validate_name("name", name)?;
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
    /// The cluster `id` of the caller's realm (404 otherwise).
    pub(super) fn existing_cluster(
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
        self.db.snapshot(|conn| clusters::page(conn, ctx.realm.id, filter, page))
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
        ctx.require(MANAGE_PLATFORM)?;
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
        ctx.require(MANAGE_PLATFORM)?;
        normalize_cluster(&mut input)?;
        let now = self.clock.now();
        audited_write(&self.db, self.clock.as_ref(), ctx, "cluster.update", "cluster", |conn| {
            portico_core::lock_row!(conn, catalog_clusters, ctx.realm.id, id.to_string())?;
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
        ctx.require(MANAGE_PLATFORM).is_ok()
    }
}
