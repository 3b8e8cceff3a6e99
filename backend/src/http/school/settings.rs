//! `/api/v1/settings`: the school-wide settings (QR period and late threshold for new
//! classes, the reports' at-risk line, evidence retention, and what a check-in
//! synced late needs).

use axum::extract::State;
use rollcall_core::api::ErrorCode;
use rollcall_core::api::{ErrorEnvelope, Role, SchoolSettings};
use rollcall_core::evaluate::LateSync;
use sqlx::{PgConnection, PgPool};

use crate::audit::{self, Change};
use crate::http::{Admin, ApiError, ApiJson, AuthUser};

/// The settings as stored.
struct Row {
    qr_period_s: i16,
    late_after_min: i16,
    at_risk_below: f64,
    retention_days: i32,
    late_sync: LateSync,
    late_sync_max_hours: i16,
}

impl From<Row> for SchoolSettings {
    fn from(r: Row) -> Self {
        Self {
            qr_period_s: u16::try_from(r.qr_period_s).unwrap_or(20),
            late_after_min: u16::try_from(r.late_after_min).unwrap_or(10),
            at_risk_below: r.at_risk_below,
            retention_days: u32::try_from(r.retention_days).unwrap_or(30),
            late_sync: r.late_sync,
            late_sync_max_hours: u16::try_from(r.late_sync_max_hours).unwrap_or(24),
        }
    }
}

/// The settings now.
///
/// # Errors
/// When the database fails.
pub async fn current(conn: &mut PgConnection) -> Result<SchoolSettings, sqlx::Error> {
    sqlx::query_as!(
        Row,
        r#"SELECT qr_period_s, late_after_min, at_risk_below, retention_days,
           late_sync AS "late_sync: LateSync", late_sync_max_hours FROM school_settings"#
    )
    .fetch_one(conn)
    .await
    .map(SchoolSettings::from)
}

#[utoipa::path(get, path = "/api/v1/settings", tag = "school", summary = "The school-wide settings (admin, teacher)", responses((status = 200, description = "The settings", body = SchoolSettings), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn get(
    State(pool): State<PgPool>,
    user: AuthUser,
) -> Result<ApiJson<SchoolSettings>, ApiError> {
    user.require(&[Role::Admin, Role::Teacher])?;
    let mut conn = pool.acquire().await?;
    Ok(ApiJson(current(&mut conn).await?))
}

#[utoipa::path(put, path = "/api/v1/settings", tag = "school", summary = "Change the school-wide settings; classes already started keep theirs (admin)", request_body = SchoolSettings, responses((status = 200, description = "Saved", body = SchoolSettings), (status = 422, description = "A value is out of range", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn put(
    State(pool): State<PgPool>,
    Admin(admin): Admin,
    ApiJson(wanted): ApiJson<SchoolSettings>,
) -> Result<ApiJson<SchoolSettings>, ApiError> {
    let problems = wanted.problems();
    if let Some((_, first)) = problems.first() {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::InvalidField,
            message: first.clone(),
            details: problems
                .iter()
                .map(|(field, problem)| ((*field).to_owned(), problem.clone()))
                .collect(),
        });
    }
    let mut tx = pool.begin().await?;
    let before = sqlx::query_as!(
        Row,
        r#"SELECT qr_period_s, late_after_min, at_risk_below, retention_days,
           late_sync AS "late_sync: LateSync", late_sync_max_hours
         FROM school_settings FOR UPDATE"#
    )
    .fetch_one(&mut *tx)
    .await?;
    let after = sqlx::query_as!(
        Row,
        r#"UPDATE school_settings SET qr_period_s = $1, late_after_min = $2, at_risk_below = $3,
         retention_days = $4, late_sync = $6, late_sync_max_hours = $7, updated_at = now(),
         updated_by = $5
         RETURNING qr_period_s, late_after_min, at_risk_below, retention_days,
           late_sync AS "late_sync: LateSync", late_sync_max_hours"#,
        i16::try_from(wanted.qr_period_s).unwrap_or(i16::MAX),
        i16::try_from(wanted.late_after_min).unwrap_or(i16::MAX),
        wanted.at_risk_below,
        i32::try_from(wanted.retention_days).unwrap_or(i32::MAX),
        admin.id,
        wanted.late_sync as LateSync,
        i16::try_from(wanted.late_sync_max_hours).unwrap_or(i16::MAX)
    )
    .fetch_one(&mut *tx)
    .await?;
    let (before, after) = (SchoolSettings::from(before), SchoolSettings::from(after));
    audit::record(
        &mut tx,
        Change::new(admin.id, "settings.update", "settings", uuid::Uuid::nil())
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(after))
}
