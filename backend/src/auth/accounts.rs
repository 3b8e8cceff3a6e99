//! Reading accounts' role and status, many requests' at once (see
//! [`crate::grouped`]): every signed-in request checks its account, so a
//! deactivation or role change takes effect at once.

use rollcall_core::api::Role;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::grouped::GroupWork;

/// An account's role and whether it is active; `None` when there is no such account.
pub type AccountStatus = Option<(Role, bool)>;

/// Reads accounts' role and status in groups.
#[derive(Debug)]
pub struct ReadAccounts;

impl GroupWork for ReadAccounts {
    type Input = Uuid;
    type Output = AccountStatus;
    const NAME: &'static str = "account check";

    async fn run(conn: &mut PgConnection, ids: &[Uuid]) -> anyhow::Result<Vec<AccountStatus>> {
        // A LIMITed lateral probe: the generic plan stays on the primary key.
        let rows = sqlx::query!(
            r#"SELECT u.role AS "role?: Role", u.active AS "active?"
             FROM UNNEST($1::uuid[]) WITH ORDINALITY AS q(id, ord)
             LEFT JOIN LATERAL (SELECT role, active FROM users WHERE id = q.id LIMIT 1) u ON true
             ORDER BY q.ord"#,
            ids
        )
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
            .map(|row| row.role.zip(row.active))
            .collect())
    }
}
