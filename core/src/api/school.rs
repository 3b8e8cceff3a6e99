//! The school as the admin API shows it: divisions, subjects, rooms with their fences and access points, and the weekly timetable.
//!
//! Request bodies refuse unknown fields, and every value that has a rule is a
//! `rollcall-core` type ([`Geofence`], [`Bssid`], [`BeaconId`], [`Rssi`],
//! [`Policy`], [`Weekday`], [`TimeOfDay`]), so a body that parses is already
//! valid in shape.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::geofence::{Geofence, Metres};
use crate::policy::Policy;
use crate::radio::{BeaconId, Bssid, Rssi};

/// Longest division, subject or room code.
pub const MAX_CODE_CHARS: usize = 32;
/// Longest division, subject, room or building name.
pub const MAX_NAME_CHARS: usize = 120;
/// Largest location tolerance a room may have, in metres.
pub const MAX_TOLERANCE_M: f64 = 1_000.0;

/// Why a code (`SE-A`, `CS201`, `B-204`) is not acceptable, if it is not.
///
/// A code is 1 to [`MAX_CODE_CHARS`] letters, digits, `-`, `_`, `.` or `/`.
#[must_use]
pub fn code_problem(code: &str) -> Option<&'static str> {
    if code.is_empty() {
        Some("a code is required")
    } else if code.chars().count() > MAX_CODE_CHARS {
        Some("a code is at most 32 characters")
    } else if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    {
        Some("a code uses only letters, digits, '-', '_', '.' and '/'")
    } else {
        None
    }
}

/// Why a name is not acceptable, if it is not: 1 to [`MAX_NAME_CHARS`]
/// characters, no control characters.
#[must_use]
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("a name is required")
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some("a name is at most 120 characters")
    } else if name.chars().any(char::is_control) {
        Some("a name cannot contain control characters")
    } else {
        None
    }
}

// ---------------------------------------------------------------- divisions

/// A division: a class of students who are taught together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DivisionRecord {
    /// The division id.
    pub id: Uuid,
    /// Its short unique code, like `SE-A`.
    pub code: String,
    /// Its full name.
    pub name: String,
    /// How many students it has.
    pub student_count: u64,
}

/// `POST /api/v1/divisions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDivision {
    /// Short unique code; see [`code_problem`].
    pub code: String,
    /// Full name; see [`name_problem`].
    pub name: String,
}

/// `PATCH /api/v1/divisions/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DivisionPatch {
    /// New code.
    #[serde(default)]
    pub code: Option<String>,
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /api/v1/divisions/{id}/students`: students to add to a division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StudentIds {
    /// Accounts with role student; adding a member again is harmless.
    pub student_ids: Vec<Uuid>,
}

/// The answer to `POST /api/v1/divisions/{id}/students`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipChange {
    /// Students who were not members before.
    pub added: u64,
    /// Students who already were.
    pub already_members: u64,
}

/// A student as a division's member list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DivisionStudent {
    /// The account id.
    pub id: Uuid,
    /// The login name.
    pub username: String,
    /// The name a person reads on screen.
    pub display_name: String,
    /// The school's roll number.
    pub student_no: Option<String>,
}

// ----------------------------------------------------------------- subjects

/// A subject that is taught, like `CS201 Data Structures`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectRecord {
    /// The subject id.
    pub id: Uuid,
    /// Its short unique code.
    pub code: String,
    /// Its full name.
    pub name: String,
}

/// `POST /api/v1/subjects`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    /// Short unique code; see [`code_problem`].
    pub code: String,
    /// Full name; see [`name_problem`].
    pub name: String,
}

/// `PATCH /api/v1/subjects/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubjectPatch {
    /// New code.
    #[serde(default)]
    pub code: Option<String>,
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
}

// -------------------------------------------------------------------- rooms

/// What an access point is: a Wi-Fi BSSID or a BLE beacon.
///
/// JSON: `{"kind":"wifi","bssid":"aa:bb:cc:dd:ee:ff"}` or
/// `{"kind":"ble","beacon":"<uuid>/<major>/<minor>"}` (or `"name:<name>"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Transmitter {
    /// A Wi-Fi access point.
    Wifi {
        /// Its BSSID, in any common notation on the way in.
        bssid: Bssid,
    },
    /// A BLE beacon.
    Ble {
        /// The beacon, as `<uuid>/<major>/<minor>` or `name:<name>`.
        #[serde(with = "beacon_text")]
        beacon: BeaconId,
    },
}

impl Transmitter {
    /// `wifi` or `ble`, as stored.
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Wifi { .. } => "wifi",
            Self::Ble { .. } => "ble",
        }
    }

    /// The canonical identifier, as stored: two notations of one access
    /// point give the same text.
    #[must_use]
    pub fn identifier(&self) -> String {
        match self {
            Self::Wifi { bssid } => bssid.to_string(),
            Self::Ble { beacon } => beacon.to_string(),
        }
    }

    /// Reads a stored kind and identifier back.
    #[must_use]
    pub fn from_stored(kind: &str, identifier: &str) -> Option<Self> {
        match kind {
            "wifi" => identifier.parse().ok().map(|bssid| Self::Wifi { bssid }),
            "ble" => identifier.parse().ok().map(|beacon| Self::Ble { beacon }),
            _ => None,
        }
    }
}

/// A beacon id as its text form (`<uuid>/<major>/<minor>`, `name:<name>`).
mod beacon_text {
    use super::BeaconId;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(beacon: &BeaconId, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(beacon)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BeaconId, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The weakest signal an access point may be heard at by default, in dBm.
pub const DEFAULT_MIN_RSSI: i16 = -80;

const DEFAULT_RSSI: Rssi = match Rssi::new(DEFAULT_MIN_RSSI) {
    Ok(rssi) => rssi,
    Err(_) => panic!("the default minimum RSSI is in range"),
};

const fn default_min_rssi() -> Rssi {
    DEFAULT_RSSI
}

/// An access point a room expects to be heard inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessPointRecord {
    /// The access point id.
    pub id: Uuid,
    /// What it is.
    #[serde(flatten)]
    pub transmitter: Transmitter,
    /// A label for people (`"B-204 ceiling"`).
    pub label: String,
    /// Weaker than this does not count.
    pub min_rssi: Rssi,
}

/// `POST /api/v1/rooms/{id}/access-points`, and each of a new room's
/// `access_points`.
///
/// JSON: `{"kind":"wifi","bssid":"AA-BB-CC-DD-EE-FF","label":"…","min_rssi":-75}`
/// or `{"kind":"ble","beacon":"<uuid>/<major>/<minor>","min_rssi":-85}`;
/// `label` defaults to empty and `min_rssi` to [`DEFAULT_MIN_RSSI`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NewAccessPoint {
    /// A Wi-Fi access point.
    Wifi {
        /// Its BSSID, in any common notation.
        bssid: Bssid,
        /// A label for people.
        #[serde(default)]
        label: String,
        /// Weaker than this does not count (−127…0 dBm).
        #[serde(default = "default_min_rssi")]
        min_rssi: Rssi,
    },
    /// A BLE beacon.
    Ble {
        /// `<uuid>/<major>/<minor>` or `name:<name>`.
        #[serde(with = "beacon_text")]
        beacon: BeaconId,
        /// A label for people.
        #[serde(default)]
        label: String,
        /// Weaker than this does not count (−127…0 dBm).
        #[serde(default = "default_min_rssi")]
        min_rssi: Rssi,
    },
}

impl NewAccessPoint {
    /// What it is.
    #[must_use]
    pub fn transmitter(&self) -> Transmitter {
        match self {
            Self::Wifi { bssid, .. } => Transmitter::Wifi { bssid: *bssid },
            Self::Ble { beacon, .. } => Transmitter::Ble {
                beacon: beacon.clone(),
            },
        }
    }

    /// Its label.
    #[must_use]
    pub fn label(&self) -> &str {
        match self {
            Self::Wifi { label, .. } | Self::Ble { label, .. } => label,
        }
    }

    /// Its minimum signal strength.
    #[must_use]
    pub const fn min_rssi(&self) -> Rssi {
        match self {
            Self::Wifi { min_rssi, .. } | Self::Ble { min_rssi, .. } => *min_rssi,
        }
    }
}

/// A room: where it is (its fence), what a check-in inside it needs (its
/// policy), and the radios that should be heard there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomRecord {
    /// The room id.
    pub id: Uuid,
    /// Its short unique code, like `B-204`.
    pub code: String,
    /// Its full name.
    pub name: String,
    /// The building it is in (may be empty).
    pub building: String,
    /// Where it is.
    pub geofence: Geofence,
    /// How far outside the fence a fix may be and still count.
    #[cfg_attr(feature = "openapi", schema(value_type = f64))]
    pub location_tolerance_m: Metres,
    /// Which factors a check-in here needs.
    pub policy: Policy,
    /// The Wi-Fi access points and beacons expected inside it.
    pub access_points: Vec<AccessPointRecord>,
}

/// `POST /api/v1/rooms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRoom {
    /// Short unique code; see [`code_problem`].
    pub code: String,
    /// Full name; see [`name_problem`].
    pub name: String,
    /// The building (default empty).
    #[serde(default)]
    pub building: String,
    /// A circle or a polygon, checked as it is read.
    pub geofence: Geofence,
    /// Default 25 m, at most [`MAX_TOLERANCE_M`].
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub location_tolerance_m: Option<Metres>,
    /// Default [`Policy::standard`].
    #[serde(default)]
    pub policy: Option<Policy>,
    /// Access points to add with the room.
    #[serde(default)]
    pub access_points: Vec<NewAccessPoint>,
}

/// `PATCH /api/v1/rooms/{id}`: only the fields given change. Access points
/// have their own endpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoomPatch {
    /// New code.
    #[serde(default)]
    pub code: Option<String>,
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New building.
    #[serde(default)]
    pub building: Option<String>,
    /// New fence.
    #[serde(default)]
    pub geofence: Option<Geofence>,
    /// New tolerance.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub location_tolerance_m: Option<Metres>,
    /// New policy.
    #[serde(default)]
    pub policy: Option<Policy>,
}

// ---------------------------------------------------------------- timetable

/// A day of the week (ISO numbering: Monday is 1). JSON: `"monday"`; on the
/// way in the ISO number (`1`) is accepted too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// ISO day 1.
    Monday,
    /// ISO day 2.
    Tuesday,
    /// ISO day 3.
    Wednesday,
    /// ISO day 4.
    Thursday,
    /// ISO day 5.
    Friday,
    /// ISO day 6.
    Saturday,
    /// ISO day 7.
    Sunday,
}

impl Weekday {
    /// Every day, Monday first.
    pub const ALL: [Self; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];

    /// The ISO number, 1 (Monday) to 7 (Sunday).
    #[must_use]
    pub const fn iso(self) -> u8 {
        self as u8 + 1
    }

    /// The day with ISO number `n`.
    #[must_use]
    pub fn from_iso(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// The English name, capitalised.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Monday => "Monday",
            Self::Tuesday => "Tuesday",
            Self::Wednesday => "Wednesday",
            Self::Thursday => "Thursday",
            Self::Friday => "Friday",
            Self::Saturday => "Saturday",
            Self::Sunday => "Sunday",
        }
    }
}

impl FromStr for Weekday {
    type Err = WeekdayError;
    /// `monday` (any case) or its ISO number `1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let by_number = s.parse::<u8>().ok().and_then(Self::from_iso);
        by_number
            .or_else(|| {
                Self::ALL
                    .into_iter()
                    .find(|d| d.name().eq_ignore_ascii_case(s))
            })
            .ok_or_else(|| WeekdayError(s.to_owned()))
    }
}

/// Text or a number that is not a day of the week.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a day of the week (expected monday … sunday, or 1 … 7): {0}")]
pub struct WeekdayError(pub String);

impl<'de> Deserialize<'de> for Weekday {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Weekday;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a day of the week (monday … sunday, or 1 … 7)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Weekday, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Weekday, E> {
                u8::try_from(v)
                    .ok()
                    .and_then(Weekday::from_iso)
                    .ok_or_else(|| E::custom(WeekdayError(v.to_string())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Weekday, E> {
                u8::try_from(v)
                    .ok()
                    .and_then(Weekday::from_iso)
                    .ok_or_else(|| E::custom(WeekdayError(v.to_string())))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A time of day to the minute, `00:00` to `23:59`. JSON: `"10:00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay(u16);

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for TimeOfDay {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(
                "A time of day to the minute, HH:MM from 00:00 to 23:59.",
            ))
            .examples([serde_json::json!("10:00")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for TimeOfDay {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("TimeOfDay")
    }
}

/// Text that is not a time of day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a time of day (expected HH:MM, 00:00 to 23:59): {0:?}")]
pub struct TimeOfDayError(pub String);

impl TimeOfDay {
    /// A time from its hour (0–23) and minute (0–59).
    #[must_use]
    pub const fn new(hour: u8, minute: u8) -> Option<Self> {
        if hour < 24 && minute < 60 {
            Some(Self(hour as u16 * 60 + minute as u16))
        } else {
            None
        }
    }

    /// Minutes since midnight.
    #[must_use]
    pub const fn minutes(self) -> u16 {
        self.0
    }
}

impl FromStr for TimeOfDay {
    type Err = TimeOfDayError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || TimeOfDayError(s.to_owned());
        let (h, m) = s.split_once(':').ok_or_else(err)?;
        let digits = |t: &str, max_len: usize| {
            !t.is_empty() && t.len() <= max_len && t.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(h, 2) || m.len() != 2 || !digits(m, 2) {
            return Err(err());
        }
        let hour = h.parse().map_err(|_| err())?;
        let minute = m.parse().map_err(|_| err())?;
        Self::new(hour, minute).ok_or_else(err)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = TimeOfDayError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> Self {
        t.to_string()
    }
}

/// One weekly class: a division learns a subject from a teacher in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotRecord {
    /// The slot id.
    pub id: Uuid,
    /// The division taught.
    pub division_id: Uuid,
    /// Its code.
    pub division_code: String,
    /// The subject taught.
    pub subject_id: Uuid,
    /// Its code.
    pub subject_code: String,
    /// Its name.
    pub subject_name: String,
    /// The teacher.
    pub teacher_id: Uuid,
    /// Their display name.
    pub teacher_name: String,
    /// The room.
    pub room_id: Uuid,
    /// Its code.
    pub room_code: String,
    /// The day of the week.
    pub weekday: Weekday,
    /// When it starts.
    pub starts_at: TimeOfDay,
    /// When it ends (after it starts, the same day).
    pub ends_at: TimeOfDay,
}

/// `POST /api/v1/timetable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSlot {
    /// The division taught.
    pub division_id: Uuid,
    /// The subject taught.
    pub subject_id: Uuid,
    /// An account with role teacher.
    pub teacher_id: Uuid,
    /// The room.
    pub room_id: Uuid,
    /// The day of the week.
    pub weekday: Weekday,
    /// When it starts.
    pub starts_at: TimeOfDay,
    /// When it ends; after `starts_at`.
    pub ends_at: TimeOfDay,
}

/// `PATCH /api/v1/timetable/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SlotPatch {
    /// New division.
    #[serde(default)]
    pub division_id: Option<Uuid>,
    /// New subject.
    #[serde(default)]
    pub subject_id: Option<Uuid>,
    /// New teacher.
    #[serde(default)]
    pub teacher_id: Option<Uuid>,
    /// New room.
    #[serde(default)]
    pub room_id: Option<Uuid>,
    /// New day.
    #[serde(default)]
    pub weekday: Option<Weekday>,
    /// New start.
    #[serde(default)]
    pub starts_at: Option<TimeOfDay>,
    /// New end.
    #[serde(default)]
    pub ends_at: Option<TimeOfDay>,
}

/// `GET /api/v1/timetable` filters, besides paging.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TimetableFilter {
    /// Only this division's slots.
    #[serde(default)]
    pub division_id: Option<Uuid>,
    /// Only this teacher's slots.
    #[serde(default)]
    pub teacher_id: Option<Uuid>,
    /// Only this room's slots.
    #[serde(default)]
    pub room_id: Option<Uuid>,
    /// Only this day's slots.
    #[serde(default)]
    pub weekday: Option<Weekday>,
}

/// A Wi-Fi access point this computer hears (the admin's "Scan nearby").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NearbyWifi {
    /// Its BSSID, lower case with colons.
    pub bssid: String,
    /// The network's name (may be empty: hidden).
    pub ssid: String,
    /// Signal strength, dBm.
    pub rssi_dbm: i16,
    /// Channel frequency, MHz.
    pub frequency_mhz: Option<u32>,
}

/// `GET`/`PUT /api/v1/settings`: the school-wide settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SchoolSettings {
    /// Seconds each QR code is shown before the next (10–60); new classes get it.
    pub qr_period_s: u16,
    /// Minutes after the start from which a check-in is late (0–240); new classes get it.
    pub late_after_min: u16,
    /// Reports flag students below this attendance percentage (0–100).
    pub at_risk_below: f64,
    /// Days location evidence and kiosk thumbnails are kept (1–3650).
    pub retention_days: u32,
    /// What a claim synced late needs when its code had expired by the time
    /// it reached the server (its scan time is then only the phone's word).
    pub late_sync: crate::evaluate::LateSync,
    /// Hours after its scan that a claim made offline may still arrive (1–72).
    pub late_sync_max_hours: u16,
}

impl SchoolSettings {
    /// The allowed ranges.
    pub const QR_PERIOD: std::ops::RangeInclusive<u16> = 10..=60;
    /// Late threshold range, minutes.
    pub const LATE_AFTER: std::ops::RangeInclusive<u16> = 0..=240;
    /// Retention range, days.
    pub const RETENTION: std::ops::RangeInclusive<u32> = 1..=3650;
    /// Late-sync window range, hours.
    pub const LATE_SYNC_HOURS: std::ops::RangeInclusive<u16> = 1..=72;

    /// Each field outside its range, with a sentence (empty: valid). The server
    /// and the settings screen check with this one rule.
    #[must_use]
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut found = Vec::new();
        if !Self::QR_PERIOD.contains(&self.qr_period_s) {
            found.push((
                "qr_period_s",
                "the QR period is 10 to 60 seconds".to_owned(),
            ));
        }
        if !Self::LATE_AFTER.contains(&self.late_after_min) {
            found.push((
                "late_after_min",
                "late counts from 0 to 240 minutes after the start".to_owned(),
            ));
        }
        if !(self.at_risk_below.is_finite() && (0.0..=100.0).contains(&self.at_risk_below)) {
            found.push((
                "at_risk_below",
                "the at-risk line is a percentage from 0 to 100".to_owned(),
            ));
        }
        if !Self::RETENTION.contains(&self.retention_days) {
            found.push(("retention_days", "keep evidence 1 to 3650 days".to_owned()));
        }
        if !Self::LATE_SYNC_HOURS.contains(&self.late_sync_max_hours) {
            found.push((
                "late_sync_max_hours",
                "a check-in made offline may arrive 1 to 72 hours after the scan".to_owned(),
            ));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_parse_strictly_and_print_padded() {
        assert_eq!("9:05".parse::<TimeOfDay>().unwrap().to_string(), "09:05");
        assert_eq!("23:59".parse::<TimeOfDay>().unwrap().minutes(), 1439);
        for bad in [
            "24:00", "10:60", "10", "10:5", "-1:00", "10:00:00", "aa:bb", "",
        ] {
            assert!(bad.parse::<TimeOfDay>().is_err(), "{bad}");
        }
    }

    #[test]
    fn weekdays_use_iso_numbers() {
        assert_eq!(Weekday::Monday.iso(), 1);
        assert_eq!(Weekday::from_iso(7), Some(Weekday::Sunday));
        assert_eq!(Weekday::from_iso(0), None);
        assert_eq!(Weekday::from_iso(8), None);
        assert_eq!(
            serde_json::to_string(&Weekday::Wednesday).unwrap(),
            "\"wednesday\""
        );
        let day = |json: &str| serde_json::from_str::<Weekday>(json);
        assert_eq!(day("\"Friday\"").unwrap(), Weekday::Friday);
        assert_eq!(day("2").unwrap(), Weekday::Tuesday);
        for bad in ["8", "0", "-1", "\"funday\"", "1.5", "null"] {
            assert!(day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn access_points_in_two_notations_store_the_same_identifier() {
        let a: NewAccessPoint =
            serde_json::from_str(r#"{"kind":"wifi","bssid":"AA-BB-CC-DD-EE-FF"}"#).unwrap();
        let b: NewAccessPoint =
            serde_json::from_str(r#"{"kind":"wifi","bssid":"aa:bb:cc:dd:ee:ff","min_rssi":-70}"#)
                .unwrap();
        assert_eq!(a.transmitter().identifier(), b.transmitter().identifier());
        assert_eq!(a.min_rssi().dbm(), DEFAULT_MIN_RSSI);
        let ble: NewAccessPoint = serde_json::from_str(
            r#"{"kind":"ble","beacon":"f7826da6-4fa2-4e98-8024-bc5b71e0893e/1/2"}"#,
        )
        .unwrap();
        let t = ble.transmitter();
        assert_eq!(Transmitter::from_stored(t.kind(), &t.identifier()), Some(t));
        assert!(serde_json::from_str::<NewAccessPoint>(
            r#"{"kind":"wifi","bssid":"aa:bb:cc:dd:ee:ff","extra":1}"#
        )
        .is_err());
        assert!(serde_json::from_str::<NewAccessPoint>(r#"{"kind":"wifi","bssid":"zz"}"#).is_err());
    }

    #[test]
    fn codes_and_names_have_rules() {
        assert_eq!(code_problem("SE-A"), None);
        assert!(code_problem("").is_some());
        assert!(code_problem("x'; DROP TABLE rooms;--").is_some());
        assert_eq!(name_problem("Robert'); DROP TABLE subjects;--"), None);
        assert!(name_problem("  ").is_some());
        assert!(name_problem("a\u{0}b").is_some());
    }

    #[test]
    fn settings_out_of_range_are_named_field_by_field() {
        let good = SchoolSettings {
            qr_period_s: 20,
            late_after_min: 10,
            at_risk_below: 75.0,
            retention_days: 30,
            late_sync: crate::evaluate::LateSync::Review,
            late_sync_max_hours: 24,
        };
        assert!(good.problems().is_empty());
        let bad = SchoolSettings {
            qr_period_s: 5,
            late_after_min: 241,
            at_risk_below: f64::NAN,
            retention_days: 0,
            late_sync: crate::evaluate::LateSync::Reject,
            late_sync_max_hours: 73,
        };
        let fields: Vec<&str> = bad.problems().iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "qr_period_s",
                "late_after_min",
                "at_risk_below",
                "retention_days",
                "late_sync_max_hours"
            ]
        );
    }
}
