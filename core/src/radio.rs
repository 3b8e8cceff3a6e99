//! Are the room's Wi-Fi access points and BLE beacons around the phone?
//!
//! A room lists the BSSIDs and beacons expected inside it, each with a
//! minimum signal strength, and how many must be seen. A scan passes when at
//! least that many are seen strong enough; it is doubtful when enough are seen
//! only counting weak ones (the edge of the room, a wall between); otherwise
//! it fails.

use crate::policy::Status;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// A Wi-Fi access point's MAC address (BSSID).
///
/// Parses every common notation: `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF`,
/// `aabb.ccdd.eeff` and `aabbccddeeff`, in any case. Two BSSIDs are equal when
/// their bytes are; they print as lower-case with colons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bssid([u8; 6]);

/// Text that is not a MAC address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a BSSID (expected six hex bytes such as aa:bb:cc:dd:ee:ff): {0:?}")]
pub struct BssidError(pub String);

impl Bssid {
    /// A BSSID from its six bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 6]) -> Self {
        Self(bytes)
    }

    /// The six bytes.
    #[must_use]
    pub const fn bytes(&self) -> [u8; 6] {
        self.0
    }
}

impl FromStr for Bssid {
    type Err = BssidError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || BssidError(s.to_owned());
        let text = s.trim();
        // One separator style throughout, in the positions that style uses.
        let (sep, group) = if text.contains(':') {
            (Some(':'), 2)
        } else if text.contains('-') {
            (Some('-'), 2)
        } else if text.contains('.') {
            (Some('.'), 4)
        } else {
            (None, 12)
        };
        let groups: Vec<&str> = match sep {
            Some(c) => text.split(c).collect(),
            None => vec![text],
        };
        if groups.len() != 12 / group || groups.iter().any(|g| g.len() != group) {
            return Err(err());
        }
        let mut bytes = [0u8; 6];
        let hex: String = groups.concat();
        for (i, byte) in bytes.iter_mut().enumerate() {
            let pair = hex.get(2 * i..2 * i + 2).ok_or_else(err)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| err())?;
        }
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err());
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for Bssid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl Serialize for Bssid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Bssid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A BLE beacon, as a room expects it and a phone reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BeaconId {
    /// An iBeacon: proximity UUID, major and minor.
    IBeacon {
        /// The proximity UUID (usually one per school).
        uuid: Uuid,
        /// The major number (e.g. the building).
        major: u16,
        /// The minor number (e.g. the room).
        minor: u16,
    },
    /// A beacon known by its advertised name.
    Named {
        /// The advertised local name, compared exactly.
        name: String,
    },
}

/// Text that is not a beacon id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a beacon id (expected <uuid>/<major>/<minor> or name:<name>): {0:?}")]
pub struct BeaconIdError(pub String);

impl FromStr for BeaconId {
    type Err = BeaconIdError;
    /// `<uuid>/<major>/<minor>` for an iBeacon, `name:<name>` for a named one.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || BeaconIdError(s.to_owned());
        let s = s.trim();
        if let Some(name) = s.strip_prefix("name:") {
            if name.is_empty() {
                return Err(err());
            }
            return Ok(Self::Named {
                name: name.to_owned(),
            });
        }
        let mut parts = s.split('/');
        let (Some(u), Some(major), Some(minor), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err());
        };
        Ok(Self::IBeacon {
            uuid: Uuid::parse_str(u).map_err(|_| err())?,
            major: major.parse().map_err(|_| err())?,
            minor: minor.parse().map_err(|_| err())?,
        })
    }
}

/// Apple's Bluetooth SIG company identifier, under which iBeacons advertise.
pub const APPLE_COMPANY_ID: u16 = 0x004C;

impl BeaconId {
    /// The beacon an advertisement names: an iBeacon from its manufacturer data
    /// (`company_id` 0x004C, then type 0x02, length 0x15, the 16-byte proximity
    /// UUID, major and minor big-endian, and the measured power), else the
    /// advertised local name. `None` when it is neither.
    #[must_use]
    pub fn from_advert<'a>(
        manufacturer_data: impl IntoIterator<Item = (u16, &'a [u8])>,
        name: Option<&str>,
    ) -> Option<Self> {
        let ibeacon = manufacturer_data
            .into_iter()
            .filter(|(company, _)| *company == APPLE_COMPANY_ID)
            .find_map(|(_, data)| Self::ibeacon(data));
        ibeacon.or_else(|| {
            name.map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| Self::Named { name: n.to_owned() })
        })
    }

    fn ibeacon(data: &[u8]) -> Option<Self> {
        let [0x02, 0x15, rest @ ..] = data else {
            return None;
        };
        let body: &[u8; 21] = rest.get(..21)?.try_into().ok()?;
        let uuid: [u8; 16] = body[..16].try_into().ok()?;
        Some(Self::IBeacon {
            uuid: Uuid::from_bytes(uuid),
            major: u16::from_be_bytes([body[16], body[17]]),
            minor: u16::from_be_bytes([body[18], body[19]]),
        })
    }
}

impl fmt::Display for BeaconId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IBeacon { uuid, major, minor } => {
                write!(f, "{}/{major}/{minor}", uuid.hyphenated())
            }
            Self::Named { name } => write!(f, "name:{name}"),
        }
    }
}

/// Received signal strength in dBm, −127 to 20.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i16", into = "i16")]
pub struct Rssi(i16);

/// A signal strength outside −127…20 dBm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("RSSI {0} dBm is out of range (-127 to 20)")]
pub struct RssiError(pub i16);

impl Rssi {
    /// A strength in dBm.
    ///
    /// # Errors
    /// [`RssiError`] outside −127…20.
    pub const fn new(dbm: i16) -> Result<Self, RssiError> {
        if dbm < -127 || dbm > 20 {
            return Err(RssiError(dbm));
        }
        Ok(Self(dbm))
    }

    /// The strength in dBm.
    #[must_use]
    pub const fn dbm(self) -> i16 {
        self.0
    }
}

impl TryFrom<i16> for Rssi {
    type Error = RssiError;
    fn try_from(v: i16) -> Result<Self, Self::Error> {
        Self::new(v)
    }
}

impl From<Rssi> for i16 {
    fn from(v: Rssi) -> Self {
        v.0
    }
}

/// One access point in a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WifiSighting {
    /// Its BSSID.
    pub bssid: Bssid,
    /// How strongly it was heard.
    pub rssi: Rssi,
}

/// One beacon in a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeaconSighting {
    /// Which beacon.
    pub beacon: BeaconId,
    /// How strongly it was heard.
    pub rssi: Rssi,
}

/// What the phone heard around it at check-in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RadioScan {
    /// Wi-Fi access points.
    #[serde(default)]
    pub wifi: Vec<WifiSighting>,
    /// BLE beacons.
    #[serde(default)]
    pub beacons: Vec<BeaconSighting>,
}

/// An access point a room expects to be heard inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedWifi {
    /// Its BSSID.
    pub bssid: Bssid,
    /// Weaker than this does not count.
    pub min_rssi: Rssi,
}

/// A beacon a room expects to be heard inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedBeacon {
    /// Which beacon.
    pub beacon: BeaconId,
    /// Weaker than this does not count.
    pub min_rssi: Rssi,
}

/// A room's radio fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RadioExpectation {
    /// Access points.
    #[serde(default)]
    pub wifi: Vec<ExpectedWifi>,
    /// Beacons.
    #[serde(default)]
    pub beacons: Vec<ExpectedBeacon>,
    /// How many of them (access points and beacons together) must be heard
    /// strongly enough; at least 1.
    pub required: u16,
}

/// The judgement of a scan against a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RadioCheck {
    /// Expected transmitters heard at or above their minimum strength.
    pub strong: u16,
    /// Expected transmitters heard, but too weakly.
    pub weak: u16,
    /// How many strong ones the room requires.
    pub required: u16,
    /// How many transmitters the room lists.
    pub expected: u16,
}

impl RadioCheck {
    /// Pass with enough strong sightings, doubtful when weak ones would make
    /// up the count, otherwise fail. A room that lists nothing is doubtful: it
    /// cannot be judged and a person should look.
    #[must_use]
    pub fn status(&self) -> Status {
        if self.expected == 0 {
            Status::Doubtful
        } else if self.strong >= self.required {
            Status::Pass
        } else if self.strong + self.weak >= self.required {
            Status::Doubtful
        } else {
            Status::Fail
        }
    }
}

impl RadioExpectation {
    /// Judges a scan: each expected transmitter counts once, by its strongest
    /// sighting.
    #[must_use]
    pub fn check(&self, scan: &RadioScan) -> RadioCheck {
        let mut strong = 0u16;
        let mut weak = 0u16;
        let mut tally = |best: Option<Rssi>, min: Rssi| match best {
            Some(r) if r >= min => strong += 1,
            Some(_) => weak += 1,
            None => {}
        };
        for e in &self.wifi {
            let best = scan
                .wifi
                .iter()
                .filter(|s| s.bssid == e.bssid)
                .map(|s| s.rssi)
                .max();
            tally(best, e.min_rssi);
        }
        for e in &self.beacons {
            let best = scan
                .beacons
                .iter()
                .filter(|s| s.beacon == e.beacon)
                .map(|s| s.rssi)
                .max();
            tally(best, e.min_rssi);
        }
        let expected = u16::try_from(self.wifi.len() + self.beacons.len()).unwrap_or(u16::MAX);
        RadioCheck {
            strong,
            weak,
            required: self.required.clamp(1, expected.max(1)),
            expected,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ibeacon_adverts_are_read_and_other_adverts_fall_back_to_their_name() {
        let uuid = Uuid::parse_str("f7826da6-4fa2-4e98-8024-bc5b71e0893e").unwrap();
        let mut data = vec![0x02, 0x15];
        data.extend_from_slice(uuid.as_bytes());
        data.extend_from_slice(&[0x00, 0x07, 0x01, 0x2c, 0xc5]);
        let beacon = BeaconId::from_advert([(APPLE_COMPANY_ID, data.as_slice())], Some("x"));
        assert_eq!(
            beacon,
            Some(BeaconId::IBeacon {
                uuid,
                major: 7,
                minor: 300
            })
        );
        // Another company's data, a truncated iBeacon, another Apple type: the name.
        let short = &data[..20];
        let named = BeaconId::from_advert(
            [
                (0x0059, data.as_slice()),
                (APPLE_COMPANY_ID, short),
                (APPLE_COMPANY_ID, &[0x10, 0x05][..]),
            ],
            Some(" Room 12 "),
        );
        assert_eq!(
            named,
            Some(BeaconId::Named {
                name: "Room 12".to_owned()
            })
        );
        assert_eq!(BeaconId::from_advert([], Some("  ")), None);
        assert_eq!(BeaconId::from_advert([], None), None);
    }

    use super::*;
    use proptest::prelude::*;

    fn b(s: &str) -> Bssid {
        s.parse().unwrap()
    }
    fn r(dbm: i16) -> Rssi {
        Rssi::new(dbm).unwrap()
    }

    #[test]
    fn bssid_notations_compare_equal() {
        let canonical = b("aa:bb:cc:0d:ee:ff");
        for text in [
            "AA:BB:CC:0D:EE:FF",
            "aa-bb-cc-0d-ee-ff",
            "aabb.cc0d.eeff",
            "AABBCC0DEEFF",
            " aa:bb:cc:0d:ee:ff ",
        ] {
            assert_eq!(b(text), canonical, "{text}");
        }
        assert_eq!(canonical.to_string(), "aa:bb:cc:0d:ee:ff");
        for bad in [
            "aa:bb:cc:dd:ee",
            "aa:bb-cc:dd:ee:ff",
            "gg:bb:cc:dd:ee:ff",
            "a:bb:cc:dd:ee:fff",
            "",
            "+a:bb:cc:dd:ee:ff",
        ] {
            assert!(bad.parse::<Bssid>().is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::to_string(&canonical).unwrap(),
            "\"aa:bb:cc:0d:ee:ff\""
        );
        assert_eq!(
            serde_json::from_str::<Bssid>("\"AA-BB-CC-0D-EE-FF\"").unwrap(),
            canonical
        );
    }

    #[test]
    fn beacon_ids_parse_and_print() {
        let id: BeaconId = "F7826DA6-4FA2-4E98-8024-BC5B71E0893E/10/204"
            .parse()
            .unwrap();
        assert_eq!(
            id.to_string(),
            "f7826da6-4fa2-4e98-8024-bc5b71e0893e/10/204"
        );
        assert_eq!(id.to_string().parse::<BeaconId>().unwrap(), id);
        assert_eq!(
            "name:B204-door".parse::<BeaconId>().unwrap(),
            BeaconId::Named {
                name: "B204-door".into()
            }
        );
        for bad in [
            "name:",
            "f7826da6/1/2",
            "f7826da6-4fa2-4e98-8024-bc5b71e0893e/1",
            "f7826da6-4fa2-4e98-8024-bc5b71e0893e/1/70000",
        ] {
            assert!(bad.parse::<BeaconId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn rssi_is_range_checked() {
        assert!(Rssi::new(-128).is_err());
        assert!(Rssi::new(21).is_err());
        assert_eq!(r(-60).dbm(), -60);
        assert!(serde_json::from_str::<Rssi>("-200").is_err());
    }

    fn room() -> RadioExpectation {
        RadioExpectation {
            wifi: vec![
                ExpectedWifi {
                    bssid: b("00:11:22:33:44:01"),
                    min_rssi: r(-75),
                },
                ExpectedWifi {
                    bssid: b("00:11:22:33:44:02"),
                    min_rssi: r(-75),
                },
            ],
            beacons: vec![ExpectedBeacon {
                beacon: "name:B204".parse().unwrap(),
                min_rssi: r(-80),
            }],
            required: 2,
        }
    }

    #[test]
    fn enough_strong_sightings_pass() {
        let scan = RadioScan {
            wifi: vec![
                WifiSighting {
                    bssid: b("00-11-22-33-44-01"),
                    rssi: r(-90),
                },
                WifiSighting {
                    bssid: b("00-11-22-33-44-01"),
                    rssi: r(-60),
                },
                WifiSighting {
                    bssid: b("99:11:22:33:44:02"),
                    rssi: r(-40),
                },
            ],
            beacons: vec![BeaconSighting {
                beacon: "name:B204".parse().unwrap(),
                rssi: r(-70),
            }],
        };
        let c = room().check(&scan);
        assert_eq!((c.strong, c.weak, c.required, c.expected), (2, 0, 2, 3));
        assert_eq!(c.status(), Status::Pass);
    }

    #[test]
    fn weak_sightings_are_doubtful_and_too_few_fail() {
        let weak = RadioScan {
            wifi: vec![
                WifiSighting {
                    bssid: b("00:11:22:33:44:01"),
                    rssi: r(-70),
                },
                WifiSighting {
                    bssid: b("00:11:22:33:44:02"),
                    rssi: r(-85),
                },
            ],
            beacons: vec![],
        };
        assert_eq!(room().check(&weak).status(), Status::Doubtful);
        let few = RadioScan {
            wifi: weak.wifi[..1].to_vec(),
            beacons: vec![],
        };
        assert_eq!(room().check(&few).status(), Status::Fail);
        assert_eq!(room().check(&RadioScan::default()).status(), Status::Fail);
        let empty_room = RadioExpectation {
            wifi: vec![],
            beacons: vec![],
            required: 1,
        };
        assert_eq!(empty_room.check(&weak).status(), Status::Doubtful);
    }

    proptest! {
        #[test]
        fn any_notation_of_any_bssid_is_equal(bytes in any::<[u8; 6]>(), upper in any::<bool>(), style in 0usize..4) {
            let hex: Vec<String> = bytes.iter().map(|x| format!("{x:02x}")).collect();
            let text = match style {
                0 => hex.join(":"),
                1 => hex.join("-"),
                2 => format!("{}{}.{}{}.{}{}", hex[0], hex[1], hex[2], hex[3], hex[4], hex[5]),
                _ => hex.concat(),
            };
            let text = if upper { text.to_uppercase() } else { text };
            let parsed: Bssid = text.parse().unwrap();
            prop_assert_eq!(parsed, Bssid::from_bytes(bytes));
            prop_assert_eq!(parsed.to_string().parse::<Bssid>().unwrap(), parsed);
        }
    }
}
