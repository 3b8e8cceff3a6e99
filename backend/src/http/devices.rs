//! `/api/v1/devices`: device binding. A student's first device is bound at
//! once; a later one waits for an admin, whose approval retires the old one.

use axum::extract::State;
use axum::http::StatusCode;
use rollcall_core::api::ErrorCode;
use rollcall_core::api::{
    DeviceFilter, DeviceRecord, DeviceRegistration, DeviceStatus, ErrorEnvelope, ListParams, Page,
    Platform, Role,
};
use sqlx::{PgConnection, PgPool, QueryBuilder};
use uuid::Uuid;

use super::extract::{ApiPath, ApiQuery};
use super::paging::Paging;
use super::{Admin, ApiError, ApiJson, AuthUser};
use crate::audit::{self, Change};

const COLUMNS: &str = "id, user_id, public_key, label, platform, status";

#[derive(sqlx::FromRow)]
struct DeviceRow {
    id: Uuid,
    user_id: Uuid,
    public_key: String,
    label: String,
    platform: Platform,
    status: DeviceStatus,
}

impl DeviceRow {
    fn into_record(self) -> Result<DeviceRecord, ApiError> {
        let broken =
            |what: &str| ApiError::Internal(anyhow::anyhow!("stored device has bad {what}"));
        Ok(DeviceRecord {
            id: self.id,
            user_id: self.user_id,
            public_key: self.public_key.parse().map_err(|_| broken("key"))?,
            label: self.label,
            platform: self.platform,
            status: self.status,
        })
    }
}

async fn fetch(conn: &mut PgConnection, id: Uuid) -> Result<DeviceRecord, ApiError> {
    sqlx::query_as!(
        DeviceRow,
        r#"SELECT id, user_id, public_key, label, platform AS "platform: Platform",
           status AS "status: DeviceStatus"
         FROM devices WHERE id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| ApiError::NotFound("there is no device with this id".to_owned()))?
    .into_record()
}

/// `POST /api/v1/devices`: 201 with the new device (active or pending), or
/// 200 with the existing one when this key is already the caller's.
#[utoipa::path(post, path = "/api/v1/devices", tag = "devices", summary = "Register this phone's public key (first binds, later ones wait for approval)", request_body = DeviceRegistration, responses((status = 201, description = "Registered", body = DeviceRecord), (status = 200, description = "Already registered", body = DeviceRecord), (status = 409, description = "Key belongs to another account", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn register(
    State(pool): State<PgPool>,
    user: AuthUser,
    body: Result<ApiJson<DeviceRegistration>, ApiError>,
) -> Result<(StatusCode, ApiJson<DeviceRecord>), ApiError> {
    // The role decides before the body is read.
    user.require(&[Role::Student, Role::Teacher])?;
    let ApiJson(reg) = body?;
    let label = reg.label.trim();
    if label.chars().count() > 120 {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::InvalidField,
            message: "a device label has at most 120 characters".to_owned(),
            details: [("label".to_owned(), "too long".to_owned())].into(),
        });
    }
    let key = reg.public_key.to_string();
    let mut tx = pool.begin().await?;
    // Serialise registrations of one user, so "first device" is decided once.
    sqlx::query!(
        "SELECT 1 AS locked FROM users WHERE id = $1 FOR UPDATE",
        user.id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let existing = sqlx::query!("SELECT id, user_id FROM devices WHERE public_key = $1", key)
        .fetch_optional(&mut *tx)
        .await?
        .map(|d| (d.id, d.user_id));
    if let Some((id, owner)) = existing {
        if owner != user.id {
            return Err(ApiError::Conflict {
                code: ErrorCode::DeviceKeyInUse,
                message: "this device key belongs to another account".to_owned(),
                details: [("field".to_owned(), "public_key".to_owned())].into(),
            });
        }
        return Ok((StatusCode::OK, ApiJson(fetch(&mut tx, id).await?)));
    }
    let has_active = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM devices WHERE user_id = $1 AND status = 'active')
           AS "exists!""#,
        user.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let status = if has_active {
        DeviceStatus::Pending
    } else {
        DeviceStatus::Active
    };
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO devices (id, user_id, public_key, label, platform, status)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        user.id,
        key,
        label,
        reg.platform as Platform,
        status as DeviceStatus
    )
    .execute(&mut *tx)
    .await?;
    let record = fetch(&mut tx, id).await?;
    tx.commit().await?;
    tracing::info!(device = %id, status = status.as_str(), "device registered");
    Ok((StatusCode::CREATED, ApiJson(record)))
}

/// Admins see every device; everyone else only their own.
#[utoipa::path(get, path = "/api/v1/devices", tag = "devices", summary = "Devices (admin: all; others: their own)", params(ListParams, DeviceFilter), responses((status = 200, description = "A page of devices", body = Page<DeviceRecord>), (status = 401, description = "No valid access token", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn list(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
    ApiQuery(filter): ApiQuery<DeviceFilter>,
) -> Result<ApiJson<Page<DeviceRecord>>, ApiError> {
    let paging = Paging::new(&params, &["created_at", "status", "label"])?;
    let only_user = if user.role == Role::Admin {
        filter.user_id
    } else {
        Some(user.id)
    };
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE true");
        if let Some(owner) = only_user {
            qb.push(" AND user_id = ").push_bind(owner);
        }
        if let Some(status) = filter.status {
            qb.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(q) = &paging.search {
            qb.push(" AND label ILIKE ").push_bind(q.clone());
        }
    };
    let mut count = QueryBuilder::new("SELECT count(*) FROM devices");
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new(format!("SELECT {COLUMNS} FROM devices"));
    where_clause(&mut select);
    paging.push_tail(&mut select);
    let rows: Vec<DeviceRow> = select.build_query_as().fetch_all(&pool).await?;
    let items = rows
        .into_iter()
        .map(DeviceRow::into_record)
        .collect::<Result<_, _>>()?;
    Ok(ApiJson(paging.page(items, total)))
}

/// `POST /api/v1/devices/{id}/approve`: the pending device becomes the
/// student's one active device; the one it replaces is revoked.
#[utoipa::path(post, path = "/api/v1/devices/{id}/approve", tag = "devices", summary = "Approve a pending device; the old one is revoked (admin)", params(("id" = Uuid, Path, description = "Device id")), responses((status = 200, description = "Approved", body = DeviceRecord), (status = 409, description = "Not pending", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn approve(
    State(pool): State<PgPool>,
    Admin(user): Admin,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<DeviceRecord>, ApiError> {
    let mut tx = pool.begin().await?;
    let before = fetch(&mut tx, id).await?;
    if before.status != DeviceStatus::Pending {
        return Err(ApiError::Conflict {
            code: ErrorCode::DeviceNotPending,
            message: format!("this device is {}, not pending", before.status.as_str()),
            details: Default::default(),
        });
    }
    sqlx::query!(
        "UPDATE devices SET status = 'revoked', decided_at = now(), decided_by = $2
         WHERE user_id = $1 AND status = 'active'",
        before.user_id,
        user.id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE devices SET status = 'active', decided_at = now(), decided_by = $2 WHERE id = $1",
        id,
        user.id
    )
    .execute(&mut *tx)
    .await?;
    let after = fetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "device.approve", "device", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(after))
}

/// `POST /api/v1/devices/{id}/revoke`: by an admin, or by the owner.
#[utoipa::path(post, path = "/api/v1/devices/{id}/revoke", tag = "devices", summary = "Revoke a device (admin or owner)", params(("id" = Uuid, Path, description = "Device id")), responses((status = 200, description = "Revoked", body = DeviceRecord), (status = 404, description = "No such device", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn revoke(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<ApiJson<DeviceRecord>, ApiError> {
    let mut tx = pool.begin().await?;
    let before = fetch(&mut tx, id).await?;
    if user.role != Role::Admin && before.user_id != user.id {
        // Someone else's device: as if it did not exist.
        return Err(ApiError::NotFound(
            "there is no device with this id".to_owned(),
        ));
    }
    sqlx::query!(
        "UPDATE devices SET status = 'revoked', decided_at = now(), decided_by = $2 WHERE id = $1",
        id,
        user.id
    )
    .execute(&mut *tx)
    .await?;
    let after = fetch(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Change::new(user.id, "device.revoke", "device", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(after))
}
