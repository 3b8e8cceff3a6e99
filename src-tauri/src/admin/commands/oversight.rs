//! The admin's commands: the dashboard, reports and their export, the review
//! queue and the audit log. The server checks the role of every call.

use rollcall_core::api::{
    AttendanceReport, AuditEntry, AuditFilter, Dashboard, DivisionRecord, ListParams, Page,
    ReportFilterForm, ReviewForm, ReviewItem, RosterEntry, SavedFile, SheetFormat,
};
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

use crate::admin::{reports, review_queue};
use crate::exports::{self, ExportKind};
use crate::{AppConfig, AppError, ServerClient};

/// Today's classes and the last 30 days, over the school and per division.
#[tauri::command]
pub async fn dashboard(client: State<'_, ServerClient>) -> Result<Dashboard, AppError> {
    reports::dashboard(&client).await
}

/// The divisions, for the report filters.
#[tauri::command]
pub async fn list_divisions(
    client: State<'_, ServerClient>,
) -> Result<Vec<DivisionRecord>, AppError> {
    reports::divisions(&client).await
}

/// An attendance report over the filter.
#[tauri::command]
pub async fn attendance_report(
    client: State<'_, ServerClient>,
    filter: ReportFilterForm,
) -> Result<AttendanceReport, AppError> {
    reports::report(&client, &filter).await
}

/// Saves the report as CSV or PDF where the admin chooses (in
/// `ROLLCALL_EXPORT_DIR` when set); `None` when they cancel.
#[tauri::command]
pub async fn export_report<R: Runtime>(
    app: AppHandle<R>,
    client: State<'_, ServerClient>,
    config: State<'_, AppConfig>,
    filter: ReportFilterForm,
    format: SheetFormat,
) -> Result<Option<SavedFile>, AppError> {
    let download = reports::download(&client, &filter, format).await?;
    let kind = ExportKind {
        title: "Save the attendance report",
        fallback_stem: "attendance",
        format: format.into(),
    };
    exports::save_where_chosen(&app, &config, &download, kind).await
}

/// A page of the review queue.
#[tauri::command]
pub async fn review_queue(
    client: State<'_, ServerClient>,
    page: u32,
) -> Result<Page<ReviewItem>, AppError> {
    review_queue::queue(&client, page).await
}

/// Approves or rejects a doubtful claim with a note.
#[tauri::command]
pub async fn decide_review(
    client: State<'_, ServerClient>,
    form: ReviewForm,
) -> Result<RosterEntry, AppError> {
    review_queue::decide(&client, &form).await
}

/// A kiosk's face thumbnail as a `data:` URL.
#[tauri::command]
pub async fn review_thumbnail(
    client: State<'_, ServerClient>,
    claim_id: Uuid,
) -> Result<String, AppError> {
    review_queue::thumbnail(&client, claim_id).await
}

/// A page of the audit log (50 a page, newest first), by what, who and when.
#[tauri::command]
pub async fn audit_log(
    client: State<'_, ServerClient>,
    page: u32,
    filter: AuditFilter,
) -> Result<Page<AuditEntry>, AppError> {
    let list = ListParams::per_page(50).page(page.max(1));
    Ok(client.audit_log(&list, &filter).await?)
}
