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

/// The credential of a kiosk, shown once on creation or rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KioskCredential {
    /// The kiosk.
    pub kiosk: KioskRecord,
    /// Sign in with `kiosk.username` and this secret; it is not shown again.
    pub secret: String,
}
