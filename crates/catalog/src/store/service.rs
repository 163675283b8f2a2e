//! The catalog services over the database.

use super::CatalogStore;
use super::levels::{self, LevelFields};
use super::{clusters, environments, instances, support_tiers};
use crate::error::CatalogError;
use crate::model::{
    CaCert, Cluster, ClusterFilter, ClusterInput, DEFAULT_INSTANCE_PROPERTIES, DEFAULT_PARTITIONS,
    DEFAULT_RETENTION_MS, Environment, EnvironmentFilter, EnvironmentInput, EnvironmentView, Instance, InstanceFilter,
    InstanceInput, InstanceView, Level, LevelInput, LevelKind, SupportTier,
};
use crate::service::{
    ClusterService, ENVIRONMENT_ADMINS, ENVIRONMENT_DEPENDENT_COUNTS, EnvironmentService, InstanceService,
    LEVEL_DEPENDENT_COUNTS, LevelService, SupportTierService, TENANT_ADMINS,
};
use portico_core::audit::Stamp;
use portico_core::audit::audited_write;
use portico_core::context::PrincipalKind;
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

/// A name of 3–50 letters, digits, `.`, `-`, `_` and spaces (clusters, instances).
fn validate_name(field: &str, name: &str) -> Result<(), CatalogError> {
    check_field(field, name, 50, false)?;
    let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '));
    if name.chars().count() < 3 || !valid || name.trim().is_empty() {
        return Err(CatalogError::invalid(
            field,
            format!("'{field}' must be 3-50 characters of letters, digits, '.', '-', '_' and spaces"),
        ));
    }
    Ok(())
}

/// A property's name and text (any name, as streams' own variables take).
pub(super) fn validate_property_text(key: &str, value: &str) -> Result<(), CatalogError> {
    let key_ok = !key.is_empty()
        && key.len() <= 255
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if !key_ok {
        return Err(CatalogError::invalid(
            "properties",
            format!(
                "'properties': '{}' is not a property name (lower-case letters, digits, '.', '-', '_')",
                key.escape_debug()
            ),
        ));
    }
    check_field("properties", value, 255, false)
}

/// Known instance properties and what their values must be.
fn validate_property(key: &str, value: &str) -> Result<(), CatalogError> {
    let invalid = |reason: &str| CatalogError::invalid("properties", format!("'properties.{key}' {reason}"));
    let key_ok = !key.is_empty()
        && key.len() <= 255
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if !key_ok {
        return Err(CatalogError::invalid(
            "properties",
            format!(
                "'properties': '{}' is not a property name (lower-case letters, digits, '.', '-', '_')",
                key.escape_debug()
            ),
        ));
    }
    check_field("properties", value, 255, false)?;
    let positive = || value.parse::<u32>().is_ok_and(|n| n > 0);
    match key {
        "replication.factor" | "num.partitions" | "min.insync.replicas" if !positive() => {
            Err(invalid("must be a positive whole number"))
        }
        "segment.ms" if !value.parse::<u64>().is_ok_and(|n| n > 0) => {
            Err(invalid("must be a positive number of milliseconds"))
        }
        "retention.ms" if !value.parse::<i64>().is_ok_and(|n| n > 0 || n == -1) => {
            Err(invalid("must be a positive number of milliseconds, or -1 (unlimited)"))
        }
        "cleanup.policy" if !matches!(value, "delete" | "compact" | "delete,compact" | "compact,delete") => {
            Err(invalid("must be delete, compact or delete,compact"))
        }
        _ => Ok(()),
    }
}

/// Checks an instance's input (the relations are checked against the realm by the caller).
fn validate_instance(input: &InstanceInput) -> Result<(), CatalogError> {
    if let Some(name) = &input.name {
        validate_name("name", name)?;
    }
    if let Some(short_name) = &input.short_name {
        check_field("shortName", short_name, 12, false)?;
        if short_name.len() < 2 || !short_name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(CatalogError::invalid("shortName", "'shortName' must be 2-12 letters and digits"));
        }
    }
    if let Some(Some(description)) = &input.description {
        check_field("description", description, 200, true)?;
    }
    if let Some(url) = &input.api_url {
        validate_url("apiUrl", url)?;
    }
    if let Some(clusters) = &input.clusters {
        if clusters.is_empty() {
            return Err(CatalogError::invalid("instanceClusters", "'instanceClusters' must name at least one cluster"));
        }
        let mut seen = std::collections::HashSet::new();
        for cluster in clusters {
            if !seen.insert(cluster.cluster) {
                return Err(CatalogError::invalid("instanceClusters", "'instanceClusters' names a cluster twice"));
            }
            if let Some(urls) = &cluster.schema_registry_urls {
                check_field("instanceClusters", urls, 1000, false)?;
            }
        }
    }
    if let Some(Some(urls)) = &input.connect_urls {
        check_field("connectUrls", urls, 1000, false)?;
    }
    if let Some(certs) = &input.ca_certs
        && certs.is_empty()
    {
        return Err(CatalogError::invalid("caCerts", "'caCerts' must hold at least one certificate"));
    }
    if let Some(properties) = &input.properties {
        for (key, value) in properties {
            if let Some(value) = value {
                validate_property(key, value)?;
            }
        }
    }
    Ok(())
}

/// Reads each PEM's expiry; a PEM that is not a certificate is a 400 with the parser's reason.
fn read_certs(pems: &[String]) -> Result<Vec<CaCert>, CatalogError> {
    pems.iter()
        .enumerate()
        .map(|(i, pem)| {
            let expires = portico_core::x509::expires_on(pem).map_err(|e| {
                CatalogError::invalid("caCerts", format!("'caCerts[{i}].pem' is not a PEM certificate: {e}"))
            })?;
            Ok(CaCert { pem: pem.clone(), expires_on: Some(portico_core::Timestamp::from_offset(expires)) })
        })
        .collect()
}

impl CatalogStore {
    /// The instance with its clusters and tier, as the representations show them.
    fn view(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        instance: Instance,
    ) -> Result<InstanceView, CatalogError> {
        let mut clusters = Vec::with_capacity(instance.clusters.len());
        for link in &instance.clusters {
            clusters.push(self.existing_cluster(conn, ctx, link.cluster)?);
        }
        let support_tier = match instance.support_tier {
            Some(tier) => support_tiers::get(conn, ctx.realm.id, tier)?,
            None => None,
        };
        Ok(InstanceView { instance, clusters, support_tier })
    }

    fn existing_instance(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<Instance, CatalogError> {
        instances::get(conn, ctx.realm.id, id)?
            .ok_or_else(|| CatalogError::not_found("instance", "not_found", id.simple()))
    }

    /// Checks that the instance's relations are entities of the caller's realm and its short
    /// name is free.
    fn check_instance_relations(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        instance: &Instance,
    ) -> Result<(), CatalogError> {
        for link in &instance.clusters {
            if clusters::get(conn, ctx.realm.id, link.cluster)?.is_none() {
                return Err(CatalogError::invalid(
                    "instanceClusters",
                    format!("'instanceClusters': the cluster '{}' does not exist", link.cluster.simple()),
                ));
            }
        }
        if let Some(tier) = instance.support_tier
            && support_tiers::get(conn, ctx.realm.id, tier)?.is_none()
        {
            return Err(CatalogError::invalid(
                "supportTier",
                format!("'supportTier': the support tier '{}' does not exist", tier.simple()),
            ));
        }
        if instances::short_name_taken(conn, ctx.realm.id, &instance.short_name, instance.id)? {
            return Err(CatalogError::already_exists(
                "instance_short_name_taken",
                format!("An instance with the short name '{}' already exists", instance.short_name),
            ));
        }
        if instance.connect_enabled && instance.connect_urls.as_deref().is_none_or(|u| u.trim().is_empty()) {
            return Err(CatalogError::invalid(
                "connectUrls",
                "'connectUrls' is required while 'connectEnabled' is true",
            ));
        }
        Ok(())
    }
}

/// Applies `input` to `instance` (properties: given keys set, `null` removes one).
fn apply_instance(instance: &mut Instance, input: InstanceInput, certs: Option<Vec<CaCert>>) {
    let InstanceInput {
        name,
        short_name,
        description,
        api_url,
        clusters,
        support_tier,
        connect_enabled,
        connect_urls,
        ca_certs: _,
        properties,
    } = input;
    if let Some(name) = name {
        instance.name = name;
    }
    if let Some(short_name) = short_name {
        instance.short_name = short_name;
    }
    if let Some(description) = description {
        instance.description = description;
    }
    if let Some(url) = api_url {
        instance.api_url = url;
    }
    if let Some(clusters) = clusters {
        instance.clusters = clusters;
    }
    if let Some(tier) = support_tier {
        instance.support_tier = tier;
    }
    if let Some(enabled) = connect_enabled {
        instance.connect_enabled = enabled;
    }
    if let Some(urls) = connect_urls {
        instance.connect_urls = urls;
    }
    if let Some(certs) = certs {
        instance.ca_certs = certs;
    }
    for (key, value) in properties.unwrap_or_default() {
        match (instance.properties.iter_mut().find(|(k, _)| *k == key), value) {
            (Some(entry), Some(value)) => entry.1 = value,
            (None, Some(value)) => instance.properties.push((key, value)),
            (_, None) => instance.properties.retain(|(k, _)| *k != key),
        }
    }
}

impl InstanceService for CatalogStore {
    fn instances(
        &self,
        ctx: &RequestContext,
        filter: &InstanceFilter,
        page: &PageRequest,
    ) -> Result<Page<InstanceView>, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            instances::page(conn, ctx.realm.id, filter, page)?.try_map(|instance| self.view(conn, ctx, instance))
        })
    }

    fn instance(&self, ctx: &RequestContext, id: Uuid) -> Result<InstanceView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            let instance = self.existing_instance(conn, ctx, id)?;
            self.view(conn, ctx, instance)
        })
    }

    fn instance_named(&self, ctx: &RequestContext, name: &str) -> Result<InstanceView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            let instance = instances::by_name(conn, ctx.realm.id, name)?
                .ok_or_else(|| CatalogError::not_found("instance", "not_found", name))?;
            self.view(conn, ctx, instance)
        })
    }

    fn create_instance(&self, ctx: &RequestContext, input: InstanceInput) -> Result<InstanceView, CatalogError> {
        ctx.require(Requirement::PlatformAdmin)?;
        validate_instance(&input)?;
        let required = |present: bool, field: &str| {
            if present { Ok(()) } else { Err(CatalogError::invalid(field, format!("'{field}' is required"))) }
        };
        required(input.name.is_some(), "name")?;
        required(input.short_name.is_some(), "shortName")?;
        required(input.api_url.is_some(), "apiUrl")?;
        required(input.clusters.is_some(), "instanceClusters")?;
        required(input.ca_certs.is_some(), "caCerts")?;
        let certs = read_certs(input.ca_certs.as_deref().unwrap_or_default())?;
        let now = self.clock.now();
        let mut instance = Instance {
            id: new_uuid(),
            name: String::new(),
            short_name: String::new(),
            description: None,
            api_url: String::new(),
            clusters: Vec::new(),
            support_tier: None,
            connect_enabled: false,
            connect_urls: None,
            ca_certs: Vec::new(),
            properties: DEFAULT_INSTANCE_PROPERTIES.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            stamp: Stamp {
                created_at: now,
                created_by: Some(ctx.actor().to_owned()),
                modified_at: now,
                modified_by: Some(ctx.actor().to_owned()),
            },
            version: 0,
        };
        apply_instance(&mut instance, input, Some(certs));
        audited_write(&self.db, self.clock.as_ref(), ctx, "instance.create", "instance", |conn| {
            self.check_instance_relations(conn, ctx, &instance)?;
            instances::insert(conn, ctx.realm.id, &instance, ctx.actor(), now)?;
            let stored = self.existing_instance(conn, ctx, instance.id)?;
            Ok((self.view(conn, ctx, stored)?, instance.id.simple().to_string()))
        })
    }

    fn update_instance(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: InstanceInput,
        precondition: &Precondition,
    ) -> Result<InstanceView, CatalogError> {
        ctx.require(Requirement::PlatformAdmin)?;
        validate_instance(&input)?;
        let certs = input.ca_certs.as_deref().map(read_certs).transpose()?;
        let now = self.clock.now();
        audited_write(&self.db, self.clock.as_ref(), ctx, "instance.update", "instance", |conn| {
            lock_row(conn, "catalog_instances", "id", RowKey::Text(&id.to_string()))?;
            let current = self.existing_instance(conn, ctx, id)?;
            let revised = revise(precondition, "instance", id.simple(), &current, current.version, |next| {
                apply_instance(next, input.clone(), certs.clone());
                Ok::<_, CatalogError>(())
            })?;
            let Some(next) = revised else {
                return Ok((self.view(conn, ctx, current)?, id.simple().to_string()));
            };
            self.check_instance_relations(conn, ctx, &next)?;
            let written = instances::update(conn, ctx.realm.id, &next, current.version, ctx.actor(), now)?;
            committed(precondition, "instance", id.simple(), current.version, written)?;
            let stored = self.existing_instance(conn, ctx, id)?;
            Ok((self.view(conn, ctx, stored)?, id.simple().to_string()))
        })
    }

    fn may_manage_instances(&self, ctx: &RequestContext) -> bool {
        ctx.require(Requirement::PlatformAdmin).is_ok()
    }
}

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
    if let Some(retention) = input.retention_time
        && !(1_000..=160_704_000_000).contains(&retention)
    {
        return Err(CatalogError::invalid("retentionTime", "'retentionTime' must be 1000-160704000000 milliseconds"));
    }
    if let Some(partitions) = input.partitions
        && !(1..=120_000).contains(&partitions)
    {
        return Err(CatalogError::invalid("partitions", "'partitions' must be 1-120000"));
    }
    if let Some(properties) = &input.properties {
        for (key, value) in properties {
            validate_property(key, value)?;
        }
    }
    Ok(())
}

impl CatalogStore {
    /// The owner groups whose private environments the caller sees (`None`: all of them).
    fn visible_groups(&self, conn: &mut DbConnection, ctx: &RequestContext) -> Result<Option<Vec<Uuid>>, CatalogError> {
        if ctx.require(Requirement::AnyRole(ENVIRONMENT_ADMINS)).is_ok() {
            return Ok(None);
        }
        let groups = match Uuid::try_parse(&ctx.principal.id) {
            Ok(user) if ctx.principal.kind == PrincipalKind::User => {
                self.hooks.groups()?.groups_of(conn, ctx.realm.id, user)?
            }
            _ => Vec::new(),
        };
        Ok(Some(groups))
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
    fn visible_environment(
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
                Some(instance) => Some(self.view(conn, ctx, instance)?),
                None => None,
            },
            None => None,
        };
        let owner = self.hooks.groups()?.group(conn, ctx.realm.id, environment.owner)?;
        let manage = self.manages(conn, ctx, &environment)?;
        Ok(EnvironmentView { environment, instance, owner, manage })
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
        environment.properties = properties;
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
        self.db.read(|conn| {
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
        ctx.require(Requirement::AnyRole(ENVIRONMENT_ADMINS))?;
        validate_environment(&input)?;
        if input.instance.flatten().is_some() {
            ctx.require(Requirement::PlatformAdmin)?;
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
            lock_row(conn, "catalog_environments", "id", RowKey::Text(&id.to_string()))?;
            let current = self.visible_environment(conn, ctx, id)?;
            if !self.manages(conn, ctx, &current)? {
                ctx.require(Requirement::AnyRole(ENVIRONMENT_ADMINS))?;
            }
            if input.instance.is_some_and(|instance| instance != current.instance) {
                ctx.require(Requirement::PlatformAdmin)?;
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

    fn delete_environment(&self, ctx: &RequestContext, id: Uuid) -> Result<(), CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        audited_write(&self.db, self.clock.as_ref(), ctx, "environment.delete", "environment", |conn| {
            lock_row(conn, "catalog_environments", "id", RowKey::Text(&id.to_string()))?;
            let environment = self.visible_environment(conn, ctx, id)?;
            if !self.manages(conn, ctx, &environment)? {
                ctx.require(Requirement::AnyRole(ENVIRONMENT_ADMINS))?;
            }
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
        ctx.require(Requirement::AnyRole(ENVIRONMENT_ADMINS)).is_ok()
    }
}
