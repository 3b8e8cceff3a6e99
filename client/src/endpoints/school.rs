//! The school's structure: divisions and their students, subjects, rooms with
//! their access points, the timetable, and the school-wide settings.

use rollcall_core::api::{
    AccessPointRecord, DivisionPatch, DivisionRecord, DivisionStudent, ListParams,
    MembershipChange, NewAccessPoint, NewDivision, NewRoom, NewSlot, NewSubject, Page, RoomPatch,
    RoomRecord, SchoolSettings, SlotPatch, SlotRecord, StudentIds, SubjectPatch, SubjectRecord,
    TimetableFilter,
};
use uuid::Uuid;

use crate::request::Caller;
use crate::routes;
use crate::{Client, ClientError};

impl Client {
    /// `GET /api/v1/divisions`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn divisions(&self, list: &ListParams) -> Result<Page<DivisionRecord>, ClientError> {
        self.call(&routes::DIVISIONS, &[], Caller::SignedIn)
            .query(list)?
            .answer()
            .await
    }

    /// `POST /api/v1/divisions`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn create_division(
        &self,
        division: &NewDivision,
    ) -> Result<DivisionRecord, ClientError> {
        self.call(&routes::CREATE_DIVISION, &[], Caller::SignedIn)
            .json(division)?
            .answer()
            .await
    }

    /// `GET /api/v1/divisions/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn division(&self, id: Uuid) -> Result<DivisionRecord, ClientError> {
        self.call(&routes::DIVISION, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `PATCH /api/v1/divisions/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn update_division(
        &self,
        id: Uuid,
        patch: &DivisionPatch,
    ) -> Result<DivisionRecord, ClientError> {
        self.call(&routes::UPDATE_DIVISION, &[&id], Caller::SignedIn)
            .json(patch)?
            .answer()
            .await
    }

    /// `DELETE /api/v1/divisions/{id}`.
    ///
    /// # Errors
    /// What the call fails with (`in_use` while it is used).
    pub async fn delete_division(&self, id: Uuid) -> Result<(), ClientError> {
        self.call(&routes::DELETE_DIVISION, &[&id], Caller::SignedIn)
            .done()
            .await
    }

    /// `GET /api/v1/divisions/{id}/students`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn division_students(
        &self,
        id: Uuid,
        list: &ListParams,
    ) -> Result<Page<DivisionStudent>, ClientError> {
        self.call(&routes::DIVISION_STUDENTS, &[&id], Caller::SignedIn)
            .query(list)?
            .answer()
            .await
    }

    /// `POST /api/v1/divisions/{id}/students`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn add_division_students(
        &self,
        id: Uuid,
        students: &StudentIds,
    ) -> Result<MembershipChange, ClientError> {
        self.call(&routes::ADD_DIVISION_STUDENTS, &[&id], Caller::SignedIn)
            .json(students)?
            .answer()
            .await
    }

    /// `DELETE /api/v1/divisions/{id}/students/{student_id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn remove_division_student(
        &self,
        id: Uuid,
        student: Uuid,
    ) -> Result<(), ClientError> {
        self.call(
            &routes::REMOVE_DIVISION_STUDENT,
            &[&id, &student],
            Caller::SignedIn,
        )
        .done()
        .await
    }

    /// `GET /api/v1/subjects`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn subjects(&self, list: &ListParams) -> Result<Page<SubjectRecord>, ClientError> {
        self.call(&routes::SUBJECTS, &[], Caller::SignedIn)
            .query(list)?
            .answer()
            .await
    }

    /// `POST /api/v1/subjects`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn create_subject(&self, subject: &NewSubject) -> Result<SubjectRecord, ClientError> {
        self.call(&routes::CREATE_SUBJECT, &[], Caller::SignedIn)
            .json(subject)?
            .answer()
            .await
    }

    /// `GET /api/v1/subjects/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn subject(&self, id: Uuid) -> Result<SubjectRecord, ClientError> {
        self.call(&routes::SUBJECT, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `PATCH /api/v1/subjects/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn update_subject(
        &self,
        id: Uuid,
        patch: &SubjectPatch,
    ) -> Result<SubjectRecord, ClientError> {
        self.call(&routes::UPDATE_SUBJECT, &[&id], Caller::SignedIn)
            .json(patch)?
            .answer()
            .await
    }

    /// `DELETE /api/v1/subjects/{id}`.
    ///
    /// # Errors
    /// What the call fails with (`in_use` naming the slots that use it).
    pub async fn delete_subject(&self, id: Uuid) -> Result<(), ClientError> {
        self.call(&routes::DELETE_SUBJECT, &[&id], Caller::SignedIn)
            .done()
            .await
    }

    /// `GET /api/v1/rooms`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn rooms(&self, list: &ListParams) -> Result<Page<RoomRecord>, ClientError> {
        self.call(&routes::ROOMS, &[], Caller::SignedIn)
            .query(list)?
            .answer()
            .await
    }

    /// `POST /api/v1/rooms`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn create_room(&self, room: &NewRoom) -> Result<RoomRecord, ClientError> {
        self.call(&routes::CREATE_ROOM, &[], Caller::SignedIn)
            .json(room)?
            .answer()
            .await
    }

    /// `GET /api/v1/rooms/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn room(&self, id: Uuid) -> Result<RoomRecord, ClientError> {
        self.call(&routes::ROOM, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `PATCH /api/v1/rooms/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn update_room(
        &self,
        id: Uuid,
        patch: &RoomPatch,
    ) -> Result<RoomRecord, ClientError> {
        self.call(&routes::UPDATE_ROOM, &[&id], Caller::SignedIn)
            .json(patch)?
            .answer()
            .await
    }

    /// `DELETE /api/v1/rooms/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn delete_room(&self, id: Uuid) -> Result<(), ClientError> {
        self.call(&routes::DELETE_ROOM, &[&id], Caller::SignedIn)
            .done()
            .await
    }

    /// `POST /api/v1/rooms/{id}/access-points`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn add_access_point(
        &self,
        room: Uuid,
        point: &NewAccessPoint,
    ) -> Result<AccessPointRecord, ClientError> {
        self.call(&routes::ADD_ACCESS_POINT, &[&room], Caller::SignedIn)
            .json(point)?
            .answer()
            .await
    }

    /// `DELETE /api/v1/rooms/{id}/access-points/{ap_id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn remove_access_point(&self, room: Uuid, point: Uuid) -> Result<(), ClientError> {
        self.call(
            &routes::REMOVE_ACCESS_POINT,
            &[&room, &point],
            Caller::SignedIn,
        )
        .done()
        .await
    }

    /// `GET /api/v1/timetable`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn timetable(
        &self,
        list: &ListParams,
        filter: &TimetableFilter,
    ) -> Result<Page<SlotRecord>, ClientError> {
        self.call(&routes::TIMETABLE, &[], Caller::SignedIn)
            .query(list)?
            .query(filter)?
            .answer()
            .await
    }

    /// `POST /api/v1/timetable`.
    ///
    /// # Errors
    /// What the call fails with (`timetable_clash` naming the slot).
    pub async fn create_slot(&self, slot: &NewSlot) -> Result<SlotRecord, ClientError> {
        self.call(&routes::CREATE_SLOT, &[], Caller::SignedIn)
            .json(slot)?
            .answer()
            .await
    }

    /// `GET /api/v1/timetable/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn slot(&self, id: Uuid) -> Result<SlotRecord, ClientError> {
        self.call(&routes::SLOT, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `PATCH /api/v1/timetable/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn update_slot(
        &self,
        id: Uuid,
        patch: &SlotPatch,
    ) -> Result<SlotRecord, ClientError> {
        self.call(&routes::UPDATE_SLOT, &[&id], Caller::SignedIn)
            .json(patch)?
            .answer()
            .await
    }

    /// `DELETE /api/v1/timetable/{id}`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn delete_slot(&self, id: Uuid) -> Result<(), ClientError> {
        self.call(&routes::DELETE_SLOT, &[&id], Caller::SignedIn)
            .done()
            .await
    }

    /// `GET /api/v1/settings`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn school_settings(&self) -> Result<SchoolSettings, ClientError> {
        self.call(&routes::SETTINGS, &[], Caller::SignedIn)
            .answer()
            .await
    }

    /// `PUT /api/v1/settings`.
    ///
    /// # Errors
    /// What the call fails with (`invalid_field` naming each).
    pub async fn save_school_settings(
        &self,
        settings: &SchoolSettings,
    ) -> Result<SchoolSettings, ClientError> {
        self.call(&routes::SAVE_SETTINGS, &[], Caller::SignedIn)
            .json(settings)?
            .answer()
            .await
    }
}
