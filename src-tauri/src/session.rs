//! The signed-in session every role shares: the login screen's default server,
//! signing in and out (which stops whatever the role had running).

#![allow(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their arguments and State by value"
)]

use tauri::State;

use crate::kiosk::door::KioskDoor;
use crate::student::commands::EventsWatch;
use crate::sync_worker::SyncWorker;
use crate::teacher::commands::LiveWatch;
use crate::teacher::Classroom;
use crate::{AppConfig, AppError, ServerClient, SignedIn};

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
    worker: State<'_, SyncWorker>,
    events: State<'_, EventsWatch>,
    door: State<'_, KioskDoor>,
) -> Result<(), AppError> {
    watch.stop();
    events.stop();
    worker.stop();
    door.stop().await;
    classroom.clear();
    if let Err(error) = client.sign_out().await {
        // Signed out here all the same; the refresh token simply expires.
        eprintln!("rollcall: could not tell the server about the sign-out: {error}");
    }
    Ok(())
}
