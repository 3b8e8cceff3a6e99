//! Devices for admins: students' phones waiting for approval (approve, revoke)
//! and the kiosks with their last heartbeat and one-time credentials.

use reqwest::Method;
use rollcall_core::api::{DeviceRecord, KioskCredential, KioskRecord, NewKiosk, Page};
use uuid::Uuid;

use crate::{AppError, ServerClient};

/// Students' devices, pending ones first.
///
/// # Errors
/// What the server call fails with.
pub async fn devices(client: &ServerClient) -> Result<Vec<DeviceRecord>, AppError> {
    let page: Page<DeviceRecord> = client
        .get_json("api/v1/devices?per_page=200&sort=-created_at")
        .await?;
    let mut devices = page.items;
    devices.sort_by_key(|d| d.status.as_str() != "pending");
    Ok(devices)
}

/// Approves a pending device (the student's old one is revoked).
///
/// # Errors
/// What the server call fails with.
pub async fn approve(client: &ServerClient, id: Uuid) -> Result<DeviceRecord, AppError> {
    client
        .send_json(
            Method::POST,
            &format!("api/v1/devices/{id}/approve"),
            None::<&()>,
        )
        .await
}

/// Revokes a device.
///
/// # Errors
/// What the server call fails with.
pub async fn revoke(client: &ServerClient, id: Uuid) -> Result<DeviceRecord, AppError> {
    client
        .send_json(
            Method::POST,
            &format!("api/v1/devices/{id}/revoke"),
            None::<&()>,
        )
        .await
}

/// The kiosks.
///
/// # Errors
/// What the server call fails with.
pub async fn kiosks(client: &ServerClient) -> Result<Vec<KioskRecord>, AppError> {
    let page: Page<KioskRecord> = client.get_json("api/v1/kiosks?per_page=200").await?;
    Ok(page.items)
}

/// Registers a kiosk for a room; its secret is in the answer, once.
///
/// # Errors
/// What the server call fails with.
pub async fn create_kiosk(
    client: &ServerClient,
    kiosk: &NewKiosk,
) -> Result<KioskCredential, AppError> {
    client
        .send_json(Method::POST, "api/v1/kiosks", Some(kiosk))
        .await
}
