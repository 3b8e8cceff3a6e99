//! `/api/v1/subjects`: what is taught.

use axum::extract::State;
use axum::http::StatusCode;
use rollcall_core::api::{
    ErrorEnvelope, ListParams, NewSubject, Page, SubjectPatch, SubjectRecord,
};
use sqlx::{PgConnection, PgPool, QueryBuilder};
use uuid::Uuid;

use super::{in_use, tidy, Problems, READERS};
use crate::audit::{self, Change};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::paging::Paging;
use crate::http::{Admin, ApiError, ApiJson, AuthUser};

#[derive(sqlx::FromRow)]
struct SubjectRow {
    id: Uuid,
    code: String,
    name: String,
}

impl From<SubjectRow> for SubjectRecord {
    fn from(r: SubjectRow) -> Self {
        Self {
            id: r.id,
            code: r.code,
            name: r.name,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/subjects", tag = "school", summary = "Subjects (admin, teacher, student)", params(ListParams), responses((status = 200, description = "A page of subjects", body = Page<SubjectRecord>), (status = 400, description = "Bad paging", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn list(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<ApiJson<Page<SubjectRecord>>, ApiError> {
    user.require(&READERS)?;
    let paging = Paging::new(&params, &["code", "name"])?;
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE true");
        if let Some(q) = &paging.search {
            qb.push(" AND (code ILIKE ").push_bind(q.clone());
            qb.push(" OR name ILIKE ").push_bind(q.clone()).push(")");
        }
    };
    let mut count = QueryBuilder::new("SELECT count(*) FROM subjects");
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new("SELECT id, code, name FROM subjects");
    where_clause(&mut select);
    paging.push_tail(&mut select);
    let rows: Vec<SubjectRow> = select.build_query_as().fetch_all(&pool).await?;
    Ok(ApiJson(
        paging.page(rows.into_iter().map(Into::into).collect(), total),
    ))
}

async fn fetch(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<SubjectRecord, ApiError> {
    let row = if lock {
        sqlx::query_as!(
            SubjectRow,
            "SELECT id, code, name FROM subjects WHERE id = $1 FOR UPDATE",
            id
        )
        .fetch_optional(conn)
        .await?
    } else {
        sqlx::query_as!(
            SubjectRow,
            "SELECT id, code, name FROM subjects WHERE id = $1",
            id
        )
        .fetch_optional(conn)
        .await?
    };
    row.map(Into::into)
        .ok_or_else(|| ApiError::NotFound("there is no subject with this id".to_owned()))
}

#[utoipa::path(get, path = "/api/v1/subjects/{id}", tag = "school", summary = "One subject (admin, teacher, student)", params(("id" = Uuid, Path, description = "Subject id")), responses((status = 200, description = "The subject", body = SubjectRecord), (status = 404, description = "No such subject", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn get(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<SubjectRecord>, ApiError> {
    user.require(&READERS)?;
    let mut conn = pool.acquire().await?;
    Ok(ApiJson(fetch(&mut conn, id, false).await?))
}

#[utoipa::path(post, path = "/api/v1/subjects", tag = "school", summary = "Create a subject (admin)", request_body = NewSubject, responses((status = 201, description = "Created", body = SubjectRecord), (status = 409, description = "Code taken", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn create(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiJson(new): ApiJson<NewSubject>,
) -> Result<(StatusCode, ApiJson<SubjectRecord>), ApiError> {
    let code = tidy(&new.code);
    let name = tidy(&new.name);
    let mut problems = Problems::default();
    problems.code("code", &code);
    problems.name("name", &name);
    problems.finish()?;
    let mut tx = pool.begin().await?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO subjects (id, code, name) VALUES ($1, $2, $3)",
        id,
        code,
        name
    )
    .execute(&mut *tx)
    .await?;
    let record = fetch(&mut tx, id, false).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "subject.create", "subject", id).after(&record),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, ApiJson(record)))
}

#[utoipa::path(patch, path = "/api/v1/subjects/{id}", tag = "school", summary = "Edit a subject (admin)", request_body = SubjectPatch, params(("id" = Uuid, Path, description = "Subject id")), responses((status = 200, description = "Updated", body = SubjectRecord), (status = 404, description = "No such subject", body = ErrorEnvelope), (status = 409, description = "Code taken", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn update(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<SubjectPatch>,
) -> Result<ApiJson<SubjectRecord>, ApiError> {
    let code = patch.code.as_deref().map(tidy);
    let name = patch.name.as_deref().map(tidy);
    let mut problems = Problems::default();
    if let Some(code) = &code {
        problems.code("code", code);
    }
    if let Some(name) = &name {
        problems.name("name", name);
    }
    problems.finish()?;
    let mut tx = pool.begin().await?;
    let before = fetch(&mut tx, id, true).await?;
    sqlx::query!(
        "UPDATE subjects SET code = COALESCE($2, code), name = COALESCE($3, name) WHERE id = $1",
        id,
        code,
        name
    )
    .execute(&mut *tx)
    .await?;
    let after = fetch(&mut tx, id, false).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "subject.update", "subject", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(after))
}

#[utoipa::path(delete, path = "/api/v1/subjects/{id}", tag = "school", summary = "Delete a subject no timetable slot uses (admin)", params(("id" = Uuid, Path, description = "Subject id")), responses((status = 204, description = "Deleted"), (status = 404, description = "No such subject", body = ErrorEnvelope), (status = 409, description = "Still in the timetable", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn remove(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    let mut tx = pool.begin().await?;
    let before = fetch(&mut tx, id, true).await?;
    let slots = sqlx::query_scalar!(
        r#"SELECT count(*) AS "slots!" FROM timetable_slots WHERE subject_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if slots > 0 {
        return Err(in_use(
            format!(
                "subject {} is taught in {slots} timetable slot(s); delete or change those first",
                before.code
            ),
            &[("timetable_slots", slots.to_string())],
        ));
    }
    sqlx::query!("DELETE FROM subjects WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "subject.delete", "subject", id).before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
