//! The signed-in session every role shares: the login screen's default server,
//! signing in, resuming the sign-in kept from the last run, and signing out
//! (which stops whatever the role had running and forgets the kept sign-in).

#![allow(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their arguments and State by value"
)]

use tauri::{AppHandle, Runtime, State};

use rollcall_client::ClientError;

use crate::kiosk::door::KioskDoor;
use crate::remembered::RememberedSignIn;
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

/// Signs in to the server at `server_url`; the tokens stay on the Rust side,
/// and with `remember` the refresh token is kept in the OS keystore to resume
/// after a restart.
#[tauri::command]
pub async fn login<R: Runtime>(
    app: AppHandle<R>,
    client: State<'_, ServerClient>,
    remembered: State<'_, RememberedSignIn>,
    server_url: String,
    login: String,
    password: String,
    remember: Option<bool>,
) -> Result<SignedIn, AppError> {
    remembered
        .attach(&app)
        .set_remember(remember.unwrap_or(false));
    Ok(client.login(&server_url, &login, &password).await?)
}

/// The sign-in kept from the last run, resumed: `None` when there is none or
/// it no longer works (then it is forgotten). A server that cannot be reached
/// is an error, and the kept sign-in stays for the next start.
#[tauri::command]
pub async fn resume_sign_in<R: Runtime>(
    app: AppHandle<R>,
    client: State<'_, ServerClient>,
    remembered: State<'_, RememberedSignIn>,
) -> Result<Option<SignedIn>, AppError> {
    let remembered = remembered.attach(&app);
    let Some(kept) = remembered.recall().await else {
        return Ok(None);
    };
    remembered.set_remember(true);
    match client.resume(&kept.server, &kept.refresh_token).await {
        Ok(signed_in) => Ok(Some(signed_in)),
        Err(ClientError::SignInAgain | ClientError::BadServerUrl { .. }) => {
            remembered.forget();
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
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
