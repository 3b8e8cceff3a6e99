//! `/api/v1/kiosks`: door PCs bound to a room. A kiosk signs in like any
//! account (its own username and a generated secret, role `kiosk`), so it gets
//! the same tokens, limits and revocation; its heartbeat records `last_seen`.

use axum::extract::State;
use axum::http::StatusCode;
use rollcall_core::api::ErrorCode;
use rollcall_core::api::{
    ErrorEnvelope, KioskConfig, KioskCredential, KioskPatch, KioskRecord, ListParams, NewKiosk,
    Page, Role,
};
use sqlx::{PgConnection, PgPool, QueryBuilder};
use uuid::Uuid;

use super::extract::{ApiPath, ApiQuery};
use super::paging::Paging;
use super::{Admin, ApiError, ApiJson, AuthUser};
use crate::audit::{self, Change};
use crate::auth::{password, refresh, secret_token};

const SELECT: &str = "SELECT k.id, k.name, k.room_id, u.username, k.config::text AS config, \
    u.active, extract(epoch FROM k.last_seen_at)::bigint AS last_seen_at \
    FROM kiosks k JOIN users u ON u.id = k.user_id";

#[derive(sqlx::FromRow)]
struct KioskRow {
    id: Uuid,
    name: String,
    room_id: Uuid,
    username: String,
    config: String,
    active: bool,
    last_seen_at: Option<i64>,
}

impl From<KioskRow> for KioskRecord {
    fn from(r: KioskRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            room_id: r.room_id,
            username: r.username,
            config: r.config,
            active: r.active,
            last_seen_at: r.last_seen_at,
        }
    }
}

async fn fetch(conn: &mut PgConnection, id: Uuid) -> Result<KioskRecord, ApiError> {
    sqlx::query_as!(
        KioskRow,
        r#"SELECT k.id, k.name, k.room_id, u.username, k.config::text AS "config!", u.active,
           extract(epoch FROM k.last_seen_at)::bigint AS last_seen_at
         FROM kiosks k JOIN users u ON u.id = k.user_id WHERE k.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .map(KioskRecord::from)
    .ok_or_else(|| ApiError::NotFound("there is no kiosk with this id".to_owned()))
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::Unprocessable {
        code: ErrorCode::InvalidField,
        message: message.to_owned(),
        details: [(field.to_owned(), message.to_owned())].into(),
    }
}

/// Checks a kiosk's settings (a JSON object of known settings, each in its
/// range, as core's [`KioskConfig::check`] says) and gives them as stored:
/// every setting written out.
fn config_object(text: Option<&str>) -> Result<serde_json::Value, ApiError> {
    let Some(text) = text else {
        return Ok(serde_json::json!(KioskConfig::default()));
    };
    if text.len() > 16 * 1024 {
        return Err(invalid("config", "kiosk settings are at most 16 KiB"));
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        if super::json::nul_in(&value).is_some() {
            return Err(invalid(
                "config",
                "kiosk settings may not contain the NUL character",
            ));
        }
    }
    let config = KioskConfig::check(text).map_err(|p| invalid(&p.field, &p.message))?;
    Ok(serde_json::json!(config))
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() || name.chars().count() > 80 {
        return Err(invalid("name", "a kiosk name has 1 to 80 characters"));
    }
    Ok(())
}

async fn room_exists(conn: &mut PgConnection, room: Uuid) -> Result<(), ApiError> {
    let found = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM rooms WHERE id = $1) AS "exists!""#,
        room
    )
    .fetch_one(conn)
    .await?;
    if found {
        Ok(())
    } else {
        Err(invalid("room_id", "there is no room with this id"))
    }
}

async fn hash(secret: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(anyhow::Error::new)?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

#[utoipa::path(post, path = "/api/v1/kiosks", tag = "kiosks", summary = "Register a kiosk; its secret is shown once (admin)", request_body = NewKiosk, responses((status = 201, description = "Created", body = KioskCredential), (status = 422, description = "A field is invalid", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn create(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiJson(new): ApiJson<NewKiosk>,
) -> Result<(StatusCode, ApiJson<KioskCredential>), ApiError> {
    let name = new.name.trim().to_owned();
    check_name(&name)?;
    let config = config_object(new.config.as_deref())?;
    let secret = secret_token::generate();
    let password_hash = hash(secret.clone()).await?;
    let id = Uuid::now_v7();
    let user_id = Uuid::now_v7();
    let username = format!("kiosk-{}", &id.simple().to_string()[24..]);
    let mut tx = pool.begin().await?;
    room_exists(&mut tx, new.room_id).await?;
    sqlx::query!(
        "INSERT INTO users (id, username, display_name, role, password_hash)
         VALUES ($1, $2, $3, 'kiosk', $4)",
        user_id,
        username,
        format!("Kiosk {name}"),
        password_hash
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO kiosks (id, user_id, room_id, name, config) VALUES ($1, $2, $3, $4, $5)",
        id,
        user_id,
        new.room_id,
        name,
        config
    )
    .execute(&mut *tx)
    .await?;
    let kiosk = fetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "kiosk.create", "kiosk", id).after(&kiosk),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(KioskCredential { kiosk, secret }),
    ))
}

#[utoipa::path(get, path = "/api/v1/kiosks", tag = "kiosks", summary = "List kiosks (admin)", params(ListParams), responses((status = 200, description = "A page of kiosks", body = Page<KioskRecord>), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn list(
    State(pool): State<PgPool>,
    _admin: Admin,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<ApiJson<Page<KioskRecord>>, ApiError> {
    let paging = Paging::new(&params, &["name", "created_at", "last_seen_at"])?;
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE true");
        if let Some(q) = &paging.search {
            qb.push(" AND k.name ILIKE ").push_bind(q.clone());
        }
    };
    let mut count = QueryBuilder::new("SELECT count(*) FROM kiosks k");
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new(SELECT);
    where_clause(&mut select);
    paging.push_tail(&mut select);
    let rows: Vec<KioskRow> = select.build_query_as().fetch_all(&pool).await?;
    Ok(ApiJson(paging.page(
        rows.into_iter().map(KioskRecord::from).collect(),
        total,
    )))
}

#[utoipa::path(get, path = "/api/v1/kiosks/{id}", tag = "kiosks", summary = "One kiosk (admin)", params(("id" = Uuid, Path, description = "Kiosk id")), responses((status = 200, description = "The kiosk", body = KioskRecord), (status = 404, description = "No such kiosk", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn get(
    State(pool): State<PgPool>,
    _admin: Admin,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<KioskRecord>, ApiError> {
    let mut conn = pool.acquire().await?;
    Ok(ApiJson(fetch(&mut conn, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/kiosks/{id}", tag = "kiosks", summary = "Edit, move or disable a kiosk (admin)", request_body = KioskPatch, params(("id" = Uuid, Path, description = "Kiosk id")), responses((status = 200, description = "Updated", body = KioskRecord), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn update(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<KioskPatch>,
) -> Result<ApiJson<KioskRecord>, ApiError> {
    let name = patch.name.as_deref().map(str::trim);
    if let Some(name) = name {
        check_name(name)?;
    }
    let config = patch
        .config
        .as_deref()
        .map(|c| config_object(Some(c)))
        .transpose()?;
    let mut tx = pool.begin().await?;
    let before = fetch(&mut tx, id).await?;
    if let Some(room) = patch.room_id {
        room_exists(&mut tx, room).await?;
    }
    sqlx::query!(
        "UPDATE kiosks SET name = COALESCE($2, name), room_id = COALESCE($3, room_id),
         config = COALESCE($4, config) WHERE id = $1",
        id,
        name,
        patch.room_id,
        config
    )
    .execute(&mut *tx)
    .await?;
    if let Some(active) = patch.active {
        let kiosk_user = sqlx::query_scalar!(
            "UPDATE users SET active = $2 WHERE id = (SELECT user_id FROM kiosks WHERE id = $1)
             RETURNING id",
            id,
            active
        )
        .fetch_one(&mut *tx)
        .await?;
        if !active {
            refresh::revoke_all(&mut tx, kiosk_user, None).await?;
        }
    }
    let after = fetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "kiosk.update", "kiosk", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(after))
}

/// `POST /api/v1/kiosks/{id}/credential`: a new secret; the old one and every
/// session signed in with it stop working.
#[utoipa::path(post, path = "/api/v1/kiosks/{id}/credential", tag = "kiosks", summary = "Issue a new kiosk secret; the old one stops working (admin)", params(("id" = Uuid, Path, description = "Kiosk id")), responses((status = 200, description = "New secret", body = KioskCredential), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn rotate_credential(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<KioskCredential>, ApiError> {
    let secret = secret_token::generate();
    let password_hash = hash(secret.clone()).await?;
    let mut tx = pool.begin().await?;
    let kiosk = fetch(&mut tx, id).await?;
    let kiosk_user = sqlx::query_scalar!(
        "UPDATE users SET password_hash = $2, updated_at = now()
         WHERE id = (SELECT user_id FROM kiosks WHERE id = $1) RETURNING id",
        id,
        password_hash
    )
    .fetch_one(&mut *tx)
    .await?;
    refresh::revoke_all(&mut tx, kiosk_user, None).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "kiosk.rotate_credential", "kiosk", id),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(KioskCredential { kiosk, secret }))
}

/// `POST /api/v1/kiosks/heartbeat`: the kiosk says it is alive and gets its
/// room and settings back.
#[utoipa::path(post, path = "/api/v1/kiosks/heartbeat", tag = "kiosks", summary = "A kiosk reports it is alive and gets its settings (kiosk)", responses((status = 200, description = "Its room and settings", body = KioskRecord), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn heartbeat(
    State(pool): State<PgPool>,
    user: AuthUser,
) -> Result<ApiJson<KioskRecord>, ApiError> {
    user.require(&[Role::Kiosk])?;
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        "UPDATE kiosks SET last_seen_at = now() WHERE user_id = $1 RETURNING id",
        user.id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ApiError::Forbidden)?;
    let record = fetch(&mut tx, id).await?;
    tx.commit().await?;
    Ok(ApiJson(record))
}
