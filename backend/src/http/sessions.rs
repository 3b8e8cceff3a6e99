//! `/api/v1/sessions`: teachers start, run and end class sessions; the roster
//! and manual marks.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::RngCore as _;
use rollcall_core::api::ErrorCode;
use rollcall_core::api::{
    ErrorEnvelope, ManualMark, Role, Roster, RosterEntry, SessionStatus, SheetFormat, SheetQuery,
    StartSession, TeacherSession,
};
use rollcall_core::policy::Policy;
use rollcall_core::record::RecordSource;
use sqlx::{PgConnection, PgPool};
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use super::extract::{ApiPath, ApiQuery};
use super::{ApiError, ApiJson, AppState, AuthUser};
use crate::attendance::record_writer::{self, RecordWrite};
use crate::attendance::session::{self, SessionRow};
use crate::attendance::{live, records};
use crate::audit::{self, Change};
use crate::reports::class_sheet;

fn not_found() -> ApiError {
    ApiError::NotFound("there is no session with this id".to_owned())
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::Unprocessable {
        code: ErrorCode::InvalidField,
        message: message.to_owned(),
        details: [(field.to_owned(), message.to_owned())].into(),
    }
}

/// The session if the caller may run it: its teacher, or an admin. Anyone
/// else gets 404, as if it did not exist.
async fn owned(conn: &mut PgConnection, user: &AuthUser, id: Uuid) -> Result<SessionRow, ApiError> {
    user.require(&[Role::Teacher, Role::Admin])?;
    let row = session::load(conn, id).await?.ok_or_else(not_found)?;
    if user.role != Role::Admin && row.teacher_id != user.id {
        return Err(not_found());
    }
    Ok(row)
}

fn view(row: &SessionRow, user: &AuthUser) -> Result<TeacherSession, ApiError> {
    Ok(TeacherSession {
        session: row.to_api()?,
        secret: (row.teacher_id == user.id)
            .then(|| row.secret_text())
            .transpose()?,
    })
}

fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    secret
}

/// Today in the school's time zone.
fn today(offset: UtcOffset) -> time::Date {
    OffsetDateTime::now_utc().to_offset(offset).date()
}

/// Creates the planned sessions of `teacher`'s slots on `date` that do not
/// exist yet (each with its own secret).
async fn plan_day(
    conn: &mut PgConnection,
    teacher: Uuid,
    date: time::Date,
    offset: UtcOffset,
) -> Result<(), ApiError> {
    let weekday = i16::from(date.weekday().number_from_monday());
    let slots = sqlx::query!(
        "SELECT t.id, t.room_id, t.division_id, t.subject_id, t.starts_at, t.ends_at, r.policy
         FROM timetable_slots t JOIN rooms r ON r.id = t.room_id
         WHERE t.teacher_id = $1 AND t.weekday = $2",
        teacher,
        weekday
    )
    .fetch_all(&mut *conn)
    .await?;
    for slot in slots {
        let start = date.with_time(slot.starts_at).assume_offset(offset);
        let end = date.with_time(slot.ends_at).assume_offset(offset);
        sqlx::query!(
            "INSERT INTO class_sessions (id, slot_id, session_date, teacher_id, room_id, division_id,
             subject_id, secret, policy, scheduled_start, scheduled_end, qr_period_s, late_after_min)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, qr_period_s, late_after_min
             FROM school_settings
             ON CONFLICT (slot_id, session_date) WHERE slot_id IS NOT NULL DO NOTHING",
            Uuid::now_v7(),
            slot.id,
            date,
            teacher,
            slot.room_id,
            slot.division_id,
            slot.subject_id,
            &new_secret(),
            slot.policy,
            start,
            end
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/sessions/today", tag = "sessions", summary = "The teacher's sessions today, with their secrets, so the QR keeps turning offline (teacher)", responses((status = 200, description = "Today's sessions", body = Vec<TeacherSession>), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not a teacher", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn today_sessions(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<ApiJson<Vec<TeacherSession>>, ApiError> {
    user.require(&[Role::Teacher])?;
    let offset = state.settings.school_offset;
    let date = today(offset);
    let mut tx = state.pool.begin().await?;
    plan_day(&mut tx, user.id, date, offset).await?;
    let rows = session::of_day(&mut tx, date, session::DayOf::Teacher(user.id)).await?;
    tx.commit().await?;
    Ok(ApiJson(
        rows.iter()
            .map(|r| view(r, &user))
            .collect::<Result<_, _>>()?,
    ))
}

#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", summary = "Start a class: one of today's timetable slots, or an ad-hoc class (teacher)", request_body = StartSession, responses((status = 201, description = "Started", body = TeacherSession), (status = 200, description = "Already running", body = TeacherSession), (status = 409, description = "Already ended", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 403, description = "Not a teacher", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn start(
    State(state): State<AppState>,
    user: AuthUser,
    body: Result<ApiJson<StartSession>, ApiError>,
) -> Result<(StatusCode, ApiJson<TeacherSession>), ApiError> {
    user.require(&[Role::Teacher])?;
    let ApiJson(request) = body?;
    let offset = state.settings.school_offset;
    let mut tx = state.pool.begin().await?;
    let (id, created) = match request {
        StartSession::Slot { slot_id } => {
            let date = today(offset);
            plan_day(&mut tx, user.id, date, offset).await?;
            let found = sqlx::query!(
                r#"SELECT id, started_at IS NULL AS "planned!" FROM class_sessions
                 WHERE slot_id = $1 AND session_date = $2 AND teacher_id = $3 FOR UPDATE"#,
                slot_id,
                date,
                user.id
            )
            .fetch_optional(&mut *tx)
            .await?;
            let (id, planned) = found.map(|f| (f.id, f.planned)).ok_or_else(|| {
                invalid("slot_id", "this is not one of your timetable slots today")
            })?;
            if planned {
                sqlx::query!(
                    "UPDATE class_sessions SET started_at = now() WHERE id = $1",
                    id
                )
                .execute(&mut *tx)
                .await?;
            }
            (id, planned)
        }
        StartSession::AdHoc {
            room_id,
            division_id,
            subject_id,
            minutes,
        } => {
            if !rollcall_core::api::ExtraClass::MINUTES.contains(&minutes) {
                return Err(invalid("minutes", "an ad-hoc class lasts 5 to 300 minutes"));
            }
            let teaches = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM timetable_slots
                   WHERE teacher_id = $1 AND division_id = $2) AS "teaches!""#,
                user.id,
                division_id
            )
            .fetch_one(&mut *tx)
            .await?;
            if !teaches {
                return Err(invalid("division_id", "you do not teach this division"));
            }
            let policy = sqlx::query_scalar!("SELECT policy FROM rooms WHERE id = $1", room_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| invalid("room_id", "there is no room with this id"))?;
            let policy = Policy::parse(&policy).map_err(|e| ApiError::Internal(e.into()))?;
            let now = OffsetDateTime::now_utc();
            let id = Uuid::now_v7();
            sqlx::query!(
                "INSERT INTO class_sessions (id, session_date, teacher_id, room_id, division_id,
                 subject_id, secret, policy, scheduled_start, scheduled_end, started_at,
                 qr_period_s, late_after_min)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, qr_period_s, late_after_min
                 FROM school_settings",
                id,
                now.to_offset(offset).date(),
                user.id,
                room_id,
                division_id,
                subject_id,
                &new_secret(),
                policy.to_string(),
                now,
                now + time::Duration::minutes(i64::from(minutes))
            )
            .execute(&mut *tx)
            .await?;
            (id, true)
        }
    };
    let row = session::load(&mut tx, id).await?.ok_or_else(not_found)?;
    if row.ended_at.is_some() {
        return Err(ApiError::Conflict {
            code: ErrorCode::SessionEnded,
            message: "this session has already ended".to_owned(),
            details: Default::default(),
        });
    }
    live::class_changed(&mut tx, id, class_change(&row, SessionStatus::Running)).await?;
    tx.commit().await?;
    state.judged.forget(id);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, ApiJson(view(&row, &user)?)))
}

#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "sessions", summary = "One session (its teacher, with the secret; admins without)", params(("id" = Uuid, Path, description = "Session id")), responses((status = 200, description = "The session", body = TeacherSession), (status = 404, description = "No such session of yours", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn get(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<TeacherSession>, ApiError> {
    let mut conn = pool.acquire().await?;
    let row = owned(&mut conn, &user, id).await?;
    Ok(ApiJson(view(&row, &user)?))
}

#[utoipa::path(get, path = "/api/v1/sessions/{id}/roster", tag = "sessions", summary = "Every student of the session's division with their record", params(("id" = Uuid, Path, description = "Session id")), responses((status = 200, description = "The roster", body = Roster), (status = 404, description = "No such session of yours", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn roster(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<Roster>, ApiError> {
    let mut conn = pool.acquire().await?;
    owned(&mut conn, &user, id).await?;
    Ok(ApiJson(records::roster(&mut conn, id).await?))
}

#[utoipa::path(get, path = "/api/v1/sessions/{id}/sheet", tag = "sessions", summary = "The class sheet: every student of the session with their record, as CSV or PDF", params(("id" = Uuid, Path, description = "Session id"), SheetQuery), responses((status = 200, description = "The sheet as a CSV or PDF file"), (status = 400, description = "Unknown format", body = ErrorEnvelope), (status = 404, description = "No such session of yours", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn sheet(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<SheetQuery>,
) -> Result<Response, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let row = owned(&mut conn, &user, id).await?;
    let session = row.to_api()?;
    let roster = records::roster(&mut conn, id).await?;
    let offset = state.settings.school_offset;
    let stem = class_sheet::file_stem(&session, offset);
    let (content_type, extension, body) = match q.format.unwrap_or_default() {
        SheetFormat::Csv => (
            "text/csv; charset=utf-8",
            "csv",
            class_sheet::to_csv(&session, &roster, offset)?,
        ),
        SheetFormat::Pdf => (
            "application/pdf",
            "pdf",
            class_sheet::to_pdf(&session, &roster, offset),
        ),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{extension}\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/sessions/{id}/end", tag = "sessions", summary = "End the session: everyone without a record is marked absent", params(("id" = Uuid, Path, description = "Session id")), responses((status = 200, description = "The final roster", body = Roster), (status = 409, description = "Not started", body = ErrorEnvelope), (status = 404, description = "No such session of yours", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn end(
    State(pool): State<PgPool>,
    State(judged): State<std::sync::Arc<crate::attendance::judged::JudgedCache>>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<Roster>, ApiError> {
    let mut tx = pool.begin().await?;
    let row = owned(&mut tx, &user, id).await?;
    if row.started_at.is_none() {
        return Err(ApiError::Conflict {
            code: ErrorCode::SessionNotStarted,
            message: "this session has not started".to_owned(),
            details: Default::default(),
        });
    }
    records::end_session(&mut tx, id).await?;
    live::class_changed(&mut tx, id, class_change(&row, SessionStatus::Ended)).await?;
    let roster = records::roster(&mut tx, id).await?;
    tx.commit().await?;
    judged.forget(id);
    Ok(ApiJson(roster))
}

#[utoipa::path(put, path = "/api/v1/sessions/{id}/records/{student_id}", tag = "sessions", summary = "Mark or correct a student by hand, with a reason (audited)", params(("id" = Uuid, Path, description = "Session id"), ("student_id" = Uuid, Path, description = "Student id")), request_body = ManualMark, responses((status = 200, description = "The student's line", body = RosterEntry), (status = 404, description = "No such session of yours, or student not in it", body = ErrorEnvelope), (status = 422, description = "No reason given", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn mark(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath((id, student)): ApiPath<(Uuid, Uuid)>,
    body: Result<ApiJson<ManualMark>, ApiError>,
) -> Result<ApiJson<RosterEntry>, ApiError> {
    user.require(&[Role::Teacher, Role::Admin])?;
    let ApiJson(mark) = body?;
    let reason = mark.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(invalid("reason", "say why, in 1 to 500 characters"));
    }
    let mut tx = pool.begin().await?;
    owned(&mut tx, &user, id).await?;
    let before = records::entry(&mut tx, id, student).await?.ok_or_else(|| {
        ApiError::NotFound("this student is not in the session's division".to_owned())
    })?;
    let write = RecordWrite {
        session_id: id,
        student_id: student,
        status: mark.status,
        source: RecordSource::Manual,
        claim_id: None,
        marked_by: Some(user.id),
        note: Some(reason.to_owned()),
    };
    record_writer::write(&mut tx, &[write]).await?;
    let after = records::entry(&mut tx, id, student)
        .await?
        .ok_or_else(not_found)?;
    audit::record(
        &mut tx,
        Change::new(
            user.id,
            "record.mark",
            "attendance_record",
            format!("{id}/{student}"),
        )
        .before(serde_json::json!({"status": before.status, "source": before.source}))
        .after(serde_json::json!({"status": after.status, "reason": reason})),
    )
    .await?;
    live::notify(&mut tx, id, student).await?;
    tx.commit().await?;
    Ok(ApiJson(after))
}

/// Whose class `row` is, for the users' event sockets.
const fn class_change(row: &SessionRow, status: SessionStatus) -> live::ClassChange {
    live::ClassChange {
        division_id: row.division_id,
        teacher_id: row.teacher_id,
        status,
    }
}
