//! The HTTP surface: one router, one error envelope, typed state.

mod account;
mod audit_log;
mod devices;
mod auth_user;
mod error;
mod extract;
mod kiosks;
mod health;
mod json;
mod login;
mod meta;
pub mod metrics;
mod paging;
pub mod rate_limit;
mod school;
mod users;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{header, HeaderName, HeaderValue, Method, Request};
use axum::routing::{get, post};
use axum::Router;
use sqlx::PgPool;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::mailer::Mailer;
use crate::auth::tokens::TokenKeys;
pub use auth_user::AuthUser;
pub use error::ApiError;
pub use json::ApiJson;

/// Largest request body the API accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Operational settings of the HTTP layer.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Origins a browser may call the API from (CORS); empty allows none.
    pub cors_origins: Vec<String>,
    /// Bearer token for `/metrics`; unset allows loopback clients only.
    pub metrics_token: Option<String>,
    /// Per-address request budgets.
    pub limits: rate_limit::Limits,
}

/// Everything a handler may need, handed out as extractors.
#[derive(Debug, Clone, FromRef)]
pub struct AppState {
    /// The database.
    pub pool: PgPool,
    /// The access-token key.
    pub keys: TokenKeys,
    /// Outgoing mail.
    pub mailer: Mailer,
    /// Operational settings.
    pub settings: Arc<Settings>,
    /// Request counters per client address.
    pub limiter: Arc<rate_limit::RateLimiter>,
    /// Request counts and latencies.
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// State over `pool` with these keys, mailer and settings.
    #[must_use]
    pub fn new(pool: PgPool, keys: TokenKeys, mailer: Mailer, settings: Settings) -> Self {
        Self {
            pool,
            keys,
            mailer,
            limiter: Arc::new(rate_limit::RateLimiter::new(settings.limits)),
            settings: Arc::new(settings),
            metrics: Arc::default(),
        }
    }
}

fn cors(settings: &Settings) -> CorsLayer {
    let origins: Vec<HeaderValue> = settings
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/api/v1/meta", get(meta::meta))
        .route("/api/v1/auth/login", post(login::login))
        .route("/api/v1/auth/refresh", post(account::refresh))
        .route("/api/v1/auth/logout", post(account::logout))
        .route("/api/v1/auth/password", post(account::change_password))
        .route("/api/v1/auth/forgot", post(account::forgot_password))
        .route("/api/v1/auth/reset", post(account::reset_password))
        .route("/api/v1/me", get(account::me))
        .route("/api/v1/users", get(users::list).post(users::create))
        .route("/api/v1/users/import", post(users::import))
        .route("/api/v1/users/{id}", get(users::get).patch(users::update))
        .route("/api/v1/audit", get(audit_log::list))
        .route("/api/v1/devices", get(devices::list).post(devices::register))
        .route("/api/v1/devices/{id}/approve", post(devices::approve))
        .route("/api/v1/devices/{id}/revoke", post(devices::revoke))
        .route("/api/v1/kiosks", get(kiosks::list).post(kiosks::create))
        .route("/api/v1/kiosks/heartbeat", post(kiosks::heartbeat))
        .route("/api/v1/kiosks/{id}", get(kiosks::get).patch(kiosks::update))
        .route("/api/v1/kiosks/{id}/credential", post(kiosks::rotate_credential))
        .merge(school::routes())
        .route("/metrics", get(metrics::serve))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), rate_limit::limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(cors(&state.settings))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
