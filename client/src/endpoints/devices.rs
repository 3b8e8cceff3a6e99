//! Students' devices (binding) and kiosks.

use rollcall_core::api::{
    DeviceFilter, DeviceRecord, DeviceRegistration, FaceTemplateRecord, KioskCredential,
    KioskPatch, KioskRecord, ListParams, NewKiosk, Page,
};
use uuid::Uuid;

use crate::request::Caller;
use crate::routes;
use crate::{Client, ClientError};

impl Client {
    /// `GET /api/v1/devices`: every device (admins) or one's own.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn devices(
        &self,
        list: &ListParams,
        filter: &DeviceFilter,
    ) -> Result<Page<DeviceRecord>, ClientError> {
        self.call(&routes::DEVICES, &[], Caller::SignedIn)
            .query(list)?
            .query(filter)?
            .answer()
            .await
    }

    /// `POST /api/v1/devices`: registers this device's public key.
    ///
    /// # Errors
    /// What the call fails with (`device_key_in_use`).
    pub async fn register_device(
        &self,
        device: &DeviceRegistration,
    ) -> Result<DeviceRecord, ClientError> {
        self.call(&routes::REGISTER_DEVICE, &[], Caller::SignedIn)
            .json(device)?
            .answer()
            .await
    }

    /// `POST /api/v1/devices/{id}/approve`.
    ///
    /// # Errors
    /// What the call fails with (`device_not_pending`).
    pub async fn approve_device(&self, id: Uuid) -> Result<DeviceRecord, ClientError> {
        self.call(&routes::APPROVE_DEVICE, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `POST /api/v1/devices/{id}/revoke`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn revoke_device(&self, id: Uuid) -> Result<DeviceRecord, ClientError> {
        self.call(&routes::REVOKE_DEVICE, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `GET /api/v1/kiosks`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn kiosks(&self, list: &ListParams) -> Result<Page<KioskRecord>, ClientError> {
        self.call(&routes::KIOSKS, &[], Caller::SignedIn)
            .query(list)?
            .answer()
            .await
    }

    /// `POST /api/v1/kiosks`: registers a kiosk; its credential is shown once.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn create_kiosk(&self, kiosk: &NewKiosk) -> Result<KioskCredential, ClientError> {
        self.call(&routes::CREATE_KIOSK, &[], Caller::SignedIn)
            .json(kiosk)?
            .answer()
            .await
    }

    /// `GET /api/v1/kiosks/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn kiosk(&self, id: Uuid) -> Result<KioskRecord, ClientError> {
        self.call(&routes::KIOSK, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `PATCH /api/v1/kiosks/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn update_kiosk(
        &self,
        id: Uuid,
        patch: &KioskPatch,
    ) -> Result<KioskRecord, ClientError> {
        self.call(&routes::UPDATE_KIOSK, &[&id], Caller::SignedIn)
            .json(patch)?
            .answer()
            .await
    }

    /// `POST /api/v1/kiosks/{id}/credential`: a new credential; the old one
    /// stops working.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn rotate_kiosk_credential(&self, id: Uuid) -> Result<KioskCredential, ClientError> {
        self.call(&routes::ROTATE_KIOSK_CREDENTIAL, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `POST /api/v1/kiosks/heartbeat`: the signed-in kiosk says it is alive.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn kiosk_heartbeat(&self) -> Result<KioskRecord, ClientError> {
        self.call(&routes::KIOSK_HEARTBEAT, &[], Caller::SignedIn)
            .answer()
            .await
    }

    /// `GET /api/v1/kiosks/roster-templates`: the face templates of the
    /// students the signed-in kiosk may greet.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn kiosk_roster_templates(&self) -> Result<Vec<FaceTemplateRecord>, ClientError> {
        self.call(&routes::KIOSK_ROSTER_TEMPLATES, &[], Caller::SignedIn)
            .answer()
            .await
    }
}
