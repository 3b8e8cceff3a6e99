//! The one background task that sends the outbox (a student's phone or a kiosk
//! at the door): started when the role starts, stopped on sign-out.

use std::sync::Mutex;

use rollcall_checkin::sqlite::Outbox;
use rollcall_checkin::sync::{Courier, TokioPause};
use rollcall_core::api::SYNC_STATUS_EVENT;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter as _, Manager as _, Runtime};

use crate::ServerClient;

/// The running sync worker, if any.
#[derive(Debug, Default)]
pub struct SyncWorker(Mutex<Option<JoinHandle<()>>>);

impl SyncWorker {
    /// Starts `courier` sending `outbox`, telling the window each change as a
    /// `sync-status` event; the worker before (another account's) stops.
    pub fn start<R: Runtime>(&self, app: &AppHandle<R>, courier: Courier, outbox: Outbox) {
        let handle = app.clone();
        let task = tauri::async_runtime::spawn(async move {
            let client = handle.state::<ServerClient>();
            courier
                .run(&client, &outbox, &TokioPause, crate::clock::now, |status| {
                    let _ = handle.emit(SYNC_STATUS_EVENT, status);
                })
                .await;
        });
        if let Some(old) = self.slot().replace(task) {
            old.abort();
        }
    }

    /// Stops the worker (on sign-out).
    pub fn stop(&self) {
        if let Some(task) = self.slot().take() {
            task.abort();
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<JoinHandle<()>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
