//! Class sessions: today's, starting and ending one, the roster, marks by
//! hand and the class sheet.

use rollcall_core::api::{
    ClassSession, ListParams, ManualMark, Page, Roster, RosterEntry, SessionFilter, SheetQuery,
    StartSession, TeacherSession,
};
use uuid::Uuid;

use crate::request::{Caller, Download};
use crate::routes;
use crate::{Client, ClientError};

impl Client {
    /// `GET /api/v1/sessions/today`: the signed-in teacher's classes today,
    /// with their secrets.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn todays_sessions(&self) -> Result<Vec<TeacherSession>, ClientError> {
        self.call(&routes::TODAYS_SESSIONS, &[], Caller::SignedIn)
            .answer()
            .await
    }

    /// `GET /api/v1/sessions`: sessions with filters, without secrets.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn sessions(
        &self,
        list: &ListParams,
        filter: &SessionFilter,
    ) -> Result<Page<ClassSession>, ClientError> {
        self.call(&routes::SESSIONS, &[], Caller::SignedIn)
            .query(list)?
            .query(filter)?
            .answer()
            .await
    }

    /// `POST /api/v1/sessions`: starts a timetabled or an extra class.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn start_session(&self, start: &StartSession) -> Result<TeacherSession, ClientError> {
        self.call(&routes::START_SESSION, &[], Caller::SignedIn)
            .json(start)?
            .answer()
            .await
    }

    /// `GET /api/v1/sessions/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn session(&self, id: Uuid) -> Result<TeacherSession, ClientError> {
        self.call(&routes::SESSION, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `GET /api/v1/sessions/{id}/roster`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn roster(&self, id: Uuid) -> Result<Roster, ClientError> {
        self.call(&routes::ROSTER, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `GET /api/v1/sessions/{id}/sheet`: the class sheet as a file.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn class_sheet(&self, id: Uuid, query: &SheetQuery) -> Result<Download, ClientError> {
        self.call(&routes::SHEET, &[&id], Caller::SignedIn)
            .query(query)?
            .file()
            .await
    }

    /// `POST /api/v1/sessions/{id}/end`: ends the class; the rest are absent.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn end_session(&self, id: Uuid) -> Result<Roster, ClientError> {
        self.call(&routes::END_SESSION, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `PUT /api/v1/sessions/{id}/records/{student_id}`: a mark by hand, with
    /// a reason.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn mark(
        &self,
        session: Uuid,
        student: Uuid,
        mark: &ManualMark,
    ) -> Result<RosterEntry, ClientError> {
        self.call(&routes::MARK, &[&session, &student], Caller::SignedIn)
            .json(mark)?
            .answer()
            .await
    }
}
