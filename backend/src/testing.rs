//! Starting a real server on a loopback port, for this crate's tests and for
//! the app's tests, which drive it through the app's own API client.

use std::net::SocketAddr;

use anyhow::Context as _;
use sqlx::PgPool;

use crate::auth::mailer::Mailer;
use crate::auth::tokens::TokenKeys;
use crate::http::{router, AppState, Settings};

/// What a test server is built with.
#[derive(Debug, Clone)]
pub struct TestServer {
    /// The signing key (tests forge tokens with other keys).
    pub keys: TokenKeys,
    /// Outgoing mail (tests point it at an SMTP sink).
    pub mailer: Mailer,
    /// CORS, metrics and rate limits.
    pub settings: Settings,
    /// The face-template key.
    pub template_key: crate::face_templates::TemplateKey,
}

impl Default for TestServer {
    fn default() -> Self {
        Self {
            keys: TokenKeys::random(),
            mailer: Mailer::disabled(),
            settings: Settings::default(),
            template_key: crate::face_templates::TemplateKey::random(),
        }
    }
}

/// Serves the API over `pool` on `127.0.0.1:<free port>` in a background task
/// and returns the address. The task ends with the test's runtime.
///
/// # Errors
/// When no loopback port can be bound.
pub async fn spawn_server(pool: PgPool) -> anyhow::Result<SocketAddr> {
    spawn_server_with(pool, TestServer::default()).await
}

/// [`spawn_server`] with a chosen key and mailer.
///
/// # Errors
/// When no loopback port can be bound.
pub async fn spawn_server_with(pool: PgPool, options: TestServer) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("Failed to bind a loopback port")?;
    let addr = listener.local_addr()?;
    let state = AppState::new(
        pool,
        options.keys,
        options.mailer,
        options.template_key,
        options.settings,
    );
    state.live.listen(&state.pool).await?;
    let app = router(state);
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, service).await {
            tracing::error!(error = %e, "test server stopped");
        }
    });
    Ok(addr)
}
