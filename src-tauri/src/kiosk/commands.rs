//! The kiosk's commands: start at the door (record, roster templates, outbox and the
//! sync worker) and look at each camera frame.

use rollcall_core::api::{KioskFrameResult, KioskState};
use tauri::{AppHandle, Runtime, State};

use crate::face::FaceService;
use crate::kiosk::door::KioskDoor;
use crate::sync_worker::SyncWorker;
use crate::{AppConfig, AppError, ServerClient};

/// Starts the kiosk for the signed-in kiosk account and its sync worker, which sends
/// `sync-status` events.
#[tauri::command]
pub async fn start_kiosk<R: Runtime>(
    app: AppHandle<R>,
    client: State<'_, ServerClient>,
    door: State<'_, KioskDoor>,
    worker: State<'_, SyncWorker>,
    config: State<'_, AppConfig>,
) -> Result<KioskState, AppError> {
    let folder = config.data_folder(&app)?;
    let (state, outbox) = door.start(&client, &folder).await?;
    worker.start(&app, door.courier(), outbox);
    Ok(state)
}

/// Looks at one camera frame (base64 PNG or JPEG, from the webcam or a file).
#[tauri::command]
pub async fn kiosk_frame(
    faces: State<'_, FaceService>,
    door: State<'_, KioskDoor>,
    picture: String,
) -> Result<KioskFrameResult, AppError> {
    door.frame(&faces, &picture).await
}
