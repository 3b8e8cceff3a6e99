//! Liveness (the process answers) and readiness (the database answers).

use std::time::Duration;

use axum::extract::State;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::{ApiError, ApiJson};

pub(super) async fn live() -> ApiJson<Value> {
    ApiJson(json!({ "status": "live" }))
}

pub(super) async fn ready(State(pool): State<PgPool>) -> Result<ApiJson<Value>, ApiError> {
    let ping = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&pool);
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => Ok(ApiJson(json!({ "status": "ready" }))),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::Unavailable)
        }
        Err(_) => Err(ApiError::Unavailable),
    }
}
