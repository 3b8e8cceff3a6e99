//! Accounts: roles, sign-in, tokens, passwords, and the error envelope.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The role a signed-in account acts in; it decides which endpoints it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Checks in to classes from a phone or laptop.
    Student,
    /// Runs class sessions from the desktop app.
    Teacher,
    /// Manages the school's data and reviews doubtful records.
    Admin,
    /// A device credential bound to a room's door PC.
    Kiosk,
}

impl Role {
    /// The lower-case name used in the API and the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Student => "student",
            Self::Teacher => "teacher",
            Self::Admin => "admin",
            Self::Kiosk => "kiosk",
        }
    }

    /// Parses the lower-case name used in the API and the database.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "student" => Some(Self::Student),
            "teacher" => Some(Self::Teacher),
            "admin" => Some(Self::Admin),
            "kiosk" => Some(Self::Kiosk),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `POST /api/v1/auth/login`: sign in by username or e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// A username or an e-mail address.
    pub login: String,
    /// The account's password, checked against its argon2id hash.
    pub password: String,
}

/// Who is signed in, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    /// The account's id.
    pub id: Uuid,
    /// The unique login name.
    pub username: String,
    /// The name a person reads on screen.
    pub display_name: String,
    /// What the account may do.
    pub role: Role,
}

/// The answer to a successful login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// A bearer token for the `Authorization` header.
    pub access_token: String,
    /// Always `"Bearer"`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// A single-use token for `POST /api/v1/auth/refresh`; each use returns a
    /// new one, and a reused one revokes its whole family.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
    /// The account that signed in.
    pub user: UserSummary,
}

/// `POST /api/v1/auth/refresh` and `POST /api/v1/auth/logout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// `POST /api/v1/auth/password`: change one's own password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    /// The password in use now.
    pub current_password: String,
    /// The new password; see [`password_problem`].
    pub new_password: String,
}

/// `POST /api/v1/auth/forgot`: ask for a reset code by e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    /// A username or an e-mail address.
    pub login: String,
}

/// `POST /api/v1/auth/reset`: set a new password with the e-mailed code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The single-use code from the e-mail (valid 30 minutes).
    pub token: String,
    /// The new password; see [`password_problem`].
    pub new_password: String,
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (hashing cost grows with length).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Why `password` may not be used by `username`, or `None` when it may.
/// The same rule runs in the UI (as the user types) and on the server.
#[must_use]
pub fn password_problem(password: &str, username: &str) -> Option<&'static str> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Some("a password needs at least 10 characters");
    }
    if chars > MAX_PASSWORD_CHARS {
        return Some("a password may have at most 256 characters");
    }
    if password.to_lowercase().contains(&username.to_lowercase()) && !username.is_empty() {
        return Some("a password must not contain the username");
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Some("a password needs at least 4 different characters");
    }
    None
}

/// `GET /api/v1/meta`: what server this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerInfo {
    /// The product name, `"rollcall-server"`.
    pub name: String,
    /// The server's semantic version.
    pub version: String,
}

/// The one shape of every error the API returns:
/// `{"error": {"code": "...", "message": "...", "details": {...}}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorEnvelope {
    /// The error itself.
    pub error: ErrorBody,
}

/// The body of an [`ErrorEnvelope`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// A stable, machine-readable code such as `invalid_credentials`.
    pub code: String,
    /// A sentence a person can read.
    pub message: String,
    /// Structured context, such as the field that was wrong; empty when none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules_name_what_is_wrong() {
        assert_eq!(
            password_problem("short", "ann"),
            Some("a password needs at least 10 characters")
        );
        assert!(password_problem("aaaaaaaaaaaa", "ann")
            .unwrap()
            .contains("4 different"));
        assert!(password_problem("xx-Teacher1-xx", "teacher1")
            .unwrap()
            .contains("username"));
        assert!(password_problem(&"ab12".repeat(65), "ann")
            .unwrap()
            .contains("at most"));
        assert_eq!(password_problem("correct horse battery", "ann"), None);
    }

    #[test]
    fn role_names_round_trip_through_serde_and_parse() {
        for role in [Role::Student, Role::Teacher, Role::Admin, Role::Kiosk] {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Admin"), None);
    }

    #[test]
    fn error_envelope_has_the_documented_shape() {
        let env = ErrorEnvelope {
            error: ErrorBody {
                code: "invalid_credentials".into(),
                message: "Wrong username or password.".into(),
                details: BTreeMap::new(),
            },
        };
        let v: serde_json::Value = serde_json::to_value(&env).unwrap();
        assert_eq!(v["error"]["code"], "invalid_credentials");
        assert!(v["error"].get("details").is_none());
    }
}
