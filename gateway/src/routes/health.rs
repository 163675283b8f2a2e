//! `GET /healthz`, `GET /readyz`, `GET /info` (Axual's shape) and `GET /metrics`.

use crate::observe::Metrics;
use actix_web::{HttpResponse, get, web};
use portico_core::http::failure::{ApiError, Failure, Problem};
use portico_core::{Database, ErrorKind};
use serde::Serialize;
use utoipa::ToSchema;

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: &'static str,
}

/// Axual `GET /info`: public application information.
#[derive(Debug, Serialize, ToSchema)]
pub struct Info {
    /// Application name.
    pub name: &'static str,
    /// Description.
    pub description: Option<&'static str>,
    /// Version.
    pub version: &'static str,
}

/// Liveness: the process is up.
#[utoipa::path(tag = "gateway", responses((status = 200, description = "the process is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness: the database answers.
#[utoipa::path(tag = "gateway", responses((status = 200, description = "the database answers", body = Health), (status = 503, description = "database unreachable")))]
#[get("/readyz")]
pub async fn readyz(db: web::Data<Database>) -> Result<web::Json<Health>, ApiError<Problem>> {
    let db = db.get_ref().clone();
    let ping = portico_core::run_blocking(move || db.ping()).await;
    match ping {
        Ok(()) => Ok(web::Json(Health { status: "ready" })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            Err(ApiError::new(Failure::new(
                ErrorKind::Unavailable,
                "database_unavailable",
                "The database is not reachable",
            )))
        }
    }
}

/// Axual "application information" (GET /info).
#[utoipa::path(tag = "gateway", responses((status = 200, description = "application information", body = Info)))]
#[get("/info")]
pub async fn info() -> HttpResponse {
    let info =
        Info { name: "portico", description: Some("Portico management plane"), version: env!("CARGO_PKG_VERSION") };
    HttpResponse::Ok().content_type("application/json;charset=UTF-8").json(info)
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(tag = "gateway", responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(metrics: web::Data<Metrics>, db: web::Data<Database>) -> HttpResponse {
    let pool = db.pool_state();
    let counts = db.counts();
    let text = metrics.render(&[
        ("portico_db_connections", "Open pooled database connections.", "gauge", f64::from(pool.connections)),
        ("portico_db_idle_connections", "Idle pooled database connections.", "gauge", f64::from(pool.idle_connections)),
        ("portico_db_checkouts_total", "Connections taken from the pool.", "counter", counts.checkouts as f64),
        ("portico_db_statements_total", "SQL statements sent to the database.", "counter", counts.statements as f64),
        ("portico_db_connects_total", "Database connections opened.", "counter", counts.connects as f64),
    ]);
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(text)
}
