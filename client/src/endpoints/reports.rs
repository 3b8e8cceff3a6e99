//! Attendance reports, and a student's own classes and attendance.

use rollcall_core::api::{AttendanceReport, MyAttendance, ReportFormat, ReportQuery, StudentClass};

use crate::request::{Caller, Download};
use crate::routes;
use crate::{Client, ClientError};

impl Client {
    /// `GET /api/v1/reports/attendance` as JSON.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn attendance_report(
        &self,
        query: &ReportQuery,
    ) -> Result<AttendanceReport, ClientError> {
        let query = ReportQuery {
            format: Some(ReportFormat::Json),
            ..query.clone()
        };
        self.call(&routes::ATTENDANCE_REPORT, &[], Caller::SignedIn)
            .query(&query)?
            .answer()
            .await
    }

    /// `GET /api/v1/reports/attendance` as a CSV or PDF file.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn attendance_report_file(
        &self,
        query: &ReportQuery,
    ) -> Result<Download, ClientError> {
        self.call(&routes::ATTENDANCE_REPORT, &[], Caller::SignedIn)
            .query(query)?
            .file()
            .await
    }

    /// `GET /api/v1/me/attendance`: the signed-in student's attendance.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn my_attendance(&self) -> Result<MyAttendance, ClientError> {
        self.call(&routes::MY_ATTENDANCE, &[], Caller::SignedIn)
            .answer()
            .await
    }

    /// `GET /api/v1/me/classes`: the signed-in student's classes today.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn my_classes(&self) -> Result<Vec<StudentClass>, ClientError> {
        self.call(&routes::MY_CLASSES, &[], Caller::SignedIn)
            .answer()
            .await
    }
}
