//! This device as a student's phone, held in Tauri's managed state: its key and
//! registration, its outbox, the background sync worker, and the check-in
//! command's work.

use std::path::{Path, PathBuf};

use rollcall_checkin::phone::{CheckInError, CodeEntry, Phone};
use rollcall_checkin::sensors::{DeviceSensors, QrScanner};
use rollcall_checkin::sqlite::Outbox;
use rollcall_checkin::store::ClaimStore as _;
use rollcall_checkin::sync::{Courier, TokioPause};
use rollcall_core::api::{CheckInAnswer, PhoneState, Platform, SyncStatus};
use tokio::sync::Mutex;
use uuid::Uuid;

use super::selfie;
use crate::device::key_store::{self, KeyStoreChoice};
use crate::device::qr_reader::{read_picture, NoLiveCamera, SeenCode};
use crate::face::FaceService;
use crate::{AppError, ServerClient};

struct Ready {
    phone: Phone,
    outbox: Outbox,
    /// The account's own folder (key, outbox, face template copy).
    folder: PathBuf,
}

/// How long a check-in waits for the server's answer before saying it is
/// kept and will be sent.
const ANSWER_WITHIN_S: u16 = 20;

/// The student's phone once prepared.
#[derive(Default)]
pub struct StudentPhone {
    ready: Mutex<Option<Ready>>,
    courier: Courier,
}

impl std::fmt::Debug for StudentPhone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StudentPhone")
    }
}

fn phone_error(code: &'static str, message: &impl ToString) -> AppError {
    AppError::Phone {
        code,
        message: message.to_string(),
    }
}

impl From<CheckInError> for AppError {
    fn from(error: CheckInError) -> Self {
        let code = match &error {
            CheckInError::NoToken(_) => "no_code",
            CheckInError::NotOurQr => "not_our_qr",
            CheckInError::BadOtp => "bad_otp",
            CheckInError::NotConfirmed(_) => "not_confirmed",
            CheckInError::Outbox(_) => "outbox_failed",
        };
        phone_error(code, &error)
    }
}

impl StudentPhone {
    /// The one owner of sending this phone's outbox; the shell runs its
    /// worker once the phone is prepared.
    #[must_use]
    pub fn courier(&self) -> Courier {
        self.courier.clone()
    }

    /// Loads (or makes) the signed-in student's device key (in the OS keystore
    /// when `keys` allows, else in their own folder under `folder`), registers it
    /// and opens their outbox in that folder. Safe to call again.
    ///
    /// # Errors
    /// `key_failed`, `outbox_failed`, or what the server answered.
    pub async fn prepare(
        &self,
        client: &ServerClient,
        folder: &Path,
        keys: KeyStoreChoice,
    ) -> Result<(PhoneState, Outbox), AppError> {
        // One key and one outbox per account: a computer shared by two students
        // is each one's own device, and their check-ins never mix.
        let account = client
            .with_session(|s| s.user.id)
            .ok_or(AppError::NOT_SIGNED_IN)?;
        let folder = &folder.join(account.to_string());
        let (key, _) = key_store::load_or_create(folder, account, keys)
            .await
            .map_err(|e| {
                phone_error(
                    "key_failed",
                    &format!("The device key could not be kept: {e}."),
                )
            })?;
        let label = format!("{} computer", std::env::consts::OS);
        let platform = match std::env::consts::OS {
            "linux" => Platform::Linux,
            "windows" => Platform::Windows,
            "macos" => Platform::Macos,
            "android" => Platform::Android,
            "ios" => Platform::Ios,
            _ => Platform::Unknown,
        };
        let phone = Phone::register(client, key, &label, platform).await?;
        let outbox = Outbox::open(&folder.join("outbox.sqlite"))
            .await
            .map_err(|e| phone_error("outbox_failed", &e))?;
        let pending = outbox
            .pending()
            .await
            .map_err(|e| phone_error("outbox_failed", &e))?;
        let state = PhoneState {
            device_id: phone.device.id,
            status: phone.device.status,
            pending,
            // Phones scan the QR code live with the barcode scanner plugin.
            camera_scanner: cfg!(mobile),
        };
        *self.ready.lock().await = Some(Ready {
            phone,
            outbox: outbox.clone(),
            folder: folder.clone(),
        });
        Ok((state, outbox))
    }

    /// Checks in to `session` with the typed `code` and, when `selfies` are
    /// given, the face checked against the student's own template, reading this
    /// device's `sensors` (location, radio, and the biometric gate before signing):
    /// signs, stores in the outbox, then tries to send at once. Offline, the claim
    /// waits and the answer is `None`.
    ///
    /// # Errors
    /// `not_signed_in` before [`StudentPhone::prepare`]; `bad_otp`, `no_code`,
    /// `not_confirmed` (the biometric gate), `outbox_failed`; for the selfie
    /// `not_enrolled`, `no_face`, `poor_selfie`, `face_unavailable`.
    pub async fn check_in(
        &self,
        client: &ServerClient,
        faces: &FaceService,
        sensors: &dyn DeviceSensors,
        session: Uuid,
        code: &str,
        selfies: &[String],
    ) -> Result<CheckInAnswer, AppError> {
        let entry = if code.trim().is_empty() {
            CodeEntry::ScanQr
        } else {
            CodeEntry::Typed(code.to_owned())
        };
        // No code typed and no picture: this command reads no live camera.
        self.submit(
            client,
            faces,
            sensors,
            session,
            &entry,
            &NoLiveCamera,
            selfies,
        )
        .await
    }

    /// Checks in to `session` with the text of the teacher's QR code as a camera
    /// read it (the phone's barcode scanner, the webcam, a picture).
    ///
    /// # Errors
    /// `not_our_qr` when the text is not a Rollcall code; as
    /// [`StudentPhone::check_in`] otherwise.
    pub async fn check_in_with_scanned_code(
        &self,
        client: &ServerClient,
        faces: &FaceService,
        sensors: &dyn DeviceSensors,
        session: Uuid,
        text: String,
        selfies: &[String],
    ) -> Result<CheckInAnswer, AppError> {
        let camera = SeenCode(text);
        self.submit(
            client,
            faces,
            sensors,
            session,
            &CodeEntry::ScanQr,
            &camera,
            selfies,
        )
        .await
    }

    /// Checks in to `session` with the QR code in a picture (PNG or JPEG bytes)
    /// taken of the teacher's screen.
    ///
    /// # Errors
    /// `no_code` when the picture holds no readable QR code; as
    /// [`StudentPhone::check_in`] otherwise.
    pub async fn check_in_with_picture(
        &self,
        client: &ServerClient,
        faces: &FaceService,
        sensors: &dyn DeviceSensors,
        session: Uuid,
        picture: &[u8],
        selfies: &[String],
    ) -> Result<CheckInAnswer, AppError> {
        let text = read_picture(picture).map_err(|e| phone_error("no_code", &e))?;
        self.check_in_with_scanned_code(client, faces, sensors, session, text, selfies)
            .await
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "a check-in's parts: the session, the code, the sensors, the gate and the outbox"
    )]
    async fn submit(
        &self,
        client: &ServerClient,
        faces: &FaceService,
        sensors: &dyn DeviceSensors,
        session: Uuid,
        entry: &CodeEntry,
        camera: &dyn QrScanner,
        selfies: &[String],
    ) -> Result<CheckInAnswer, AppError> {
        let guard = self.ready.lock().await;
        let ready = guard.as_ref().ok_or(AppError::NOT_SIGNED_IN)?;
        let face = if selfies.is_empty() {
            None
        } else {
            let template = selfie::own_template(client, &ready.folder).await?;
            Some(selfie::face_evidence(faces, &template, selfies).await?)
        };
        let claim = ready
            .phone
            .check_in_with_face(
                crate::clock::now(),
                session,
                entry,
                camera,
                sensors,
                face,
                &ready.outbox,
            )
            .await?;
        let id = *claim.claim.id.as_uuid();
        // The worker sends it; offline, it keeps trying with its backoff.
        let result = self
            .courier
            .answer_for(id, ANSWER_WITHIN_S, &TokioPause)
            .await;
        let pending = ready
            .outbox
            .pending()
            .await
            .map_err(|e| phone_error("outbox_failed", &e))?;
        Ok(CheckInAnswer {
            claim_id: id,
            result,
            pending,
        })
    }

    /// Where the outbox stands.
    ///
    /// # Errors
    /// `outbox_failed`; before [`StudentPhone::prepare`], nothing waits.
    pub async fn status(&self) -> Result<SyncStatus, AppError> {
        let guard = self.ready.lock().await;
        let pending = match guard.as_ref() {
            Some(ready) => ready
                .outbox
                .pending()
                .await
                .map_err(|e| phone_error("outbox_failed", &e))?,
            None => 0,
        };
        Ok(SyncStatus {
            pending,
            last_sync: None,
            problem: None,
            retry_in_s: None,
        })
    }
}
