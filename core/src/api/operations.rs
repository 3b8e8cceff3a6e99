//! Operations: health answers and the audit log's entries.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `GET /health/live` and `/health/ready`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `live` or `ready`.
    pub status: String,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Its number, in order of writing.
    pub id: i64,
    /// When, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
    /// Who.
    pub actor_id: Option<Uuid>,
    /// Their display name, while the account exists.
    #[serde(default)]
    pub actor_name: Option<String>,
    /// What was done (`user.create`, `record.mark`, …).
    pub action: String,
    /// To what kind of thing.
    pub entity: String,
    /// To which one.
    pub entity_id: Option<String>,
    /// The thing before.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    /// The thing after.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
}
