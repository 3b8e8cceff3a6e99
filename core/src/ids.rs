//! Identifiers of the things a claim refers to.
//!
//! Each id is its own type so a student id can never be passed where a
//! session id is expected. All serialise as the UUID's hyphenated string.

use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Why a string or UUID is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The text is not a UUID.
    #[error("not a UUID: {0:?}")]
    NotUuid(String),
    /// A claim id must be a UUID v7 (time-ordered, made on the device).
    #[error("a claim id must be a UUID v7, this is version {0}")]
    NotV7(usize),
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID read from storage or the API.
            #[must_use]
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The underlying UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// The 16 bytes of the UUID, as used in canonical encodings.
            #[must_use]
            pub const fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| IdError::NotUuid(s.to_owned()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A student's account id.
    StudentId
);
uuid_id!(
    /// A class session: one occurrence of a timetabled class, started by a teacher.
    SessionId
);
uuid_id!(
    /// A registered device (a student's phone or laptop, or a kiosk).
    DeviceId
);
uuid_id!(
    /// A room (lecture hall, lab) with its geofence and access points.
    RoomId
);

/// A claim's id: a UUID v7 made on the device when the student checks in.
///
/// Being time-ordered, it sorts claims by creation; being made on the device,
/// it makes submission idempotent: a claim sent twice is the same claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Uuid", into = "Uuid")]
pub struct ClaimId(Uuid);

impl ClaimId {
    /// Accepts a UUID only if it is a version 7 UUID.
    ///
    /// # Errors
    /// [`IdError::NotV7`] for any other version.
    pub fn from_uuid(id: Uuid) -> Result<Self, IdError> {
        match id.get_version_num() {
            7 => Ok(Self(id)),
            v => Err(IdError::NotV7(v)),
        }
    }

    /// Makes a new claim id for the instant `unix_millis`, with 74 random bits
    /// from `rng` (the caller's CSPRNG: core owns no global random source).
    pub fn generate(unix_millis: u64, rng: &mut impl CryptoRngCore) -> Self {
        let mut random = [0u8; 10];
        rng.fill_bytes(&mut random);
        Self(uuid::Builder::from_unix_timestamp_millis(unix_millis, &random).into_uuid())
    }

    /// The underlying UUID.
    #[must_use]
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// The 16 bytes of the UUID, as used in canonical encodings.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
}

impl TryFrom<Uuid> for ClaimId {
    type Error = IdError;
    fn try_from(id: Uuid) -> Result<Self, Self::Error> {
        Self::from_uuid(id)
    }
}

impl From<ClaimId> for Uuid {
    fn from(id: ClaimId) -> Self {
        id.0
    }
}

impl FromStr for ClaimId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = Uuid::parse_str(s.trim()).map_err(|_| IdError::NotUuid(s.to_owned()))?;
        Self::from_uuid(id)
    }
}

impl fmt::Display for ClaimId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn claim_ids_are_v7_and_ordered_by_time() {
        let mut rng = StdRng::seed_from_u64(7);
        let a = ClaimId::generate(1_700_000_000_000, &mut rng);
        let b = ClaimId::generate(1_700_000_000_001, &mut rng);
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert!(a < b);
        let text = a.to_string();
        assert_eq!(text.parse::<ClaimId>().unwrap(), a);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<ClaimId>(&json).unwrap(), a);
    }

    #[test]
    fn a_v4_uuid_is_not_a_claim_id() {
        let v4 = Uuid::new_v4();
        assert_eq!(ClaimId::from_uuid(v4), Err(IdError::NotV7(4)));
        let json = serde_json::to_string(&v4).unwrap();
        assert!(serde_json::from_str::<ClaimId>(&json).is_err());
    }

    #[test]
    fn ids_parse_and_print_as_hyphenated_uuids() {
        let id: StudentId = " 67e55044-10b1-426f-9247-bb680e5fe0c8 ".parse().unwrap();
        assert_eq!(id.to_string(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert!(matches!(
            "nope".parse::<SessionId>(),
            Err(IdError::NotUuid(_))
        ));
    }
}
