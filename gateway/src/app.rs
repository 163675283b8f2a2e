//! Builds the actix application: shared state, middleware, and every crate's routes.
//!
//! The gateway is thin: it mounts each crate's declared routes and adds health, metrics,
//! OpenAPI, error rendering and request observation. No domain logic lives here.

use crate::auth::authenticate;
use crate::failures::{RouteTable, no_route};
use crate::observe::{Metrics, observe};
use crate::routes::health;
use crate::server::{MODULES, Services};
use crate::settings::Settings;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Condition, Next, from_fn};
use actix_web::{App, web};
use portico_core::http::guard::reject_bad_request_lines;
use portico_core::http::module::render_failures;
use portico_core::http::{Access, ApiDocument, AxualRegistry, ErrorFormats, Format, RealmPaths, Routes};
use portico_core::seal::Sealer;
use portico_core::{Clock, Database};
use std::sync::Arc;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};
use utoipa_swagger_ui::SwaggerUi;

/// Everything the application shares across workers.
#[derive(Clone)]
pub struct AppState {
    /// Configuration.
    pub settings: Arc<Settings>,
    /// The database.
    pub db: Database,
    /// Sealing of secrets at rest.
    pub sealer: Sealer,
    /// Time source.
    pub clock: Arc<dyn Clock>,
    /// Request metrics.
    pub metrics: web::Data<Metrics>,
    /// The OpenAPI document, serialized once and shared by every worker (and by modules that
    /// serve a part of it).
    pub document: web::Data<ApiDocument>,
    /// Documented routes, for 404 vs 405.
    pub routes: web::Data<RouteTable>,
    /// The started modules.
    pub services: Services,
    /// Every module's Axual collections (the index and profiles).
    pub axual: web::Data<AxualRegistry>,
    /// Every module's error formats by path.
    pub formats: web::Data<ErrorFormats>,
    /// Where every module's paths name their realm.
    pub realms: web::Data<RealmPaths>,
}

impl AppState {
    /// Shared state over an open, migrated database and the domain services.
    pub fn new(
        settings: Settings,
        db: Database,
        sealer: Sealer,
        clock: Arc<dyn Clock>,
        services: Services,
    ) -> AppState {
        // One declaration list for the route table and the document.
        let routes = declared_routes();
        let table = RouteTable::new(routes.operations());
        let openapi = document(routes);
        AppState {
            services,
            axual: web::Data::new(axual_registry()),
            formats: web::Data::new(error_formats()),
            realms: web::Data::new(RealmPaths::of(MODULES)),
            routes: web::Data::new(table),
            document: web::Data::new(ApiDocument(web::Bytes::from(serde_json::to_vec(&openapi).unwrap_or_default()))),
            settings: Arc::new(settings),
            db,
            sealer,
            clock,
            metrics: web::Data::new(Metrics::default()),
        }
    }
}

/// `GET /openapi.json`: the document, as serialized at start.
async fn openapi_json(doc: web::Data<ApiDocument>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}

/// Every module's error formats; the gateway's own paths answer problems; everything else is
/// Axual's (its resources sit at the root).
pub fn error_formats() -> ErrorFormats {
    let mut formats = ErrorFormats::new(Format::Axual);
    formats.add(&[
        ("/healthz", Format::Problem),
        ("/readyz", Format::Problem),
        ("/metrics", Format::Problem),
        ("/openapi.json", Format::Problem),
        ("/docs", Format::Problem),
    ]);
    for module in MODULES {
        formats.add(module.error_formats);
    }
    formats
}

/// The Axual collections of every module, in index order.
pub fn axual_registry() -> AxualRegistry {
    let mut registry = AxualRegistry::default();
    for module in MODULES {
        registry.register(module.axual_collections, module.axual_entries);
    }
    registry
}

/// Every route: the gateway's own (health, metrics: public) and every module's, each declared
/// once with what it requires. The same list feeds the app, the OpenAPI document and the
/// [`RouteTable`] the authentication middleware checks.
pub fn declared_routes() -> Routes {
    let mut routes = Routes::default();
    routes
        .add(Access::Public, health::healthz)
        .add(Access::Public, health::readyz)
        .add(Access::Public, health::info)
        .add(Access::Public, health::metrics);
    portico_core::http::axual::routes(&mut routes);
    for module in MODULES {
        (module.routes)(&mut routes);
    }
    routes
}

/// Registers these routes.
fn routes<T>(app: UtoipaApp<T>, routes: Routes) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.configure(|cfg| routes.register(cfg))
}

/// The whole-surface OpenAPI document.
pub fn openapi() -> OpenApi {
    document(declared_routes())
}

/// The OpenAPI document of these routes.
fn document(declared: Routes) -> OpenApi {
    let (_, api) = routes(App::new().into_utoipa_app().openapi(crate::openapi::base()), declared).split_for_parts();
    crate::openapi::finish(api)
}

/// Request headers a browser console may send cross-origin: credentials, bodies,
/// preconditions, idempotency and the APIs' own routing headers.
const CORS_REQUEST_HEADERS: [&str; 7] =
    ["authorization", "content-type", "if-match", "if-none-match", "idempotency-key", "realm", "x-onegini-instance"];

/// Response headers a browser console may read.
const CORS_EXPOSED_HEADERS: [&str; 5] = ["etag", "location", "last-modified", "x-request-id", "retry-after"];

/// CORS for the configured origins (`http.cors_origins`): preflights of every route answered
/// before authentication, no wildcard and no cookies (the APIs take bearer tokens and Basic
/// credentials in `Authorization`). A request from another origin is served as if it had no
/// `Origin` (non-browser clients are unaffected) but gets no CORS headers; its preflight is
/// refused. Off (`None`) when no origin is configured.
fn cors(settings: &Settings) -> Option<actix_cors::Cors> {
    let origins: Vec<String> =
        settings.http.cors_origins.iter().filter_map(|origin| crate::settings::cors_origin(origin).ok()).collect();
    if origins.is_empty() {
        return None;
    }
    let cors = origins
        .iter()
        .fold(actix_cors::Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers(CORS_REQUEST_HEADERS)
        .expose_headers(CORS_EXPOSED_HEADERS)
        .max_age(600);
    Some(cors)
}

/// actix-cors lists the exposed headers on every response that had an `Origin`; a response
/// to an origin that is not allowed gets no CORS header at all.
async fn cors_headers_only_when_allowed(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    if !response.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        response.headers_mut().remove(header::ACCESS_CONTROL_EXPOSE_HEADERS);
    }
    Ok(response)
}

/// The application for one worker.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = cors(&state.settings);
    let cors_enabled = cors.is_some();
    routes(App::new().into_utoipa_app(), declared_routes())
        .into_app()
        .app_data(web::PayloadConfig::new(state.settings.http.body_limit))
        .app_data(web::Data::new(state.db.clone()))
        .app_data(state.settings.origin())
        .app_data(state.metrics.clone())
        .app_data(state.routes.clone())
        .app_data(state.axual.clone())
        .app_data(state.formats.clone())
        .app_data(state.realms.clone())
        .configure(|cfg| {
            for data in &state.services.app_data {
                data(cfg);
            }
        })
        .app_data(state.document.clone())
        .route("/openapi.json", web::get().to(openapi_json))
        .service(SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::from("/openapi.json")))
        .service(web::redirect("/docs", "/docs/"))
        .default_service(web::to(no_route))
        .wrap(from_fn(authenticate))
        .wrap(from_fn(reject_bad_request_lines))
        .wrap(Condition::new(cors.is_some(), cors.unwrap_or_default()))
        .wrap(Condition::new(cors_enabled, from_fn(cors_headers_only_when_allowed)))
        .wrap(from_fn(render_failures))
        .wrap(from_fn(observe))
}
