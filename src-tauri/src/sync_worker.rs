//! The one background task that sends the outbox (a student's phone or a kiosk
//! at the door): started when the role starts, stopped on sign-out.

use rollcall_checkin::sqlite::Outbox;
use rollcall_checkin::sync::{Courier, TokioPause};
use rollcall_core::api::SYNC_STATUS_EVENT;
use tauri::{AppHandle, Emitter as _, Manager as _, Runtime};

use crate::task_slot::TaskSlot;
use crate::ServerClient;

/// The running sync worker, if any.
#[derive(Debug, Default)]
pub struct SyncWorker(TaskSlot);

impl SyncWorker {
    /// Starts `courier` sending `outbox`, telling the window each change as a
    /// `sync-status` event; the worker before (another account's) stops.
    pub fn start<R: Runtime>(&self, app: &AppHandle<R>, courier: Courier, outbox: Outbox) {
        let handle = app.clone();
        self.0.replace(tauri::async_runtime::spawn(async move {
            let client = handle.state::<ServerClient>();
            courier
                .run(&client, &outbox, &TokioPause, crate::clock::now, |status| {
                    let _ = handle.emit(SYNC_STATUS_EVENT, status);
                })
                .await;
        }));
    }

    /// Stops the worker (on sign-out).
    pub fn stop(&self) {
        self.0.stop();
    }
}
