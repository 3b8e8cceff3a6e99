//! Attendance reports for admins: the dashboard, a filtered report, and its CSV
//! or PDF export.

use std::fmt::Write as _;
use std::path::Path;

use rollcall_core::api::{
    AttendanceReport, ClassSession, Dashboard, DivisionRate, DivisionRecord, Page,
    ReportFilterForm, ReviewItem, SavedFile, SheetFormat,
};

use crate::server_requests::Download;
use crate::{AppError, ServerClient};

/// The query string of a report.
fn query(filter: &ReportFilterForm, format: Option<SheetFormat>) -> String {
    let mut query = String::from("api/v1/reports/attendance?");
    if let Some(division) = filter.division_id {
        let _ = write!(query, "division_id={division}&");
    }
    for (name, value) in [("from", &filter.from), ("to", &filter.to)] {
        if let Some(day) = value.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            // Dates are digits and dashes; anything else the server refuses with a
            // sentence, so only characters that cannot break the query pass.
            let day: String = day
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let _ = write!(query, "{name}={day}&");
        }
    }
    if let Some(format) = format {
        let _ = write!(query, "format={}&", format.as_str());
    }
    query.trim_end_matches(['&', '?']).to_owned()
}

/// A report over the filter's period.
///
/// # Errors
/// What the server call fails with (`invalid_query` for bad dates).
pub async fn report(
    client: &ServerClient,
    filter: &ReportFilterForm,
) -> Result<AttendanceReport, AppError> {
    client.get_json(&query(filter, None)).await
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
    download(client, filter, format)
        .await?
        .save_in(folder, &format!("attendance.{}", format.as_str()))
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
    client.download(&query(filter, Some(format))).await
}

/// The divisions, for filters.
///
/// # Errors
/// What the server call fails with.
pub async fn divisions(client: &ServerClient) -> Result<Vec<DivisionRecord>, AppError> {
    let page: Page<DivisionRecord> = client
        .get_json("api/v1/divisions?per_page=100&sort=code")
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
    let sessions: Page<ClassSession> = client
        .get_json(&format!(
            "api/v1/sessions?date={today}&per_page=100&sort=scheduled_start"
        ))
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
    let waiting: Page<ReviewItem> = client.get_json("api/v1/review?per_page=1").await?;
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
    fn report_queries_carry_only_what_is_set_and_nothing_that_breaks_the_url() {
        assert_eq!(
            query(&ReportFilterForm::default(), None),
            "api/v1/reports/attendance"
        );
        let filter = ReportFilterForm {
            division_id: Some(Uuid::nil()),
            from: Some("2026-11-01".into()),
            to: Some("2026-11-30&format=pdf".into()),
        };
        assert_eq!(
            query(&filter, Some(SheetFormat::Csv)),
            "api/v1/reports/attendance?division_id=00000000-0000-0000-0000-000000000000\
             &from=2026-11-01&to=2026-11-30formatpdf&format=csv"
        );
    }
}
