//! The rotating QR code a teacher's screen shows during a session.
//!
//! Every session has a random [`SessionSecret`]. For each time slot of
//! [`QrPeriod`] seconds the teacher's app shows a [`QrPayload`]:
//!
//! ```text
//! byte 0       version (1)
//! bytes 1..17  session id (UUID, 16 bytes)
//! bytes 17..21 slot number, u32 big-endian: floor(unix seconds / period)
//! bytes 21..30 first 9 bytes (72 bits) of HMAC-SHA256(secret, session id || slot)
//! ```
//!
//! encoded as unpadded base64url: 30 bytes become exactly **40 characters**.
//! In byte mode that fits a **version 3 QR code (29×29 modules) at error
//! correction level M** (capacity 42 bytes), or version 4 (33×33) at level Q
//! (46 bytes): coarse modules that a phone reads from the back of a lecture hall.
//!
//! A payload is accepted in its own slot and the next one only, so it lives
//! between one and two periods; tags are compared in constant time.

use crate::ids::SessionId;
use crate::timestamp::Timestamp;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;
use std::str::FromStr;
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// The payload format version this crate writes and reads.
pub const QR_VERSION: u8 = 1;
/// Bytes of the truncated HMAC in a payload (72 bits).
pub const QR_TAG_LEN: usize = 9;
/// Bytes of a decoded payload.
pub const QR_PAYLOAD_LEN: usize = 1 + 16 + 4 + QR_TAG_LEN;
/// Characters of an encoded payload (unpadded base64url).
pub const QR_TEXT_LEN: usize = 40;
/// Fewest bytes a session secret may have (128 bits).
pub const MIN_SECRET_LEN: usize = 16;
/// Bytes of a freshly generated secret (256 bits).
pub const SECRET_LEN: usize = 32;

/// A session's random secret, shared by the server and the teacher's app.
///
/// Both the QR tags and the OTP codes derive from it. Its `Debug` output is
/// redacted so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecret(Box<[u8]>);

/// Why bytes are not a usable session secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a session secret needs at least {MIN_SECRET_LEN} bytes (128 bits), got {0}")]
pub struct SecretTooShort(pub usize);

impl SessionSecret {
    /// A fresh 256-bit secret from the caller's CSPRNG.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut bytes = vec![0u8; SECRET_LEN];
        rng.fill_bytes(&mut bytes);
        Self(bytes.into_boxed_slice())
    }

    /// A secret read back from storage.
    ///
    /// # Errors
    /// [`SecretTooShort`] below 128 bits.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretTooShort> {
        if bytes.len() < MIN_SECRET_LEN {
            return Err(SecretTooShort(bytes.len()));
        }
        Ok(Self(bytes.into()))
    }

    /// The raw bytes, for storage (encrypted) and for the teacher's app.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret as the teacher's app receives it: base64url, no padding.
    #[must_use]
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.0)
    }

    /// A secret read back from [`SessionSecret::to_text`].
    ///
    /// # Errors
    /// [`SecretTooShort`] for text that is not base64url (as a length of 0)
    /// or decodes to fewer than 128 bits.
    pub fn from_text(text: &str) -> Result<Self, SecretTooShort> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| SecretTooShort(0))?;
        Self::from_bytes(&bytes)
    }
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionSecret([redacted; {} bytes])", self.0.len())
    }
}

/// How often the QR changes, in seconds: 10 to 60, default 20.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct QrPeriod(u16);

/// A QR period outside 10–60 s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the QR period must be between {min} and {max} seconds, got {0}", min = QrPeriod::MIN, max = QrPeriod::MAX)]
pub struct PeriodOutOfRange(pub u16);

impl QrPeriod {
    /// Shortest period, seconds.
    pub const MIN: u16 = 10;
    /// Longest period, seconds.
    pub const MAX: u16 = 60;
    /// The period a session gets unless configured otherwise.
    pub const DEFAULT: Self = Self(20);

    /// A period of `seconds`.
    ///
    /// # Errors
    /// [`PeriodOutOfRange`] outside 10–60.
    pub const fn new(seconds: u16) -> Result<Self, PeriodOutOfRange> {
        if seconds < Self::MIN || seconds > Self::MAX {
            return Err(PeriodOutOfRange(seconds));
        }
        Ok(Self(seconds))
    }

    /// The period in seconds.
    #[must_use]
    pub const fn seconds(self) -> u16 {
        self.0
    }

    /// The slot that contains instant `at` (`None` before 1970 or after the
    /// slot counter runs out, centuries from now).
    #[must_use]
    pub fn slot_at(self, at: Timestamp) -> Option<u32> {
        u32::try_from(at.unix().div_euclid(i64::from(self.0))).ok()
    }

    /// The first instant of `slot`.
    #[must_use]
    pub fn slot_start(self, slot: u32) -> Timestamp {
        Timestamp::from_unix(i64::from(slot) * i64::from(self.0))
    }
}

impl Default for QrPeriod {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u16> for QrPeriod {
    type Error = PeriodOutOfRange;
    fn try_from(seconds: u16) -> Result<Self, Self::Error> {
        Self::new(seconds)
    }
}

impl From<QrPeriod> for u16 {
    fn from(p: QrPeriod) -> Self {
        p.0
    }
}

/// A decoded QR payload: what a phone scanned, checked for shape only.
///
/// Parsing checks length, encoding and version; whether the tag is genuine and
/// the slot still valid is [`RotatingQr::verify`]'s job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QrPayload {
    session: SessionId,
    slot: u32,
    tag: [u8; QR_TAG_LEN],
}

/// Why scanned text is not a QR payload of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrParseError {
    /// Not 40 characters of base64url.
    #[error("not a Rollcall QR code (expected {QR_TEXT_LEN} base64url characters)")]
    Malformed,
    /// A payload version this build does not know.
    #[error("QR code version {0} is not supported (this app reads version {QR_VERSION})")]
    UnsupportedVersion(u8),
}

impl QrPayload {
    /// The session the payload names.
    #[must_use]
    pub const fn session(&self) -> SessionId {
        self.session
    }

    /// The time slot the payload was made for.
    #[must_use]
    pub const fn slot(&self) -> u32 {
        self.slot
    }

    /// The 30 raw bytes (before base64url).
    #[must_use]
    pub fn to_bytes(&self) -> [u8; QR_PAYLOAD_LEN] {
        let mut out = [0u8; QR_PAYLOAD_LEN];
        out[0] = QR_VERSION;
        out[1..17].copy_from_slice(self.session.as_bytes());
        out[17..21].copy_from_slice(&self.slot.to_be_bytes());
        out[21..].copy_from_slice(&self.tag);
        out
    }

    /// Reads the 30 raw bytes.
    ///
    /// # Errors
    /// [`QrParseError`] for a wrong length or an unknown version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, QrParseError> {
        let bytes: &[u8; QR_PAYLOAD_LEN] = bytes.try_into().map_err(|_| QrParseError::Malformed)?;
        if bytes[0] != QR_VERSION {
            return Err(QrParseError::UnsupportedVersion(bytes[0]));
        }
        let mut session = [0u8; 16];
        session.copy_from_slice(&bytes[1..17]);
        let mut slot = [0u8; 4];
        slot.copy_from_slice(&bytes[17..21]);
        let mut tag = [0u8; QR_TAG_LEN];
        tag.copy_from_slice(&bytes[21..]);
        Ok(Self {
            session: SessionId::from_uuid(Uuid::from_bytes(session)),
            slot: u32::from_be_bytes(slot),
            tag,
        })
    }
}

impl FromStr for QrPayload {
    type Err = QrParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.len() != QR_TEXT_LEN {
            return Err(QrParseError::Malformed);
        }
        let mut buf = [0u8; QR_PAYLOAD_LEN];
        let n = URL_SAFE_NO_PAD
            .decode_slice(s, &mut buf)
            .map_err(|_| QrParseError::Malformed)?;
        Self::from_bytes(&buf[..n])
    }
}

impl fmt::Display for QrPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; QR_TEXT_LEN];
        let n = URL_SAFE_NO_PAD
            .encode_slice(self.to_bytes(), &mut buf)
            .map_err(|_| fmt::Error)?;
        f.write_str(std::str::from_utf8(&buf[..n]).map_err(|_| fmt::Error)?)
    }
}

impl Serialize for QrPayload {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for QrPayload {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a well-formed payload is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrRejection {
    /// The payload names another session.
    #[error("the QR code belongs to another session")]
    WrongSession,
    /// The tag does not match: forged, altered, or made with another secret.
    #[error("the QR code is not genuine")]
    BadTag,
    /// Genuine, but its validity ended `seconds_ago` seconds before the check.
    #[error("the QR code expired {seconds_ago} s ago")]
    Expired {
        /// Seconds between the end of validity and the instant judged.
        seconds_ago: i64,
    },
    /// Genuine, but for a slot that has not started at the instant judged.
    #[error("the QR code is {seconds_ahead} s ahead of the clock")]
    FromFuture {
        /// Seconds until the payload's slot starts.
        seconds_ahead: i64,
    },
}

/// A session's QR generator and checker.
#[derive(Debug, Clone)]
pub struct RotatingQr {
    session: SessionId,
    mac: Hmac<Sha256>,
    period: QrPeriod,
}

impl RotatingQr {
    /// The QR rule of `session`, keyed by its secret.
    #[must_use]
    pub fn new(session: SessionId, secret: &SessionSecret, period: QrPeriod) -> Self {
        // HMAC accepts keys of any length; this cannot fail.
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        Self {
            session,
            mac,
            period,
        }
    }

    /// The session this generator serves.
    #[must_use]
    pub const fn session(&self) -> SessionId {
        self.session
    }

    /// The rotation period.
    #[must_use]
    pub const fn period(&self) -> QrPeriod {
        self.period
    }

    fn tag(&self, slot: u32) -> [u8; QR_TAG_LEN] {
        let mut mac = self.mac.clone();
        mac.update(self.session.as_bytes());
        mac.update(&slot.to_be_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; QR_TAG_LEN];
        tag.copy_from_slice(&full[..QR_TAG_LEN]);
        tag
    }

    /// The payload for the given slot.
    #[must_use]
    pub fn payload_for_slot(&self, slot: u32) -> QrPayload {
        QrPayload {
            session: self.session,
            slot,
            tag: self.tag(slot),
        }
    }

    /// The payload to show at instant `at`, and the instant it should be
    /// replaced (the start of the next slot), for the teacher's countdown.
    /// `None` only for instants before 1970.
    #[must_use]
    pub fn payload_at(&self, at: Timestamp) -> Option<(QrPayload, Timestamp)> {
        let slot = self.period.slot_at(at)?;
        Some((
            self.payload_for_slot(slot),
            self.period.slot_start(slot.saturating_add(1)),
        ))
    }

    /// Checks a scanned payload at instant `at`: right session, genuine tag,
    /// and a slot that is the current or the previous one.
    ///
    /// The tag is checked before the time so an altered slot reads as forged,
    /// never as merely expired.
    ///
    /// # Errors
    /// A [`QrRejection`] saying what is wrong.
    pub fn verify(&self, payload: &QrPayload, at: Timestamp) -> Result<(), QrRejection> {
        if payload.session != self.session {
            return Err(QrRejection::WrongSession);
        }
        let expected = self.tag(payload.slot);
        if !bool::from(expected.ct_eq(&payload.tag)) {
            return Err(QrRejection::BadTag);
        }
        let period = i64::from(self.period.seconds());
        let start = i64::from(payload.slot) * period;
        let valid_until = start + 2 * period; // exclusive: own slot and the next
        let now = at.unix();
        if now < start {
            return Err(QrRejection::FromFuture {
                seconds_ahead: start.saturating_sub(now),
            });
        }
        if now >= valid_until {
            return Err(QrRejection::Expired {
                seconds_ago: now.saturating_sub(valid_until),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn qr(seed: u64) -> RotatingQr {
        let mut rng = StdRng::seed_from_u64(seed);
        let secret = SessionSecret::generate(&mut rng);
        let session = SessionId::from_uuid(Uuid::from_u128(u128::from(seed) << 64 | 0xB204));
        RotatingQr::new(session, &secret, QrPeriod::DEFAULT)
    }

    #[test]
    fn payload_is_forty_characters_and_round_trips() {
        let q = qr(1);
        let (p, next) = q.payload_at(Timestamp::from_unix(1_700_000_005)).unwrap();
        assert_eq!(next.unix(), 1_700_000_020);
        let text = p.to_string();
        assert_eq!(text.len(), QR_TEXT_LEN);
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(text.parse::<QrPayload>().unwrap(), p);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<QrPayload>(&json).unwrap(), p);
    }

    #[test]
    fn accepted_in_its_slot_and_the_next_only() {
        let q = qr(2);
        let t0 = Timestamp::from_unix(1_700_000_000); // a slot boundary for 20 s
        let (p, _) = q.payload_at(t0).unwrap();
        assert_eq!(q.verify(&p, t0), Ok(()));
        assert_eq!(q.verify(&p, t0.plus(39)), Ok(()));
        assert_eq!(
            q.verify(&p, t0.plus(81)),
            Err(QrRejection::Expired { seconds_ago: 41 })
        );
        assert_eq!(
            q.verify(&p, t0.plus(-5)),
            Err(QrRejection::FromFuture { seconds_ahead: 5 })
        );
    }

    #[test]
    fn another_session_or_secret_is_refused() {
        let a = qr(3);
        let b = qr(4);
        let t = Timestamp::from_unix(1_700_000_000);
        let (p, _) = a.payload_at(t).unwrap();
        assert_eq!(b.verify(&p, t), Err(QrRejection::WrongSession));
        let mut rng = StdRng::seed_from_u64(99);
        let other = RotatingQr::new(a.session(), &SessionSecret::generate(&mut rng), a.period());
        assert_eq!(other.verify(&p, t), Err(QrRejection::BadTag));
    }

    #[test]
    fn shape_errors_are_reported() {
        assert_eq!("hello".parse::<QrPayload>(), Err(QrParseError::Malformed));
        let mut bytes = qr(5).payload_for_slot(9).to_bytes();
        bytes[0] = 2;
        assert_eq!(
            QrPayload::from_bytes(&bytes),
            Err(QrParseError::UnsupportedVersion(2))
        );
        assert!("!".repeat(40).parse::<QrPayload>().is_err());
    }

    #[test]
    fn secrets_and_periods_are_validated() {
        assert_eq!(SessionSecret::from_bytes(&[0; 15]), Err(SecretTooShort(15)));
        assert!(SessionSecret::from_bytes(&[0; 16]).is_ok());
        assert!(format!("{:?}", SessionSecret::from_bytes(&[7; 16]).unwrap()).contains("redacted"));
        assert_eq!(QrPeriod::new(9), Err(PeriodOutOfRange(9)));
        assert_eq!(QrPeriod::new(61), Err(PeriodOutOfRange(61)));
        assert_eq!(QrPeriod::new(60).unwrap().seconds(), 60);
        assert_eq!(QrPeriod::default().seconds(), 20);
        assert!(serde_json::from_str::<QrPeriod>("5").is_err());
    }

    proptest! {
        #[test]
        fn valid_in_slot_and_next_never_two_later(
            seed in 0u64..1000,
            period in QrPeriod::MIN..=QrPeriod::MAX,
            slot in 1_000u32..200_000_000,
            offset in 0u16..60,
        ) {
            let mut q = qr(seed);
            q.period = QrPeriod::new(period).unwrap();
            let p = q.payload_for_slot(slot);
            let offset = i64::from(offset % period);
            let start = q.period.slot_start(slot);
            prop_assert!(q.verify(&p, start.plus(offset)).is_ok());
            prop_assert!(q.verify(&p, start.plus(i64::from(period) + offset)).is_ok());
            let expired = matches!(
                q.verify(&p, start.plus(2 * i64::from(period) + offset)),
                Err(QrRejection::Expired { .. })
            );
            prop_assert!(expired);
            prop_assert!(q.verify(&p, start.plus(-1)).is_err());
        }

        #[test]
        fn any_changed_byte_fails(seed in 0u64..1000, index in 0usize..QR_PAYLOAD_LEN, flip in 1u8..=255) {
            let q = qr(seed);
            let t = Timestamp::from_unix(1_700_000_000);
            let (p, _) = q.payload_at(t).unwrap();
            let mut bytes = p.to_bytes();
            bytes[index] ^= flip;
            match QrPayload::from_bytes(&bytes) {
                Err(_) => {}
                Ok(altered) => prop_assert!(q.verify(&altered, t).is_err()),
            }
        }
    }
}
