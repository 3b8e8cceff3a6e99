//! `GET /api/v1/me/export`: everything held about the signed-in person, as
//! one JSON document.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rollcall_core::api::ErrorEnvelope;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::{ApiError, AuthUser};

/// The rows of one checked statement as a JSON array: each statement below is
/// `SELECT coalesce(jsonb_agg(x), '[]') FROM (…) x`, the person's rows of one table.
macro_rules! rows_of {
    ($pool:expr, $select:literal, $id:expr) => {
        sqlx::query_scalar!(
            "SELECT coalesce(jsonb_agg(x), '[]'::jsonb) AS \"rows!\" FROM (" + $select + ") x",
            $id
        )
        .fetch_one($pool)
    };
}

#[utoipa::path(get, path = "/api/v1/me/export", tag = "auth", summary = "Everything Rollcall holds about the signed-in person, as JSON", responses((status = 200, description = "A JSON document (a download)"), (status = 401, description = "No valid access token", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn export(
    State(pool): State<PgPool>,
    user: AuthUser,
) -> Result<Response, ApiError> {
    let id = user.id;
    let account = rows_of!(&pool, "SELECT id, username, email, display_name, role, student_no, active, created_at FROM users WHERE id = $1", id).await?;
    let document = json!({
        "account": account.get(0).cloned().unwrap_or(Value::Null),
        "divisions": rows_of!(&pool, "SELECT d.code, d.name FROM division_students ds JOIN divisions d ON d.id = ds.division_id WHERE ds.student_id = $1", id).await?,
        "devices": rows_of!(&pool, "SELECT id, label, platform, status, public_key, created_at FROM devices WHERE user_id = $1", id).await?,
        "attendance": rows_of!(&pool, "SELECT a.session_id, s.scheduled_start, a.status, a.source, a.marked_at, a.note FROM attendance_records a JOIN class_sessions s ON s.id = a.session_id WHERE a.student_id = $1 ORDER BY s.scheduled_start", id).await?,
        "claims": rows_of!(&pool, "SELECT id, session_id, scanned_at, received_at, outcome, synced_late, verdict, location, review_status FROM claims WHERE student_id = $1 ORDER BY scanned_at", id).await?,
        "face_template": rows_of!(&pool, "SELECT model_id, dims, updated_at FROM face_templates WHERE student_id = $1", id).await?,
        "sign_ins": rows_of!(&pool, "SELECT issued_at, expires_at, revoked_at IS NOT NULL AS revoked FROM refresh_tokens WHERE user_id = $1 ORDER BY issued_at", id).await?,
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rollcall-my-data.json\"",
            ),
        ],
        axum::Json(document),
    )
        .into_response())
}
