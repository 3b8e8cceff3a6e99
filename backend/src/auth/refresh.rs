//! Refresh-token families: a login starts a family; each refresh uses up one
//! token and issues its successor; presenting a used token again means it was
//! stolen, so the whole family is revoked.

use rollcall_core::api::Role;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::secret_token;

/// How long a refresh token lives.
pub const REFRESH_TOKEN_SECONDS: u64 = 7 * 24 * 3600;

/// Why a refresh token was refused.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Not a token this server issued, or already revoked.
    #[error("this refresh token is not valid")]
    Invalid,
    /// Used before: the family is now revoked.
    #[error("this refresh token was already used; every session from that login is signed out")]
    Reused,
    /// Past its 7 days.
    #[error("this refresh token has expired; sign in again")]
    Expired,
    /// The account was deactivated.
    #[error("this account is deactivated")]
    Inactive,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Issues a token in `family` (a sign-in: a new id at login, the same one at
/// each refresh) and returns it.
///
/// # Errors
/// When the insert fails.
pub async fn issue(
    conn: &mut PgConnection,
    user: Uuid,
    family: Uuid,
) -> Result<String, sqlx::Error> {
    let token = secret_token::generate();
    sqlx::query!(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))",
        Uuid::now_v7(),
        user,
        family,
        secret_token::hash(&token),
        f64::from(u32::try_from(REFRESH_TOKEN_SECONDS).unwrap_or(u32::MAX))
    )
    .execute(conn)
    .await?;
    Ok(token)
}

/// A refresh token used up: whose it was, and its successor.
#[derive(Debug)]
pub struct Rotated {
    /// The account.
    pub user: Uuid,
    /// The account's role now.
    pub role: Role,
    /// The sign-in (family) it continues.
    pub family: Uuid,
    /// The successor token.
    pub token: String,
}

/// Uses up `token` and returns its owner and the successor token.
///
/// # Errors
/// A [`RefreshError`]; a reuse revokes the family before it returns.
pub async fn rotate(pool: &PgPool, token: &str) -> Result<Rotated, RefreshError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"SELECT t.user_id, t.family_id, t.used_at IS NOT NULL AS "used!",
                t.revoked_at IS NOT NULL AS "revoked!", t.expires_at < now() AS "expired!",
                u.active, u.role AS "role: Role"
         FROM refresh_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 FOR UPDATE OF t"#,
        secret_token::hash(token)
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Err(RefreshError::Invalid);
    };
    let (user, family, used, revoked, expired, active, role) = (
        row.user_id,
        row.family_id,
        row.used,
        row.revoked,
        row.expired,
        row.active,
        row.role,
    );
    if revoked {
        return Err(RefreshError::Invalid);
    }
    if used {
        revoke_family(&mut tx, family).await?;
        tx.commit().await?;
        tracing::warn!(%user, "refresh token reused; family revoked");
        return Err(RefreshError::Reused);
    }
    if expired {
        return Err(RefreshError::Expired);
    }
    if !active {
        return Err(RefreshError::Inactive);
    }
    sqlx::query!(
        "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1",
        secret_token::hash(token)
    )
    .execute(&mut *tx)
    .await?;
    let next = issue(&mut tx, user, family).await?;
    tx.commit().await?;
    Ok(Rotated {
        user,
        role,
        family,
        token: next,
    })
}

/// Ends a sign-in (logout): the family `token` belongs to and the sign-in
/// `sign_in` of the access token used (normally the same family), so their
/// access tokens stop working at once. Unknown tokens are ignored.
///
/// # Errors
/// When the database fails.
pub async fn revoke_family_of(
    pool: &PgPool,
    token: &str,
    user: Uuid,
    sign_in: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now()
         WHERE revoked_at IS NULL AND user_id = $2 AND (family_id = $3 OR family_id =
           (SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2))",
        secret_token::hash(token),
        user,
        sign_in
    )
    .execute(pool)
    .await?;
    Ok(())
}

async fn revoke_family(conn: &mut PgConnection, family: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
        family
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends every sign-in of `user` but `keep` (after a password change: the
/// sign-in that changed it stays; after a reset by e-mail: none).
///
/// # Errors
/// When the database fails.
pub async fn revoke_all(
    conn: &mut PgConnection,
    user: Uuid,
    keep: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now()
         WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2)",
        user,
        keep
    )
    .execute(conn)
    .await?;
    Ok(())
}
