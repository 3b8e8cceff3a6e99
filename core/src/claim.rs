//! A claim: what a student's device (or a kiosk) submits to say "I am here".
//!
//! Its [canonical bytes](Claim::canonical_bytes) are what the device signs.
//! They are not JSON (whose key order and number formatting vary between
//! libraries) but a fixed binary layout, all integers big-endian, every
//! variable-length field prefixed with its length:
//!
//! ```text
//! str(s)      := u32 byte length ‖ UTF-8 bytes
//! opt(x)      := u8 0                       (absent)
//!              | u8 1 ‖ x                   (present)
//!
//! claim       := str("rollcall-claim/v1")
//!                claim id (16) ‖ student (16) ‖ session (16) ‖ device (16)
//!                scanned_at i64
//!                opt(token) ‖ opt(location) ‖ opt(radio) ‖ opt(face)
//! token       := u8 1 ‖ qr payload (30 raw bytes) | u8 2 ‖ otp (6 ASCII digits)
//! location    := latitude f64 ‖ longitude f64 ‖ accuracy f64 ‖ mocked u8 ‖ fixed_at i64
//! radio       := u32 count ‖ (bssid (6) ‖ rssi i16)*
//!                u32 count ‖ (beacon ‖ rssi i16)*
//! beacon      := u8 1 ‖ uuid (16) ‖ major u16 ‖ minor u16 | u8 2 ‖ str(name)
//! face        := score f32 ‖ str(model id) ‖ liveness u8 (0 not taken, 1 passed, 2 failed)
//! ```
//!
//! Floats are their IEEE-754 bits. Lists keep the order the device sent.

use crate::face::{FaceEvidence, Liveness};
use crate::geofence::LocationFix;
use crate::ids::{ClaimId, DeviceId, SessionId, StudentId};
use crate::otp::Otp;
use crate::qr::QrPayload;
use crate::radio::{BeaconId, RadioScan};
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};

/// The domain tag that starts every claim's canonical bytes.
pub const CLAIM_DOMAIN: &str = "rollcall-claim/v1";

/// The session token a student presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Token {
    /// The scanned rotating QR payload.
    Qr(QrPayload),
    /// The typed one-time code.
    Otp(Otp),
}

/// Everything the device gathered at check-in; any part may be missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// QR payload or OTP.
    #[serde(default)]
    pub token: Option<Token>,
    /// GPS fix.
    #[serde(default)]
    pub location: Option<LocationFix>,
    /// Wi-Fi and BLE scan.
    #[serde(default)]
    pub radio: Option<RadioScan>,
    /// On-device face verification.
    #[serde(default)]
    pub face: Option<FaceEvidence>,
}

/// A check-in as the device made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Made on the device (UUID v7); submission is idempotent by it.
    pub id: ClaimId,
    /// Who checks in.
    pub student: StudentId,
    /// Into which session.
    pub session: SessionId,
    /// From which registered device.
    pub device: DeviceId,
    /// When the token was scanned or typed, by the device's clock.
    pub scanned_at: Timestamp,
    /// What the device gathered.
    pub evidence: Evidence,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    // Lengths beyond u32 cannot arise from a claim that fits a request body.
    out.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes());
}

impl Claim {
    /// The bytes a device signs, in the layout documented on this module.
    #[must_use]
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        self.write_canonical(&mut out);
        out
    }

    /// Appends the canonical bytes to `out` (to reuse a buffer).
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        put_str(out, CLAIM_DOMAIN);
        out.extend_from_slice(self.id.as_bytes());
        out.extend_from_slice(self.student.as_bytes());
        out.extend_from_slice(self.session.as_bytes());
        out.extend_from_slice(self.device.as_bytes());
        out.extend_from_slice(&self.scanned_at.unix().to_be_bytes());
        let e = &self.evidence;

        match &e.token {
            None => out.push(0),
            Some(Token::Qr(p)) => {
                out.extend_from_slice(&[1, 1]);
                out.extend_from_slice(&p.to_bytes());
            }
            Some(Token::Otp(o)) => {
                out.extend_from_slice(&[1, 2]);
                out.extend_from_slice(o.as_str().as_bytes());
            }
        }

        match &e.location {
            None => out.push(0),
            Some(l) => {
                out.push(1);
                out.extend_from_slice(&l.point.latitude.degrees().to_be_bytes());
                out.extend_from_slice(&l.point.longitude.degrees().to_be_bytes());
                out.extend_from_slice(&l.accuracy.get().to_be_bytes());
                out.push(u8::from(l.mocked));
                out.extend_from_slice(&l.fixed_at.unix().to_be_bytes());
            }
        }

        match &e.radio {
            None => out.push(0),
            Some(r) => {
                out.push(1);
                put_len(out, r.wifi.len());
                for w in &r.wifi {
                    out.extend_from_slice(&w.bssid.bytes());
                    out.extend_from_slice(&w.rssi.dbm().to_be_bytes());
                }
                put_len(out, r.beacons.len());
                for b in &r.beacons {
                    match &b.beacon {
                        BeaconId::IBeacon { uuid, major, minor } => {
                            out.push(1);
                            out.extend_from_slice(uuid.as_bytes());
                            out.extend_from_slice(&major.to_be_bytes());
                            out.extend_from_slice(&minor.to_be_bytes());
                        }
                        BeaconId::Named { name } => {
                            out.push(2);
                            put_str(out, name);
                        }
                    }
                    out.extend_from_slice(&b.rssi.dbm().to_be_bytes());
                }
            }
        }

        match &e.face {
            None => out.push(0),
            Some(f) => {
                out.push(1);
                out.extend_from_slice(&f.score.get().to_bits().to_be_bytes());
                put_str(out, f.model.as_str());
                out.push(match f.liveness {
                    Liveness::NotTaken => 0,
                    Liveness::Passed => 1,
                    Liveness::Failed => 2,
                });
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::face::ModelId;
    use crate::geofence::{GeoPoint, Metres};
    use crate::radio::{BeaconSighting, Rssi, WifiSighting};
    use uuid::Uuid;

    /// A claim with every kind of evidence, for tests across the crate.
    pub(crate) fn full_claim(token: Option<Token>) -> Claim {
        Claim {
            id: ClaimId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001))
                .unwrap(),
            student: StudentId::from_uuid(Uuid::from_u128(11)),
            session: SessionId::from_uuid(Uuid::from_u128(22)),
            device: DeviceId::from_uuid(Uuid::from_u128(33)),
            scanned_at: Timestamp::from_unix(1_700_000_010),
            evidence: Evidence {
                token,
                location: Some(LocationFix {
                    point: GeoPoint::new(18.5204, 73.8567).unwrap(),
                    accuracy: Metres::new(12.0).unwrap(),
                    mocked: false,
                    fixed_at: Timestamp::from_unix(1_700_000_005),
                }),
                radio: Some(RadioScan {
                    wifi: vec![WifiSighting {
                        bssid: "00:11:22:33:44:01".parse().unwrap(),
                        rssi: Rssi::new(-60).unwrap(),
                    }],
                    beacons: vec![BeaconSighting {
                        beacon: "name:B204".parse().unwrap(),
                        rssi: Rssi::new(-70).unwrap(),
                    }],
                }),
                face: Some(FaceEvidence {
                    score: crate::face::FaceScore::new(0.71).unwrap(),
                    model: ModelId::new("arcface-r100-v1").unwrap(),
                    liveness: Liveness::Passed,
                }),
            },
        }
    }

    #[test]
    fn canonical_bytes_are_deterministic_and_sensitive_to_every_field() {
        let c = full_claim(Some(Token::Otp("123456".parse().unwrap())));
        let bytes = c.canonical_bytes();
        assert_eq!(bytes, c.canonical_bytes());
        assert!(bytes.starts_with(&[0, 0, 0, 17]));
        assert_eq!(&bytes[4..21], CLAIM_DOMAIN.as_bytes());

        let mut variants = vec![];
        let mut v = c.clone();
        v.scanned_at = v.scanned_at.plus(1);
        variants.push(v);
        let mut v = c.clone();
        v.evidence.token = Some(Token::Otp("123457".parse().unwrap()));
        variants.push(v);
        let mut v = c.clone();
        v.evidence.location.as_mut().unwrap().mocked = true;
        variants.push(v);
        let mut v = c.clone();
        v.evidence.radio.as_mut().unwrap().wifi[0].rssi = Rssi::new(-61).unwrap();
        variants.push(v);
        let mut v = c.clone();
        v.evidence.face.as_mut().unwrap().liveness = Liveness::NotTaken;
        variants.push(v);
        let mut v = c;
        v.evidence.face = None;
        variants.push(v);
        for v in variants {
            assert_ne!(v.canonical_bytes(), bytes);
        }
    }

    #[test]
    fn length_prefixes_keep_adjacent_strings_apart() {
        let mut a = full_claim(None);
        let mut b = a.clone();
        a.evidence.radio.as_mut().unwrap().beacons[0].beacon = "name:ab".parse().unwrap();
        b.evidence.radio.as_mut().unwrap().beacons[0].beacon = "name:a".parse().unwrap();
        assert_ne!(a.canonical_bytes(), b.canonical_bytes());
    }

    #[test]
    fn claims_round_trip_through_json() {
        let c = full_claim(Some(Token::Otp("000123".parse().unwrap())));
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            json.contains(r#""token":{"kind":"otp","value":"000123"}"#),
            "{json}"
        );
        let back: Claim = serde_json::from_str(&json).unwrap();
        assert_eq!(back.canonical_bytes(), c.canonical_bytes());
    }
}
