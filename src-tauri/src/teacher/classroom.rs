//! The teacher's classroom: today's classes, starting one, the presentation
//! screen's QR and OTP, the live roster, manual marks, ending the class and its
//! class sheet.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rollcall_client::Download;
use rollcall_core::api::{
    ClassSession, ExtraClass, ManualMark, MarkForm, PresentationFrame, Roster, RosterEntry,
    SavedFile, SheetFormat, SheetQuery, StartSession, TeacherSession,
};
use rollcall_core::timestamp::Timestamp;
use uuid::Uuid;

use super::presentation::Presentation;
use crate::{AppError, ServerClient};

/// The secrets of the teacher's classes, kept in memory only, so the QR keeps
/// turning when the network is gone. Held in Tauri's managed state.
#[derive(Debug, Default)]
pub struct Classroom {
    keys: Mutex<HashMap<Uuid, Presentation>>,
}

impl Classroom {
    /// An empty classroom.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The signed-in teacher's classes today, in time order; their secrets are kept.
    ///
    /// # Errors
    /// What the server call fails with.
    pub async fn today(&self, client: &ServerClient) -> Result<Vec<ClassSession>, AppError> {
        let sessions: Vec<TeacherSession> = client.todays_sessions().await?;
        Ok(sessions.into_iter().map(|s| self.keep(s)).collect())
    }

    /// Starts today's class of timetable slot `slot_id` (or finds it running).
    ///
    /// # Errors
    /// What the server call fails with.
    pub async fn start(
        &self,
        client: &ServerClient,
        slot_id: Uuid,
    ) -> Result<ClassSession, AppError> {
        self.begin(client, &StartSession::Slot { slot_id }).await
    }

    /// Starts an extra class outside the timetable and keeps its secret.
    ///
    /// # Errors
    /// What the server call fails with (a refused field is named).
    pub async fn start_extra(
        &self,
        client: &ServerClient,
        extra: &ExtraClass,
    ) -> Result<ClassSession, AppError> {
        self.begin(client, &extra.request()).await
    }

    async fn begin(
        &self,
        client: &ServerClient,
        request: &StartSession,
    ) -> Result<ClassSession, AppError> {
        let started = client.start_session(request).await?;
        Ok(self.keep(started))
    }

    /// The QR code and OTP of `session_id` at `now`; needs no network.
    ///
    /// # Errors
    /// [`AppError::UnknownClass`] when the class's secret is not known here.
    pub fn frame(&self, session_id: Uuid, now: Timestamp) -> Result<PresentationFrame, AppError> {
        self.lock()
            .get(&session_id)
            .ok_or(AppError::UnknownClass)?
            .frame(now)
    }

    /// The roster of `session_id` as the server has it now.
    ///
    /// # Errors
    /// What the server call fails with.
    pub async fn roster(client: &ServerClient, session_id: Uuid) -> Result<Roster, AppError> {
        Ok(client.roster(session_id).await?)
    }

    /// Marks or corrects one student by hand.
    ///
    /// # Errors
    /// What the server call fails with (a missing reason is `invalid_field`).
    pub async fn mark(client: &ServerClient, form: &MarkForm) -> Result<RosterEntry, AppError> {
        let body = ManualMark {
            status: form.status,
            reason: form.reason.clone(),
        };
        Ok(client.mark(form.session_id, form.student_id, &body).await?)
    }

    /// Ends the class: everyone without a record is marked absent; its secret is
    /// forgotten.
    ///
    /// # Errors
    /// What the server call fails with.
    pub async fn end(&self, client: &ServerClient, session_id: Uuid) -> Result<Roster, AppError> {
        let roster = client.end_session(session_id).await?;
        self.lock().remove(&session_id);
        Ok(roster)
    }

    /// Downloads the class sheet of `session_id` and saves it in `folder` under the
    /// server's file name (made safe, and never over an existing file).
    ///
    /// # Errors
    /// What the server call fails with, or [`AppError::SaveFailed`].
    pub async fn export_sheet(
        client: &ServerClient,
        session_id: Uuid,
        format: SheetFormat,
        folder: &Path,
    ) -> Result<SavedFile, AppError> {
        let sheet = Self::download_sheet(client, session_id, format).await?;
        crate::exports::save_in(&sheet, folder, &format!("class-sheet.{}", format.as_str()))
    }

    /// Downloads the class sheet of `session_id`, to be saved where the teacher chooses.
    ///
    /// # Errors
    /// What the server call fails with.
    pub async fn download_sheet(
        client: &ServerClient,
        session_id: Uuid,
        format: SheetFormat,
    ) -> Result<Download, AppError> {
        let query = SheetQuery {
            format: Some(format),
        };
        Ok(client.class_sheet(session_id, &query).await?)
    }

    /// Forgets every secret (on sign-out).
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn keep(&self, session: TeacherSession) -> ClassSession {
        if let Some(secret) = &session.secret {
            if let Ok(keys) = Presentation::new(&session.session, secret) {
                self.lock().insert(session.session.id, keys);
            }
        }
        session.session
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, Presentation>> {
        // Entries are inserted and removed whole; a panic cannot leave one half-made.
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
