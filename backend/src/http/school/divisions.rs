//! `/api/v1/divisions`: classes of students, and who is in them.

use std::collections::{BTreeSet, HashMap};

use axum::extract::State;
use axum::http::StatusCode;
use rollcall_core::api::{
    DivisionPatch, DivisionRecord, DivisionStudent, ErrorEnvelope, ListParams, MembershipChange,
    NewDivision, Page, Role, StudentIds,
};
use serde::Serialize;
use sqlx::{PgConnection, PgPool, QueryBuilder};
use uuid::Uuid;

use super::{in_use, invalid, tidy, Problems};
use crate::audit::{self, Change};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::paging::Paging;
use crate::http::{Admin, ApiError, ApiJson, AuthUser};

/// Most students one request may add.
const MAX_STUDENTS_PER_REQUEST: usize = 1_000;

const COLUMNS: &str = "id, code, name, \
    (SELECT count(*) FROM division_students s WHERE s.division_id = divisions.id) AS student_count";

#[derive(sqlx::FromRow)]
struct DivisionRow {
    id: Uuid,
    code: String,
    name: String,
    student_count: i64,
}

impl From<DivisionRow> for DivisionRecord {
    fn from(r: DivisionRow) -> Self {
        Self {
            id: r.id,
            code: r.code,
            name: r.name,
            student_count: u64::try_from(r.student_count).unwrap_or(0),
        }
    }
}

/// Limits a query over `divisions` to what `user` may see. Admins see every
/// division, teachers those they teach, students their own; anyone else is
/// refused.
fn push_scope(qb: &mut QueryBuilder<'_, sqlx::Postgres>, user: &AuthUser) {
    match user.role {
        Role::Admin => {}
        Role::Teacher => {
            qb.push(
                " AND divisions.id IN (SELECT division_id FROM timetable_slots WHERE teacher_id = ",
            )
            .push_bind(user.id)
            .push(")");
        }
        Role::Student => {
            qb.push(
                " AND divisions.id IN (SELECT division_id FROM division_students WHERE student_id = ",
            )
            .push_bind(user.id)
            .push(")");
        }
        Role::Kiosk => {
            qb.push(" AND false");
        }
    }
}

#[utoipa::path(get, path = "/api/v1/divisions", tag = "school", summary = "Divisions (admin: all; teacher: those they teach; student: their own)", params(ListParams), responses((status = 200, description = "A page of divisions", body = Page<DivisionRecord>), (status = 400, description = "Bad paging", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn list(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<ApiJson<Page<DivisionRecord>>, ApiError> {
    user.require(&[Role::Admin, Role::Teacher, Role::Student])?;
    let paging = Paging::new(&params, &["code", "name", "created_at"])?;
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE true");
        push_scope(qb, &user);
        if let Some(q) = &paging.search {
            qb.push(" AND (code ILIKE ").push_bind(q.clone());
            qb.push(" OR name ILIKE ").push_bind(q.clone()).push(")");
        }
    };
    let mut count = QueryBuilder::new("SELECT count(*) FROM divisions");
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new(format!("SELECT {COLUMNS} FROM divisions"));
    where_clause(&mut select);
    paging.push_tail(&mut select);
    let rows: Vec<DivisionRow> = select.build_query_as().fetch_all(&pool).await?;
    Ok(ApiJson(
        paging.page(rows.into_iter().map(Into::into).collect(), total),
    ))
}

fn no_division() -> ApiError {
    ApiError::NotFound("there is no division with this id".to_owned())
}

/// The division `id` if `user` may see it; 404 otherwise, so that the ids of
/// divisions out of scope are not confirmed.
async fn fetch_scoped(
    conn: &mut PgConnection,
    user: &AuthUser,
    id: Uuid,
) -> Result<DivisionRecord, ApiError> {
    let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM divisions WHERE id = "));
    qb.push_bind(id);
    push_scope(&mut qb, user);
    qb.build_query_as::<DivisionRow>()
        .fetch_optional(conn)
        .await?
        .map(Into::into)
        .ok_or_else(no_division)
}

async fn fetch(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<DivisionRecord, ApiError> {
    let row = if lock {
        sqlx::query_as!(
            DivisionRow,
            r#"SELECT id, code, name, (SELECT count(*) FROM division_students s
               WHERE s.division_id = divisions.id) AS "student_count!"
             FROM divisions WHERE id = $1 FOR UPDATE"#,
            id
        )
        .fetch_optional(conn)
        .await?
    } else {
        sqlx::query_as!(
            DivisionRow,
            r#"SELECT id, code, name, (SELECT count(*) FROM division_students s
               WHERE s.division_id = divisions.id) AS "student_count!"
             FROM divisions WHERE id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await?
    };
    row.map(Into::into).ok_or_else(no_division)
}

#[utoipa::path(get, path = "/api/v1/divisions/{id}", tag = "school", summary = "One division, within the caller's scope", params(("id" = Uuid, Path, description = "Division id")), responses((status = 200, description = "The division", body = DivisionRecord), (status = 404, description = "No such division in scope", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn get(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<DivisionRecord>, ApiError> {
    user.require(&[Role::Admin, Role::Teacher, Role::Student])?;
    let mut conn = pool.acquire().await?;
    Ok(ApiJson(fetch_scoped(&mut conn, &user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/divisions", tag = "school", summary = "Create a division (admin)", request_body = NewDivision, responses((status = 201, description = "Created", body = DivisionRecord), (status = 409, description = "Code taken", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn create(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiJson(new): ApiJson<NewDivision>,
) -> Result<(StatusCode, ApiJson<DivisionRecord>), ApiError> {
    let code = tidy(&new.code);
    let name = tidy(&new.name);
    let mut problems = Problems::default();
    problems.code("code", &code);
    problems.name("name", &name);
    problems.finish()?;
    let mut tx = pool.begin().await?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO divisions (id, code, name) VALUES ($1, $2, $3)",
        id,
        code,
        name
    )
    .execute(&mut *tx)
    .await?;
    let record = fetch(&mut tx, id, false).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "division.create", "division", id).after(&record),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, ApiJson(record)))
}

#[utoipa::path(patch, path = "/api/v1/divisions/{id}", tag = "school", summary = "Edit a division (admin)", request_body = DivisionPatch, params(("id" = Uuid, Path, description = "Division id")), responses((status = 200, description = "Updated", body = DivisionRecord), (status = 404, description = "No such division", body = ErrorEnvelope), (status = 409, description = "Code taken", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn update(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<DivisionPatch>,
) -> Result<ApiJson<DivisionRecord>, ApiError> {
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
        "UPDATE divisions SET code = COALESCE($2, code), name = COALESCE($3, name) WHERE id = $1",
        id,
        code,
        name
    )
    .execute(&mut *tx)
    .await?;
    let after = fetch(&mut tx, id, false).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "division.update", "division", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(after))
}

/// Deletes a division and its memberships; refused while the timetable
/// still has slots for it (those would silently disappear otherwise).
#[utoipa::path(delete, path = "/api/v1/divisions/{id}", tag = "school", summary = "Delete a division without timetable slots (admin)", params(("id" = Uuid, Path, description = "Division id")), responses((status = 204, description = "Deleted"), (status = 404, description = "No such division", body = ErrorEnvelope), (status = 409, description = "Still in the timetable", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn remove(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    let mut tx = pool.begin().await?;
    // The row lock makes a concurrent slot insert (whose foreign-key check
    // takes a share lock on this row) wait for us, or us for it.
    let before = fetch(&mut tx, id, true).await?;
    let slots = sqlx::query_scalar!(
        r#"SELECT count(*) AS "slots!" FROM timetable_slots WHERE division_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if slots > 0 {
        return Err(in_use(
            format!(
                "division {} has {slots} timetable slot(s); delete them first",
                before.code
            ),
            &[("timetable_slots", slots.to_string())],
        ));
    }
    let members = sqlx::query_scalar!(
        "SELECT student_id FROM division_students WHERE division_id = $1 ORDER BY student_id",
        id
    )
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM divisions WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Change {
            actor: user.id,
            action: "division.delete",
            entity: "division",
            entity_id: id.to_string(),
            before: Some(DivisionWithMembers {
                division: &before,
                student_ids: &members,
            }),
            after: None::<()>,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A division and its members, for the audit log.
#[derive(Serialize)]
struct DivisionWithMembers<'a> {
    #[serde(flatten)]
    division: &'a DivisionRecord,
    student_ids: &'a [Uuid],
}

#[derive(sqlx::FromRow)]
struct StudentRow {
    id: Uuid,
    username: String,
    display_name: String,
    student_no: Option<String>,
}

/// `GET /api/v1/divisions/{id}/students`: admins, and teachers of the division.
#[utoipa::path(get, path = "/api/v1/divisions/{id}/students", tag = "school", summary = "A division's students (admin; teachers of the division)", params(("id" = Uuid, Path, description = "Division id"), ListParams), responses((status = 200, description = "A page of students", body = Page<DivisionStudent>), (status = 404, description = "No such division in scope", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn students(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<ApiJson<Page<DivisionStudent>>, ApiError> {
    user.require(&[Role::Admin, Role::Teacher])?;
    let paging = Paging::new(&params, &["display_name", "username", "student_no"])?;
    let mut conn = pool.acquire().await?;
    fetch_scoped(&mut conn, &user, id).await?;
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE id IN (SELECT student_id FROM division_students WHERE division_id = ")
            .push_bind(id)
            .push(")");
        if let Some(q) = &paging.search {
            qb.push(" AND (username ILIKE ").push_bind(q.clone());
            qb.push(" OR display_name ILIKE ").push_bind(q.clone());
            qb.push(" OR student_no ILIKE ")
                .push_bind(q.clone())
                .push(")");
        }
    };
    let mut count = QueryBuilder::new("SELECT count(*) FROM users");
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut select = QueryBuilder::new("SELECT id, username, display_name, student_no FROM users");
    where_clause(&mut select);
    paging.push_tail(&mut select);
    let rows: Vec<StudentRow> = select.build_query_as().fetch_all(&mut *conn).await?;
    let items = rows
        .into_iter()
        .map(|r| DivisionStudent {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            student_no: r.student_no,
        })
        .collect();
    Ok(ApiJson(paging.page(items, total)))
}

/// What a membership change wrote, for the audit log.
#[derive(Serialize)]
struct Membership<'a> {
    division_id: Uuid,
    division_code: &'a str,
    student_ids: &'a [Uuid],
}

/// `POST /api/v1/divisions/{id}/students`: adds students (accounts with role
/// student only; any other id is a 422 naming it, and nothing is added).
#[utoipa::path(post, path = "/api/v1/divisions/{id}/students", tag = "school", summary = "Add students to a division (admin)", request_body = StudentIds, params(("id" = Uuid, Path, description = "Division id")), responses((status = 200, description = "Added", body = MembershipChange), (status = 404, description = "No such division", body = ErrorEnvelope), (status = 422, description = "An id is not a student; nothing added", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn add_students(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<StudentIds>,
) -> Result<ApiJson<MembershipChange>, ApiError> {
    let wanted: BTreeSet<Uuid> = body.student_ids.iter().copied().collect();
    if wanted.is_empty() {
        return Err(invalid("student_ids", "name at least one student"));
    }
    if wanted.len() > MAX_STUDENTS_PER_REQUEST {
        return Err(invalid(
            "student_ids",
            format!("at most {MAX_STUDENTS_PER_REQUEST} students per request"),
        ));
    }
    let ids: Vec<Uuid> = wanted.iter().copied().collect();
    let mut tx = pool.begin().await?;
    let division = fetch(&mut tx, id, true).await?;
    // FOR SHARE: a role change cannot slip in between this check and the insert.
    let roles: HashMap<Uuid, Role> = sqlx::query!(
        r#"SELECT id, role AS "role: Role" FROM users WHERE id = ANY($1) FOR SHARE"#,
        &ids
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.role))
    .collect();
    // Reported in the order the client sent them.
    for sid in &body.student_ids {
        match roles.get(sid) {
            Some(Role::Student) => {}
            Some(role) => {
                return Err(invalid(
                    "student_ids",
                    format!("{sid} is a {}, not a student", role.as_str()),
                ))
            }
            None => return Err(invalid("student_ids", format!("{sid} is not an account"))),
        }
    }
    let added = sqlx::query_scalar!(
        "INSERT INTO division_students (division_id, student_id)
         SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING student_id",
        id,
        &ids
    )
    .fetch_all(&mut *tx)
    .await?;
    if !added.is_empty() {
        let mut sorted = added.clone();
        sorted.sort_unstable();
        audit::record(
            &mut tx,
            Change {
                actor: user.id,
                action: "division.students.add",
                entity: "division",
                entity_id: id.to_string(),
                before: None::<()>,
                after: Some(Membership {
                    division_id: id,
                    division_code: &division.code,
                    student_ids: &sorted,
                }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    let added_count = added.len();
    Ok(ApiJson(MembershipChange {
        added: u64::try_from(added_count).unwrap_or(0),
        already_members: u64::try_from(ids.len() - added_count).unwrap_or(0),
    }))
}

/// Path of `DELETE /api/v1/divisions/{id}/students/{student_id}`.
#[derive(Debug, serde::Deserialize)]
pub(super) struct MemberPath {
    id: Uuid,
    student_id: Uuid,
}

#[utoipa::path(delete, path = "/api/v1/divisions/{id}/students/{student_id}", tag = "school", summary = "Remove a student from a division (admin)", params(("id" = Uuid, Path, description = "Division id"), ("student_id" = Uuid, Path, description = "Student account id")), responses((status = 204, description = "Removed"), (status = 404, description = "Not a member", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn remove_student(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(path): ApiPath<MemberPath>,
) -> Result<StatusCode, ApiError> {
    let mut tx = pool.begin().await?;
    let division = fetch(&mut tx, path.id, true).await?;
    let removed = sqlx::query!(
        "DELETE FROM division_students WHERE division_id = $1 AND student_id = $2",
        path.id,
        path.student_id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed == 0 {
        return Err(ApiError::NotFound(
            "this student is not in this division".to_owned(),
        ));
    }
    audit::record(
        &mut tx,
        Change {
            actor: user.id,
            action: "division.students.remove",
            entity: "division",
            entity_id: path.id.to_string(),
            before: Some(Membership {
                division_id: path.id,
                division_code: &division.code,
                student_ids: &[path.student_id],
            }),
            after: None::<()>,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
