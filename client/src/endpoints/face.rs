//! Face templates, encrypted at rest on the server.

use rollcall_core::api::{FaceTemplateInfo, FaceTemplateRecord, FaceTemplateUpload};
use uuid::Uuid;

use crate::request::Caller;
use crate::routes;
use crate::{Client, ClientError};

impl Client {
    /// `GET /api/v1/students/{id}/face-template`: whether and how a student is enrolled.
    ///
    /// # Errors
    /// What the call fails with (404 when not enrolled).
    pub async fn face_template(&self, student: Uuid) -> Result<FaceTemplateInfo, ClientError> {
        self.call(&routes::FACE_TEMPLATE, &[&student], Caller::SignedIn)
            .answer()
            .await
    }

    /// `PUT /api/v1/students/{id}/face-template`: stores an enrolment.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn put_face_template(
        &self,
        student: Uuid,
        template: &FaceTemplateUpload,
    ) -> Result<FaceTemplateInfo, ClientError> {
        self.call(&routes::PUT_FACE_TEMPLATE, &[&student], Caller::SignedIn)
            .json(template)?
            .answer()
            .await
    }

    /// `DELETE /api/v1/students/{id}/face-template`.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn delete_face_template(&self, student: Uuid) -> Result<(), ClientError> {
        self.call(&routes::DELETE_FACE_TEMPLATE, &[&student], Caller::SignedIn)
            .done()
            .await
    }

    /// `GET /api/v1/me/face-template`: the signed-in student's own template,
    /// for checking a selfie on the device.
    ///
    /// # Errors
    /// What the call fails with (404 when not enrolled).
    pub async fn my_face_template(&self) -> Result<FaceTemplateRecord, ClientError> {
        self.call(&routes::MY_FACE_TEMPLATE, &[], Caller::SignedIn)
            .answer()
            .await
    }
}
