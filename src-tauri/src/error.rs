//! The one error type the app's commands return.

use rollcall_client::ClientError;
use rollcall_core::api::ErrorCode;
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Why a command failed. It reaches the UI as `{"code": "...", "message": "..."}`: the UI
/// decides by `code` and may show `message`, a sentence meant for people.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A call to the server failed: unreachable, refused with its envelope
    /// (its code and sentence are passed on as they are), not signed in, …
    #[error(transparent)]
    Server(#[from] ClientError),
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
}

impl AppError {
    /// No one is signed in.
    pub const NOT_SIGNED_IN: Self = Self::Server(ClientError::NotSignedIn);

    /// Whether the sign-in is gone (never made, signed out, or expired), so
    /// the person must sign in again.
    #[must_use]
    pub const fn is_signed_out(&self) -> bool {
        matches!(
            self,
            Self::Server(ClientError::NotSignedIn | ClientError::SignInAgain)
        )
    }

    /// Whether the server could not be reached or failed on its side, so the
    /// same call may work later.
    #[must_use]
    pub const fn is_server_away(&self) -> bool {
        matches!(
            self,
            Self::Server(ClientError::Unreachable { .. } | ClientError::Server { .. })
        )
    }

    /// Whether the server answered 404 (there is no such thing).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Server(ClientError::Api { code, .. }) if *code == ErrorCode::NotFound)
    }

    /// The stable, machine-readable code the UI decides by.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            Self::Server(error) => error.code(),
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
            Self::Server(ClientError::Api { details, .. }) if !details.is_empty() => Some(details),
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
        let json = serde_json::to_value(AppError::Server(ClientError::InvalidCredentials)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "invalid_credentials", "message": "Wrong username or password."})
        );
    }

    #[test]
    fn a_refusal_by_the_server_keeps_its_code() {
        let error = AppError::Server(ClientError::Api {
            status: 422,
            code: ErrorCode::InvalidField,
            message: "login must not be empty".into(),
            details: [("login".to_owned(), "must not be empty".to_owned())].into(),
            retry_after: None,
        });
        let json = serde_json::to_value(error).unwrap();
        assert_eq!(json["code"], "invalid_field");
        assert_eq!(json["message"], "login must not be empty");
        assert_eq!(json["details"]["login"], "must not be empty");
    }
}
