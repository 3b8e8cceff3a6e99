//! `GET /api/v1/me/classes`: a student's classes today (their divisions'), so the
//! phone knows which class a typed code is for and which room's rules apply.

use axum::extract::State;
use rollcall_core::api::{AttendanceStatus, ErrorEnvelope, Role, StudentClass};
use time::OffsetDateTime;

use super::{ApiError, ApiJson, AppState, AuthUser};
use crate::attendance::session::{self, SessionRow};

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    session: SessionRow,
    status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me/classes", tag = "attendance", summary = "The student's classes today, running and planned, with their own record (student)", responses((status = 200, description = "Today's classes, by start", body = Vec<StudentClass>), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not a student", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn today(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<ApiJson<Vec<StudentClass>>, ApiError> {
    user.require(&[Role::Student])?;
    let date = OffsetDateTime::now_utc()
        .to_offset(state.settings.school_offset)
        .date();
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT q.*, a.status FROM ({} WHERE s.session_date = $2 AND s.division_id IN \
         (SELECT division_id FROM division_students WHERE student_id = $1)) q \
         LEFT JOIN attendance_records a ON a.session_id = q.id AND a.student_id = $1 \
         ORDER BY q.scheduled_start",
        session::SESSION_SELECT
    ))
    .bind(user.id)
    .bind(date)
    .fetch_all(&state.pool)
    .await?;
    let classes = rows
        .into_iter()
        .map(|row| {
            Ok(StudentClass {
                session: row.session.to_api()?,
                status: row.status.as_deref().and_then(AttendanceStatus::parse),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(ApiJson(classes))
}
