//! The admin's people and devices commands. The server checks the role of every
//! call.

use rollcall_core::api::{
    CsvImportReport, DeviceRecord, KioskCredential, KioskPatch, KioskRecord, NewKiosk, NewUser,
    Page, UserPatch, UserQuery, UserRecord,
};
use tauri::State;
use uuid::Uuid;

use crate::admin::{devices, people};
use crate::{AppError, ServerClient};

/// A page of accounts matching the search and filters.
#[tauri::command]
pub async fn list_users(
    client: State<'_, ServerClient>,
    query: UserQuery,
) -> Result<Page<UserRecord>, AppError> {
    people::list(&client, &query).await
}

/// Creates an account.
#[tauri::command]
pub async fn create_user(
    client: State<'_, ServerClient>,
    user: NewUser,
) -> Result<UserRecord, AppError> {
    people::create(&client, &user).await
}

/// Edits, deactivates or reactivates an account.
#[tauri::command]
pub async fn update_user(
    client: State<'_, ServerClient>,
    id: Uuid,
    patch: UserPatch,
) -> Result<UserRecord, AppError> {
    people::update(&client, id, &patch).await
}

/// Imports accounts from CSV text, all or nothing.
#[tauri::command]
pub async fn import_users(
    client: State<'_, ServerClient>,
    csv: String,
) -> Result<CsvImportReport, AppError> {
    people::import(&client, csv).await
}

/// Students' devices, pending first.
#[tauri::command]
pub async fn list_devices(client: State<'_, ServerClient>) -> Result<Vec<DeviceRecord>, AppError> {
    devices::devices(&client).await
}

/// Approves a pending device.
#[tauri::command]
pub async fn approve_device(
    client: State<'_, ServerClient>,
    id: Uuid,
) -> Result<DeviceRecord, AppError> {
    devices::approve(&client, id).await
}

/// Revokes a device.
#[tauri::command]
pub async fn revoke_device(
    client: State<'_, ServerClient>,
    id: Uuid,
) -> Result<DeviceRecord, AppError> {
    devices::revoke(&client, id).await
}

/// The kiosks with their last heartbeat.
#[tauri::command]
pub async fn list_kiosks(client: State<'_, ServerClient>) -> Result<Vec<KioskRecord>, AppError> {
    devices::kiosks(&client).await
}

/// Registers a kiosk for a room; its secret is shown once.
#[tauri::command]
pub async fn create_kiosk(
    client: State<'_, ServerClient>,
    kiosk: NewKiosk,
) -> Result<KioskCredential, AppError> {
    devices::create_kiosk(&client, &kiosk).await
}

/// Changes a kiosk's settings, or disables or enables it.
#[tauri::command]
pub async fn update_kiosk(
    client: State<'_, ServerClient>,
    id: Uuid,
    patch: KioskPatch,
) -> Result<KioskRecord, AppError> {
    devices::update_kiosk(&client, id, &patch).await
}

/// A new credential for a kiosk, shown once; the old one stops working.
#[tauri::command]
pub async fn rotate_kiosk_credential(
    client: State<'_, ServerClient>,
    id: Uuid,
) -> Result<KioskCredential, AppError> {
    devices::rotate_kiosk_credential(&client, id).await
}
