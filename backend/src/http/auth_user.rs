//! The bearer of a valid access token, checked against the database on every
//! request so a deactivation or role change takes effect at once.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use rollcall_core::api::Role;
use sqlx::PgPool;
use uuid::Uuid;

use super::ApiError;
use crate::auth::tokens::TokenKeys;

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
        let row: Option<(String, bool)> =
            sqlx::query_as("SELECT role, active FROM users WHERE id = $1")
                .bind(claims.sub)
                .fetch_optional(&pool)
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
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        user.require(&[Role::Admin])?;
        Ok(Self(user))
    }
}
