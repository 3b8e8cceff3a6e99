//! The bearer of a valid access token, checked against the database on every
//! request so a deactivation or role change takes effect at once. Under load
//! the checks of requests arriving together are one statement (see
//! [`crate::grouped`]).

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use rollcall_core::api::Role;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::ApiError;
use crate::auth::tokens::TokenKeys;
use crate::grouped::{GroupWork, Grouped};

/// An account's role and whether it is active; `None` when there is no such account.
pub type AccountStatus = Option<(String, bool)>;

/// Reads accounts' role and status in groups.
#[derive(Debug)]
pub struct ReadAccounts;

impl GroupWork for ReadAccounts {
    type Input = Uuid;
    type Output = AccountStatus;
    const NAME: &'static str = "account check";

    async fn run(conn: &mut PgConnection, ids: &[Uuid]) -> anyhow::Result<Vec<AccountStatus>> {
        // A LIMITed lateral probe: the generic plan stays on the primary key.
        let rows: Vec<(i64, Option<String>, Option<bool>)> = sqlx::query_as(
            "SELECT q.ord, u.role, u.active \
             FROM UNNEST($1::uuid[]) WITH ORDINALITY AS q(id, ord) \
             LEFT JOIN LATERAL (SELECT role, active FROM users WHERE id = q.id LIMIT 1) u ON true \
             ORDER BY q.ord",
        )
        .bind(ids)
        .fetch_all(&mut *conn)
        .await?;
        anyhow::ensure!(
            rows.len() == ids.len(),
            "{} accounts for {} ids",
            rows.len(),
            ids.len()
        );
        Ok(rows
            .into_iter()
            .map(|(_, role, active)| role.zip(active))
            .collect())
    }
}

/// The grouped account checks, shared by every request.
pub type AccountChecks = Arc<Grouped<ReadAccounts>>;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthUser {
    /// The account id.
    pub id: Uuid,
    /// The account's current role.
    pub role: Role,
}

impl AuthUser {
    /// Refuses with 403 unless the caller has one of `roles`.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`].
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

fn unauthorized(code: &'static str, message: &str) -> ApiError {
    ApiError::Unauthorized {
        code,
        message: message.to_owned(),
    }
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    PgPool: FromRef<S>,
    TokenKeys: FromRef<S>,
    AccountChecks: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| unauthorized("missing_token", "sign in first: no bearer token"))?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| unauthorized("invalid_token", "use Authorization: Bearer <token>"))?;
        let claims = TokenKeys::from_ref(state)
            .verify(token.trim())
            .map_err(|e| {
                if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) {
                    unauthorized("token_expired", "the access token has expired; refresh it")
                } else {
                    unauthorized("invalid_token", "the access token is not valid")
                }
            })?;
        let pool = PgPool::from_ref(state);
        let row = AccountChecks::from_ref(state)
            .call(&pool, claims.sub)
            .await?;
        match row {
            Some((role, true)) => Ok(Self {
                id: claims.sub,
                role: Role::parse(&role)
                    .ok_or_else(|| unauthorized("invalid_token", "unknown role"))?,
            }),
            _ => Err(unauthorized(
                "account_inactive",
                "this account is deactivated",
            )),
        }
    }
}

/// An admin, checked while the request is extracted, before its body is read:
/// a non-admin gets 403 whatever they send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admin(pub AuthUser);

impl<S> FromRequestParts<S> for Admin
where
    S: Send + Sync,
    PgPool: FromRef<S>,
    TokenKeys: FromRef<S>,
    AccountChecks: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        user.require(&[Role::Admin])?;
        Ok(Self(user))
    }
}
