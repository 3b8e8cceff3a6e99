//! The one error type of the API and the one place that turns it into a
//! response: `{"error": {"code", "message", "details"}}` with the right status.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rollcall_core::api::{ErrorBody, ErrorCode, ErrorEnvelope};

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request could not be read at all.
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: ErrorCode,
        /// Readable sentence.
        message: String,
    },
    /// 401: no valid credentials.
    #[error("{message}")]
    Unauthorized {
        /// Stable code.
        code: ErrorCode,
        /// Readable sentence.
        message: String,
    },
    /// 403: signed in, but not allowed to do this.
    #[error("your role does not allow this")]
    Forbidden,
    /// 404: nothing here.
    #[error("{0}")]
    NotFound(String),
    /// 409: the change clashes with what is stored (a duplicate, a double booking).
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: ErrorCode,
        /// Readable sentence.
        message: String,
        /// Which field, or what it clashes with.
        details: BTreeMap<String, String>,
    },
    /// 405: the path exists, the method does not.
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// 413: the body is over the limit.
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// 415: the body is not JSON.
    #[error("send the body as JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    /// 422: the body is JSON but not of the expected shape.
    #[error("{message}")]
    Unprocessable {
        /// Stable code.
        code: ErrorCode,
        /// Readable sentence.
        message: String,
        /// Which field, and why.
        details: BTreeMap<String, String>,
    },
    /// 429: this address sent too many requests.
    #[error("too many requests; try again in {retry_after} s")]
    TooManyRequests {
        /// Seconds until the window turns over.
        retry_after: u64,
    },
    /// 503: the database does not answer.
    #[error("the database is not available")]
    Unavailable,
    /// 500: logged with its cause; the client sees a generic message.
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for ApiError {
    /// A database out of reach anywhere in the chain is a 503; anything
    /// else a 500.
    fn from(e: anyhow::Error) -> Self {
        if crate::database::unreachable_in(&e) {
            tracing::error!(error = %e, "database unavailable");
            Self::Unavailable
        } else {
            Self::Internal(e)
        }
    }
}

/// Names the field behind each unique constraint, for a 409 that says which
/// value is taken.
fn field_of_constraint(constraint: &str) -> &str {
    match constraint {
        "users_username_key" => "username",
        "users_email_key" => "email",
        "users_student_no_key" => "student_no",
        "access_points_room_id_kind_identifier_key" => "identifier",
        "timetable_slots_division_id_weekday_starts_at_key" => "starts_at",
        c if c.ends_with("_code_key") => "code",
        c => c,
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        if let Some(db) = e.as_database_error() {
            if db.is_unique_violation() {
                let field = field_of_constraint(db.constraint().unwrap_or("unknown")).to_owned();
                return Self::Conflict {
                    code: ErrorCode::AlreadyExists,
                    message: format!("another record already has this {field}"),
                    details: BTreeMap::from([("field".to_owned(), field)]),
                };
            }
            if db.is_foreign_key_violation() {
                return Self::Conflict {
                    code: ErrorCode::InUseOrMissing,
                    message: "a referenced record does not exist, or this one is still in use"
                        .to_owned(),
                    details: BTreeMap::new(),
                };
            }
            // Class 22, "data exception": a value Postgres cannot hold (a NUL
            // in text, a date out of its range, a number too large). Every
            // such value should be refused before it gets here; this is the
            // net under those checks, so bad input is never a 500.
            if db.code().is_some_and(|c| c.starts_with("22")) {
                tracing::warn!(code = ?db.code(), "a value reached Postgres that it cannot hold");
                return Self::Unprocessable {
                    code: ErrorCode::InvalidValue,
                    message: "a value is not one the database can hold".to_owned(),
                    details: BTreeMap::new(),
                };
            }
            if db.is_check_violation() {
                return Self::Unprocessable {
                    code: ErrorCode::InvalidValue,
                    message: "a value is out of its allowed range".to_owned(),
                    details: BTreeMap::from([(
                        "constraint".to_owned(),
                        db.constraint().unwrap_or("unknown").to_owned(),
                    )]),
                };
            }
        }
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::error!(error = %e, "database unavailable");
                Self::Unavailable
            }
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            Self::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, *code),
            Self::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, *code),
            Self::Forbidden => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, *code),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
            Self::PayloadTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
            }
            Self::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            Self::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *code),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::DatabaseUnavailable,
            ),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            Self::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                "Something went wrong on the server; the error was logged.".to_owned()
            }
            other => other.to_string(),
        };
        let details = match self {
            Self::Unprocessable { details, .. } | Self::Conflict { details, .. } => details,
            _ => BTreeMap::new(),
        };
        let body = ErrorEnvelope {
            error: ErrorBody {
                code,
                message,
                details,
            },
        };
        (status, Json(body)).into_response()
    }
}

/// The answer when a handler panics: a 500 in our envelope and a log line
/// (never a dropped connection). The panic's text is code's, not a request's
/// data, but it is cut short all the same.
#[allow(
    clippy::needless_pass_by_value,
    reason = "the signature CatchPanicLayer calls"
)]
pub(super) fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let text = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    let text: String = text.chars().take(200).collect();
    ApiError::Internal(anyhow::anyhow!("a handler panicked: {text}")).into_response()
}

pub(super) async fn not_found() -> ApiError {
    ApiError::NotFound("there is nothing at this address".to_owned())
}

pub(super) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
