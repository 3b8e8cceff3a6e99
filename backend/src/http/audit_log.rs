//! `GET /api/v1/audit`: the audit log, newest first, for admins.

use axum::extract::State;
use rollcall_core::api::{AuditEntry, AuditFilter, ErrorEnvelope, ListParams, Page};
use sqlx::{PgPool, QueryBuilder};
use uuid::Uuid;

use super::extract::ApiQuery;
use super::paging::Paging;
use super::{Admin, ApiError, ApiJson};

/// An audit entry as stored.
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: time::OffsetDateTime,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    action: String,
    entity: String,
    entity_id: Option<String>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

impl Row {
    fn into_api(self) -> Result<AuditEntry, ApiError> {
        Ok(AuditEntry {
            id: self.id,
            at: self
                .at
                .format(&time::format_description::well_known::Rfc3339)
                .map_err(anyhow::Error::from)?,
            actor_id: self.actor_id,
            actor_name: self.actor_name,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            before: self.before,
            after: self.after,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", summary = "The audit log of admin writes, newest first, by what, who and when (admin)", params(ListParams, AuditFilter), responses((status = 200, description = "A page of entries", body = Page<AuditEntry>), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not allowed for this role", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn list(
    State(pool): State<PgPool>,
    _admin: Admin,
    ApiQuery(mut params): ApiQuery<ListParams>,
    ApiQuery(filter): ApiQuery<AuditFilter>,
) -> Result<ApiJson<Page<AuditEntry>>, ApiError> {
    params.sort = params.sort.or_else(|| Some("-at".to_owned()));
    let paging = Paging::new(&params, &["at", "action", "entity"])?;
    let from = filter
        .from
        .as_deref()
        .map(|d| super::extract::day(d, "from"))
        .transpose()?;
    let to = filter
        .to
        .as_deref()
        .map(|d| super::extract::day(d, "to"))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(ApiError::BadRequest {
                code: rollcall_core::api::ErrorCode::InvalidQuery,
                message: "to is before from".to_owned(),
            });
        }
    }
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE true");
        if let Some(entity) = &filter.entity {
            qb.push(" AND a.entity = ").push_bind(entity.clone());
        }
        if let Some(actor) = filter.actor_id {
            qb.push(" AND a.actor_id = ").push_bind(actor);
        }
        // Days in the server's time zone, as the reports count them.
        if let Some(from) = from {
            qb.push(" AND a.at >= ")
                .push_bind(from)
                .push("::date::timestamptz");
        }
        if let Some(to) = to {
            qb.push(" AND a.at < (")
                .push_bind(to)
                .push("::date + 1)::timestamptz");
        }
        if let Some(q) = &paging.search {
            qb.push(" AND a.action ILIKE ").push_bind(q.clone());
        }
    };
    let mut count = QueryBuilder::new("SELECT count(*) FROM audit_log a");
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new(
        "SELECT * FROM (SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.action, \
         a.entity, a.entity_id, a.before, a.after FROM audit_log a \
         LEFT JOIN users u ON u.id = a.actor_id",
    );
    where_clause(&mut select);
    // The sort names the inner columns; the outer select gives them plainly.
    select.push(") AS v");
    paging.push_tail(&mut select);
    let rows: Vec<Row> = select.build_query_as().fetch_all(&pool).await?;
    let items = rows
        .into_iter()
        .map(Row::into_api)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiJson(paging.page(items, total)))
}
