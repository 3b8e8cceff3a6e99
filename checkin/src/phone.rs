//! A student's phone as the engine sees it: who, which registered device,
//! and the key it signs with; and a check-in: read the code and the sensors,
//! ask the owner at the biometric gate, sign the claim and keep it in the
//! outbox before any network call.

use rollcall_client::{Client, ClientError};
use rollcall_core::api::{DeviceRecord, DeviceRegistration, Platform};
use rollcall_core::claim::{Claim, Evidence, Token};
use rollcall_core::face::FaceEvidence;
use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
use rollcall_core::otp::Otp;
use rollcall_core::qr::QrPayload;
use rollcall_core::signing::{DeviceKey, SignedClaim};
use rollcall_core::timestamp::Timestamp;
use uuid::Uuid;

use crate::sensors::{DeviceSensors, QrScanner, SensorError};
use crate::signer::ClaimSigner;
use crate::store::{ClaimStore, OutboxError};

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

/// A student's phone: who, which registered device, and the key it signs with.
#[derive(Clone)]
pub struct Phone<K: ClaimSigner = DeviceKey> {
    /// The student.
    pub student: Uuid,
    /// The device record on the server.
    pub device: DeviceRecord,
    key: K,
}

impl<K: ClaimSigner> std::fmt::Debug for Phone<K> {
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

impl<K: ClaimSigner> Phone<K> {
    /// Registers `key` for the signed-in student (idempotent: the same key
    /// answers with the same device). The first phone is bound at once; a later
    /// one waits for an admin.
    ///
    /// # Errors
    /// What the server call fails with.
    pub async fn register(
        client: &Client,
        key: K,
        label: &str,
        platform: Platform,
    ) -> Result<Self, ClientError> {
        let student = client
            .with_session(|s| s.user.id)
            .ok_or(ClientError::NotSignedIn)?;
        let device = client
            .register_device(&DeviceRegistration {
                public_key: key.public_key(),
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

    /// Checks in to `session` at `at` (the shell's clock; a scan made earlier,
    /// offline, keeps its instant): reads the code, the location and the radio,
    /// asks the owner to confirm at the biometric gate, signs the claim and
    /// keeps it in the outbox. Missing location or radio readings are left out
    /// (the server's policy decides); the code and the confirmation are needed.
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
        outbox: &impl ClaimStore,
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
        outbox: &impl ClaimStore,
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
        let signed = self.key.sign(claim);
        outbox.enqueue(&signed).await?;
        Ok(signed)
    }
}
