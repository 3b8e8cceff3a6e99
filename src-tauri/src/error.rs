//! The one error type the app's commands return.

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Why a command failed. It reaches the UI as `{"code": "...", "message": "..."}`: the UI
/// decides by `code` and may show `message`, a sentence meant for people.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The server address is not an `http` or `https` URL with a host.
    #[error("\"{input}\" is not a server address ({reason}). Use an address like http://127.0.0.1:8080.")]
    BadServerUrl {
        /// What the user typed.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The username or the password was left empty.
    #[error("Enter your username or e-mail and your password.")]
    MissingCredentials,
    /// Nothing answered at the server address, or it stopped answering.
    #[error("Could not reach the Rollcall server at {address}. Check the address and that the server is running.")]
    ServerUnreachable {
        /// The address that was tried.
        address: String,
        /// What the HTTP client saw.
        #[source]
        source: reqwest::Error,
    },
    /// The server does not know this username and password.
    #[error("Wrong username or password.")]
    InvalidCredentials,
    /// Something answered, but not with Rollcall's API.
    #[error("The server at {address} did not answer like a Rollcall server. Check the address.")]
    NotRollcallServer {
        /// The address that was tried.
        address: String,
    },
    /// The server refused the request with an error of its API; its code and message are
    /// passed on as they are.
    #[error("{message}")]
    Rejected {
        /// The API's error code, such as `validation_failed`.
        code: String,
        /// The API's message.
        message: String,
        /// The API's details: the field (or CSV line) each problem is about.
        details: std::collections::BTreeMap<String, String>,
    },
    /// A command that needs a signed-in user was called without one.
    #[error("You are not signed in. Sign in first.")]
    NotSignedIn,
    /// The sign-in expired or was revoked on the server; the session is forgotten.
    #[error("Your sign-in has expired. Sign in again.")]
    SignInAgain,
    /// The class is not among this teacher's classes known to the app.
    #[error("This class is not one of your classes today. Reload today's classes.")]
    UnknownClass,
    /// The QR code could not be drawn.
    #[error("The QR code could not be drawn ({reason}).")]
    DrawingFailed {
        /// Why.
        reason: String,
    },
    /// A file could not be written.
    #[error("Could not save {path}: {source}.")]
    SaveFailed {
        /// Where the app tried to save.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// No map could be drawn under a geofence.
    #[error("No map: {reason}.")]
    MapUnavailable {
        /// Why (no tile server set up, or what it answered).
        reason: String,
    },
    /// The phone could not make or store a check-in.
    #[error("{message}")]
    Phone {
        /// `no_code`, `not_our_qr`, `bad_otp`, `outbox_failed`, `key_failed` or
        /// `wifi_scan_failed`.
        code: &'static str,
        /// A sentence.
        message: String,
    },
    /// A face could not be checked, enrolled or recognised.
    #[error("{message}")]
    Face {
        /// `face_unavailable`, `bad_picture`, `no_face`, `several_faces`, a quality
        /// code such as `face_too_dark`, `not_enough_shots`, `not_one_person`,
        /// `not_enrolled` or `kiosk_not_started`.
        code: &'static str,
        /// A sentence.
        message: String,
    },
    /// The server failed on its side (HTTP 5xx).
    #[error("The server at {address} had a problem (HTTP {status}). Try again in a moment.")]
    ServerError {
        /// The address that was tried.
        address: String,
        /// The HTTP status it answered with.
        status: u16,
    },
}

impl AppError {
    /// The stable, machine-readable code the UI decides by.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            Self::BadServerUrl { .. } => "bad_server_url",
            Self::MissingCredentials => "missing_credentials",
            Self::ServerUnreachable { .. } => "server_unreachable",
            Self::InvalidCredentials => "invalid_credentials",
            Self::NotRollcallServer { .. } => "not_rollcall_server",
            Self::Rejected { code, .. } => code,
            Self::ServerError { .. } => "server_error",
            Self::NotSignedIn => "not_signed_in",
            Self::SignInAgain => "sign_in_again",
            Self::UnknownClass => "unknown_class",
            Self::DrawingFailed { .. } => "drawing_failed",
            Self::SaveFailed { .. } => "save_failed",
            Self::MapUnavailable { .. } => "map_unavailable",
            Self::Phone { code, .. } | Self::Face { code, .. } => code,
        }
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let details = match self {
            Self::Rejected { details, .. } if !details.is_empty() => Some(details),
            _ => None,
        };
        let mut error =
            serializer.serialize_struct("AppError", 2 + usize::from(details.is_some()))?;
        error.serialize_field("code", self.code())?;
        error.serialize_field("message", &self.to_string())?;
        if let Some(details) = details {
            error.serialize_field("details", details)?;
        }
        error.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialise_as_code_and_message() {
        let json = serde_json::to_value(AppError::InvalidCredentials).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "invalid_credentials", "message": "Wrong username or password."})
        );
    }

    #[test]
    fn a_refusal_by_the_server_keeps_its_code() {
        let error = AppError::Rejected {
            code: "validation_failed".into(),
            message: "login must not be empty".into(),
            details: [("login".to_owned(), "must not be empty".to_owned())].into(),
        };
        let json = serde_json::to_value(error).unwrap();
        assert_eq!(json["code"], "validation_failed");
        assert_eq!(json["message"], "login must not be empty");
        assert_eq!(json["details"]["login"], "must not be empty");
    }
}
