//! The phone's identity: its Ed25519 key (kept in a file readable only by the
//! user on desktop; the OS keystore on mobile), its registration with the server,
//! and a check-in: read the sensors, build and sign the claim, and write it to
//! the outbox before any network call.

use std::path::{Path, PathBuf};

use rollcall_core::api::{DeviceRecord, DeviceRegistration, Platform};
use rollcall_core::claim::{Claim, Evidence, Token};
use rollcall_core::face::FaceEvidence;
use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
use rollcall_core::otp::Otp;
use rollcall_core::qr::QrPayload;
use rollcall_core::signing::{DeviceKey, SignedClaim};
use rollcall_core::timestamp::Timestamp;
use uuid::Uuid;

use super::outbox::{Outbox, OutboxError};
use super::sensors::{DeviceSensors, QrScanner, SensorError};
use crate::{AppError, ServerClient};

/// Why a check-in could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CheckInError {
    /// No code: the QR could not be read and no OTP was typed.
    #[error("no code: scan the QR code or type the six digits ({0})")]
    NoToken(String),
    /// The QR code is not a Rollcall code.
    #[error("this QR code is not a Rollcall check-in code")]
    NotOurQr,
    /// The typed code is not six digits.
    #[error("the code is six digits")]
    BadOtp,
    /// The owner did not confirm at the biometric gate: nothing was signed.
    #[error("the check-in was not confirmed: {0}")]
    NotConfirmed(SensorError),
    /// The claim could not be stored.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

/// Where the device key lives on this machine.
#[derive(Debug, Clone)]
pub struct KeyFile(PathBuf);

impl KeyFile {
    /// The key file in `folder`.
    #[must_use]
    pub fn in_folder(folder: &Path) -> Self {
        Self(folder.join("device-key"))
    }

    /// The key, made (and saved, readable only by this user) on first use.
    ///
    /// # Errors
    /// When the file cannot be read or written, or is not a key.
    pub fn load_or_create(&self) -> std::io::Result<DeviceKey> {
        if let Some(key) = self.read()? {
            return Ok(key);
        }
        let key = DeviceKey::generate(&mut rand_core::OsRng);
        if let Some(folder) = self.0.parent() {
            std::fs::create_dir_all(folder)?;
        }
        write_private(&self.0, &key.seed())?;
        Ok(key)
    }

    /// The key in the file; `None` when there is no file.
    ///
    /// # Errors
    /// When the file cannot be read or is not a key.
    pub fn read(&self) -> std::io::Result<Option<DeviceKey>> {
        match std::fs::read(&self.0) {
            Ok(bytes) => {
                let seed: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "the device key file is damaged",
                    )
                })?;
                Ok(Some(DeviceKey::from_seed(&seed)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes the file (the key now lives elsewhere); no file is fine.
    ///
    /// # Errors
    /// When it exists and cannot be removed.
    pub fn remove(&self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.0) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Writes `bytes` to `path` readable only by this user, replacing what was there in
/// one step (a new file renamed over the old one).
///
/// # Errors
/// When the folder cannot be written.
pub(crate) fn write_private_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let fresh = path.with_extension("new");
    let _ = std::fs::remove_file(&fresh);
    write_private(&fresh, bytes)?;
    std::fs::rename(&fresh, path)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// A student's phone: who, which registered device, and its key.
#[derive(Clone)]
pub struct Phone {
    /// The student.
    pub student: Uuid,
    /// The device record on the server.
    pub device: DeviceRecord,
    key: DeviceKey,
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phone")
            .field("student", &self.student)
            .field("device", &self.device.id)
            .finish_non_exhaustive()
    }
}

/// What the student offers as the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeEntry {
    /// Scan the teacher's QR code with the camera.
    ScanQr,
    /// The six digits typed.
    Typed(String),
}

impl Phone {
    /// Registers `key` for the signed-in student (idempotent: the same key
    /// answers with the same device). The first phone is bound at once; a later
    /// one waits for an admin.
    ///
    /// # Errors
    /// What the server call fails with.
    pub async fn register(
        client: &ServerClient,
        key: DeviceKey,
        label: &str,
        platform: Platform,
    ) -> Result<Self, AppError> {
        let student = client
            .with_session(|s| s.user.id)
            .ok_or(AppError::NOT_SIGNED_IN)?;
        let device = client
            .register_device(&DeviceRegistration {
                public_key: key.public(),
                label: label.to_owned(),
                platform,
            })
            .await?;
        Ok(Self {
            student,
            device,
            key,
        })
    }

    /// Checks in to `session` now: reads the code, the location and the radio,
    /// asks the owner to confirm at the biometric gate, signs the claim and writes
    /// it to the outbox. Missing location or radio readings are left out (the
    /// server's policy decides); the code and the confirmation are needed.
    ///
    /// # Errors
    /// A [`CheckInError`].
    pub async fn check_in(
        &self,
        session: Uuid,
        code: &CodeEntry,
        camera: &dyn QrScanner,
        sensors: &dyn DeviceSensors,
        outbox: &Outbox,
    ) -> Result<SignedClaim, CheckInError> {
        self.check_in_at(crate::clock::now(), session, code, camera, sensors, outbox)
            .await
    }

    /// [`Phone::check_in`] at a given instant (a scan made earlier, offline).
    ///
    /// # Errors
    /// A [`CheckInError`].
    #[allow(
        clippy::too_many_arguments,
        reason = "a check-in's parts: the session, the code, the sensors, the gate and the outbox"
    )]
    pub async fn check_in_at(
        &self,
        at: Timestamp,
        session: Uuid,
        code: &CodeEntry,
        camera: &dyn QrScanner,
        sensors: &dyn DeviceSensors,
        outbox: &Outbox,
    ) -> Result<SignedClaim, CheckInError> {
        self.check_in_with_face(at, session, code, camera, sensors, None, outbox)
            .await
    }

    /// [`Phone::check_in_at`] with the on-device face check's result as evidence.
    ///
    /// # Errors
    /// A [`CheckInError`].
    #[allow(
        clippy::too_many_arguments,
        reason = "a check-in's parts: the session, the code, the sensors, the gate and the outbox"
    )]
    pub async fn check_in_with_face(
        &self,
        at: Timestamp,
        session: Uuid,
        code: &CodeEntry,
        camera: &dyn QrScanner,
        sensors: &dyn DeviceSensors,
        face: Option<FaceEvidence>,
        outbox: &Outbox,
    ) -> Result<SignedClaim, CheckInError> {
        let token = match code {
            CodeEntry::ScanQr => {
                let text = camera
                    .scan()
                    .map_err(|e: SensorError| CheckInError::NoToken(e.to_string()))?;
                Token::Qr(
                    text.trim()
                        .parse::<QrPayload>()
                        .map_err(|_| CheckInError::NotOurQr)?,
                )
            }
            CodeEntry::Typed(digits) => Token::Otp(
                digits
                    .trim()
                    .parse::<Otp>()
                    .map_err(|_| CheckInError::BadOtp)?,
            ),
        };
        let millis = u64::try_from(at.unix()).unwrap_or_default() * 1000;
        let claim = Claim {
            id: ClaimId::generate(millis, &mut rand_core::OsRng),
            student: StudentId::from(self.student),
            session: SessionId::from(session),
            device: DeviceId::from(self.device.id),
            scanned_at: at,
            evidence: Evidence {
                token: Some(token),
                location: sensors.fix().ok(),
                radio: sensors.scan().ok(),
                face,
            },
        };
        let reason = "Confirm it is you to sign this check-in";
        sensors
            .confirm(reason)
            .map_err(CheckInError::NotConfirmed)?;
        let signed = SignedClaim::sign(claim, &self.key);
        outbox.enqueue(&signed).await?;
        Ok(signed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_device_key_is_made_once_and_readable_only_by_its_user() {
        let folder = std::env::temp_dir().join(format!("rollcall-key-{}", Uuid::now_v7()));
        let file = KeyFile::in_folder(&folder);
        let first = file.load_or_create().unwrap();
        let again = file.load_or_create().unwrap();
        assert_eq!(first.public(), again.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(folder.join("device-key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(folder.join("device-key"), b"short").unwrap();
        assert_eq!(
            file.load_or_create().unwrap_err().kind(),
            std::io::ErrorKind::InvalidData
        );
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
