//! `/api/v1/reports/attendance` (JSON, CSV or PDF) and a student's own
//! `/api/v1/me/attendance`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rollcall_core::api::ErrorCode;
use rollcall_core::api::{
    AttendanceReport, AttendanceStatus, ErrorEnvelope, HistoryEntry, MyAttendance,
    ReportFormat as Format, ReportQuery, ReviewStatus, Role, SubjectAttendance,
};
use rollcall_core::record::RecordSource;
use sqlx::PgPool;
use time::{Date, OffsetDateTime};

use super::extract::ApiQuery;
use super::{ApiError, ApiJson, AuthUser};
use crate::attendance::unix;
use crate::reports::{self, ReportFilter};

/// The longest period one report covers, days.
const MAX_DAYS: i64 = 366;

fn bad_query(message: &str) -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::InvalidQuery,
        message: message.to_owned(),
    }
}

fn parse_date(text: &str, name: &str) -> Result<Date, ApiError> {
    super::extract::day(text, name)
}

#[utoipa::path(get, path = "/api/v1/reports/attendance", tag = "reports", summary = "Attendance per student over a period, with the at-risk list and a daily series; JSON, CSV or PDF (admins: all; teachers: their own sessions)", params(ReportQuery), responses((status = 200, description = "The report (JSON), or a CSV/PDF file", body = AttendanceReport), (status = 400, description = "Bad dates or threshold", body = ErrorEnvelope), (status = 403, description = "Not a teacher or admin", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn attendance(
    State(state): State<super::AppState>,
    user: AuthUser,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin, Role::Teacher])?;
    let today = OffsetDateTime::now_utc()
        .to_offset(state.settings.school_offset)
        .date();
    let to =
        q.to.as_deref()
            .map(|t| parse_date(t, "to"))
            .transpose()?
            .unwrap_or(today);
    let from = q
        .from
        .as_deref()
        .map(|f| parse_date(f, "from"))
        .transpose()?
        .unwrap_or(to - time::Duration::days(30));
    if from > to {
        return Err(bad_query("from must not be after to"));
    }
    if (to - from).whole_days() > MAX_DAYS {
        return Err(bad_query("a report covers at most 366 days"));
    }
    let threshold = match q.at_risk_below {
        Some(given) => given,
        None => {
            let mut conn = state.pool.acquire().await?;
            super::school::settings::current(&mut conn)
                .await?
                .at_risk_below
        }
    };
    if !(0.0..=100.0).contains(&threshold) {
        return Err(bad_query("at_risk_below is a percentage from 0 to 100"));
    }
    let filter = ReportFilter {
        division_id: q.division_id,
        subject_id: q.subject_id,
        student_id: q.student_id,
        teacher_id: (user.role == Role::Teacher).then_some(user.id),
    };
    let mut conn = state.pool.acquire().await?;
    let report = reports::build(&mut conn, &filter, from, to, threshold).await?;
    let stem = format!("attendance-{from}-to-{to}");
    Ok(match q.format.unwrap_or_default() {
        Format::Json => ApiJson(report).into_response(),
        Format::Csv => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{stem}.csv\""),
                ),
            ],
            reports::to_csv(&report)?,
        )
            .into_response(),
        Format::Pdf => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{stem}.pdf\""),
                ),
            ],
            reports::pdf::render(&report),
        )
            .into_response(),
    })
}

#[utoipa::path(get, path = "/api/v1/me/attendance", tag = "reports", summary = "A student's own attendance: percentage per subject and recent classes (student)", responses((status = 200, description = "The student's record", body = MyAttendance), (status = 403, description = "Not a student", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn mine(
    State(pool): State<PgPool>,
    user: AuthUser,
) -> Result<ApiJson<MyAttendance>, ApiError> {
    user.require(&[Role::Student])?;
    let per_subject = sqlx::query!(
        r#"SELECT sub.name AS "name?", count(*) AS "held!",
           count(*) FILTER (WHERE a.status IN ('present', 'late')) AS "attended!",
           count(*) FILTER (WHERE a.status = 'excused') AS "excused!"
         FROM attendance_records a JOIN class_sessions s ON s.id = a.session_id
         LEFT JOIN subjects sub ON sub.id = s.subject_id
         WHERE a.student_id = $1 AND s.ended_at IS NOT NULL GROUP BY sub.name ORDER BY sub.name"#,
        user.id
    )
    .fetch_all(&pool)
    .await?;
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let subjects: Vec<SubjectAttendance> = per_subject
        .into_iter()
        .map(|r| SubjectAttendance::new(r.name, count(r.held), count(r.attended), count(r.excused)))
        .collect();
    let overall = SubjectAttendance::new(
        None,
        subjects.iter().map(|s| s.held).sum(),
        subjects.iter().map(|s| s.attended).sum(),
        subjects.iter().map(|s| s.excused).sum(),
    );
    let at_risk_below = sqlx::query_scalar!("SELECT at_risk_below FROM school_settings")
        .fetch_one(&pool)
        .await?;
    // Each class with the record and the student's last check-in to it: how the
    // mark was made and the verdict's reasons, in words.
    let recent = sqlx::query!(
        r#"SELECT s.id, sub.name AS "subject_name?", r.name AS room_name, s.scheduled_start,
           a.status AS "status?: AttendanceStatus", a.source AS "source?: RecordSource",
           a.note AS "note?", c.review_status AS "review_status?: ReviewStatus",
           c.review_note AS "review_note?", coalesce(c.synced_late, false) AS "synced_late!",
           ARRAY(SELECT x->>'message' FROM jsonb_array_elements(c.verdict->'reasons') x
                 WHERE x->>'message' IS NOT NULL)
             AS "reasons!: Vec<String>"
         FROM class_sessions s JOIN division_students ds ON ds.division_id = s.division_id
         JOIN rooms r ON r.id = s.room_id LEFT JOIN subjects sub ON sub.id = s.subject_id
         LEFT JOIN attendance_records a ON a.session_id = s.id AND a.student_id = ds.student_id
         LEFT JOIN LATERAL (SELECT review_status, review_note, synced_late, verdict FROM claims
             WHERE session_id = s.id AND student_id = ds.student_id
             ORDER BY received_at DESC LIMIT 1) c ON true
         WHERE ds.student_id = $1 AND s.started_at IS NOT NULL
         ORDER BY s.scheduled_start DESC LIMIT 30"#,
        user.id
    )
    .fetch_all(&pool)
    .await?;
    let recent = recent
        .into_iter()
        .map(|r| HistoryEntry {
            session_id: r.id,
            subject_name: r.subject_name,
            room_name: r.room_name,
            scheduled_start: unix(r.scheduled_start),
            status: r.status,
            source: r.source,
            note: r.note,
            review_status: r.review_status,
            review_note: r.review_note,
            reasons: r.reasons,
            synced_late: r.synced_late,
        })
        .collect();
    Ok(ApiJson(MyAttendance {
        overall,
        at_risk_below,
        subjects,
        recent,
    }))
}
