//! Attendance reports for admins: the dashboard, a filtered report, and its CSV
//! or PDF export.

use std::path::Path;

use crate::{AppError, ServerClient};
use rollcall_client::Download;
use rollcall_core::api::{
    AttendanceReport, Dashboard, DivisionRate, DivisionRecord, ListParams, ReportFilterForm,
    ReportFormat, ReportQuery, SavedFile, SessionFilter, SheetFormat,
};

/// What a report covers, from the screen's filter: blank dates are left out
/// (the server's defaults), others are sent as typed (the server names a bad one).
fn report_query(filter: &ReportFilterForm, format: Option<SheetFormat>) -> ReportQuery {
    let day = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
    };
    ReportQuery {
        division_id: filter.division_id,
        from: day(&filter.from),
        to: day(&filter.to),
        format: format.map(|f| match f {
            SheetFormat::Csv => ReportFormat::Csv,
            SheetFormat::Pdf => ReportFormat::Pdf,
        }),
        ..ReportQuery::default()
    }
}

/// A report over the filter's period.
///
/// # Errors
/// What the server call fails with (`invalid_query` for bad dates).
pub async fn report(
    client: &ServerClient,
    filter: &ReportFilterForm,
) -> Result<AttendanceReport, AppError> {
    Ok(client
        .attendance_report(&report_query(filter, None))
        .await?)
}

/// Saves the report as CSV or PDF in `folder`.
///
/// # Errors
/// What the server call fails with, or [`AppError::SaveFailed`].
pub async fn export(
    client: &ServerClient,
    filter: &ReportFilterForm,
    format: SheetFormat,
    folder: &Path,
) -> Result<SavedFile, AppError> {
    let file = download(client, filter, format).await?;
    crate::exports::save_in(&file, folder, &format!("attendance.{}", format.as_str()))
}

/// Downloads the report as CSV or PDF, to be saved where the admin chooses.
///
/// # Errors
/// What the server call fails with (`invalid_query` for bad dates).
pub async fn download(
    client: &ServerClient,
    filter: &ReportFilterForm,
    format: SheetFormat,
) -> Result<Download, AppError> {
    Ok(client
        .attendance_report_file(&report_query(filter, Some(format)))
        .await?)
}

/// The divisions, for filters.
///
/// # Errors
/// What the server call fails with.
pub async fn divisions(client: &ServerClient) -> Result<Vec<DivisionRecord>, AppError> {
    let page = client
        .divisions(&ListParams::per_page(100).sorted("code"))
        .await?;
    Ok(page.items)
}

/// Today's classes, the last 30 days over the school and per division.
///
/// # Errors
/// What the server calls fail with.
pub async fn dashboard(client: &ServerClient) -> Result<Dashboard, AppError> {
    let overall = report(client, &ReportFilterForm::default()).await?;
    let divisions = divisions(client).await?;
    let today = overall.to.clone();
    let todays = SessionFilter {
        date: Some(today.clone()),
        ..SessionFilter::default()
    };
    let sessions = client
        .sessions(
            &ListParams::per_page(100).sorted("scheduled_start"),
            &todays,
        )
        .await?;
    let mut rates = Vec::with_capacity(divisions.len());
    for division in divisions {
        let filter = ReportFilterForm {
            division_id: Some(division.id),
            ..ReportFilterForm::default()
        };
        let one = report(client, &filter).await?;
        rates.push(DivisionRate {
            division_id: division.id,
            code: division.code,
            percentage: one.overall_percentage,
            at_risk: u32::try_from(one.rows.iter().filter(|r| r.at_risk).count())
                .unwrap_or(u32::MAX),
        });
    }
    let waiting = client.review_queue(&ListParams::per_page(1)).await?;
    Ok(Dashboard {
        today,
        sessions: sessions.items,
        overall,
        divisions: rates,
        review_waiting: waiting.total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn report_queries_carry_only_what_is_set() {
        assert_eq!(
            report_query(&ReportFilterForm::default(), None),
            ReportQuery::default()
        );
        let filter = ReportFilterForm {
            division_id: Some(Uuid::nil()),
            from: Some(" 2026-11-01 ".into()),
            to: Some("  ".into()),
        };
        let query = report_query(&filter, Some(SheetFormat::Csv));
        assert_eq!(query.division_id, Some(Uuid::nil()));
        assert_eq!(query.from.as_deref(), Some("2026-11-01"));
        assert_eq!(query.to, None, "a blank date is the server's default");
        assert_eq!(query.format, Some(ReportFormat::Csv));
    }
}
