//! Request ids, structured request logs and Prometheus metrics — the outermost middleware.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;
use tracing::Instrument;

/// The request id, in request extensions and in the `X-Request-Id` response header.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// Request counters and latency histograms per route pattern.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    /// By route pattern; one lock per request, and no allocation once a route was seen.
    routes: Mutex<BTreeMap<String, RouteMetrics>>,
}

#[derive(Debug, Default, Clone)]
struct RouteMetrics {
    /// Requests by method and status.
    requests: Vec<(String, u16, u64)>,
    latency: Histogram,
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics { started: Instant::now(), routes: Mutex::default() }
    }
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut routes) = self.routes.lock() else { return };
        let metrics = match routes.get_mut(route) {
            Some(metrics) => metrics,
            None => routes.entry(route.to_owned()).or_default(),
        };
        match metrics.requests.iter_mut().find(|(m, s, _)| m == method && *s == status) {
            Some((_, _, count)) => *count += 1,
            None => metrics.requests.push((method.to_owned(), status, 1)),
        }
        let histogram = &mut metrics.latency;
        histogram.count += 1;
        histogram.sum += seconds;
        for (slot, bound) in histogram.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *slot += 1;
            }
        }
    }

    /// Requests answered so far (every route).
    pub fn requests_total(&self) -> u64 {
        self.routes.lock().map_or(0, |routes| routes.values().map(|metrics| metrics.latency.count).sum())
    }

    /// The Prometheus text exposition, with extra metrics appended by the caller (name, help,
    /// type — `gauge` or `counter` — and value).
    pub fn render(&self, extra: &[(&str, &str, &str, f64)]) -> String {
        let routes = self.routes.lock().map(|routes| routes.clone()).unwrap_or_default();
        let mut out = String::new();
        out.push_str("# HELP portico_http_requests_total HTTP requests by method, route pattern and status.\n");
        out.push_str("# TYPE portico_http_requests_total counter\n");
        for (route, metrics) in &routes {
            let mut requests = metrics.requests.clone();
            requests.sort();
            for (method, status, count) in requests {
                out.push_str(&format!(
                    "portico_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}\n",
                    escape(route)
                ));
            }
        }
        out.push_str("# HELP portico_http_request_duration_seconds Request latency by route pattern.\n");
        out.push_str("# TYPE portico_http_request_duration_seconds histogram\n");
        for (route, metrics) in &routes {
            let route = escape(route);
            let histogram = &metrics.latency;
            for (bound, count) in BUCKETS.iter().zip(histogram.buckets) {
                out.push_str(&format!(
                    "portico_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}\n"
                ));
            }
            out.push_str(&format!(
                "portico_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n",
                histogram.count
            ));
            out.push_str(&format!(
                "portico_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n",
                histogram.sum
            ));
            out.push_str(&format!(
                "portico_http_request_duration_seconds_count{{route=\"{route}\"}} {}\n",
                histogram.count
            ));
        }
        out.push_str(
            "# HELP portico_uptime_seconds Seconds since the process started.\n# TYPE portico_uptime_seconds gauge\n",
        );
        out.push_str(&format!("portico_uptime_seconds {}\n", self.started.elapsed().as_secs_f64()));
        for (name, help, kind, value) in extra {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"));
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// An incoming `X-Request-Id` is kept only when it is a short token of safe characters
/// (letters, digits, `.`, `_`, `-`; at most 64): anything else (markup, quotes, controls) is
/// never echoed nor logged, and the request gets a fresh id.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
        .map(str::to_owned)
        .unwrap_or_else(fresh_request_id)
}

/// A new request id: 32 hex digits, a random prefix drawn once per process and a counter, so
/// ids are unique across replicas and restarts without a random draw (a system call) per request.
fn fresh_request_id() -> String {
    static PREFIX: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| uuid::Uuid::new_v4().as_u64_pair().0);
    format!("{prefix:016x}{:016x}", COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// Probes (liveness, readiness, metrics) are polled every few seconds by orchestrators; their
/// requests are counted in the metrics but not written to the access log.
fn is_probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// Tags the request with an id, logs it when done, and records metrics.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    // Probes are not access-logged: no copy of their path is needed.
    let path = if is_probe(req.path()) { String::new() } else { req.path().to_owned() };
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    // The span gives whatever a handler logs the request id; method, path and status are in
    // the access line.
    let span = tracing::info_span!("request", request_id = %id);
    let result = next.call(req).instrument(span.clone()).await;
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let elapsed = started.elapsed();
            if let Some(metrics) = metrics {
                let route = response.request().match_pattern();
                metrics.record(method.as_str(), route.as_deref().unwrap_or("unmatched"), status, elapsed.as_secs_f64());
            }
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert(REQUEST_ID, value);
            }
            let elapsed_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
            if status >= 500 {
                let _entered = span.enter();
                tracing::error!(%method, %path, status, elapsed_ms = elapsed_us / 1000, "request failed");
            } else if !path.is_empty() && crate::telemetry::access_enabled() {
                use portico_core::Clock;
                crate::telemetry::access(crate::telemetry::AccessRecord {
                    at: portico_core::time::SystemClock.now(),
                    request_id: id,
                    method,
                    path,
                    status,
                    elapsed_us,
                });
            }
            Ok(response)
        }
        Err(err) => {
            let _entered = span.enter();
            tracing::error!(error = %err, %method, %path, "request failed before a response");
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_render_counters_and_histograms() {
        let metrics = Metrics::default();
        metrics.record("GET", "/healthz", 200, 0.003);
        metrics.record("GET", "/healthz", 200, 0.2);
        let text = metrics.render(&[("portico_db_connections", "Pooled connections.", "gauge", 2.0)]);
        assert!(text.contains("portico_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"));
        assert!(text.contains("portico_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.005\"} 1"));
        assert!(text.contains("portico_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 2"));
        assert!(text.contains("portico_db_connections 2"));
    }
}
