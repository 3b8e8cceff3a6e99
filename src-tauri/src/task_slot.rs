//! One background task of a kind at a time (the outbox's sender, the live
//! roster, the user's events): starting one stops the one before, and signing
//! out stops it.

use std::sync::{Mutex, MutexGuard, PoisonError};

use tauri::async_runtime::JoinHandle;

/// The running task, if any.
#[derive(Debug, Default)]
pub struct TaskSlot(Mutex<Option<JoinHandle<()>>>);

impl TaskSlot {
    /// Runs `task` here, stopping the one before.
    pub fn replace(&self, task: JoinHandle<()>) {
        if let Some(old) = self.lock().replace(task) {
            old.abort();
        }
    }

    /// Stops the task.
    pub fn stop(&self) {
        if let Some(task) = self.lock().take() {
            task.abort();
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<JoinHandle<()>>> {
        // Replaced whole, so a panic elsewhere cannot leave it half-written.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
