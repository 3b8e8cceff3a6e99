//! Prometheus metrics: request counts and latency histograms by method, route
//! template and status, and the count of the app's own requests, served at
//! `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use rollcall_core::api::ErrorEnvelope;

use super::{ApiError, AppState};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// What a request series is keyed by: (method, route, status).
type Key = (String, String, u16);

/// The counters, keyed by (method, route, status); and the same count for the
/// requests of Rollcall's own app alone (its User-Agent is `rollcall-app/…`),
/// which tells what the screens use of the API.
#[derive(Debug, Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<Key, Series>>,
    from_app: Mutex<BTreeMap<Key, u64>>,
}

/// The product name Rollcall's app sends as its User-Agent.
const APP_AGENT: &str = "rollcall-app/";

impl Metrics {
    fn observe_app(&self, method: &str, route: &str, status: u16) {
        *self
            .from_app
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut series = self
            .series
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let s = series
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        s.count += 1;
        s.sum += seconds;
        for (bucket, bound) in s.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    #[must_use]
    pub fn render(&self) -> String {
        let series = self
            .series
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let mut out = String::new();
        out.push_str("# HELP rollcall_http_requests_total HTTP requests served.\n");
        out.push_str("# TYPE rollcall_http_requests_total counter\n");
        for ((method, route, status), s) in &series {
            let _ = writeln!(
                out,
                "rollcall_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        let from_app = self
            .from_app
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        out.push_str("# HELP rollcall_app_requests_total HTTP requests from Rollcall's own app.\n");
        out.push_str("# TYPE rollcall_app_requests_total counter\n");
        for ((method, route, status), count) in &from_app {
            let _ = writeln!(
                out,
                "rollcall_app_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str("# HELP rollcall_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE rollcall_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in &series {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (count, bound) in s.buckets.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "rollcall_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "rollcall_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "rollcall_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "rollcall_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

/// The middleware that times every request. Unmatched paths are counted as
/// `unmatched`, so scanning for random URLs cannot grow the label set.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let from_app = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|agent| agent.starts_with(APP_AGENT));
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    state
        .metrics
        .observe(&method, &route, status, started.elapsed().as_secs_f64());
    if from_app {
        state.metrics.observe_app(&method, &route, status);
    }
    resp
}

/// `GET /metrics`: only for the bearer token in `ROLLCALL_METRICS_TOKEN`;
/// without one set, for nobody. (It used to be open to loopback clients
/// without a token, and a reverse proxy on the same host is a loopback client
/// that would publish it to the world.)
#[utoipa::path(get, path = "/metrics", tag = "operations", summary = "Prometheus metrics (for the bearer token in ROLLCALL_METRICS_TOKEN; off without one)", responses((status = 200, description = "Text exposition format"), (status = 403, description = "No token set on the server, or not its token", body = ErrorEnvelope)))]
pub async fn serve(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let allowed = state.settings.metrics_token.as_ref().is_some_and(|token| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                use subtle::ConstantTimeEq as _;
                bool::from(given.as_bytes().ct_eq(token.as_bytes()))
            })
    });
    if !allowed {
        return Err(ApiError::Forbidden);
    }
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response())
}
