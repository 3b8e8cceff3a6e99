//! The kiosk's commands: start at the door (record, roster templates, outbox, the
//! sync worker and the heartbeat) and look at each camera frame.

use rollcall_core::api::{KioskFrameResult, KioskState, KIOSK_SETTINGS_EVENT};
use tauri::{AppHandle, Emitter as _, Manager as _, Runtime, State};

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
    // Alive every minute, so the admin's list shows it online; new settings
    // from each answer are applied at once and told to the window.
    let every = std::time::Duration::from_secs(config.kiosk_heartbeat_s);
    let handle = app.clone();
    door.beat_with(tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            let client = handle.state::<ServerClient>();
            // Offline, the next beat tries again; the kiosk keeps working meanwhile.
            let Ok(record) = client.kiosk_heartbeat().await else {
                continue;
            };
            if let Some(settings) = handle.state::<KioskDoor>().apply(&record).await {
                // A closed window cannot be told; the task ends with the app.
                let _ = handle.emit(KIOSK_SETTINGS_EVENT, settings);
            }
        }
    }));
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
