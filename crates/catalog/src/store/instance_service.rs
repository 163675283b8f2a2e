//! Instances over the database.

use super::CatalogStore;
use super::schema::catalog_instances;
use super::validate::{validate_name, validate_property, validate_url};
use super::{clusters, connect_plugins, environments, instances, support_tiers};
use crate::error::CatalogError;
use crate::model::{CaCert, DEFAULT_INSTANCE_PROPERTIES, Instance, InstanceFilter, InstanceInput, InstanceView};
use crate::service::InstanceService;
use crate::service::{MANAGE_PLATFORM, SYNCHRONIZE};
use portico_core::audit::Stamp;
use portico_core::audit::audited_write;
use portico_core::context::Requirement;
use portico_core::ids::new_uuid;
use portico_core::page::{Page, PageRequest};
use portico_core::text::check_field;
use portico_core::write::{Precondition, committed, revise};
use portico_core::{DbConnection, RequestContext};
use uuid::Uuid;

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
        let workers = crate::connect::worker_urls(urls)
            .map_err(|reason| CatalogError::invalid("connectUrls", format!("'connectUrls': {reason}")))?;
        // Instances are readable by every user of the realm, and secrets are sealed at rest:
        // a password in a URL would be neither.
        if workers.iter().any(|url| !url.username().is_empty() || url.password().is_some()) {
            return Err(CatalogError::invalid(
                "connectUrls",
                "'connectUrls' must not carry credentials (user:password@): they would be shown to every user",
            ));
        }
    }
    if let Some(certs) = &input.ca_certs
        && certs.is_empty()
    {
        return Err(CatalogError::invalid("caCerts", "'caCerts' must hold at least one certificate"));
    }
    if let Some(properties) = &input.properties {
        for (key, value) in properties.set_values() {
            validate_property(key, value)?;
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
    pub(super) fn instance_view(
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
    if let Some(properties) = properties {
        properties.apply(&mut instance.properties);
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
        self.db.snapshot(|conn| {
            instances::page(conn, ctx.realm.id, filter, page)?
                .try_map(|instance| self.instance_view(conn, ctx, instance))
        })
    }

    fn instance(&self, ctx: &RequestContext, id: Uuid) -> Result<InstanceView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            let instance = self.existing_instance(conn, ctx, id)?;
            self.instance_view(conn, ctx, instance)
        })
    }

    fn instance_named(&self, ctx: &RequestContext, name: &str) -> Result<InstanceView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            let instance = instances::by_name(conn, ctx.realm.id, name)?
                .ok_or_else(|| CatalogError::not_found("instance", "not_found", name))?;
            self.instance_view(conn, ctx, instance)
        })
    }

    fn create_instance(&self, ctx: &RequestContext, input: InstanceInput) -> Result<InstanceView, CatalogError> {
        ctx.require(MANAGE_PLATFORM)?;
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
        let view: InstanceView = audited_write::<_, CatalogError>(
            &self.db,
            self.clock.as_ref(),
            ctx,
            "instance.create",
            "instance",
            |conn| {
                self.check_instance_relations(conn, ctx, &instance)?;
                instances::insert(conn, ctx.realm.id, &instance, ctx.actor(), now)?;
                let stored = self.existing_instance(conn, ctx, instance.id)?;
                Ok((self.instance_view(conn, ctx, stored)?, instance.id.simple().to_string()))
            },
        )?;
        self.wake_connect_reader(); // its Connect plugins are read at once
        Ok(view)
    }

    fn update_instance(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: InstanceInput,
        precondition: &Precondition,
    ) -> Result<InstanceView, CatalogError> {
        ctx.require(MANAGE_PLATFORM)?;
        validate_instance(&input)?;
        let certs = input.ca_certs.as_deref().map(read_certs).transpose()?;
        let now = self.clock.now();
        let view: InstanceView = audited_write::<_, CatalogError>(
            &self.db,
            self.clock.as_ref(),
            ctx,
            "instance.update",
            "instance",
            |conn| {
                portico_core::lock_row!(conn, catalog_instances, ctx.realm.id, id.to_string())?;
                let current = self.existing_instance(conn, ctx, id)?;
                let revised = revise(precondition, "instance", id.simple(), &current, current.version, |next| {
                    apply_instance(next, input.clone(), certs.clone());
                    Ok::<_, CatalogError>(())
                })?;
                let Some(next) = revised else {
                    return Ok((self.instance_view(conn, ctx, current)?, id.simple().to_string()));
                };
                self.check_instance_relations(conn, ctx, &next)?;
                let written = instances::update(conn, ctx.realm.id, &next, current.version, ctx.actor(), now)?;
                committed(precondition, "instance", id.simple(), current.version, written)?;
                if (next.connect_enabled, &next.connect_urls) != (current.connect_enabled, &current.connect_urls) {
                    // Connect moved or went off: what was read of it no longer holds.
                    connect_plugins::remove_of_instance(conn, ctx.realm.id, id)?;
                    connect_plugins::set_checked(conn, ctx.realm.id, id, None)?;
                }
                let stored = self.existing_instance(conn, ctx, id)?;
                Ok((self.instance_view(conn, ctx, stored)?, id.simple().to_string()))
            },
        )?;
        self.wake_connect_reader(); // a new Connect setting is read at once
        Ok(view)
    }

    fn may_manage_instances(&self, ctx: &RequestContext) -> bool {
        ctx.require(MANAGE_PLATFORM).is_ok()
    }

    fn synchronize_instance(&self, ctx: &RequestContext, id: Uuid) -> Result<(), CatalogError> {
        ctx.require(SYNCHRONIZE)?;
        self.db.read(|conn| self.existing_instance(conn, ctx, id).map(|_| ()))?;
        let topics = self.synchronize(ctx, "instance.synchronize", "instance", id, |conn| {
            self.existing_instance(conn, ctx, id)?;
            Ok(environments::of_instance(conn, ctx.realm.id, id)?)
        });
        let plugins = self.read_connect_plugins(ctx.realm.id, id);
        match (topics, plugins) {
            (Err(CatalogError::Upstream { message: topics, .. }), Err(CatalogError::Upstream { message, .. })) => {
                Err(CatalogError::upstream("synchronization_failed", format!("{topics}; {message}")))
            }
            (Err(err), _) | (Ok(()), Err(err)) => Err(err),
            (Ok(()), Ok(())) => Ok(()),
        }
    }

    fn may_synchronize(&self, ctx: &RequestContext) -> bool {
        ctx.require(SYNCHRONIZE).is_ok()
    }
}
