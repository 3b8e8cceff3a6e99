//! `/api/v1/users`: the admin's account management, and CSV import.

use rollcall_core::api::ErrorCode;
use std::collections::{BTreeMap, HashSet};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use rollcall_core::api::{
    display_name_problem, email_problem, CsvImportReport, CsvRowError, ErrorEnvelope,
    ImportOptions, ListParams, NewUser, Page, Role, UserFilter, UserPatch, UserRecord,
};
use sqlx::{PgConnection, PgPool, QueryBuilder};
use uuid::Uuid;

use super::extract::{ApiPath, ApiQuery};
use super::paging::Paging;
use super::{Admin, ApiError, ApiJson, AuthUser};
use crate::audit::{self, Change};
use crate::auth::{password, refresh};

const COLUMNS: &str = "id, username, email, display_name, role, student_no, active";
/// Largest CSV import, in rows.
pub const MAX_IMPORT_ROWS: usize = 5_000;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    email: Option<String>,
    display_name: String,
    role: Role,
    student_no: Option<String>,
    active: bool,
}

impl From<UserRow> for UserRecord {
    fn from(r: UserRow) -> Self {
        Self {
            id: r.id,
            username: r.username,
            email: r.email,
            display_name: r.display_name,
            role: r.role,
            student_no: r.student_no,
            active: r.active,
        }
    }
}

fn invalid(problems: &[(&'static str, &'static str)]) -> ApiError {
    let details: BTreeMap<String, String> = problems
        .iter()
        .map(|(f, p)| ((*f).to_owned(), (*p).to_owned()))
        .collect();
    let message = problems
        .first()
        .map_or("invalid value", |(_, p)| p)
        .to_owned();
    ApiError::Unprocessable {
        code: ErrorCode::InvalidField,
        message,
        details,
    }
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", summary = "List accounts (admin)", params(ListParams, UserFilter), responses((status = 200, description = "A page of accounts", body = Page<UserRecord>), (status = 400, description = "Bad paging or filter", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn list(
    State(pool): State<PgPool>,
    _admin: Admin,
    ApiQuery(params): ApiQuery<ListParams>,
    ApiQuery(filter): ApiQuery<UserFilter>,
) -> Result<ApiJson<Page<UserRecord>>, ApiError> {
    let paging = Paging::new(&params, &["username", "display_name", "role", "created_at"])?;
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE true");
        if let Some(role) = filter.role {
            qb.push(" AND role = ").push_bind(role.as_str());
        }
        if let Some(active) = filter.active {
            qb.push(" AND active = ").push_bind(active);
        }
        if let Some(q) = &paging.search {
            qb.push(" AND (username ILIKE ").push_bind(q.clone());
            qb.push(" OR display_name ILIKE ").push_bind(q.clone());
            qb.push(" OR email ILIKE ").push_bind(q.clone());
            qb.push(" OR student_no ILIKE ")
                .push_bind(q.clone())
                .push(")");
        }
    };
    let mut count = QueryBuilder::new("SELECT count(*) FROM users");
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new(format!("SELECT {COLUMNS} FROM users"));
    where_clause(&mut select);
    paging.push_tail(&mut select);
    let rows: Vec<UserRow> = select.build_query_as().fetch_all(&pool).await?;
    let items = rows.into_iter().map(UserRecord::from).collect();
    Ok(ApiJson(paging.page(items, total)))
}

async fn fetch(conn: &mut PgConnection, id: Uuid) -> Result<UserRecord, ApiError> {
    sqlx::query_as!(
        UserRow,
        r#"SELECT id, username, email, display_name, role AS "role: Role", student_no, active
         FROM users WHERE id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .map(UserRecord::from)
    .ok_or_else(|| ApiError::NotFound("there is no user with this id".to_owned()))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", summary = "One account (admin, or oneself)", params(("id" = Uuid, Path, description = "Account id")), responses((status = 200, description = "The account", body = UserRecord), (status = 404, description = "No such account", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn get(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<UserRecord>, ApiError> {
    if user.id != id {
        user.require(&[Role::Admin])?;
    }
    let mut conn = pool.acquire().await?;
    Ok(ApiJson(fetch(&mut conn, id).await?))
}

fn normalise(new: &mut NewUser) {
    new.username = new.username.trim().to_owned();
    new.display_name = new.display_name.trim().to_owned();
    new.email = new
        .email
        .take()
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    new.student_no = new
        .student_no
        .take()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
}

async fn insert(conn: &mut PgConnection, new: &NewUser, hash: &str) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO users (id, username, email, display_name, role, password_hash, student_no)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        new.username,
        new.email,
        new.display_name,
        new.role as Role,
        hash,
        new.student_no
    )
    .execute(conn)
    .await?;
    Ok(id)
}

async fn hash_password(plain: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || password::hash(&plain))
        .await
        .map_err(anyhow::Error::new)?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", summary = "Create an account (admin)", request_body = NewUser, responses((status = 201, description = "Created", body = UserRecord), (status = 409, description = "Username, e-mail or roll number taken", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn create(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiJson(mut new): ApiJson<NewUser>,
) -> Result<(StatusCode, ApiJson<UserRecord>), ApiError> {
    normalise(&mut new);
    let problems = new.problems();
    if !problems.is_empty() {
        return Err(invalid(&problems));
    }
    let hash = hash_password(new.password.clone()).await?;
    let mut tx = pool.begin().await?;
    let id = insert(&mut tx, &new, &hash).await?;
    let record = fetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "user.create", "user", id).after(&record),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, ApiJson(record)))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", summary = "Edit or deactivate an account (admin)", request_body = UserPatch, params(("id" = Uuid, Path, description = "Account id")), responses((status = 200, description = "Updated", body = UserRecord), (status = 404, description = "No such account", body = ErrorEnvelope), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn update(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<ApiJson<UserRecord>, ApiError> {
    let mut problems = Vec::new();
    let email = patch.email.as_deref().map(str::trim);
    if let Some(p) = email.filter(|e| !e.is_empty()).and_then(email_problem) {
        problems.push(("email", p));
    }
    if let Some(p) = patch.display_name.as_deref().and_then(display_name_problem) {
        problems.push(("display_name", p));
    }
    if patch.role == Some(Role::Kiosk) {
        problems.push(("role", "kiosks are registered as devices, not as users"));
    }
    if id == user.id
        && (patch.active == Some(false) || patch.role.is_some_and(|r| r != Role::Admin))
    {
        problems.push((
            "active",
            "an admin cannot deactivate or demote their own account",
        ));
    }
    if !problems.is_empty() {
        return Err(invalid(&problems));
    }
    let mut tx = pool.begin().await?;
    let before = fetch(&mut tx, id).await?;
    let student_no = patch.student_no.as_deref().map(str::trim);
    sqlx::query!(
        "UPDATE users SET
           email = CASE WHEN $2 THEN NULLIF($3, '') ELSE email END,
           display_name = COALESCE($4, display_name),
           role = COALESCE($5, role),
           student_no = CASE WHEN $6 THEN NULLIF($7, '') ELSE student_no END,
           active = COALESCE($8, active),
           updated_at = now()
         WHERE id = $1",
        id,
        email.is_some(),
        email,
        patch.display_name.as_deref().map(str::trim),
        patch.role as Option<Role>,
        student_no.is_some(),
        student_no,
        patch.active
    )
    .execute(&mut *tx)
    .await?;
    if patch.active == Some(false) {
        refresh::revoke_all(&mut tx, id, None).await?;
    }
    let after = fetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "user.update", "user", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(after))
}

/// The columns an import file has, in any order, after a header line.
const CSV_COLUMNS: [&str; 6] = [
    "username",
    "email",
    "display_name",
    "role",
    "student_no",
    "password",
];

/// The CSV body as text: UTF-8 without NUL characters.
fn csv_text(
    body: Result<String, axum::extract::rejection::StringRejection>,
) -> Result<String, ApiError> {
    use axum::extract::rejection::StringRejection;
    let body = body.map_err(|e| match e {
        StringRejection::InvalidUtf8(_) => ApiError::Unprocessable {
            code: ErrorCode::InvalidCsv,
            message: "the CSV file is not UTF-8 text; save it as CSV UTF-8".to_owned(),
            details: BTreeMap::new(),
        },
        _ => ApiError::PayloadTooLarge {
            limit: super::MAX_BODY_BYTES,
        },
    })?;
    if let Some(at) = body.find('\0') {
        let line = body[..at].matches('\n').count() + 1;
        return Err(ApiError::Unprocessable {
            code: ErrorCode::InvalidText,
            message: format!("line {line}: text may not contain the NUL character"),
            details: BTreeMap::from([("line".to_owned(), line.to_string())]),
        });
    }
    Ok(body)
}

/// `POST /api/v1/users/import` with a `text/csv` body. Every bad row is
/// reported by line; with any bad row nothing is written unless `partial`.
#[utoipa::path(post, path = "/api/v1/users/import", tag = "users", summary = "Import accounts from CSV (admin): username,email,display_name,role,student_no,password", request_body(content = String, content_type = "text/csv"), params(ImportOptions), responses((status = 200, description = "Imported", body = CsvImportReport), (status = 422, description = "Bad rows, by line; nothing written unless partial=true", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn import(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiQuery(options): ApiQuery<ImportOptions>,
    headers: HeaderMap,
    body: Result<String, axum::extract::rejection::StringRejection>,
) -> Result<(StatusCode, ApiJson<CsvImportReport>), ApiError> {
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/csv"));
    if !is_csv {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body = csv_text(body)?;
    let (rows, mut errors) = parse_csv(&body)?;
    // Duplicates against the database, in one query.
    let usernames: Vec<&str> = rows.iter().map(|(_, u)| u.username.as_str()).collect();
    let taken: HashSet<String> = sqlx::query_scalar!(
        "SELECT username FROM users WHERE username = ANY($1)",
        &usernames as &[&str]
    )
    .fetch_all(&pool)
    .await?
    .into_iter()
    .collect();
    let mut good = Vec::new();
    for (line, row) in rows {
        if taken.contains(&row.username) {
            errors.push(CsvRowError {
                line,
                message: format!("username: {} already exists", row.username),
            });
        } else {
            good.push((line, row));
        }
    }
    errors.sort_by_key(|e| e.line);
    if !errors.is_empty() && !options.partial {
        let count = errors.len();
        let details = errors
            .iter()
            .map(|e| (format!("line {}", e.line), e.message.clone()))
            .collect();
        return Err(ApiError::Unprocessable {
            code: ErrorCode::CsvInvalid,
            message: format!("{count} bad row(s); nothing was imported (send partial=true to import the good rows)"),
            details,
        });
    }
    let mut hashed = Vec::with_capacity(good.len());
    for (line, row) in good {
        let hash = hash_password(row.password.clone()).await?;
        hashed.push((line, row, hash));
    }
    let mut tx = pool.begin().await?;
    for (_, row, hash) in &hashed {
        let id = insert(&mut tx, row, hash).await?;
        let record = fetch(&mut tx, id).await?;
        audit::record(
            &mut tx,
            Change::new(user.id, "user.import", "user", id).after(&record),
        )
        .await?;
    }
    tx.commit().await?;
    let report = CsvImportReport {
        imported: u32::try_from(hashed.len()).unwrap_or(u32::MAX),
        skipped: u32::try_from(errors.len()).unwrap_or(u32::MAX),
        errors,
    };
    Ok((StatusCode::OK, ApiJson(report)))
}

type ParsedRows = (Vec<(u32, NewUser)>, Vec<CsvRowError>);

fn parse_csv(body: &str) -> Result<ParsedRows, ApiError> {
    let bad_file = |message: String| ApiError::Unprocessable {
        code: ErrorCode::CsvInvalid,
        message,
        details: BTreeMap::new(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| bad_file(format!("the header line cannot be read: {e}")))?
        .clone();
    let index: BTreeMap<&str, usize> = CSV_COLUMNS
        .iter()
        .filter_map(|c| {
            header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(c))
                .map(|i| (*c, i))
        })
        .collect();
    for required in ["username", "display_name", "role", "password"] {
        if !index.contains_key(required) {
            return Err(bad_file(format!(
                "the header line must name the columns {}; {required} is missing",
                CSV_COLUMNS.join(",")
            )));
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (n, record) in reader.records().enumerate() {
        let line = u32::try_from(n + 2).unwrap_or(u32::MAX);
        if n >= MAX_IMPORT_ROWS {
            return Err(bad_file(format!(
                "at most {MAX_IMPORT_ROWS} rows per import"
            )));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(CsvRowError {
                    line,
                    message: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let field = |name: &str| {
            index
                .get(name)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
                .to_owned()
        };
        let role_text = field("role").to_lowercase();
        let Some(role) = Role::parse(&role_text) else {
            errors.push(CsvRowError {
                line,
                message: format!("role: {role_text:?} is not student, teacher or admin"),
            });
            continue;
        };
        let mut new = NewUser {
            username: field("username"),
            email: Some(field("email")),
            display_name: field("display_name"),
            role,
            student_no: Some(field("student_no")),
            password: field("password"),
        };
        normalise(&mut new);
        let problems = new.problems();
        if let Some((f, p)) = problems.first() {
            errors.push(CsvRowError {
                line,
                message: format!("{f}: {p}"),
            });
            continue;
        }
        if !seen.insert(new.username.clone()) {
            errors.push(CsvRowError {
                line,
                message: format!("username: {} appears twice in the file", new.username),
            });
            continue;
        }
        rows.push((line, new));
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(bad_file("the file has no rows after its header".to_owned()));
    }
    Ok((rows, errors))
}
