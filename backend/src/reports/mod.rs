//! Attendance reports over a period: per student, per day, with the at-risk
//! list; as JSON, CSV, or a PDF a registrar would print.

pub mod class_sheet;
pub mod pdf;

use rollcall_core::api::{AttendanceReport, DailyPoint, ReportRow};
use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

/// What a report covers.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// One division.
    pub division_id: Option<Uuid>,
    /// One subject.
    pub subject_id: Option<Uuid>,
    /// One student.
    pub student_id: Option<Uuid>,
    /// Only this teacher's sessions (teachers see their own).
    pub teacher_id: Option<Uuid>,
}

/// Core's percentage rule over the database's counts.
fn percentage(attended: i64, countable: i64) -> Option<f64> {
    let whole = |n: i64| u64::try_from(n).unwrap_or(0);
    rollcall_core::record::attendance_percentage(whole(attended), whole(countable), 0)
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A checked statement over the report's sessions: `WITH s AS (…)`, the ended
/// sessions between `$1` and `$2` of the division `$3`, the subject `$4` and the
/// teacher `$6` (each when given), then `$rest`, in which `$5` is the student
/// (when given).
macro_rules! over_report_sessions {
    ($rest:literal, $from:expr, $to:expr, $filter:expr) => {
        sqlx::query!(
            "WITH s AS (SELECT id, session_date FROM class_sessions
               WHERE ended_at IS NOT NULL AND session_date BETWEEN $1 AND $2
               AND ($3::uuid IS NULL OR division_id = $3) AND ($4::uuid IS NULL OR subject_id = $4)
               AND ($6::uuid IS NULL OR teacher_id = $6)) "
                + $rest,
            $from,
            $to,
            $filter.division_id,
            $filter.subject_id,
            $filter.student_id,
            $filter.teacher_id
        )
    };
}

/// Builds the report from ended sessions between `from` and `to` inclusive.
///
/// # Errors
/// When the database fails.
pub async fn build(
    conn: &mut PgConnection,
    filter: &ReportFilter,
    from: Date,
    to: Date,
    at_risk_below: f64,
) -> anyhow::Result<AttendanceReport> {
    let rows = over_report_sessions!(
        r#"SELECT u.id, u.display_name, u.student_no, count(*) AS "held!",
           count(*) FILTER (WHERE a.status = 'present') AS "present!",
           count(*) FILTER (WHERE a.status = 'late') AS "late!",
           count(*) FILTER (WHERE a.status = 'absent') AS "absent!",
           count(*) FILTER (WHERE a.status = 'excused') AS "excused!"
         FROM s JOIN attendance_records a ON a.session_id = s.id JOIN users u ON u.id = a.student_id
         WHERE ($5::uuid IS NULL OR u.id = $5)
         GROUP BY u.id ORDER BY u.display_name, u.id"#,
        from,
        to,
        filter
    )
    .fetch_all(&mut *conn)
    .await?;
    let daily = over_report_sessions!(
        r#"SELECT s.session_date AS "session_date!", count(*) AS "records!",
           count(*) FILTER (WHERE a.status IN ('present', 'late')) AS "attended!"
         FROM s JOIN attendance_records a ON a.session_id = s.id
         WHERE ($5::uuid IS NULL OR a.student_id = $5)
         GROUP BY s.session_date ORDER BY s.session_date"#,
        from,
        to,
        filter
    )
    .fetch_all(&mut *conn)
    .await?;
    let held = over_report_sessions!(
        r#"SELECT count(*) AS "held!" FROM s WHERE $5::uuid IS NULL OR EXISTS
         (SELECT 1 FROM attendance_records a WHERE a.session_id = s.id AND a.student_id = $5)"#,
        from,
        to,
        filter
    )
    .fetch_one(&mut *conn)
    .await?
    .held;

    let mut attended_all = 0;
    let mut countable_all = 0;
    let rows: Vec<ReportRow> = rows
        .into_iter()
        .map(|r| {
            let (held, present, late, absent, excused) =
                (r.held, r.present, r.late, r.absent, r.excused);
            let countable = held - excused;
            attended_all += present + late;
            countable_all += countable;
            let pct = percentage(present + late, countable);
            ReportRow {
                student_id: r.id,
                student_name: r.display_name,
                student_no: r.student_no,
                held: count(held),
                present: count(present),
                late: count(late),
                absent: count(absent),
                excused: count(excused),
                percentage: pct,
                at_risk: rollcall_core::record::at_risk(pct, at_risk_below),
            }
        })
        .collect();
    let title = title(conn, filter).await?;
    Ok(AttendanceReport {
        title,
        from: from.to_string(),
        to: to.to_string(),
        at_risk_below,
        rows,
        daily: daily
            .into_iter()
            .map(|d| DailyPoint {
                date: d.session_date.to_string(),
                records: count(d.records),
                attended: count(d.attended),
            })
            .collect(),
        sessions_held: count(held),
        overall_percentage: percentage(attended_all, countable_all),
    })
}

async fn title(conn: &mut PgConnection, filter: &ReportFilter) -> anyhow::Result<String> {
    let mut parts = Vec::new();
    if let Some(id) = filter.division_id {
        let code = sqlx::query_scalar!("SELECT code FROM divisions WHERE id = $1", id)
            .fetch_optional(&mut *conn)
            .await?;
        parts.extend(code);
    }
    if let Some(id) = filter.subject_id {
        let name = sqlx::query_scalar!("SELECT name FROM subjects WHERE id = $1", id)
            .fetch_optional(&mut *conn)
            .await?;
        parts.extend(name);
    }
    if let Some(id) = filter.student_id {
        let name = sqlx::query_scalar!("SELECT display_name FROM users WHERE id = $1", id)
            .fetch_optional(&mut *conn)
            .await?;
        parts.extend(name);
    }
    if parts.is_empty() {
        parts.push("All classes".to_owned());
    }
    Ok(format!("Attendance: {}", parts.join(" / ")))
}

/// The report as CSV, one line per student.
///
/// # Errors
/// Only if writing to memory fails.
pub fn to_csv(report: &AttendanceReport) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "Student",
        "Roll number",
        "Held",
        "Present",
        "Late",
        "Absent",
        "Excused",
        "Attendance %",
        "At risk",
    ])?;
    for r in &report.rows {
        out.write_record([
            spreadsheet_safe(&r.student_name),
            spreadsheet_safe(r.student_no.as_deref().unwrap_or_default()),
            r.held.to_string(),
            r.present.to_string(),
            r.late.to_string(),
            r.absent.to_string(),
            r.excused.to_string(),
            r.percentage.map(|p| format!("{p:.1}")).unwrap_or_default(),
            if r.at_risk { "yes" } else { "no" }.to_owned(),
        ])?;
    }
    Ok(out.into_inner()?)
}

/// A text cell a spreadsheet will not run as a formula: one that starts with
/// `=`, `+`, `-`, `@` or a control character gets a leading `'`.
#[must_use]
pub fn spreadsheet_safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}
