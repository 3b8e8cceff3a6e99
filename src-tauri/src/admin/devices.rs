//! Devices for admins: students' phones waiting for approval (approve, revoke)
//! and the kiosks with their last heartbeat, their settings and one-time
//! credentials.

use rollcall_core::api::{
    DeviceFilter, DeviceRecord, DeviceStatus, KioskCredential, KioskPatch, KioskRecord, ListParams,
    NewKiosk,
};
use uuid::Uuid;

use crate::{AppError, ServerClient};

/// Students' devices, pending ones first.
///
/// # Errors
/// What the server call fails with.
pub async fn devices(client: &ServerClient) -> Result<Vec<DeviceRecord>, AppError> {
    let page = client
        .devices(
            &ListParams::per_page(200).sorted("-created_at"),
            &DeviceFilter::default(),
        )
        .await?;
    let mut devices = page.items;
    devices.sort_by_key(|d| d.status != DeviceStatus::Pending);
    Ok(devices)
}

/// Approves a pending device (the student's old one is revoked).
///
/// # Errors
/// What the server call fails with.
pub async fn approve(client: &ServerClient, id: Uuid) -> Result<DeviceRecord, AppError> {
    Ok(client.approve_device(id).await?)
}

/// Revokes a device.
///
/// # Errors
/// What the server call fails with.
pub async fn revoke(client: &ServerClient, id: Uuid) -> Result<DeviceRecord, AppError> {
    Ok(client.revoke_device(id).await?)
}

/// The kiosks.
///
/// # Errors
/// What the server call fails with.
pub async fn kiosks(client: &ServerClient) -> Result<Vec<KioskRecord>, AppError> {
    Ok(
        rollcall_client::every_page(&ListParams::default(), |page| async move {
            client.kiosks(&page).await
        })
        .await?,
    )
}

/// Changes a kiosk: its settings, or whether its credential works.
///
/// # Errors
/// What the server call fails with (`invalid_field` naming the setting).
pub async fn update_kiosk(
    client: &ServerClient,
    id: Uuid,
    patch: &KioskPatch,
) -> Result<KioskRecord, AppError> {
    Ok(client.update_kiosk(id, patch).await?)
}

/// A new credential for a kiosk; the old one stops working at once.
///
/// # Errors
/// What the server call fails with.
pub async fn rotate_kiosk_credential(
    client: &ServerClient,
    id: Uuid,
) -> Result<KioskCredential, AppError> {
    Ok(client.rotate_kiosk_credential(id).await?)
}

/// Registers a kiosk for a room; its secret is in the answer, once.
///
/// # Errors
/// What the server call fails with.
pub async fn create_kiosk(
    client: &ServerClient,
    kiosk: &NewKiosk,
) -> Result<KioskCredential, AppError> {
    Ok(client.create_kiosk(kiosk).await?)
}
