//! `GET /api/v1/records` and `GET /api/v1/sessions`: lists with filters, for
//! teachers (their own sessions) and admins (everything).

use axum::extract::State;
use rollcall_core::api::{
    AttendanceStatus, ClassSession, ErrorEnvelope, ListParams, Page, RecordFilter, RecordRow, Role,
    SessionFilter,
};
use sqlx::{PgPool, QueryBuilder};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::extract::ApiQuery;
use super::paging::Paging;
use super::{ApiError, ApiJson, AuthUser};
use crate::attendance::session::{SessionRow, SESSION_SELECT};
use crate::attendance::unix;

fn date(text: Option<&str>, name: &str) -> Result<Option<Date>, ApiError> {
    text.map(|t| super::extract::day(t, name)).transpose()
}

#[derive(sqlx::FromRow)]
struct Row {
    session_id: Uuid,
    scheduled_start: OffsetDateTime,
    division_code: String,
    subject_name: Option<String>,
    student_id: Uuid,
    student_name: String,
    status: String,
    source: String,
    marked_at: OffsetDateTime,
    note: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/records", tag = "attendance", summary = "Attendance records with filters (teachers: their sessions; admins: all)", params(ListParams, RecordFilter), responses((status = 200, description = "A page of records", body = Page<RecordRow>), (status = 400, description = "Bad filter", body = ErrorEnvelope), (status = 403, description = "Not a teacher or admin", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn records(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
    ApiQuery(filter): ApiQuery<RecordFilter>,
) -> Result<ApiJson<Page<RecordRow>>, ApiError> {
    user.require(&[Role::Admin, Role::Teacher])?;
    let mut params = params;
    params.sort = params.sort.or_else(|| Some("-scheduled_start".to_owned()));
    let paging = Paging::new(
        &params,
        &["scheduled_start", "student_name", "status", "marked_at"],
    )?;
    let from = date(filter.from.as_deref(), "from")?;
    let to = date(filter.to.as_deref(), "to")?;
    let teacher = (user.role == Role::Teacher).then_some(user.id);
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE true");
        if let Some(t) = teacher {
            qb.push(" AND s.teacher_id = ").push_bind(t);
        }
        if let Some(v) = filter.session_id {
            qb.push(" AND a.session_id = ").push_bind(v);
        }
        if let Some(v) = filter.student_id {
            qb.push(" AND a.student_id = ").push_bind(v);
        }
        if let Some(v) = filter.division_id {
            qb.push(" AND s.division_id = ").push_bind(v);
        }
        if let Some(v) = filter.status {
            qb.push(" AND a.status = ").push_bind(v.as_str());
        }
        if let Some(v) = from {
            qb.push(" AND s.session_date >= ").push_bind(v);
        }
        if let Some(v) = to {
            qb.push(" AND s.session_date <= ").push_bind(v);
        }
        if let Some(q) = &paging.search {
            qb.push(" AND u.display_name ILIKE ").push_bind(q.clone());
        }
    };
    const FROM: &str = " FROM attendance_records a JOIN class_sessions s ON s.id = a.session_id \
        JOIN users u ON u.id = a.student_id JOIN divisions d ON d.id = s.division_id \
        LEFT JOIN subjects sub ON sub.id = s.subject_id";
    let mut count = QueryBuilder::new(format!("SELECT count(*){FROM}"));
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new(format!(
        "SELECT a.session_id, s.scheduled_start, d.code AS division_code, sub.name AS subject_name, \
         a.student_id, u.display_name AS student_name, a.status, a.source, a.marked_at, a.note{FROM}"
    ));
    where_clause(&mut select);
    paging.push_tail_by(&mut select, "a.session_id, a.student_id");
    let rows: Vec<Row> = select.build_query_as().fetch_all(&pool).await?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            Some(RecordRow {
                session_id: r.session_id,
                scheduled_start: unix(r.scheduled_start),
                division_code: r.division_code,
                subject_name: r.subject_name,
                student_id: r.student_id,
                student_name: r.student_name,
                status: AttendanceStatus::parse(&r.status)?,
                source: rollcall_core::record::RecordSource::parse(&r.source)?,
                marked_at: unix(r.marked_at),
                note: r.note,
            })
        })
        .collect();
    Ok(ApiJson(paging.page(items, total)))
}

#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", summary = "Class sessions with filters, without secrets (teachers: theirs; admins: all)", params(ListParams, SessionFilter), responses((status = 200, description = "A page of sessions", body = Page<ClassSession>), (status = 403, description = "Not a teacher or admin", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn sessions(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
    ApiQuery(filter): ApiQuery<SessionFilter>,
) -> Result<ApiJson<Page<ClassSession>>, ApiError> {
    user.require(&[Role::Admin, Role::Teacher])?;
    let mut params = params;
    params.sort = params.sort.or_else(|| Some("-scheduled_start".to_owned()));
    let paging = Paging::new(&params, &["scheduled_start"])?;
    let day = date(filter.date.as_deref(), "date")?;
    let teacher = (user.role == Role::Teacher).then_some(user.id);
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE true");
        if let Some(t) = teacher {
            qb.push(" AND s.teacher_id = ").push_bind(t);
        }
        if let Some(v) = day {
            qb.push(" AND s.session_date = ").push_bind(v);
        }
        if let Some(v) = filter.division_id {
            qb.push(" AND s.division_id = ").push_bind(v);
        }
        if let Some(v) = filter.room_id {
            qb.push(" AND s.room_id = ").push_bind(v);
        }
    };
    let mut count = QueryBuilder::new("SELECT count(*) FROM class_sessions s");
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new(SESSION_SELECT);
    where_clause(&mut select);
    paging.push_tail_by(&mut select, "s.id");
    let rows: Vec<SessionRow> = select.build_query_as().fetch_all(&pool).await?;
    let items = rows
        .iter()
        .map(SessionRow::to_api)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiJson(paging.page(items, total)))
}
