//! Accounts: roles, sign-in, tokens, passwords, and the error envelope.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The role a signed-in account acts in; it decides which endpoints it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
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

/// The stable, machine-readable code of every error the API answers with.
/// The server's envelope carries it, the typed client's error and the app's
/// error pass it on, and the UI decides by it. Never renamed; new codes may
/// be added (an older program reads one as [`ErrorCode::Unknown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not JSON at all.
    MalformedJson,
    /// 400: a query parameter is not understood.
    InvalidQuery,
    /// 401: no bearer token.
    MissingToken,
    /// 401: a token that is not ours, or not well formed.
    InvalidToken,
    /// 401: an access token past its expiry.
    TokenExpired,
    /// 401: the account is deactivated, deleted, or no longer in its role.
    AccountInactive,
    /// 401: the sign-in this access token belongs to has ended (signed out,
    /// or every sign-in ended by a password change).
    SignedOut,
    /// 401: wrong login or password.
    InvalidCredentials,
    /// 401: an unknown refresh token.
    InvalidRefreshToken,
    /// 401: a refresh token used twice (its family is revoked).
    RefreshTokenReused,
    /// 401: a refresh token past its expiry.
    RefreshTokenExpired,
    /// 403: the role may not do this.
    Forbidden,
    /// 404: nothing here.
    NotFound,
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 409: another record already has this value.
    AlreadyExists,
    /// 409: a referenced record does not exist, or this one is in use.
    InUseOrMissing,
    /// 409: still used by something that names it.
    InUse,
    /// 409: two classes of a room, teacher or division would overlap.
    TimetableClash,
    /// 409: the claim is not waiting for review (someone decided first).
    NotPending,
    /// 409: the device is not waiting for approval.
    DeviceNotPending,
    /// 409: another account registered this device key.
    DeviceKeyInUse,
    /// 409: the session has not started.
    SessionNotStarted,
    /// 409: the session has ended.
    SessionEnded,
    /// 400: a WebSocket route called without the upgrade.
    WebsocketRequired,
    /// 413: the body is over the limit.
    PayloadTooLarge,
    /// 415: the body is not of the expected type.
    UnsupportedMediaType,
    /// 422: the JSON does not have the expected fields.
    InvalidBody,
    /// 422: text holds a NUL character.
    InvalidText,
    /// 422: a field's value is refused (the field is named).
    InvalidField,
    /// 422: a value the database cannot hold.
    InvalidValue,
    /// 422: an empty or oversized batch.
    InvalidBatch,
    /// 422: a kiosk mark with a bad id or thumbnail.
    InvalidMark,
    /// 422: the CSV file cannot be read.
    InvalidCsv,
    /// 422: rows of the CSV file are refused (each named by line).
    CsvInvalid,
    /// 422: the new password breaks the password rule.
    WeakPassword,
    /// 422: a reset code that is unknown, used or expired.
    InvalidResetToken,
    /// 429: too many requests.
    RateLimited,
    /// 503: the database is not reachable.
    DatabaseUnavailable,
    /// 500: the server failed (the cause is in its log).
    InternalError,
    /// A code this program does not know yet (from a newer server).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every code, for tests that hold the names against serde's.
    pub const ALL: [Self; 40] = [
        Self::MalformedJson,
        Self::InvalidQuery,
        Self::MissingToken,
        Self::InvalidToken,
        Self::TokenExpired,
        Self::AccountInactive,
        Self::SignedOut,
        Self::InvalidCredentials,
        Self::InvalidRefreshToken,
        Self::RefreshTokenReused,
        Self::RefreshTokenExpired,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::AlreadyExists,
        Self::InUseOrMissing,
        Self::InUse,
        Self::TimetableClash,
        Self::NotPending,
        Self::DeviceNotPending,
        Self::DeviceKeyInUse,
        Self::SessionNotStarted,
        Self::SessionEnded,
        Self::WebsocketRequired,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::InvalidBody,
        Self::InvalidText,
        Self::InvalidField,
        Self::InvalidValue,
        Self::InvalidBatch,
        Self::InvalidMark,
        Self::InvalidCsv,
        Self::CsvInvalid,
        Self::WeakPassword,
        Self::InvalidResetToken,
        Self::RateLimited,
        Self::DatabaseUnavailable,
        Self::InternalError,
        Self::Unknown,
    ];

    /// The code as it is written on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::InvalidQuery => "invalid_query",
            Self::MissingToken => "missing_token",
            Self::InvalidToken => "invalid_token",
            Self::TokenExpired => "token_expired",
            Self::AccountInactive => "account_inactive",
            Self::SignedOut => "signed_out",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::RefreshTokenExpired => "refresh_token_expired",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::AlreadyExists => "already_exists",
            Self::InUseOrMissing => "in_use_or_missing",
            Self::InUse => "in_use",
            Self::TimetableClash => "timetable_clash",
            Self::NotPending => "not_pending",
            Self::DeviceNotPending => "device_not_pending",
            Self::DeviceKeyInUse => "device_key_in_use",
            Self::SessionNotStarted => "session_not_started",
            Self::SessionEnded => "session_ended",
            Self::WebsocketRequired => "websocket_required",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::InvalidBody => "invalid_body",
            Self::InvalidText => "invalid_text",
            Self::InvalidField => "invalid_field",
            Self::InvalidValue => "invalid_value",
            Self::InvalidBatch => "invalid_batch",
            Self::InvalidMark => "invalid_mark",
            Self::InvalidCsv => "invalid_csv",
            Self::CsvInvalid => "csv_invalid",
            Self::WeakPassword => "weak_password",
            Self::InvalidResetToken => "invalid_reset_token",
            Self::RateLimited => "rate_limited",
            Self::DatabaseUnavailable => "database_unavailable",
            Self::InternalError => "internal_error",
            Self::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The body of an [`ErrorEnvelope`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// A stable, machine-readable code such as `invalid_credentials`.
    pub code: ErrorCode,
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
    fn error_codes_are_written_as_serde_names_them_and_unknown_ones_read_as_unknown() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
        let newer: ErrorCode = serde_json::from_str("\"something_new\"").unwrap();
        assert_eq!(newer, ErrorCode::Unknown);
        assert!(ErrorCode::NotFound == "not_found");
    }

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
                code: ErrorCode::InvalidCredentials,
                message: "Wrong username or password.".into(),
                details: BTreeMap::new(),
            },
        };
        let v: serde_json::Value = serde_json::to_value(&env).unwrap();
        assert_eq!(v["error"]["code"], "invalid_credentials");
        assert!(v["error"].get("details").is_none());
    }
}
