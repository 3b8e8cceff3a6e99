//! `GET /api/v1/audit`: the audit log, newest first, for admins.

use axum::extract::State;
use rollcall_core::api::{ErrorEnvelope, ListParams, Page};
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, QueryBuilder};
use uuid::Uuid;

use super::extract::ApiQuery;
use super::paging::Paging;
use super::{Admin, ApiError, ApiJson};

/// One audit entry.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub(super) struct AuditEntry {
    id: i64,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    at: time::OffsetDateTime,
    actor_id: Option<Uuid>,
    action: String,
    entity: String,
    entity_id: Option<String>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

/// Filters besides paging.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditFilter {
    entity: Option<String>,
    actor_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", summary = "The audit log of admin writes, newest first (admin)", params(ListParams, AuditFilter), responses((status = 200, description = "A page of entries", body = Page<AuditEntry>), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn list(
    State(pool): State<PgPool>,
    _admin: Admin,
    ApiQuery(mut params): ApiQuery<ListParams>,
    ApiQuery(filter): ApiQuery<AuditFilter>,
) -> Result<ApiJson<Page<AuditEntry>>, ApiError> {
    params.sort = params.sort.or_else(|| Some("-at".to_owned()));
    let paging = Paging::new(&params, &["at", "action", "entity"])?;
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE true");
        if let Some(entity) = &filter.entity {
            qb.push(" AND entity = ").push_bind(entity.clone());
        }
        if let Some(actor) = filter.actor_id {
            qb.push(" AND actor_id = ").push_bind(actor);
        }
        if let Some(q) = &paging.search {
            qb.push(" AND action ILIKE ").push_bind(q.clone());
        }
    };
    let mut count = QueryBuilder::new("SELECT count(*) FROM audit_log");
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new(
        "SELECT id, at, actor_id, action, entity, entity_id, before, after FROM audit_log",
    );
    where_clause(&mut select);
    paging.push_tail(&mut select);
    let items = select.build_query_as().fetch_all(&pool).await?;
    Ok(ApiJson(paging.page(items, total)))
}
