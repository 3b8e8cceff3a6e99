//! Reading accounts' role and status, many requests' at once (see
//! [`crate::grouped`]): every signed-in request checks its account and its
//! sign-in, so a deactivation, a role change or a sign-out takes effect at once,
//! on every replica (the state is Postgres's).

use rollcall_core::api::Role;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::grouped::GroupWork;

/// An account as a request finds it; `None` when there is no such account.
pub type AccountStatus = Option<Account>;

/// An account's role and state, and whether the token's sign-in still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    /// The role now.
    pub role: Role,
    /// Not deactivated.
    pub active: bool,
    /// The sign-in (refresh family) the token belongs to has not ended.
    pub signed_in: bool,
}

/// Whose account a request reads: the token's subject and sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenOwner {
    /// The account id.
    pub user: Uuid,
    /// The sign-in; `None` only for a token issued before sign-ins were
    /// recorded in tokens (it expires within 15 minutes of the upgrade).
    pub sign_in: Option<Uuid>,
}

/// Reads accounts' role and status in groups.
#[derive(Debug)]
pub struct ReadAccounts;

impl GroupWork for ReadAccounts {
    type Input = TokenOwner;
    type Output = AccountStatus;
    const NAME: &'static str = "account check";

    async fn run(
        conn: &mut PgConnection,
        owners: &[TokenOwner],
    ) -> anyhow::Result<Vec<AccountStatus>> {
        let ids: Vec<Uuid> = owners.iter().map(|o| o.user).collect();
        let sign_ins: Vec<Option<Uuid>> = owners.iter().map(|o| o.sign_in).collect();
        // LIMITed lateral probes: the generic plan stays on the primary key and
        // the family index.
        let rows = sqlx::query!(
            r#"SELECT u.role AS "role?: Role", u.active AS "active?",
               (q.sid IS NULL OR EXISTS (SELECT 1 FROM refresh_tokens t
                 WHERE t.family_id = q.sid AND t.user_id = q.id AND t.revoked_at IS NULL
                 LIMIT 1)) AS "signed_in!"
             FROM UNNEST($1::uuid[], $2::uuid[]) WITH ORDINALITY AS q(id, sid, ord)
             LEFT JOIN LATERAL (SELECT role, active FROM users WHERE id = q.id LIMIT 1) u ON true
             ORDER BY q.ord"#,
            &ids,
            &sign_ins as &[Option<Uuid>]
        )
        .fetch_all(&mut *conn)
        .await?;
        anyhow::ensure!(
            rows.len() == owners.len(),
            "{} accounts for {} ids",
            rows.len(),
            owners.len()
        );
        Ok(rows
            .into_iter()
            .map(|row| {
                Some(Account {
                    role: row.role?,
                    active: row.active?,
                    signed_in: row.signed_in,
                })
            })
            .collect())
    }
}
