//! Student devices (device binding) and kiosks.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::signing::DevicePublicKey;

/// Where a device is in its binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum DeviceStatus {
    /// Bound: its signed claims count.
    Active,
    /// Registered, waiting for an admin's approval.
    Pending,
    /// No longer trusted.
    Revoked,
}

impl DeviceStatus {
    /// The name used in the API and the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Revoked => "revoked",
        }
    }

    /// Parses [`DeviceStatus::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "pending" => Some(Self::Pending),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// The operating system a device reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum Platform {
    /// Android phone.
    Android,
    /// iPhone.
    Ios,
    /// Linux laptop.
    Linux,
    /// Windows laptop.
    Windows,
    /// Mac.
    Macos,
    /// Not said.
    #[default]
    Unknown,
}

impl Platform {
    /// The name used in the API and the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Android => "android",
            Self::Ios => "ios",
            Self::Linux => "linux",
            Self::Windows => "windows",
            Self::Macos => "macos",
            Self::Unknown => "unknown",
        }
    }
}

/// `POST /api/v1/devices`: a phone registers the public half of its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeviceRegistration {
    /// The Ed25519 public key (base64url), validated on parse.
    pub public_key: DevicePublicKey,
    /// A name the student recognises ("Asha's Pixel").
    #[serde(default)]
    pub label: String,
    /// The operating system.
    #[serde(default)]
    pub platform: Platform,
}

/// A device as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRecord {
    /// The device id (claims name it).
    pub id: Uuid,
    /// Its owner.
    pub user_id: Uuid,
    /// The public key.
    pub public_key: DevicePublicKey,
    /// The owner's name for it.
    pub label: String,
    /// The operating system.
    pub platform: Platform,
    /// Where it is in its binding.
    pub status: DeviceStatus,
}

/// `POST /api/v1/kiosks`: register a room's door PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewKiosk {
    /// A unique name ("A-101 door").
    pub name: String,
    /// The room it stands at.
    pub room_id: Uuid,
    /// Its settings, a JSON object (camera, thresholds), as text.
    #[serde(default)]
    pub config: Option<String>,
}

/// `PATCH /api/v1/kiosks/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KioskPatch {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New room.
    #[serde(default)]
    pub room_id: Option<Uuid>,
    /// New settings (a JSON object, as text).
    #[serde(default)]
    pub config: Option<String>,
    /// Enable or disable its credential.
    #[serde(default)]
    pub active: Option<bool>,
}

/// A kiosk as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KioskRecord {
    /// The kiosk id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its room.
    pub room_id: Uuid,
    /// The login it signs in with.
    pub username: String,
    /// Its settings (a JSON object, as text).
    pub config: String,
    /// Whether its credential works.
    pub active: bool,
    /// Its last heartbeat (unix seconds), if any.
    pub last_seen_at: Option<i64>,
}

/// How often a kiosk says it is alive and picks up new settings, seconds.
pub const KIOSK_HEARTBEAT_S: u64 = 60;
/// A kiosk not heard from for this long is offline: three heartbeats missed.
pub const KIOSK_OFFLINE_AFTER_S: i64 = 180;

/// A kiosk's settings, kept as a JSON object (`kiosks.config`): what an
/// administrator sets and the kiosk applies at its next heartbeat. A key left
/// out takes its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KioskConfig {
    /// Consecutive frames that must agree before a student is marked.
    pub agreement_frames: u32,
    /// After a mark, the same student is not marked again for this long, minutes.
    pub cooldown_minutes: u32,
}

impl Default for KioskConfig {
    fn default() -> Self {
        Self {
            agreement_frames: 3,
            cooldown_minutes: 10,
        }
    }
}

/// Why an administrator's kiosk settings were refused: the field and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskConfigProblem {
    /// The setting (`config` for the whole).
    pub field: String,
    /// Why, in words.
    pub message: String,
}

impl KioskConfig {
    /// The agreeing frames an administrator may ask for.
    pub const AGREEMENT_FRAMES: std::ops::RangeInclusive<u32> = 1..=10;
    /// The cooldown an administrator may set, minutes.
    pub const COOLDOWN_MINUTES: std::ops::RangeInclusive<u32> = 1..=240;
    const KEYS: [&'static str; 2] = ["agreement_frames", "cooldown_minutes"];

    /// The settings as stored, for the kiosk to apply: a value it cannot use
    /// (unknown keys, a value out of range, not an object) takes the default,
    /// so a kiosk always starts.
    #[must_use]
    pub fn read(text: &str) -> Self {
        let stored: Self = serde_json::from_str(text).unwrap_or_default();
        let fallback = Self::default();
        Self {
            agreement_frames: Some(stored.agreement_frames)
                .filter(|n| Self::AGREEMENT_FRAMES.contains(n))
                .unwrap_or(fallback.agreement_frames),
            cooldown_minutes: Some(stored.cooldown_minutes)
                .filter(|n| Self::COOLDOWN_MINUTES.contains(n))
                .unwrap_or(fallback.cooldown_minutes),
        }
    }

    /// Checks the settings an administrator sends: a JSON object of known
    /// settings, each a whole number in its range.
    ///
    /// # Errors
    /// The first problem, with the setting it concerns.
    pub fn check(text: &str) -> Result<Self, KioskConfigProblem> {
        let problem = |field: &str, message: String| KioskConfigProblem {
            field: field.to_owned(),
            message,
        };
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|_| problem("config", "kiosk settings must be a JSON object".to_owned()))?;
        let object = value
            .as_object()
            .ok_or_else(|| problem("config", "kiosk settings must be a JSON object".to_owned()))?;
        if let Some(unknown) = object.keys().find(|k| !Self::KEYS.contains(&k.as_str())) {
            return Err(problem(
                unknown,
                format!(
                    "\u{201c}{unknown}\u{201d} is not a kiosk setting (known: {})",
                    Self::KEYS.join(", ")
                ),
            ));
        }
        let whole =
            |key: &str, range: &std::ops::RangeInclusive<u32>, what: &str| match object.get(key) {
                None => Ok(None),
                Some(v) => v
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| range.contains(n))
                    .map(Some)
                    .ok_or_else(|| {
                        problem(
                            key,
                            format!(
                                "{what} is a whole number from {} to {}",
                                range.start(),
                                range.end()
                            ),
                        )
                    }),
            };
        let fallback = Self::default();
        Ok(Self {
            agreement_frames: whole(
                "agreement_frames",
                &Self::AGREEMENT_FRAMES,
                "agreement_frames",
            )?
            .unwrap_or(fallback.agreement_frames),
            cooldown_minutes: whole(
                "cooldown_minutes",
                &Self::COOLDOWN_MINUTES,
                "cooldown_minutes",
            )?
            .unwrap_or(fallback.cooldown_minutes),
        })
    }

    /// The settings as the API carries them (a JSON object, as text).
    #[must_use]
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// The credential of a kiosk, shown once on creation or rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KioskCredential {
    /// The kiosk.
    pub kiosk: KioskRecord,
    /// Sign in with `kiosk.username` and this secret; it is not shown again.
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admins_kiosk_settings_are_checked_by_name_and_range() {
        assert_eq!(KioskConfig::check("{}"), Ok(KioskConfig::default()));
        assert_eq!(
            KioskConfig::check(r#"{"agreement_frames": 5, "cooldown_minutes": 30}"#),
            Ok(KioskConfig {
                agreement_frames: 5,
                cooldown_minutes: 30
            })
        );
        for (text, field) in [
            ("[1]", "config"),
            ("{not json", "config"),
            (r#"{"camera": 0}"#, "camera"),
            (r#"{"agreement_frames": 0}"#, "agreement_frames"),
            (r#"{"agreement_frames": 11}"#, "agreement_frames"),
            (r#"{"agreement_frames": 2.5}"#, "agreement_frames"),
            (r#"{"cooldown_minutes": -1}"#, "cooldown_minutes"),
            (r#"{"cooldown_minutes": "10"}"#, "cooldown_minutes"),
        ] {
            assert_eq!(KioskConfig::check(text).unwrap_err().field, field, "{text}");
        }
    }

    #[test]
    fn a_kiosk_reads_what_it_cannot_use_as_the_default_and_always_starts() {
        assert_eq!(KioskConfig::read("{}"), KioskConfig::default());
        assert_eq!(KioskConfig::read("not json"), KioskConfig::default());
        assert_eq!(
            KioskConfig::read(r#"{"agreement_frames": 99, "cooldown_minutes": 5, "camera": 1}"#),
            KioskConfig {
                agreement_frames: 3,
                cooldown_minutes: 5
            }
        );
        let set = KioskConfig {
            agreement_frames: 4,
            cooldown_minutes: 1,
        };
        assert_eq!(KioskConfig::read(&set.to_text()), set);
    }
}
