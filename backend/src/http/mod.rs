//! The HTTP surface: one router, one error envelope, typed state.

mod account;
mod audit_log;
mod auth_user;
mod claims;
mod devices;
mod docs;
mod error;
mod extract;
mod face_templates;
mod health;
mod json;
mod kiosks;
mod live;
mod login;
mod meta;
pub mod metrics;
mod my_classes;
mod my_data;
mod my_events;
mod paging;
pub mod rate_limit;
mod records;
mod reports;
mod review;
mod school;
mod sessions;
mod users;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{header, HeaderName, HeaderValue, Method, Request};
use axum::routing::get;
use axum::Router;
use sqlx::PgPool;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::mailer::Mailer;
use crate::auth::tokens::TokenKeys;
pub use auth_user::{Admin, AuthUser, Bearer};
pub use error::ApiError;
pub use json::ApiJson;

/// Largest request body the API accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Operational settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Origins a browser may call the API from (CORS); empty allows none.
    pub cors_origins: Vec<String>,
    /// Bearer token for `/metrics`; unset turns metrics off.
    pub metrics_token: Option<String>,
    /// Per-address request budgets.
    pub limits: rate_limit::Limits,
    /// The school's offset from UTC: what "today" and "09:00" mean.
    pub school_offset: time::UtcOffset,
    /// Load balancers whose `X-Forwarded-For` names the real client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            cors_origins: Vec::new(),
            metrics_token: None,
            limits: rate_limit::Limits::default(),
            school_offset: time::UtcOffset::UTC,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Everything a handler may need, handed out as extractors. One shared
/// allocation: every request and every middleware takes a copy of the state,
/// and a copy is then one reference count instead of one per part (they were
/// about 2 % of the server's time under the claims load, the counts bouncing
/// between the cores).
#[derive(Debug, Clone)]
pub struct AppState(Arc<SharedState>);

/// The parts of [`AppState`].
#[derive(Debug)]
pub struct SharedState {
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
    /// Roster changes from every server process, for live sockets.
    pub live: crate::attendance::live::LiveHub,
    /// The key face templates are encrypted with.
    pub template_key: crate::face_templates::TemplateKey,
    /// Sessions recently read for judging claims.
    pub judged: Arc<crate::attendance::judged::JudgedCache>,
    /// The grouped account checks of signed-in requests.
    pub accounts: auth_user::AccountChecks,
    /// The claims' grouped database work.
    pub claim_groups: Arc<crate::attendance::claims::ClaimGroups>,
}

impl std::ops::Deref for AppState {
    type Target = SharedState;
    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// `State<Part>` extractors for each part of the state.
macro_rules! state_parts {
    ($($field:ident: $part:ty),* $(,)?) => {
        $(impl FromRef<AppState> for $part {
            fn from_ref(state: &AppState) -> Self {
                state.0.$field.clone()
            }
        })*
    };
}

state_parts!(
    pool: PgPool,
    keys: TokenKeys,
    mailer: Mailer,
    settings: Arc<Settings>,
    limiter: Arc<rate_limit::RateLimiter>,
    metrics: Arc<metrics::Metrics>,
    live: crate::attendance::live::LiveHub,
    template_key: crate::face_templates::TemplateKey,
    judged: Arc<crate::attendance::judged::JudgedCache>,
    accounts: auth_user::AccountChecks,
    claim_groups: Arc<crate::attendance::claims::ClaimGroups>,
);

impl AppState {
    /// State over `pool` with these keys, mailer and settings.
    #[must_use]
    pub fn new(
        pool: PgPool,
        keys: TokenKeys,
        mailer: Mailer,
        template_key: crate::face_templates::TemplateKey,
        settings: Settings,
    ) -> Self {
        Self(Arc::new(SharedState {
            pool,
            keys,
            mailer,
            limiter: Arc::new(rate_limit::RateLimiter::new(settings.limits)),
            settings: Arc::new(settings),
            metrics: Arc::default(),
            live: crate::attendance::live::LiveHub::default(),
            template_key,
            judged: Arc::default(),
            accounts: Arc::default(),
            claim_groups: Arc::default(),
        }))
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

/// The API document's frame: title, the bearer scheme, the tags.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Rollcall API",
        description = "Attendance with rotating QR codes, geofences, radio and face checks. \
                       Every error is {\"error\": {\"code\", \"message\", \"details\"}}."
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Sign-in, tokens and passwords"),
        (name = "users", description = "Accounts (admin)"),
        (name = "school", description = "Divisions, subjects, rooms, access points, timetable"),
        (name = "devices", description = "Student device binding"),
        (name = "kiosks", description = "Door PCs bound to a room"),
        (name = "sessions", description = "Class sessions, rosters and manual marks"),
        (name = "attendance", description = "Check-in claims and the review queue"),
        (name = "reports", description = "Attendance reports and a student's own record"),
        (name = "face", description = "Face templates, encrypted at rest"),
        (name = "audit", description = "The audit log"),
        (name = "operations", description = "Health, version and metrics")
    )
)]
struct ApiFrame;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Every documented route and the OpenAPI document built from the same calls,
/// so a route cannot exist without its documentation.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa::OpenApi as _;
    use utoipa_axum::router::OpenApiRouter;
    use utoipa_axum::routes;
    OpenApiRouter::with_openapi(ApiFrame::openapi())
        .routes(routes!(health::live))
        .routes(routes!(health::ready))
        .routes(routes!(meta::meta))
        .routes(routes!(metrics::serve))
        .routes(routes!(login::login))
        .routes(routes!(account::refresh))
        .routes(routes!(account::logout))
        .routes(routes!(account::change_password))
        .routes(routes!(account::forgot_password))
        .routes(routes!(account::reset_password))
        .routes(routes!(account::me))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::import))
        .routes(routes!(users::get, users::update))
        .routes(routes!(audit_log::list))
        .routes(routes!(devices::list, devices::register))
        .routes(routes!(devices::approve))
        .routes(routes!(devices::revoke))
        .routes(routes!(kiosks::list, kiosks::create))
        .routes(routes!(kiosks::heartbeat))
        .routes(routes!(kiosks::get, kiosks::update))
        .routes(routes!(kiosks::rotate_credential))
        .routes(routes!(sessions::today_sessions))
        .routes(routes!(sessions::start, records::sessions))
        .routes(routes!(records::records))
        .routes(routes!(sessions::get))
        .routes(routes!(sessions::roster))
        .routes(routes!(sessions::sheet))
        .routes(routes!(sessions::end))
        .routes(routes!(sessions::mark))
        .routes(routes!(live::live))
        .routes(routes!(my_events::events))
        .routes(routes!(claims::submit))
        .routes(routes!(claims::kiosk_marks))
        .routes(routes!(review::thumbnail))
        .routes(routes!(review::list))
        .routes(routes!(review::decide))
        .routes(routes!(reports::attendance))
        .routes(routes!(reports::mine))
        .routes(routes!(
            face_templates::info,
            face_templates::put,
            face_templates::delete
        ))
        .routes(routes!(face_templates::mine))
        .routes(routes!(face_templates::kiosk_roster))
        .routes(routes!(my_data::export))
        .routes(routes!(my_classes::today))
        .merge(school::routes())
        .split_for_parts()
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    let (api, document) = api();
    let docs_page = docs::page(&document);
    let document = Arc::new(document);
    let api = api
        .route(
            "/api/v1/openapi.json",
            get(move || async move { axum::Json(document.as_ref().clone()) }),
        )
        .route(
            "/api/v1/docs",
            get(move || async move { axum::response::Html(docs_page.clone()) }),
        );
    serve(api, state)
}

/// `routes` with everything every request goes through: the fallbacks, rate
/// limits, metrics, CORS, the body limit, the timeout, panics caught as our
/// 500, the request span and its id.
fn serve(routes: Router<AppState>, state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    routes
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
        .layer(CatchPanicLayer::custom(error::panicked))
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

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt as _;

    /// A handler that panics, served behind the layers every route has: the
    /// client gets our 500 envelope, not a dropped connection.
    #[sqlx::test(migrations = "../migrations")]
    async fn a_panicking_handler_answers_a_500_in_our_envelope(pool: PgPool) {
        let state = AppState::new(
            pool,
            TokenKeys::random(),
            Mailer::disabled(),
            crate::face_templates::TemplateKey::random(),
            Settings::default(),
        );
        async fn boom() -> &'static str {
            panic!("boom at {}", 42)
        }
        let routes = Router::new().route("/boom", get(boom));
        let app = serve(routes, state);
        let request = Request::get("/boom")
            .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                9,
            ))))
            .body(axum::body::Body::empty())
            .expect("a request");
        let resp = app.oneshot(request).await.expect("an answer");
        assert_eq!(resp.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let bytes = axum::body::to_bytes(resp.into_body(), 4096)
            .await
            .expect("a body");
        let body: rollcall_core::api::ErrorEnvelope =
            serde_json::from_slice(&bytes).expect("our envelope");
        assert_eq!(body.error.code, "internal_error");
        assert!(
            !body.error.message.contains("boom"),
            "the cause is not told"
        );
    }
}
