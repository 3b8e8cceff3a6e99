//! The commands the UI may call (see `capabilities/`); each one delegates to the app's
//! logic so that it can be tested without a webview.

// Tauri deserialises command arguments into owned values, so they arrive by value
// whether or not the body needs ownership.
#![allow(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their arguments and State by value"
)]

pub mod admin;
pub mod classroom;
pub mod face;
pub mod kiosk;
pub mod people;
pub mod structure;
pub mod student;

use tauri::State;

use crate::classroom::Classroom;
use crate::{AppConfig, AppError, ServerClient, SignedIn};
use classroom::LiveWatch;

/// The server address the login screen starts with.
#[tauri::command]
pub fn default_server_url(config: State<'_, AppConfig>) -> String {
    config.default_server_url.clone()
}

/// Signs in to the server at `server_url`; the access token stays on the Rust side.
#[tauri::command]
pub async fn login(
    client: State<'_, ServerClient>,
    server_url: String,
    login: String,
    password: String,
) -> Result<SignedIn, AppError> {
    Ok(client.login(&server_url, &login, &password).await?)
}

/// Signs out: stops the live roster, forgets the class secrets and the session, and
/// revokes the session on the server.
#[tauri::command]
pub async fn sign_out(
    client: State<'_, ServerClient>,
    classroom: State<'_, Classroom>,
    watch: State<'_, LiveWatch>,
    worker: State<'_, student::SyncWorker>,
    door: State<'_, crate::kiosk_door::KioskDoor>,
) -> Result<(), AppError> {
    watch.stop();
    worker.stop();
    door.stop().await;
    classroom.clear();
    if let Err(error) = client.sign_out().await {
        // Signed out here all the same; the refresh token simply expires.
        eprintln!("rollcall: could not tell the server about the sign-out: {error}");
    }
    Ok(())
}

/// Where the phone's key and outbox (or the kiosk's roster and outbox) live:
/// `ROLLCALL_APP_DATA_DIR`, else the app's data folder.
pub(crate) fn data_folder<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    config: &AppConfig,
) -> Result<std::path::PathBuf, AppError> {
    use tauri::Manager as _;
    match &config.data_dir {
        Some(folder) => Ok(folder.clone()),
        None => app.path().app_data_dir().map_err(|e| AppError::Phone {
            code: "key_failed",
            message: format!("There is no folder for this app's data: {e}."),
        }),
    }
}
