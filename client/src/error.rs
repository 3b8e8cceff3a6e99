//! Every way a call to the server fails, with a stable code.

use std::collections::BTreeMap;

use rollcall_core::api::ErrorCode;

/// Why a call failed. The server's error envelope becomes [`ClientError::Api`]
/// with its code, sentence and details; the rest say what happened on the way.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server address is not an `http` or `https` URL with a host.
    #[error("\"{input}\" is not a server address ({reason}). Use an address like http://127.0.0.1:8080.")]
    BadServerUrl {
        /// What was typed.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The username or the password was left empty.
    #[error("Enter your username or e-mail and your password.")]
    MissingCredentials,
    /// Nothing answered at the server address, or it stopped answering.
    #[error("Could not reach the Rollcall server at {address}. Check the address and that the server is running.")]
    Unreachable {
        /// The address that was tried.
        address: String,
        /// What the HTTP client saw.
        #[source]
        source: reqwest::Error,
    },
    /// Something answered, but not with Rollcall's API.
    #[error("The server at {address} did not answer like a Rollcall server. Check the address.")]
    NotRollcall {
        /// The address that was tried.
        address: String,
    },
    /// The server does not know this username and password.
    #[error("Wrong username or password.")]
    InvalidCredentials,
    /// The server refused the request with its error envelope.
    #[error("{message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The envelope's code, such as `invalid_field`.
        code: ErrorCode,
        /// Its sentence.
        message: String,
        /// What each problem is about (a field, a CSV line).
        details: BTreeMap<String, String>,
        /// Seconds to wait before trying again, when the server said
        /// (`Retry-After` on a 429).
        retry_after: Option<u64>,
    },
    /// The server failed on its side (HTTP 5xx).
    #[error("The server at {address} had a problem (HTTP {status}). Try again in a moment.")]
    Server {
        /// The address that was tried.
        address: String,
        /// The HTTP status.
        status: u16,
        /// Seconds to wait before trying again, when the server said.
        retry_after: Option<u64>,
    },
    /// A call that needs a signed-in user was made without one.
    #[error("You are not signed in. Sign in first.")]
    NotSignedIn,
    /// The sign-in expired or was revoked on the server; the session is forgotten.
    #[error("Your sign-in has expired. Sign in again.")]
    SignInAgain,
}

impl ClientError {
    /// The server's code for [`ClientError::Api`] (and
    /// [`ClientError::InvalidCredentials`]); `None` for what happened on the way.
    #[must_use]
    pub const fn api_code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { code, .. } => Some(*code),
            Self::InvalidCredentials => Some(ErrorCode::InvalidCredentials),
            _ => None,
        }
    }

    /// The stable, machine-readable code to decide by: the server's own for
    /// [`ClientError::Api`].
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            Self::BadServerUrl { .. } => "bad_server_url",
            Self::MissingCredentials => "missing_credentials",
            Self::Unreachable { .. } => "server_unreachable",
            Self::NotRollcall { .. } => "not_rollcall_server",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Api { code, .. } => code.as_str(),
            Self::Server { .. } => "server_error",
            Self::NotSignedIn => "not_signed_in",
            Self::SignInAgain => "sign_in_again",
        }
    }

    /// The HTTP status the server answered with, if it answered.
    #[must_use]
    pub const fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Server { status, .. } => Some(*status),
            Self::InvalidCredentials => Some(401),
            _ => None,
        }
    }

    /// Seconds the server asked to wait before trying again.
    #[must_use]
    pub const fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Api { retry_after, .. } | Self::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether the same call may succeed later unchanged: the server was out
    /// of reach, failed on its side, or asked to slow down.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Server { .. })
            || matches!(self, Self::Api { status: 429, .. })
    }
}
