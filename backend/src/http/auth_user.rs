//! The bearer of a valid access token, checked against the database on every
//! request so a deactivation or role change takes effect at once. Under load
//! the checks of requests arriving together are one statement (see
//! [`crate::grouped`]); the claims endpoint reads the account in its own
//! first statement instead ([`Bearer`], [`crate::attendance::claimant`]).

use rollcall_core::api::ErrorCode;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use rollcall_core::api::Role;
use sqlx::PgPool;
use uuid::Uuid;

use super::ApiError;
use crate::auth::accounts::{Account, AccountStatus, ReadAccounts, TokenOwner};
use crate::auth::tokens::TokenKeys;
use crate::grouped::Grouped;

/// The grouped account checks, shared by every request.
pub type AccountChecks = Arc<Grouped<ReadAccounts>>;

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthUser {
    /// The account id.
    pub id: Uuid,
    /// The account's current role.
    pub role: Role,
    /// The sign-in the request's token belongs to (ended at sign-out).
    pub sign_in: Option<Uuid>,
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

fn unauthorized(code: ErrorCode, message: &str) -> ApiError {
    ApiError::Unauthorized {
        code,
        message: message.to_owned(),
    }
}

/// The bearer of a valid access token (signature and expiry checked), whose
/// account has not been read yet. Only a handler that reads the account
/// itself, in the same statement as its own work, takes this instead of
/// [`AuthUser`] (the claims endpoint: [`crate::attendance::claims`]); every
/// other handler takes [`AuthUser`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bearer {
    /// The account id the token was issued to.
    pub id: Uuid,
    /// The sign-in (refresh family) the token belongs to.
    pub sign_in: Option<Uuid>,
}

impl Bearer {
    /// Whose account the token names.
    #[must_use]
    pub const fn owner(self) -> TokenOwner {
        TokenOwner {
            user: self.id,
            sign_in: self.sign_in,
        }
    }

    /// Reads the account now: what [`AuthUser`]'s extraction does.
    ///
    /// # Errors
    /// 401 `account_inactive` for a deactivated or deleted account,
    /// `signed_out` for a sign-in that has ended; 500 when the database fails.
    pub async fn check(self, pool: &PgPool, checks: &AccountChecks) -> Result<AuthUser, ApiError> {
        let status = checks.call(pool, self.owner()).await?;
        self.admit(status)
    }

    /// The caller, given their account as it was read.
    ///
    /// # Errors
    /// 401 `account_inactive` for a deactivated or missing account,
    /// `signed_out` for a sign-in that has ended.
    pub fn admit(self, status: AccountStatus) -> Result<AuthUser, ApiError> {
        match status {
            Some(Account {
                role,
                active: true,
                signed_in: true,
            }) => Ok(AuthUser {
                id: self.id,
                role,
                sign_in: self.sign_in,
            }),
            Some(Account {
                active: true,
                signed_in: false,
                ..
            }) => Err(unauthorized(
                ErrorCode::SignedOut,
                "this sign-in has ended (signed out, or the password was changed); sign in again",
            )),
            _ => Err(unauthorized(
                ErrorCode::AccountInactive,
                "this account is deactivated",
            )),
        }
    }
}

impl<S> FromRequestParts<S> for Bearer
where
    S: Send + Sync,
    TokenKeys: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                unauthorized(ErrorCode::MissingToken, "sign in first: no bearer token")
            })?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| {
                unauthorized(ErrorCode::InvalidToken, "use Authorization: Bearer <token>")
            })?;
        let claims = TokenKeys::from_ref(state)
            .verify(token.trim())
            .map_err(|e| {
                if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) {
                    unauthorized(
                        ErrorCode::TokenExpired,
                        "the access token has expired; refresh it",
                    )
                } else {
                    unauthorized(ErrorCode::InvalidToken, "the access token is not valid")
                }
            })?;
        Ok(Self {
            id: claims.sub,
            sign_in: claims.sid,
        })
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
        let bearer = Bearer::from_request_parts(parts, state).await?;
        bearer
            .check(&PgPool::from_ref(state), &AccountChecks::from_ref(state))
            .await
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
