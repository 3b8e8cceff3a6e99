//! `GET /api/v1/me/classes`: a student's classes today (their divisions'), so the
//! phone knows which class a typed code is for and which room's rules apply.

use std::collections::HashMap;

use axum::extract::State;
use rollcall_core::api::{AttendanceStatus, ErrorEnvelope, Role, StudentClass};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{ApiError, ApiJson, AppState, AuthUser};
use crate::attendance::session::{self, DayOf};

#[utoipa::path(get, path = "/api/v1/me/classes", tag = "attendance", summary = "The student's classes today, running and planned, with their own record (student)", responses((status = 200, description = "Today's classes, by start", body = Vec<StudentClass>), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not a student", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn today(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<ApiJson<Vec<StudentClass>>, ApiError> {
    user.require(&[Role::Student])?;
    let date = OffsetDateTime::now_utc()
        .to_offset(state.settings.school_offset)
        .date();
    let mut conn = state.pool.acquire().await?;
    let sessions = session::of_day(&mut conn, date, DayOf::Student(user.id)).await?;
    let ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
    let records: HashMap<Uuid, AttendanceStatus> = sqlx::query!(
        r#"SELECT session_id, status AS "status: AttendanceStatus" FROM attendance_records
         WHERE student_id = $1 AND session_id = ANY($2)"#,
        user.id,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.session_id, r.status))
    .collect();
    let classes = sessions
        .into_iter()
        .map(|row| {
            Ok(StudentClass {
                status: records.get(&row.id).copied(),
                session: row.to_api()?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(ApiJson(classes))
}
