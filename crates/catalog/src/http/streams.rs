//! `/streams`: flows of similar events, owned by a group, with key and value types, their Avro
//! schemas and classification levels.

use super::schemas::Schemas;
use super::shapes::{
    EmbeddedLevel, EmbeddedOwner, InlineGroup, InlineLevel, embedded_level, embedded_owner, inline_group, inline_level,
    templated_self,
};
use super::{Groups, invalid};
use crate::error::CatalogError;
use crate::model::{DataType, LevelKind, SchemaEntry, StreamInput, StreamView};
use crate::service::StreamService;
use crate::store::streams::StreamFilter;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse, get};
use portico_core::hal::{Collection, HalItem, Links, LocalTime, Resource};
use portico_core::http::axual::{
    AuditFields, Listing, Search, delete_link, edit_link, entity_url, ok, projection_link, search_create_link,
    self_link,
};
use portico_core::http::collection::{AxualBody, AxualContaining, AxualCrud, AxualList};
use portico_core::http::params::Relation;
use portico_core::http::respond::Versioned;
use portico_core::http::schema::spring_profile;
use portico_core::http::{ApiError, BaseUrl, Failure, PathUid};
use portico_core::page::{Page, PageRequest};
use portico_core::properties::PropertyPatch;
use portico_core::{ErrorKind, RequestContext, run_blocking};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

portico_core::relation_target!(
    /// `/streams/{uid}` URIs.
    pub Streams => "streams"
);
portico_core::relation_target!(
    /// `/integrities/{uid}` URIs.
    pub Integrities => "integrities"
);
portico_core::relation_target!(
    /// `/confidentialities/{uid}` URIs.
    pub Confidentialities => "confidentialities"
);

fn data_type(field: &str, value: Option<String>) -> Result<Option<DataType>, ApiError> {
    value
        .map(|text| {
            DataType::parse(&text).ok_or_else(|| {
                invalid(
                    field,
                    format!("'{field}' must be one of AVRO, JSON, STRING, BINARY, XML, not '{}'", text.escape_debug()),
                )
            })
        })
        .transpose()
}

/// `POST` and `PATCH` body of a stream.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamBody {
    /// 3–180 letters, digits, `.`, `-`, `_` and spaces; unique. Required on `POST`.
    pub name: Option<String>,
    /// At most 200 characters (`null` clears it).
    #[serde(default, with = "::serde_with::rust::double_option")]
    pub description: Option<Option<String>>,
    /// Stream-specific variables (text values; numbers and booleans are kept as sent). Merged key by key on
    /// `PATCH` (RFC 7396): the keys given are set, `null` removes one, the others stay.
    #[schema(value_type = Option<Object>)]
    pub properties: Option<PropertyPatch>,
    /// The owning group's URI. Required on `POST`.
    #[schema(value_type = Option<String>)]
    pub owners: Option<Relation<Groups>>,
    /// `delete` (default) or `compact`.
    pub retention_policy: Option<String>,
    /// AVRO, JSON, STRING, BINARY or XML (any case). Required on `POST`.
    pub key_type: Option<String>,
    /// AVRO, JSON, STRING, BINARY or XML (any case). Required on `POST`.
    pub value_type: Option<String>,
    /// The key's schema URI (AVRO keys only; required for them).
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub key_schema: Option<Option<Relation<Schemas>>>,
    /// The value's schema URI (AVRO values only; required for them).
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub value_schema: Option<Option<Relation<Schemas>>>,
    /// An integrity level's URI.
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub integrity: Option<Option<Relation<Integrities>>>,
    /// A confidentiality level's URI.
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub confidentiality: Option<Option<Relation<Confidentialities>>>,
}

impl StreamBody {
    fn into_input(self) -> Result<StreamInput, ApiError> {
        let compacted = match self.retention_policy.as_deref().map(str::trim) {
            None => None,
            Some(policy) if policy.eq_ignore_ascii_case("delete") => Some(false),
            Some(policy) if policy.eq_ignore_ascii_case("compact") => Some(true),
            Some(other) => {
                return Err(invalid(
                    "retentionPolicy",
                    format!("'retentionPolicy' must be delete or compact, not '{}'", other.escape_debug()),
                ));
            }
        };
        let properties = self.properties;
        Ok(StreamInput {
            name: self.name,
            description: self.description,
            properties,
            owner: self.owners.map(Relation::id),
            compacted,
            key_type: data_type("keyType", self.key_type)?,
            value_type: data_type("valueType", self.value_type)?,
            key_schema: self.key_schema.map(|s| s.map(Relation::id)),
            value_schema: self.value_schema.map(|s| s.map(Relation::id)),
            integrity: self.integrity.map(|l| l.map(Relation::id)),
            confidentiality: self.confidentiality.map(|l| l.map(Relation::id)),
        })
    }
}

/// A stream in collections and searches.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamSummary {
    /// Name.
    pub name: String,
    /// The owning group.
    pub owners: Option<InlineGroup>,
    /// `delete` or `compact`.
    pub retention_policy: &'static str,
    /// Its integrity level.
    pub integrity: Option<InlineLevel>,
    /// Its confidentiality level.
    pub confidentiality: Option<InlineLevel>,
    /// Description.
    pub description: Option<String>,
    /// The uid.
    pub uid: String,
}

impl HalItem for StreamSummary {
    const REL: &'static str = "streams";
}

/// A stream: GET item, POST and PATCH responses.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamDetail {
    /// Stream-specific variables.
    #[schema(value_type = Object)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Key type.
    pub key_type: &'static str,
    /// Value type.
    pub value_type: &'static str,
    /// `delete` or `compact`.
    pub retention_policy: &'static str,
    /// The uid.
    pub uid: String,
    /// Audit fields.
    #[serde(flatten)]
    pub audit: AuditFields,
}

/// A schema or level as a stream embeds it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmbeddedSchemaRef {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The uid.
    pub uid: String,
}

/// A stream detail's `_embedded`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamEmbedded {
    /// The value schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_schema: Option<Resource<EmbeddedSchemaRef>>,
    /// The key schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_schema: Option<Resource<EmbeddedSchemaRef>>,
    /// The owning group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners: Option<Resource<EmbeddedOwner>>,
    /// The integrity level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Resource<EmbeddedLevel>>,
    /// The confidentiality level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidentiality: Option<Resource<EmbeddedLevel>>,
}

/// The data types as the seed's profile lists them (verbatim).
#[derive(Debug, Serialize, ToSchema)]
#[expect(dead_code, reason = "only its schema is used: the profile's enum")]
enum ProfileDataType {
    #[serde(rename = "AVRO")]
    Avro,
    #[serde(rename = "JSON")]
    Json,
    #[serde(rename = "String")]
    String,
    #[serde(rename = "Binary")]
    Binary,
    #[serde(rename = "Xml")]
    Xml,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[expect(dead_code, reason = "only its schema is used: the profile's enum")]
enum RetentionPolicy {
    Delete,
    Compact,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct StreamProfile {
    #[schema(format = "uri")]
    confidentiality: Option<String>,
    description: Option<String>,
    #[schema(format = "uri")]
    key_schema: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "created_at")]
    created_at: LocalTime,
    #[schema(format = "uri")]
    owners: String,
    #[serde(rename = "created_by")]
    created_by: Option<String>,
    #[schema(format = "uri")]
    value_schema: Option<String>,
    #[schema(read_only)]
    uid: String,
    #[schema(format = "uri")]
    integrity: Option<String>,
    value_type: ProfileDataType,
    name: String,
    #[serde(rename = "modified_by")]
    modified_by: Option<String>,
    retention_policy: RetentionPolicy,
    key_type: ProfileDataType,
    #[schema(value_type = String, format = DateTime)]
    #[serde(rename = "modified_at")]
    modified_at: LocalTime,
    #[schema(value_type = Object)]
    properties: serde_json::Map<String, serde_json::Value>,
}

/// The JSON Schema profile of streams.
pub fn streams_profile() -> serde_json::Value {
    spring_profile::<StreamProfile>("Stream", &[])
}

/// The searches of `/streams`.
pub const SEARCHES: &[Search] = &[("findByName", "name"), ("findByNameContaining", "name,page,size,sort")];

fn policy(view: &StreamView) -> &'static str {
    if view.stream.compacted { "compact" } else { "delete" }
}

/// The associations of a stream, titled as the seed titles them, in its order.
const ASSOCIATIONS: &[(&str, &str)] = &[
    ("keySchema", "The AVRO schema configured for key"),
    ("integrity", "The integrity configured for the object"),
    ("owners", "The group responsible for this object"),
    ("confidentiality", "The confidentiality configured for the object"),
    ("valueSchema", "The AVRO schema configured for value"),
];

fn with_associations(mut links: Links, url: &str) -> Links {
    for (rel, title) in ASSOCIATIONS {
        links.push(rel, projection_link(&format!("{url}/{rel}"), title));
    }
    links
}

/// `self`, `stream`, (`edit`, `delete`), and the associations in the seed's order.
fn links(base: &BaseUrl, view: &StreamView, detail: bool) -> Links {
    let url = entity_url(base, "streams", view.stream.id);
    let manage = detail && view.manage;
    let links = Links::new()
        .add("self", self_link(&url))
        .add("stream", projection_link(&url, "A stream"))
        .add_if(manage, "edit", || edit_link(&url))
        .add_if(manage, "delete", || delete_link(&url));
    with_associations(links, &url)
}

fn summary(base: &BaseUrl, view: &StreamView) -> Resource<StreamSummary> {
    Resource::new(summary_body(view), links(base, view, false))
}

/// A stream as others embed it (Axual `StreamSummary`): templated `self`, no `stream`, the
/// associations.
pub fn embedded_stream(base: &BaseUrl, view: &StreamView) -> Resource<StreamSummary> {
    let url = entity_url(base, "streams", view.stream.id);
    Resource::new(summary_body(view), with_associations(templated_self(&url), &url))
}

fn summary_body(view: &StreamView) -> StreamSummary {
    StreamSummary {
        name: view.stream.name.clone(),
        owners: view.owner.as_ref().map(inline_group),
        retention_policy: policy(view),
        integrity: view.integrity.as_ref().map(inline_level),
        confidentiality: view.confidentiality.as_ref().map(inline_level),
        description: view.stream.description.clone(),
        uid: view.stream.id.simple().to_string(),
    }
}

fn embedded_schema(base: &BaseUrl, schema: &SchemaEntry) -> Resource<EmbeddedSchemaRef> {
    let body = EmbeddedSchemaRef {
        name: schema.name.clone(),
        description: schema.description.clone(),
        uid: schema.id.simple().to_string(),
    };
    Resource::new(body, templated_self(&entity_url(base, "schemas", schema.id)))
}

fn detail(base: &BaseUrl, view: &StreamView) -> Resource<StreamDetail, StreamEmbedded> {
    let stream = &view.stream;
    let body = StreamDetail {
        properties: stream.properties.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect(),
        name: stream.name.clone(),
        description: stream.description.clone(),
        key_type: stream.key_type.as_str(),
        value_type: stream.value_type.as_str(),
        retention_policy: policy(view),
        uid: stream.id.simple().to_string(),
        audit: AuditFields::from(&stream.stamp),
    };
    let embedded = StreamEmbedded {
        value_schema: view.value_schema.as_ref().map(|s| embedded_schema(base, s)),
        key_schema: view.key_schema.as_ref().map(|s| embedded_schema(base, s)),
        owners: view.owner.as_ref().map(|group| embedded_owner(base, group)),
        integrity: view.integrity.as_ref().map(|l| embedded_level(base, LevelKind::Integrity, l)),
        confidentiality: view.confidentiality.as_ref().map(|l| embedded_level(base, LevelKind::Confidentiality, l)),
    };
    Resource::with_embedded(body, Some(embedded), links(base, view, true))
}

fn meta(view: &StreamView) -> Versioned {
    Versioned { version: view.stream.version, modified_at: Some(view.stream.stamp.modified_at) }
}

async fn matching(
    ctx: RequestContext,
    listing: &Listing,
    svc: Data<dyn StreamService>,
    filter: StreamFilter,
    request: portico_core::page::PageRequest,
) -> Result<(portico_core::page::Page<Resource<StreamSummary>>, bool), ApiError> {
    let found = run_blocking(move || svc.streams(&ctx, &filter, &request)).await?;
    Ok((found.page.map(|view| summary(listing.base(), &view)), found.may_create))
}

/// Axual `findByName`: streams with exactly this name (a list, no paging).
#[utoipa::path(tag = "axual", params(("name" = String, Query)),
    responses((status = 200, description = "`_embedded.streams`", body = Collection<StreamSummary>, content_type = "application/hal+json"), (status = 400, description = "no name"), (status = 401, description = "no credentials")))]
#[get("/streams/search/findByName")]
pub async fn find_streams_by_name(
    ctx: RequestContext,
    listing: Listing,
    svc: Data<dyn StreamService>,
) -> Result<HttpResponse, ApiError> {
    let filter = StreamFilter::Name(listing.require("name")?.to_owned());
    let (page, _) = matching(ctx, &listing, svc, filter, listing.all_matches()).await?;
    Ok(ok(&listing.search_list(page)?))
}

/// A stream's association (`keySchema`, `valueSchema`, `owners`, `integrity`,
/// `confidentiality`): the related resource, or 404 when it has none.
#[utoipa::path(tag = "axual", params(("uid" = String, Path), ("association" = String, Path, description = "keySchema, valueSchema, owners, integrity or confidentiality")),
    responses((status = 200, description = "the related resource", content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such stream, association or related resource")))]
#[get("/streams/{uid}/{association}")]
pub async fn stream_association(
    req: HttpRequest,
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    svc: Data<dyn StreamService>,
) -> Result<HttpResponse, ApiError> {
    let association = portico_core::http::path_segment(&req, "association")?;
    let view = run_blocking(move || svc.stream(&ctx, id)).await?;
    let none =
        || ApiError::new(Failure::new(ErrorKind::NotFound, "not_found", format!("The stream has no {association}")));
    let embedded = detail(&base, &view).embedded.ok_or_else(none)?;
    let body = match association.as_str() {
        "keySchema" => embedded.key_schema.map(serde_json::to_value),
        "valueSchema" => embedded.value_schema.map(serde_json::to_value),
        "owners" => embedded.owners.map(serde_json::to_value),
        "integrity" => embedded.integrity.map(serde_json::to_value),
        "confidentiality" => embedded.confidentiality.map(serde_json::to_value),
        _ => None,
    };
    match body {
        Some(Ok(value)) => Ok(ok(&value)),
        _ => Err(none()),
    }
}

/// The streams collection, served by the kit's standard handlers. A stream's `edit` and
/// `delete` links come from its view (`StreamView::manage`); `create` shows in listings, read
/// with their page.
pub struct StreamCollection;

impl AxualCrud for StreamCollection {
    type Service = dyn StreamService;
    type Item = StreamView;
    type Detail = StreamDetail;
    type Embedded = StreamEmbedded;

    /// Whether the caller may create streams (of some group).
    type Abilities = bool;
    type Error = CatalogError;
    const REL: &'static str = "streams";
    const SEARCHES: &'static [Search] = SEARCHES;

    /// Outside a listing nothing shows it: a stream's links come from its view.
    fn abilities(_: &Self::Service, _: &RequestContext) -> Result<bool, CatalogError> {
        Ok(false)
    }

    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<StreamView, CatalogError> {
        service.stream(ctx, id)
    }

    fn id(view: &StreamView) -> Uuid {
        view.stream.id
    }

    fn meta(view: &StreamView) -> Versioned {
        meta(view)
    }

    fn detail(base: &BaseUrl, view: &StreamView, _: &bool) -> Resource<StreamDetail, StreamEmbedded> {
        detail(base, view)
    }
}

impl AxualList for StreamCollection {
    type Listed = StreamView;
    type Summary = StreamSummary;
    type SummaryEmbedded = portico_core::hal::NoEmbedded;

    fn may_create(may_create: &bool) -> bool {
        *may_create
    }

    fn page(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<Page<StreamView>, CatalogError> {
        Ok(service.streams(ctx, &StreamFilter::All, request)?.page)
    }

    fn listed(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<(Page<StreamView>, bool), CatalogError> {
        let found = service.streams(ctx, &StreamFilter::All, request)?;
        Ok((found.page, found.may_create))
    }

    fn summary(base: &BaseUrl, view: &StreamView, _: &bool) -> Resource<StreamSummary> {
        summary(base, view)
    }
}

impl AxualBody for StreamCollection {
    type Body = StreamBody;
    type Input = StreamInput;

    fn input(body: StreamBody) -> Result<StreamInput, ApiError> {
        body.into_input()
    }
}

impl AxualContaining for StreamCollection {
    fn containing(
        service: &Self::Service,
        ctx: &RequestContext,
        text: &str,
        request: &PageRequest,
    ) -> Result<Page<StreamView>, CatalogError> {
        Ok(Self::containing_listed(service, ctx, text, request)?.0)
    }

    fn containing_listed(
        service: &Self::Service,
        ctx: &RequestContext,
        text: &str,
        request: &PageRequest,
    ) -> Result<(Page<StreamView>, bool), CatalogError> {
        let found = service.streams(ctx, &StreamFilter::NameContains(text.to_owned()), request)?;
        Ok((found.page, found.may_create))
    }

    /// `create` (not templated) for those who may.
    fn search_links(base: &BaseUrl, may_create: &bool) -> Links {
        Links::new().add_if(*may_create, "create", || search_create_link(base, "streams"))
    }
}

portico_core::axual_calls!(StreamCollection {
    create: create_stream,
    update: update_stream,
    delete: delete_stream,
    constraints: stream_usage
});

portico_core::axual_routes! {
    StreamCollection, what: "stream", summary: StreamSummary, detail: StreamDetail, embedded: StreamEmbedded,
    body: StreamBody;
    list: list_streams => "/streams",
    create: create_stream => "/streams",
    searches: stream_searches => "/streams/search",
    find_by_name_containing: find_streams_by_name_containing => "/streams/search/findByNameContaining",
    get: get_stream => "/streams/{uid}",
    patch: patch_stream => "/streams/{uid}",
    delete: delete_stream => "/streams/{uid}",
    deletion_constraints: stream_constraints => "/streams/{uid}/deletion-constraints",
}
