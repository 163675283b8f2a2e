//! Stream configs over the database.

use super::provisioning::TopicWish;
use super::schema::catalog_stream_configs;
use super::stream_configs::{self, StreamConfigFilter};
use super::stream_service::Related;
use super::validate::{validate_property, validate_topic_sizes};
use super::{CatalogStore, clusters, instances, schemas};
use crate::error::CatalogError;
use crate::model::{
    BrowseConfig, BrowsePage, BrowseQuery, DataType, Environment, Stream, StreamConfig, StreamConfigInput,
    StreamConfigView,
};
use crate::service::{STREAM_CONFIG_DEPENDENT_COUNTS, StreamConfigService};
use portico_core::audit::{Stamp, audited_write};
use portico_core::context::Requirement;
use portico_core::dependents::{DeletionConstraints, Target};
use portico_core::ids::new_uuid;
use portico_core::write::{Precondition, committed, revise};
use portico_core::{DbConnection, DomainError, ErrorKind, RequestContext};
use std::collections::HashMap;
use uuid::Uuid;

/// Instance properties a new config inherits from its environment's instance (the topic-level
/// settings no field of the config governs).
const INHERITED_PROPERTIES: &[&str] = &["segment.ms"];

/// Properties the config's own fields (or its stream's) govern.
const GOVERNED_PROPERTIES: &[(&str, &str)] = &[
    ("retention.ms", "retentionTime"),
    ("num.partitions", "partitions"),
    ("cleanup.policy", "the stream's retentionPolicy"),
];

fn validate(input: &StreamConfigInput) -> Result<(), CatalogError> {
    validate_topic_sizes(input.retention_time, input.partitions)?;
    if let Some(properties) = &input.properties {
        for (key, value) in properties.entries() {
            if let Some((_, field)) = GOVERNED_PROPERTIES.iter().find(|(name, _)| name == key) {
                return Err(CatalogError::invalid(
                    "properties",
                    format!("'properties.{key}' is set through {field}, not as a property"),
                ));
            }
            if let Some(value) = value {
                validate_property(key, value)?;
            }
        }
    }
    Ok(())
}

fn apply(config: &mut StreamConfig, input: &StreamConfigInput) {
    let input = input.clone();
    if let Some(retention) = input.retention_time {
        config.retention_time = retention;
    }
    if let Some(partitions) = input.partitions {
        config.partitions = partitions;
    }
    if let Some(properties) = input.properties {
        properties.apply(&mut config.properties);
    }
    if let Some(version) = input.key_schema_version {
        config.key_schema_version = version;
    }
    if let Some(version) = input.value_schema_version {
        config.value_schema_version = version;
    }
}

/// The streams a list of configs shares, each read once.
#[derive(Default)]
struct Shared {
    streams: Related,
    viewed_streams: HashMap<Uuid, crate::model::StreamView>,
}

impl CatalogStore {
    /// The config and its environment, if the caller may see that environment (404 otherwise,
    /// as if the config did not exist).
    fn visible_config(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<(StreamConfig, Environment), CatalogError> {
        let missing = || CatalogError::not_found("stream config", "not_found", id.simple());
        let config = stream_configs::get(conn, ctx.realm.id, id)?.ok_or_else(missing)?;
        match self.visible_environment(conn, ctx, config.environment) {
            Ok(environment) => Ok((config, environment)),
            Err(CatalogError::NotFound { .. }) => Err(missing()),
            Err(other) => Err(other),
        }
    }

    fn config_view(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        (config, environment): (StreamConfig, Environment),
        shared: &mut Shared,
    ) -> Result<StreamConfigView, CatalogError> {
        let stream = match shared.viewed_streams.get(&config.stream) {
            Some(view) => view.clone(),
            None => {
                let stream = self.existing_stream(conn, ctx, config.stream)?;
                let view = self.stream_view_with(conn, ctx, stream, &mut shared.streams)?;
                shared.viewed_streams.insert(config.stream, view.clone());
                view
            }
        };
        let manage = stream.manage;
        Ok(StreamConfigView { config, stream, environment, manage })
    }

    /// Checks the versions against the stream's types and schemas, and the pair's uniqueness.
    fn check_config(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        stream: &Stream,
        config: &StreamConfig,
    ) -> Result<(), CatalogError> {
        for (side, kind, schema, version) in [
            ("key", stream.key_type, stream.key_schema, config.key_schema_version),
            ("value", stream.value_type, stream.value_schema, config.value_schema_version),
        ] {
            let field = format!("{side}SchemaVersion");
            match (kind, version) {
                (DataType::Avro, None) => {
                    return Err(CatalogError::invalid(
                        field.clone(),
                        format!("'{field}' is required: the stream's {side} type is AVRO"),
                    ));
                }
                (DataType::Avro, Some(id)) => {
                    let Some(found) = schemas::get_version(conn, ctx.realm.id, id)? else {
                        return Err(CatalogError::invalid(
                            field.clone(),
                            format!("'{field}': the schema version '{}' does not exist", id.simple()),
                        ));
                    };
                    if Some(found.schema) != schema {
                        return Err(CatalogError::invalid(
                            field.clone(),
                            format!("'{field}' must be a version of the stream's {side} schema"),
                        ));
                    }
                }
                (_, Some(_)) => {
                    return Err(CatalogError::invalid(
                        field.clone(),
                        format!("'{field}' applies only when the stream's {side} type is AVRO"),
                    ));
                }
                (_, None) => {}
            }
        }
        let existing =
            stream_configs::matching(conn, ctx.realm.id, StreamConfigFilter::Pair(config.stream, config.environment))?;
        if existing.iter().any(|other| other.id != config.id) {
            return Err(CatalogError::already_exists(
                "stream_config_exists",
                "The stream already has a config on this environment",
            ));
        }
        Ok(())
    }

    /// The config, its environment and its stream, if the caller manages the stream: who may
    /// change, delete and browse it (consumers with approved grants will join the browsers with
    /// applications). 404 for a config the caller may not see, 403 for one it may not manage.
    pub(super) fn managed_config(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<(StreamConfig, Environment, Stream), CatalogError> {
        let (config, environment) = self.visible_config(conn, ctx, id)?;
        let stream = self.existing_stream(conn, ctx, config.stream)?;
        self.require_stream_manager(conn, ctx, stream.owner)?;
        Ok((config, environment, stream))
    }

    fn config_usage_in(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<DeletionConstraints, CatalogError> {
        let target = Target { collection: "stream_configs", realm: ctx.realm.id, id };
        Ok(self.hooks.deletion_constraints(conn, &target, STREAM_CONFIG_DEPENDENT_COUNTS)?)
    }

    /// The stream and environment a new config names, as 400s naming the field when they are
    /// unknown in the realm (or the environment is hidden from the caller).
    fn config_targets(
        &self,
        conn: &mut DbConnection,
        ctx: &RequestContext,
        stream: Uuid,
        environment: Uuid,
    ) -> Result<(Stream, Environment), CatalogError> {
        let stream = super::streams::get(conn, ctx.realm.id, stream)?.ok_or_else(|| {
            CatalogError::invalid("stream", format!("'stream': the stream '{}' does not exist", stream.simple()))
        })?;
        let environment = seen(self.visible_environment(conn, ctx, environment))?.ok_or_else(|| {
            CatalogError::invalid(
                "environment",
                format!("'environment': the environment '{}' does not exist", environment.simple()),
            )
        })?;
        Ok((stream, environment))
    }
}

/// An entity found (`Some`), or hidden from the caller or gone (`None`): a 404 means "not for
/// this caller", every other failure (the database) stays an error and is never read as hidden.
fn seen<T>(found: Result<T, CatalogError>) -> Result<Option<T>, CatalogError> {
    match found {
        Ok(found) => Ok(Some(found)),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

impl StreamConfigService for CatalogStore {
    fn stream_configs(
        &self,
        ctx: &RequestContext,
        filter: StreamConfigFilter,
    ) -> Result<Vec<StreamConfigView>, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            let mut shared = Shared::default();
            // Each environment once: `None` when it is hidden from the caller.
            let mut visible: HashMap<Uuid, Option<Environment>> = HashMap::new();
            let mut views = Vec::new();
            for config in stream_configs::matching(conn, ctx.realm.id, filter)? {
                let environment = match visible.get(&config.environment) {
                    Some(seen) => seen.clone(),
                    None => {
                        let found = seen(self.visible_environment(conn, ctx, config.environment))?;
                        visible.insert(config.environment, found.clone());
                        found
                    }
                };
                if let Some(environment) = environment {
                    views.push(self.config_view(conn, ctx, (config, environment), &mut shared)?);
                }
            }
            Ok(views)
        })
    }

    fn stream_config(&self, ctx: &RequestContext, id: Uuid) -> Result<StreamConfigView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            let config = self.visible_config(conn, ctx, id)?;
            self.config_view(conn, ctx, config, &mut Shared::default())
        })
    }

    fn create_stream_config(
        &self,
        ctx: &RequestContext,
        input: StreamConfigInput,
    ) -> Result<StreamConfigView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        validate(&input)?;
        let stream_id = input.stream.ok_or_else(|| CatalogError::invalid("stream", "'stream' must not be null"))?;
        let environment_id =
            input.environment.ok_or_else(|| CatalogError::invalid("environment", "'environment' must not be null"))?;
        let now = self.clock.now();
        let actor = Some(ctx.actor().to_owned());
        let written: Result<_, CatalogError> =
            audited_write(&self.db, self.clock.as_ref(), ctx, "stream_config.create", "stream_config", |conn| {
                let (stream, environment) = self.config_targets(conn, ctx, stream_id, environment_id)?;
                self.require_stream_manager(conn, ctx, stream.owner)?;
                let mut properties = Vec::new();
                if let Some(instance) = environment.instance
                    && let Some(instance) = instances::get(conn, ctx.realm.id, instance)?
                {
                    properties.extend(
                        instance.properties.into_iter().filter(|(key, _)| INHERITED_PROPERTIES.contains(&key.as_str())),
                    );
                }
                let mut config = StreamConfig {
                    id: new_uuid(),
                    stream: stream.id,
                    environment: environment.id,
                    retention_time: environment.retention_time,
                    partitions: environment.partitions,
                    properties,
                    key_schema_version: None,
                    value_schema_version: None,
                    stamp: Stamp {
                        created_at: now,
                        created_by: actor.clone(),
                        modified_at: now,
                        modified_by: actor.clone(),
                    },
                    version: 0,
                };
                // The inherited properties are the defaults the given ones merge into.
                apply(&mut config, &input);
                self.check_config(conn, ctx, &stream, &config)?;
                stream_configs::insert(conn, ctx.realm.id, &config, ctx.actor(), now)?;
                self.want_topics(conn, &ctx.realm, &config, &stream, &environment, TopicWish::UNCHANGED)?;
                let stored = self.visible_config(conn, ctx, config.id)?;
                Ok((self.config_view(conn, ctx, stored, &mut Shared::default())?, config.id.simple().to_string()))
            });
        let written = written?;
        self.wake_provisioner();
        Ok(written)
    }

    fn update_stream_config(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: StreamConfigInput,
        precondition: &Precondition,
    ) -> Result<StreamConfigView, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        validate(&input)?;
        let now = self.clock.now();
        let written: Result<_, CatalogError> =
            audited_write(&self.db, self.clock.as_ref(), ctx, "stream_config.update", "stream_config", |conn| {
                portico_core::lock_row!(conn, catalog_stream_configs, ctx.realm.id, id.to_string())?;
                let (current, environment, stream) = self.managed_config(conn, ctx, id)?;
                for (field, given, stored) in
                    [("stream", input.stream, current.stream), ("environment", input.environment, current.environment)]
                {
                    if given.is_some_and(|given| given != stored) {
                        return Err(CatalogError::invalid(
                            field,
                            format!(
                                "'{field}' of a stream config cannot change; create a config for the other {field}"
                            ),
                        ));
                    }
                }
                let revised = revise(precondition, "stream config", id.simple(), &current, current.version, |next| {
                    apply(next, &input);
                    Ok::<_, CatalogError>(())
                })?;
                let Some(next) = revised else {
                    let view = self.config_view(conn, ctx, (current, environment), &mut Shared::default())?;
                    return Ok((view, id.simple().to_string()));
                };
                if next.partitions < current.partitions {
                    return Err(CatalogError::invalid(
                        "partitions",
                        format!(
                            "'partitions' can only grow (Kafka cannot remove partitions): it is {}, not {}",
                            current.partitions, next.partitions
                        ),
                    ));
                }
                self.check_config(conn, ctx, &stream, &next)?;
                let written = stream_configs::update(conn, ctx.realm.id, &next, current.version, ctx.actor(), now)?;
                committed(precondition, "stream config", id.simple(), current.version, written)?;
                let removed: Vec<String> = current
                    .properties
                    .iter()
                    .filter(|(key, _)| !next.properties.iter().any(|(kept, _)| kept == key))
                    .map(|(key, _)| key.clone())
                    .collect();
                self.want_topics(
                    conn,
                    &ctx.realm,
                    &next,
                    &stream,
                    &environment,
                    TopicWish::Current { removed: &removed },
                )?;
                let stored = self.visible_config(conn, ctx, id)?;
                Ok((self.config_view(conn, ctx, stored, &mut Shared::default())?, id.simple().to_string()))
            });
        let written = written?;
        self.wake_provisioner();
        Ok(written)
    }

    fn stream_config_usage(&self, ctx: &RequestContext, id: Uuid) -> Result<DeletionConstraints, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            self.visible_config(conn, ctx, id)?;
            self.config_usage_in(conn, ctx, id)
        })
    }

    fn delete_stream_config(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        precondition: &Precondition,
    ) -> Result<(), CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        let written: Result<_, CatalogError> =
            audited_write(&self.db, self.clock.as_ref(), ctx, "stream_config.delete", "stream_config", |conn| {
                portico_core::lock_row!(conn, catalog_stream_configs, ctx.realm.id, id.to_string())?;
                let (config, environment, stream) = self.managed_config(conn, ctx, id)?;
                precondition.check("stream config", id.simple(), config.version)?;
                if !self.config_usage_in(conn, ctx, id)?.can_delete() {
                    return Err(CatalogError::conflict(
                        "stream_config_in_use",
                        "the stream config is still used; see its deletion constraints",
                    ));
                }
                stream_configs::delete(conn, ctx.realm.id, id)?;
                self.want_topics(conn, &ctx.realm, &config, &stream, &environment, TopicWish::Gone)?;
                Ok(((), id.simple().to_string()))
            });
        written?;
        self.wake_provisioner();
        Ok(())
    }

    fn browse_access(&self, ctx: &RequestContext, id: Uuid) -> Result<(), CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| self.managed_config(conn, ctx, id).map(|_| ()))
    }

    fn browse_config(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        cluster: Option<&str>,
    ) -> Result<BrowseConfig, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            let (_, environment, stream) = self.managed_config(conn, ctx, id)?;
            let realm = ctx.realm.id;
            let instance = match environment.instance {
                Some(instance) => instances::get(conn, realm, instance)?,
                None => None,
            };
            let mut selected = None;
            if let (Some(instance), Some(name)) = (&instance, cluster) {
                for running in &instance.clusters {
                    if let Some(found) = clusters::get(conn, realm, running.cluster)?
                        && found.name == name
                    {
                        selected = Some((found, running.schema_registry_urls.clone()));
                        break;
                    }
                }
            }
            Ok(BrowseConfig {
                cluster: selected,
                tenant: ctx.realm.name.clone(),
                instance: instance.as_ref().map(|instance| instance.short_name.clone()),
                instance_cas: instance.map(|instance| instance.ca_pems()).unwrap_or_default(),
                stream: stream.name,
                environment: environment.short_name,
                key_type: stream.key_type,
                value_type: stream.value_type,
            })
        })
    }

    fn browse(&self, ctx: &RequestContext, id: Uuid, query: &BrowseQuery) -> Result<BrowsePage, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.browse_topic(ctx, id, query)
    }

    fn may_configure(&self, ctx: &RequestContext, stream: Uuid, environment: Uuid) -> Result<bool, CatalogError> {
        self.db.read(|conn| match self.config_targets(conn, ctx, stream, environment) {
            Ok((stream, _)) => self.manages_stream(conn, ctx, stream.owner),
            // A stream or environment the caller cannot configure on: no link, not an error.
            Err(err) if err.kind() == ErrorKind::Invalid => Ok(false),
            Err(err) => Err(err),
        })
    }
}
