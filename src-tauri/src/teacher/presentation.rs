//! The presentation screen's content: the rotating QR code and the OTP, computed
//! from the session secret on this machine so they keep turning offline.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};
use rollcall_core::api::{ClassSession, PresentationFrame, QrDrawing};
use rollcall_core::evaluate::SessionKeys;
use rollcall_core::ids::SessionId;
use rollcall_core::timestamp::Timestamp;
use uuid::Uuid;

use crate::AppError;

/// Modules of white border around the code, as the QR standard asks.
const QUIET_ZONE: u32 = 4;

/// What a class's presentation screen shows, from core's QR and OTP rules made
/// from the secret the server gave its teacher.
pub struct Presentation {
    session_id: Uuid,
    keys: SessionKeys,
}

impl std::fmt::Debug for Presentation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presentation")
            .field("session_id", &self.session_id)
            .field("period", &self.keys.qr().period())
            .finish_non_exhaustive()
    }
}

impl Presentation {
    /// The screen of `session`, from its base64url `secret`.
    ///
    /// # Errors
    /// [`AppError::UnknownClass`] when the secret or the period is not usable.
    pub fn new(session: &ClassSession, secret: &str) -> Result<Self, AppError> {
        let keys = SessionKeys::from_text(SessionId::from(session.id), secret, session.qr_period_s)
            .map_err(|_| AppError::UnknownClass)?;
        Ok(Self {
            session_id: session.id,
            keys,
        })
    }

    /// What the screen shows at `now`.
    ///
    /// # Errors
    /// [`AppError::DrawingFailed`] for a clock before 1970 or a payload the QR
    /// encoder refuses (neither happens with a sane clock).
    pub fn frame(&self, now: Timestamp) -> Result<PresentationFrame, AppError> {
        let failed = |reason: &str| AppError::DrawingFailed {
            reason: reason.to_owned(),
        };
        let (payload, next) = self
            .keys
            .qr()
            .payload_at(now)
            .ok_or_else(|| failed("the clock is before 1970"))?;
        let (otp, otp_next) = self.keys.otp().code_at(now);
        let payload = payload.to_string();
        let seconds = |until: Timestamp| {
            u16::try_from(until.seconds_since(now).clamp(0, i64::from(u16::MAX))).unwrap_or(0)
        };
        Ok(PresentationFrame {
            session_id: self.session_id,
            qr: draw(&payload).map_err(|e| failed(&e.to_string()))?,
            payload,
            otp: otp.as_str().to_owned(),
            qr_seconds_left: seconds(next),
            qr_period_s: self.keys.qr().period().seconds(),
            otp_seconds_left: seconds(otp_next),
        })
    }
}

/// The QR code of `text` at error correction level M (version 3 for a payload,
/// see `rollcall_core::qr`), as an SVG path with one unit per module.
///
/// # Errors
/// When the text does not fit a QR code.
pub fn draw(text: &str) -> Result<QrDrawing, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M)?;
    let width = code.width();
    let mut path = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (i % width, i / width);
            let _ = write!(
                path,
                "M{} {}h1v1h-1z",
                x + QUIET_ZONE as usize,
                y + QUIET_ZONE as usize
            );
        }
    }
    let size = u32::try_from(width).unwrap_or(u32::MAX - 2 * QUIET_ZONE) + 2 * QUIET_ZONE;
    Ok(QrDrawing { size, path })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::api::SessionStatus;
    use rollcall_core::qr::{QrPeriod, RotatingQr, SessionSecret, QR_TEXT_LEN};

    fn session(period: u16) -> ClassSession {
        ClassSession {
            id: Uuid::from_u128(7),
            slot_id: None,
            teacher_id: Uuid::nil(),
            room_id: Uuid::nil(),
            room_name: "Room B-204".into(),
            division_id: Uuid::nil(),
            division_code: "SE-A".into(),
            subject_id: None,
            subject_name: None,
            status: SessionStatus::Running,
            scheduled_start: Timestamp::from_unix(0),
            scheduled_end: Timestamp::from_unix(3600),
            started_at: None,
            ended_at: None,
            qr_period_s: period,
            policy: "token".parse().unwrap(),
            late_after_min: 10,
        }
    }

    const SECRET: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    #[test]
    fn the_frame_changes_with_the_slot_and_verifies_as_the_server_would() {
        let keys = Presentation::new(&session(20), SECRET).unwrap();
        let at = Timestamp::from_unix(1_795_338_005);
        let first = keys.frame(at).unwrap();
        assert_eq!(first.payload.len(), QR_TEXT_LEN);
        assert_eq!(first.qr_seconds_left, 15);
        assert_eq!(first.qr_period_s, 20);
        assert_eq!(first.otp.len(), 6);
        assert!(first.otp_seconds_left <= 30);
        assert_eq!(keys.frame(at.plus(14)).unwrap().payload, first.payload);
        let next = keys.frame(at.plus(15)).unwrap();
        assert_ne!(next.payload, first.payload);
        assert_eq!(next.qr_seconds_left, 20);
        let secret = SessionSecret::from_text(SECRET).unwrap();
        let checker = RotatingQr::new(
            SessionId::from(Uuid::from_u128(7)),
            &secret,
            QrPeriod::new(20).unwrap(),
        );
        let scanned = first.payload.parse().unwrap();
        assert!(checker.verify(&scanned, at.plus(1)).is_ok());
    }

    #[test]
    fn a_payload_draws_as_a_version_3_code_with_its_quiet_zone() {
        let keys = Presentation::new(&session(20), SECRET).unwrap();
        let frame = keys.frame(Timestamp::from_unix(1_795_338_005)).unwrap();
        assert_eq!(frame.qr.size, 29 + 8);
        assert!(
            frame.qr.path.starts_with("M4 4h1v1h-1z"),
            "finder pattern corner"
        );
        let dark = frame.qr.path.matches('M').count();
        assert!((29 * 29 / 3..29 * 29 * 2 / 3).contains(&dark), "{dark}");
    }

    #[test]
    fn a_bad_secret_or_period_is_refused() {
        assert!(matches!(
            Presentation::new(&session(20), "not base64!"),
            Err(AppError::UnknownClass)
        ));
        assert!(matches!(
            Presentation::new(&session(20), "AAEC"),
            Err(AppError::UnknownClass)
        ));
        assert!(matches!(
            Presentation::new(&session(5), SECRET),
            Err(AppError::UnknownClass)
        ));
    }
}
