//! The audit log: every admin write, with who, what, when, before and after.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// One change to record.
#[derive(Debug)]
pub struct Change<'a, B: Serialize, A: Serialize> {
    /// Who made it.
    pub actor: Uuid,
    /// What was done, like `user.create`.
    pub action: &'a str,
    /// What kind of thing changed, like `user`.
    pub entity: &'a str,
    /// Which one.
    pub entity_id: String,
    /// Its state before (none for a creation).
    pub before: Option<B>,
    /// Its state after (none for a deletion).
    pub after: Option<A>,
}

impl<'a> Change<'a, (), ()> {
    /// A change by `actor`; add its states with [`Change::before`] and
    /// [`Change::after`].
    #[must_use]
    #[allow(
        clippy::needless_pass_by_value,
        reason = "ids are small Copy values or owned strings"
    )]
    pub fn new(actor: Uuid, action: &'a str, entity: &'a str, entity_id: impl ToString) -> Self {
        Self {
            actor,
            action,
            entity,
            entity_id: entity_id.to_string(),
            before: None,
            after: None,
        }
    }
}

impl<'a, B: Serialize, A: Serialize> Change<'a, B, A> {
    /// The state before the change.
    #[must_use]
    pub fn before<B2: Serialize>(self, before: B2) -> Change<'a, B2, A> {
        Change {
            actor: self.actor,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            before: Some(before),
            after: self.after,
        }
    }

    /// The state after the change.
    #[must_use]
    pub fn after<A2: Serialize>(self, after: A2) -> Change<'a, B, A2> {
        Change {
            actor: self.actor,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            before: self.before,
            after: Some(after),
        }
    }
}

/// Writes `change` in the caller's transaction, so the log and the change
/// commit or roll back together.
///
/// # Errors
/// When the insert fails or a state cannot be serialised.
pub async fn record<B: Serialize, A: Serialize>(
    conn: &mut PgConnection,
    change: Change<'_, B, A>,
) -> anyhow::Result<()> {
    let before = change.before.map(serde_json::to_value).transpose()?;
    let after = change.after.map(serde_json::to_value).transpose()?;
    sqlx::query!(
        "INSERT INTO audit_log (actor_id, action, entity, entity_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6)",
        change.actor,
        change.action,
        change.entity,
        change.entity_id,
        before,
        after
    )
    .execute(conn)
    .await?;
    Ok(())
}
