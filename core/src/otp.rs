//! The six-digit one-time code shown next to the QR, for students who type
//! it instead of scanning.
//!
//! TOTP (RFC 6238) with `totp-rs` over the session's secret: HMAC-SHA1,
//! 6 digits, 30 s step, one step of grace either side (about 60 s of life).
//! Wrong codes are counted per student per session by the caller; after
//! [`MAX_OTP_FAILURES`] the code is refused whatever it is.

use crate::qr::SessionSecret;
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

/// Digits in a session OTP.
pub const OTP_DIGITS: usize = 6;
/// Seconds per OTP step.
pub const OTP_STEP_SECONDS: u64 = 30;
/// Steps of grace on each side of the current one.
pub const OTP_SKEW_STEPS: u8 = 1;
/// Wrong OTPs a student may type in one session before it locks.
pub const MAX_OTP_FAILURES: u32 = 5;
/// How many steps back a refused code is still recognised as "expired"
/// rather than "wrong", for a clearer message.
const EXPIRED_LOOKBACK_STEPS: u64 = 10;

/// A six-digit code as typed: spaces and dashes are ignored, anything else
/// must be a digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Otp([u8; OTP_DIGITS]);

/// Why typed text is not an OTP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an OTP is exactly {OTP_DIGITS} digits")]
pub struct OtpParseError;

impl Otp {
    /// The code as ASCII digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl FromStr for Otp {
    type Err = OtpParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; OTP_DIGITS];
        let mut n = 0;
        for b in s.bytes() {
            match b {
                b' ' | b'-' => {}
                b'0'..=b'9' if n < OTP_DIGITS => {
                    out[n] = b;
                    n += 1;
                }
                _ => return Err(OtpParseError),
            }
        }
        if n == OTP_DIGITS {
            Ok(Self(out))
        } else {
            Err(OtpParseError)
        }
    }
}

impl fmt::Display for Otp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Otp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Otp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a typed OTP is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtpRejection {
    /// Not the code of this session at this time, nor a recent one.
    #[error("the code is wrong")]
    Wrong,
    /// The code of this session, but its life ended `seconds_ago` ago.
    #[error("the code expired {seconds_ago} s ago")]
    Expired {
        /// Seconds between the end of the code's life and the instant judged.
        seconds_ago: i64,
    },
    /// Too many wrong codes from this student in this session.
    #[error("too many wrong codes ({failures}); ask the teacher to mark you")]
    Locked {
        /// Wrong codes counted so far.
        failures: u32,
    },
}

/// A session's OTP generator and checker.
#[derive(Clone)]
pub struct SessionOtp(TOTP);

impl fmt::Debug for SessionOtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionOtp([redacted])")
    }
}

impl SessionOtp {
    /// The OTP rule keyed by a session's secret.
    #[must_use]
    pub fn new(secret: &SessionSecret) -> Self {
        Self(Self::totp(secret.as_bytes(), OTP_DIGITS))
    }

    fn totp(secret: &[u8], digits: usize) -> TOTP {
        // Digits (6 or 8) and secret length (≥128 bits, enforced by
        // `SessionSecret`) are the only things `TOTP::new` checks.
        TOTP::new_unchecked(
            Algorithm::SHA1,
            digits,
            OTP_SKEW_STEPS,
            OTP_STEP_SECONDS,
            secret.to_vec(),
        )
    }

    /// The code to show at instant `at`, and the instant its step ends.
    #[must_use]
    pub fn code_at(&self, at: Timestamp) -> (Otp, Timestamp) {
        let t = unsigned(at);
        let code = self.0.generate(t);
        let otp = code.parse().unwrap_or(Otp([b'0'; OTP_DIGITS]));
        let step_end = (t / OTP_STEP_SECONDS + 1) * OTP_STEP_SECONDS;
        (
            otp,
            Timestamp::from_unix(i64::try_from(step_end).unwrap_or(i64::MAX)),
        )
    }

    /// Checks a typed code at instant `at`, given how many wrong codes this
    /// student already typed in this session.
    ///
    /// # Errors
    /// An [`OtpRejection`] saying why.
    pub fn verify(&self, otp: &Otp, at: Timestamp, failures: u32) -> Result<(), OtpRejection> {
        if failures >= MAX_OTP_FAILURES {
            return Err(OtpRejection::Locked { failures });
        }
        // `TOTP::check` steps back `skew` steps from `t`; keep it off zero.
        let t = unsigned(at).max(OTP_STEP_SECONDS);
        if self.0.check(otp.as_str(), t) {
            return Ok(());
        }
        let step = t / OTP_STEP_SECONDS;
        for back in 2..=EXPIRED_LOOKBACK_STEPS {
            let Some(old_step) = step.checked_sub(back) else {
                break;
            };
            let code = self.0.generate(old_step * OTP_STEP_SECONDS);
            if bool::from(code.as_bytes().ct_eq(otp.as_str().as_bytes())) {
                // A code of step s is accepted until the end of step s + 1.
                let life_end = (old_step + u64::from(OTP_SKEW_STEPS) + 1) * OTP_STEP_SECONDS;
                let ago = i64::try_from(t - life_end).unwrap_or(i64::MAX);
                return Err(OtpRejection::Expired { seconds_ago: ago });
            }
        }
        Err(OtpRejection::Wrong)
    }
}

fn unsigned(at: Timestamp) -> u64 {
    u64::try_from(at.unix()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_appendix_b_sha1_vectors() {
        let totp = SessionOtp::totp(b"12345678901234567890", 8);
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp.generate(time), code, "T = {time}");
        }
    }

    fn otp() -> SessionOtp {
        SessionOtp::new(&SessionSecret::from_bytes(b"12345678901234567890").unwrap())
    }

    #[test]
    fn six_digits_with_one_step_of_grace() {
        let o = otp();
        let t = Timestamp::from_unix(1_111_111_111);
        let (code, ends) = o.code_at(t);
        assert_eq!(code.as_str().len(), 6);
        assert_eq!(code.as_str(), "050471"); // the RFC's 8-digit value, last 6 digits
        assert_eq!(ends.unix(), 1_111_111_140);
        assert_eq!(o.verify(&code, t, 0), Ok(()));
        assert_eq!(o.verify(&code, t.plus(30), 0), Ok(()));
        assert_eq!(o.verify(&code, t.plus(-30), 0), Ok(()));
        assert_eq!(
            o.verify(&code, t.plus(60), 0),
            Err(OtpRejection::Expired { seconds_ago: 1 })
        );
    }

    #[test]
    fn wrong_and_locked_codes_are_refused() {
        let o = otp();
        let t = Timestamp::from_unix(1_700_000_000);
        let (code, _) = o.code_at(t);
        let wrong: Otp = if code.as_str() == "000000" {
            "111111"
        } else {
            "000000"
        }
        .parse()
        .unwrap();
        assert_eq!(o.verify(&wrong, t, 0), Err(OtpRejection::Wrong));
        assert_eq!(
            o.verify(&code, t, MAX_OTP_FAILURES),
            Err(OtpRejection::Locked { failures: 5 })
        );
    }

    #[test]
    fn typed_codes_are_parsed_leniently_but_exactly() {
        assert_eq!("123 456".parse::<Otp>().unwrap().as_str(), "123456");
        assert_eq!("123-456".parse::<Otp>().unwrap().to_string(), "123456");
        assert!("12345".parse::<Otp>().is_err());
        assert!("1234567".parse::<Otp>().is_err());
        assert!("12a456".parse::<Otp>().is_err());
        let json = serde_json::to_string(&"004211".parse::<Otp>().unwrap()).unwrap();
        assert_eq!(json, "\"004211\"");
        assert!(serde_json::from_str::<Otp>("\"42\"").is_err());
    }
}
