//! Liveness (the process answers) and readiness (the database answers).

use std::time::Duration;

use axum::extract::State;
use sqlx::PgPool;

use rollcall_core::api::{ErrorEnvelope, Health};

use super::{ApiError, ApiJson};

#[utoipa::path(get, path = "/health/live", tag = "operations", summary = "The process is up", responses((status = 200, description = "Alive", body = Health)))]
pub(super) async fn live() -> ApiJson<Health> {
    ApiJson(Health {
        status: "live".to_owned(),
    })
}

#[utoipa::path(get, path = "/health/ready", tag = "operations", summary = "The database answers", responses((status = 200, description = "Ready", body = Health), (status = 503, description = "The database does not answer", body = ErrorEnvelope)))]
pub(super) async fn ready(State(pool): State<PgPool>) -> Result<ApiJson<Health>, ApiError> {
    let ping = sqlx::query_scalar!("SELECT 1 AS one").fetch_one(&pool);
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => Ok(ApiJson(Health {
            status: "ready".to_owned(),
        })),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::Unavailable)
        }
        Err(_) => Err(ApiError::Unavailable),
    }
}
