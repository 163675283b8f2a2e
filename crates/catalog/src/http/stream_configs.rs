//! `/stream_configs`: a stream on an environment (its topic there): retention, partitions,
//! Kafka properties and the schema versions its key and value use. `GET /stream_configs` is
//! disabled (405), as in Axual; the searches find configs by stream, environment or both.

use super::environments::{EnvironmentSummary, Environments, embedded_environment};
use super::schema_versions::{SchemaVersionDetail, SchemaVersions, VersionEmbedded, version_detail};
use super::streams::{StreamSummary, Streams, embedded_stream};
use crate::error::CatalogError;
use crate::model::{StreamConfigInput, StreamConfigView};
use crate::service::{SchemaService, StreamConfigService};
use crate::store::stream_configs::StreamConfigFilter;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use portico_core::hal::{Collection, HalItem, Link, Links, LocalTime, Resource};
use portico_core::http::axual::{
    AuditFields, Listing, Search, delete_link, edit_link, entity_url, ok, projection_link, self_link,
};
use portico_core::http::collection::{AxualBody, AxualCrud};
use portico_core::http::params::Relation;
use portico_core::http::respond::Versioned;
use portico_core::http::schema::spring_profile;
use portico_core::http::{ApiError, BaseUrl, Failure, PathUid};
use portico_core::properties::PropertyPatch;
use portico_core::{ErrorKind, RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST` and `PATCH` body of a stream config.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamConfigBody {
    /// Retention in ms, 1,000–160,704,000,000 (default: the environment's, itself 7 days by
    /// default).
    pub retention_time: Option<i64>,
    /// Partitions, 1–120,000 (default: the environment's, itself 12 by default); they only grow.
    pub partitions: Option<i64>,
    /// The stream's URI. Required on `POST`; cannot change.
    #[schema(value_type = Option<String>)]
    pub stream: Option<Relation<Streams>>,
    /// The environment's URI. Required on `POST`; cannot change.
    #[schema(value_type = Option<String>)]
    pub environment: Option<Relation<Environments>>,
    /// A version of the stream's key schema (required when its key type is AVRO).
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub key_schema_version: Option<Option<Relation<SchemaVersions>>>,
    /// A version of the stream's value schema (required when its value type is AVRO).
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub value_schema_version: Option<Option<Relation<SchemaVersions>>>,
    /// Kafka topic properties (text values, kept as sent; merged key by key on `PATCH`, `null`
    /// removes one and the topic goes back to the cluster's default for it). `retention.ms`,
    /// `num.partitions` and `cleanup.policy` are set through fields, not here.
    #[schema(value_type = Option<Object>)]
    pub properties: Option<PropertyPatch>,
}

impl StreamConfigBody {
    fn into_input(self) -> Result<StreamConfigInput, ApiError> {
        Ok(StreamConfigInput {
            stream: self.stream.map(Relation::id),
            environment: self.environment.map(Relation::id),
            retention_time: self.retention_time,
            partitions: self.partitions,
            properties: self.properties,
            key_schema_version: self.key_schema_version.map(|v| v.map(Relation::id)),
            value_schema_version: self.value_schema_version.map(|v| v.map(Relation::id)),
        })
    }
}

/// A stream config (GET, POST and PATCH responses, and search items), in the seed's key order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamConfigDetail {
    /// Kafka topic properties.
    #[schema(value_type = Object)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Retention, ms.
    pub retention_time: i64,
    /// Partitions.
    pub partitions: i64,
    /// The uid.
    pub uid: String,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

impl HalItem for StreamConfigDetail {
    const REL: &'static str = "stream_configs";
}

/// A stream config's `_embedded`: its environment and stream.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StreamConfigEmbedded {
    /// The environment.
    pub environment: Resource<EnvironmentSummary>,
    /// The stream.
    pub stream: Resource<StreamSummary>,
}

/// `GET /profile/stream_configs`, in the seed's property order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct StreamConfigProfile {
    partitions: i64,
    #[schema(read_only)]
    uid: String,
    #[schema(format = "uri")]
    environment: String,
    #[schema(format = "uri")]
    stream: String,
    #[schema(format = "uri")]
    value_schema_version: Option<String>,
    #[schema(format = "uri")]
    key_schema_version: Option<String>,
    #[serde(rename = "modified_by")]
    modified_by: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "created_at")]
    created_at: LocalTime,
    retention_time: i64,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "modified_at")]
    modified_at: LocalTime,
    #[serde(rename = "created_by")]
    created_by: Option<String>,
    #[schema(value_type = Object)]
    properties: serde_json::Map<String, serde_json::Value>,
}

/// The JSON Schema profile of stream configs.
pub fn stream_configs_profile() -> serde_json::Value {
    spring_profile::<StreamConfigProfile>("Stream config", &[])
}

/// The searches of `/stream_configs`.
pub const SEARCHES: &[Search] = &[
    ("findByStream", "stream"),
    ("findByEnvironment", "environment"),
    ("findByStreamAndEnvironment", "stream,environment"),
];

type Detail = Resource<StreamConfigDetail, StreamConfigEmbedded>;

/// `self`, `streamConfig`, (`edit`, `delete`), then the associations in the seed's order.
fn links(base: &BaseUrl, view: &StreamConfigView) -> Links {
    let url = entity_url(base, "stream_configs", view.config.id);
    let association = |rel: &str, title: &str| projection_link(&format!("{url}/{rel}"), title);
    Links::new()
        .add("self", self_link(&url))
        .add("streamConfig", Link::new(url.clone()).titled("A configuration of a stream"))
        .add_if(view.manage, "edit", || edit_link(&url))
        .add_if(view.manage, "delete", || delete_link(&url))
        .add(
            "valueSchemaVersion",
            association("valueSchemaVersion", "A version of an AVRO schema configured for value"),
        )
        .add("environment", association("environment", "An environment"))
        .add("stream", association("stream", "A stream"))
        .add("keySchemaVersion", association("keySchemaVersion", "A version of an AVRO schema configured for key"))
}

fn detail(base: &BaseUrl, view: &StreamConfigView) -> Detail {
    let config = &view.config;
    let body = StreamConfigDetail {
        properties: config.properties.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect(),
        retention_time: config.retention_time,
        partitions: config.partitions,
        uid: config.id.simple().to_string(),
        audit: AuditFields::from(&config.stamp),
    };
    let embedded = StreamConfigEmbedded {
        environment: embedded_environment(base, &view.environment),
        stream: embedded_stream(base, &view.stream),
    };
    Resource::with_embedded(body, Some(embedded), links(base, view))
}

fn meta(view: &StreamConfigView) -> Versioned {
    Versioned { version: view.config.version, modified_at: Some(view.config.stamp.modified_at) }
}

async fn matching(
    ctx: RequestContext,
    base: &BaseUrl,
    svc: Data<dyn StreamConfigService>,
    filter: StreamConfigFilter,
) -> Result<Vec<Detail>, ApiError> {
    let views = run_blocking(move || svc.stream_configs(&ctx, filter)).await?;
    Ok(views.iter().map(|view| detail(base, view)).collect())
}

/// An unpaged search answer: the matches and `self`.
async fn search_list(
    ctx: RequestContext,
    listing: &Listing,
    svc: Data<dyn StreamConfigService>,
    filter: StreamConfigFilter,
) -> Result<HttpResponse, ApiError> {
    let items = matching(ctx, listing.base(), svc, filter).await?;
    Ok(ok(&Collection::list(items, Links::new().add("self", listing.search_self()))))
}

/// Axual `findByStream`: the stream's configs on environments the caller may see (a list).
#[utoipa::path(tag = "axual", params(("stream" = String, Query, description = "a stream URI")),
    responses((status = 200, description = "`_embedded.stream_configs`, unpaged", body = Collection<StreamConfigDetail, StreamConfigEmbedded>, content_type = "application/hal+json"), (status = 400, description = "no or malformed stream URI"), (status = 401, description = "no credentials")))]
#[get("/stream_configs/search/findByStream")]
pub async fn find_configs_by_stream(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn StreamConfigService>,
) -> Result<HttpResponse, ApiError> {
    let filter = StreamConfigFilter::Stream(listing.relation::<Streams>("stream")?);
    search_list(ctx, &listing, svc, filter).await
}

/// Axual `findByEnvironment`: the configs of every stream on the environment, if the caller
/// may see it (a list).
#[utoipa::path(tag = "axual", params(("environment" = String, Query, description = "an environment URI")),
    responses((status = 200, description = "`_embedded.stream_configs`, unpaged", body = Collection<StreamConfigDetail, StreamConfigEmbedded>, content_type = "application/hal+json"), (status = 400, description = "no or malformed environment URI"), (status = 401, description = "no credentials")))]
#[get("/stream_configs/search/findByEnvironment")]
pub async fn find_configs_by_environment(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn StreamConfigService>,
) -> Result<HttpResponse, ApiError> {
    let filter = StreamConfigFilter::Environment(listing.relation::<Environments>("environment")?);
    search_list(ctx, &listing, svc, filter).await
}

/// Axual `findByStreamAndEnvironment`: the stream's config on the environment (0 or 1), with a
/// `createStreamConfig` link when the caller may configure the stream there.
#[utoipa::path(tag = "axual", params(("stream" = String, Query, description = "a stream URI"), ("environment" = String, Query, description = "an environment URI")),
    responses((status = 200, description = "`_embedded.stream_configs` (0 or 1); `_links` `self` and `createStreamConfig`", body = Collection<StreamConfigDetail, StreamConfigEmbedded>, content_type = "application/hal+json"), (status = 400, description = "a missing or malformed URI"), (status = 401, description = "no credentials")))]
#[get("/stream_configs/search/findByStreamAndEnvironment")]
pub async fn find_config_by_stream_and_environment(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn StreamConfigService>,
) -> Result<HttpResponse, ApiError> {
    let stream = listing.relation::<Streams>("stream")?;
    let environment = listing.relation::<Environments>("environment")?;
    let may = {
        let (ctx, svc) = (ctx.clone(), svc.clone());
        run_blocking(move || svc.may_configure(&ctx, stream, environment)).await?
    };
    let items = matching(ctx, listing.base(), svc, StreamConfigFilter::Pair(stream, environment)).await?;
    let create = Link::templated(format!("{}{{?projection}}", listing.base().join("/stream_configs")));
    let links = Links::new().add("self", listing.search_self()).add_if(may, "createStreamConfig", || create);
    Ok(ok(&Collection::list(items, links)))
}

/// The related resource a stream config's association link points at.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ConfigAssociation {
    /// `stream`.
    Stream(Box<Resource<StreamSummary>>),
    /// `environment`.
    Environment(Box<Resource<EnvironmentSummary>>),
    /// `keySchemaVersion` / `valueSchemaVersion`.
    Version(Box<Resource<SchemaVersionDetail, VersionEmbedded>>),
}

/// A stream config's association (`stream`, `environment`, `keySchemaVersion`,
/// `valueSchemaVersion`): the related resource, or 404 when it has none.
#[utoipa::path(tag = "axual", params(("uid" = String, Path), ("association" = String, Path, description = "stream, environment, keySchemaVersion or valueSchemaVersion")),
    responses((status = 200, description = "the related resource", body = ConfigAssociation, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such config, association or related resource")))]
#[get("/stream_configs/{uid}/{association}")]
pub async fn stream_config_association(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn StreamConfigService>,
    schemas: Data<dyn SchemaService>,
) -> Result<HttpResponse, ApiError> {
    let association = portico_core::http::path_segment(&req, "association")?;
    let none = {
        let association = association.clone();
        move || {
            ApiError::new(Failure::new(
                ErrorKind::NotFound,
                "not_found",
                format!("The stream config has no {association}"),
            ))
        }
    };
    let view = {
        let ctx = ctx.clone();
        run_blocking(move || svc.stream_config(&ctx, id)).await?
    };
    let version = match association.as_str() {
        "stream" => return Ok(ok(&ConfigAssociation::Stream(Box::new(embedded_stream(&base, &view.stream))))),
        "environment" => {
            return Ok(ok(&ConfigAssociation::Environment(Box::new(embedded_environment(&base, &view.environment)))));
        }
        "keySchemaVersion" => view.config.key_schema_version,
        "valueSchemaVersion" => view.config.value_schema_version,
        _ => None,
    };
    let version = version.ok_or_else(none)?;
    let (version, schema) = run_blocking(move || schemas.schema_version(&ctx, version)).await?;
    Ok(ok(&ConfigAssociation::Version(Box::new(version_detail(&base, &version, &schema)))))
}

/// Stream configs, served by the kit's standard handlers: there is no listing (only the
/// searches), and a config's `edit` and `delete` links come from its view.
pub struct StreamConfigCollection;

impl AxualCrud for StreamConfigCollection {
    type Service = dyn StreamConfigService;
    type Item = StreamConfigView;
    type Detail = StreamConfigDetail;
    type Embedded = StreamConfigEmbedded;
    type Abilities = ();
    type Error = CatalogError;
    const REL: &'static str = "stream_configs";
    const SEARCHES: &'static [Search] = SEARCHES;

    fn abilities(_: &Self::Service, _: &RequestContext) -> Result<(), CatalogError> {
        Ok(())
    }

    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<StreamConfigView, CatalogError> {
        service.stream_config(ctx, id)
    }

    fn id(view: &StreamConfigView) -> Uuid {
        view.config.id
    }

    fn meta(view: &StreamConfigView) -> Versioned {
        meta(view)
    }

    fn detail(base: &BaseUrl, view: &StreamConfigView, _: &()) -> Detail {
        detail(base, view)
    }
}

impl AxualBody for StreamConfigCollection {
    type Body = StreamConfigBody;
    type Input = StreamConfigInput;

    fn input(body: StreamConfigBody) -> Result<StreamConfigInput, ApiError> {
        body.into_input()
    }
}

portico_core::axual_calls!(StreamConfigCollection {
    create: create_stream_config,
    update: update_stream_config,
    delete: delete_stream_config,
    constraints: stream_config_usage,
});

portico_core::axual_routes! {
    StreamConfigCollection, what: "stream config", summary: StreamConfigDetail, detail: StreamConfigDetail,
    embedded: StreamConfigEmbedded, body: StreamConfigBody;
    create: create_stream_config => "/stream_configs",
    searches: stream_config_searches => "/stream_configs/search",
    get: get_stream_config => "/stream_configs/{uid}",
    patch: patch_stream_config => "/stream_configs/{uid}",
    delete: delete_stream_config => "/stream_configs/{uid}",
    deletion_constraints: stream_config_constraints => "/stream_configs/{uid}/deletion-constraints",
}
