//! `/connect_plugins`: the Kafka Connect plugins the realm's instances offer (read from each
//! instance's Connect cluster on synchronize and by the background worker). Read-only, as in
//! Axual: other methods answer 405.

use super::instances::instance_summary;
use crate::error::CatalogError;
use crate::model::ConnectPlugin;
use crate::service::{ConnectPluginService, InstanceService};
use actix_web::web::Data;
use actix_web::{HttpResponse, get};
use portico_core::hal::NoEmbedded;
use portico_core::hal::{HalItem, Links, Resource};
use portico_core::http::axual::{entity_url, ok, projection_link, self_link, untitled_projection_link};
use portico_core::http::collection::{AxualCrud, AxualList};
use portico_core::http::respond::Versioned;
use portico_core::http::{ApiError, BaseUrl, PathUid};
use portico_core::page::{Page, PageRequest};
use portico_core::{RealmRef, RequestContext, run_blocking};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The tenant inline in a plugin's instance.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InlineTenant {
    /// The tenant's short name.
    pub short_name: String,
}

/// A plugin's instance, inline as the seed prints it: its tenant and links.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InlinePluginInstance {
    /// The instance's tenant.
    pub tenant: Resource<InlineTenant>,
}

/// One configuration key of a plugin.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PluginConfig {
    /// The key.
    pub name: String,
    /// Its Kafka `ConfigDef` type (`STRING`, `INT`, `CLASS`, `LIST`, ...).
    #[serde(rename = "type")]
    pub kind: String,
}

/// `GET /profile/connect_plugins`.
pub fn connect_plugins_profile() -> serde_json::Value {
    portico_core::http::schema::spring_profile::<ConnectPluginBody>("Connect plugin", &[])
}

/// A connect plugin, in collections and alone, in the seed's key order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectPluginBody {
    /// The instance offering it.
    pub instance: Resource<InlinePluginInstance>,
    /// The connector class.
    pub plugin_class: String,
    /// `SINK` or `SOURCE`.
    pub plugin_type: String,
    /// Its version.
    pub plugin_version: String,
    /// Its configuration keys.
    pub plugin_configs: Vec<PluginConfig>,
    /// The uid.
    pub uid: String,
}

impl HalItem for ConnectPluginBody {
    const REL: &'static str = "connect_plugins";
}

fn inline_instance(base: &BaseUrl, realm: &RealmRef, plugin: &ConnectPlugin) -> Resource<InlinePluginInstance> {
    let tenant_url = entity_url(base, "tenants", realm.id);
    let tenant = Resource::new(
        InlineTenant { short_name: realm.name.clone() },
        Links::new()
            .add("self", self_link(&tenant_url))
            .add("contact", projection_link(&format!("{tenant_url}/contact"), "Business contact of this tenant")),
    );
    let url = entity_url(base, "instances", plugin.instance);
    let links = Links::new()
        .add("self", projection_link(&url, portico_core::http::axual::titles::SELF))
        .add("supportTier", untitled_projection_link(&format!("{url}/supportTier")));
    Resource::new(InlinePluginInstance { tenant }, links)
}

/// A plugin with `self`, `connectPluginInfo` (templated, untitled) and `instance`.
pub fn connect_plugin(base: &BaseUrl, realm: &RealmRef, plugin: &ConnectPlugin) -> Resource<ConnectPluginBody> {
    let url = entity_url(base, "connect_plugins", plugin.id);
    let links = Links::new()
        .add("self", self_link(&url))
        .add("connectPluginInfo", untitled_projection_link(&url))
        .add("instance", projection_link(&format!("{url}/instance"), "An instance"));
    let body = ConnectPluginBody {
        instance: inline_instance(base, realm, plugin),
        plugin_class: plugin.class.clone(),
        plugin_type: plugin.kind.as_str().to_owned(),
        plugin_version: plugin.version.clone(),
        plugin_configs: plugin
            .configs
            .iter()
            .map(|(name, kind)| PluginConfig { name: name.clone(), kind: kind.clone() })
            .collect(),
        uid: plugin.id.simple().to_string(),
    };
    Resource::new(body, links)
}

/// The plugin's instance (its `instance` association).
#[utoipa::path(tag = "axual", params(("uid" = String, Path)),
    responses((status = 200, description = "the instance", body = Resource<super::instances::InstanceSummary>, content_type = "application/hal+json"), (status = 401, description = "no credentials"), (status = 404, description = "no such plugin in the realm")))]
#[get("/connect_plugins/{uid}/instance")]
pub async fn connect_plugin_instance(
    ctx: RequestContext,
    PathUid(id): PathUid,
    base: BaseUrl,
    plugins: Data<dyn ConnectPluginService>,
    instances: Data<dyn InstanceService>,
) -> Result<HttpResponse, ApiError> {
    let view = run_blocking(move || {
        let plugin = plugins.connect_plugin(&ctx, id)?;
        instances.instance(&ctx, plugin.instance)
    })
    .await?;
    Ok(ok(&instance_summary(&base, &view)))
}

/// The connect plugins collection, served by the kit's standard handlers (read only).
pub struct ConnectPluginCollection;

impl AxualCrud for ConnectPluginCollection {
    type Service = dyn ConnectPluginService;
    type Item = ConnectPlugin;
    type Detail = ConnectPluginBody;
    type Embedded = NoEmbedded;

    /// Not an ability: the caller's realm, which each plugin shows as its instance's tenant.
    type Abilities = RealmRef;
    type Error = CatalogError;
    const REL: &'static str = "connect_plugins";

    fn abilities(_: &Self::Service, ctx: &RequestContext) -> Result<RealmRef, CatalogError> {
        Ok(ctx.realm.clone())
    }

    fn get(service: &Self::Service, ctx: &RequestContext, id: Uuid) -> Result<ConnectPlugin, CatalogError> {
        service.connect_plugin(ctx, id)
    }

    fn id(plugin: &ConnectPlugin) -> Uuid {
        plugin.id
    }

    /// Plugins carry no version: every one is at 0.
    fn meta(_: &ConnectPlugin) -> Versioned {
        Versioned { version: 0, modified_at: None }
    }

    fn detail(base: &BaseUrl, plugin: &ConnectPlugin, realm: &RealmRef) -> Resource<ConnectPluginBody> {
        connect_plugin(base, realm, plugin)
    }
}

impl AxualList for ConnectPluginCollection {
    type Listed = ConnectPlugin;
    type Summary = ConnectPluginBody;
    type SummaryEmbedded = NoEmbedded;

    /// Plugins are read from the instances' Connect clusters, never created here.
    fn may_create(_: &RealmRef) -> bool {
        false
    }

    fn page(
        service: &Self::Service,
        ctx: &RequestContext,
        request: &PageRequest,
    ) -> Result<Page<ConnectPlugin>, CatalogError> {
        service.connect_plugins(ctx, request)
    }

    fn summary(base: &BaseUrl, plugin: &ConnectPlugin, realm: &RealmRef) -> Resource<ConnectPluginBody> {
        connect_plugin(base, realm, plugin)
    }
}

portico_core::axual_routes! {
    ConnectPluginCollection, what: "connect plugin", summary: ConnectPluginBody, detail: ConnectPluginBody, body: ();
    list: list_connect_plugins => "/connect_plugins",
    searches: connect_plugin_searches => "/connect_plugins/search",
    get: get_connect_plugin => "/connect_plugins/{uid}",
}
