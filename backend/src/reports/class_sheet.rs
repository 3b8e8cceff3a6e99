//! A class sheet: one session's roster, as its teacher files it, in CSV or PDF.

use rollcall_core::api::{AttendanceStatus, ClassSession, Roster, RosterEntry};
use rollcall_core::record::RecordSource;
use rollcall_core::timestamp::Timestamp;
use time::{OffsetDateTime, UtcOffset};

use super::pdf::{self, Table, TableRow};
use super::spreadsheet_safe;

/// Column x positions and headers of the PDF.
const COLUMNS: [(f32, &str); 6] = [
    (52.0, "Student"),
    (215.0, "Roll no."),
    (280.0, "Status"),
    (335.0, "How"),
    (385.0, "Marked"),
    (430.0, "Flags"),
];

/// The session's local date and time, `2026-11-21 09:00`.
fn local(at: Timestamp, offset: UtcOffset) -> String {
    OffsetDateTime::from_unix_timestamp(at.unix()).map_or_else(
        |_| "-".to_owned(),
        |t| {
            let t = t.to_offset(offset);
            format!(
                "{}-{:02}-{:02} {:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        },
    )
}

/// The local time of day, `09:07`.
fn clock(at: Timestamp, offset: UtcOffset) -> String {
    local(at, offset)
        .split_once(' ')
        .map_or_else(String::new, |(_, hm)| hm.to_owned())
}

fn status(entry: &RosterEntry) -> &'static str {
    entry.status.map_or("not marked", AttendanceStatus::as_str)
}

/// The flags a teacher should see, in words.
fn flags(entry: &RosterEntry) -> String {
    let mut words: Vec<String> = entry
        .flags
        .iter()
        .map(|code| code.label().to_lowercase())
        .collect();
    if entry.in_review {
        words.insert(0, "in review".to_owned());
    }
    words.join(", ")
}

/// `Maths / SE-A / Room B-204`.
fn class_name(session: &ClassSession) -> String {
    let mut parts = Vec::with_capacity(3);
    if let Some(subject) = &session.subject_name {
        parts.push(subject.as_str());
    }
    parts.push(&session.division_code);
    parts.push(&session.room_name);
    parts.join(" / ")
}

/// `Class sheet: Maths / SE-A / Room B-204`.
fn title(session: &ClassSession) -> String {
    format!("Class sheet: {}", class_name(session))
}

/// A file name for the sheet without extension: `class-sheet-SE-A-2026-11-21-0900`.
#[must_use]
pub fn file_stem(session: &ClassSession, offset: UtcOffset) -> String {
    let when: String = local(session.scheduled_start, offset)
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect();
    let division: String = session
        .division_code
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("class-sheet-{division}-{when}")
}

/// The sheet as CSV: a line per student.
///
/// # Errors
/// Only if writing to memory fails.
pub fn to_csv(
    session: &ClassSession,
    roster: &Roster,
    offset: UtcOffset,
) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "Student",
        "Roll number",
        "Status",
        "How",
        "Marked at",
        "Flags",
        "Class",
    ])?;
    let class = format!(
        "{} {}",
        title(session),
        local(session.scheduled_start, offset)
    );
    for e in &roster.entries {
        out.write_record([
            spreadsheet_safe(&e.display_name),
            spreadsheet_safe(e.student_no.as_deref().unwrap_or_default()),
            status(e).to_owned(),
            e.source
                .map(RecordSource::as_str)
                .unwrap_or_default()
                .to_owned(),
            e.marked_at.map(|t| local(t, offset)).unwrap_or_default(),
            flags(e),
            spreadsheet_safe(&class),
        ])?;
    }
    Ok(out.into_inner()?)
}

/// The sheet as a printable PDF.
#[must_use]
pub fn to_pdf(session: &ClassSession, roster: &Roster, offset: UtcOffset) -> Vec<u8> {
    let rows = roster
        .entries
        .iter()
        .map(|e| TableRow {
            cells: vec![
                e.display_name.clone(),
                e.student_no.clone().unwrap_or_default(),
                status(e).to_owned(),
                e.source
                    .map(RecordSource::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                e.marked_at.map(|t| clock(t, offset)).unwrap_or_default(),
                flags(e),
            ],
            emphasis: e.in_review || !e.flags.is_empty(),
        })
        .collect();
    let count = |s: AttendanceStatus| {
        roster
            .entries
            .iter()
            .filter(|e| e.status == Some(s))
            .count()
    };
    let subtitle = format!(
        "{}  |  {} of {} present  |  {} late, {} absent, {} excused",
        local(session.scheduled_start, offset),
        roster.present,
        roster.expected,
        count(AttendanceStatus::Late),
        count(AttendanceStatus::Absent),
        count(AttendanceStatus::Excused),
    );
    pdf::table(&Table {
        title: &title(session),
        subtitle: &subtitle,
        footer: "Rollcall class sheet",
        columns: &COLUMNS,
        rows,
        totals: None,
        note: Some("Names in bold have a flag or a claim waiting for review.".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::api::SessionStatus;
    use rollcall_core::policy::Policy;
    use rollcall_core::verdict::ReasonCode;
    use uuid::Uuid;

    fn session() -> ClassSession {
        ClassSession {
            id: Uuid::nil(),
            slot_id: None,
            teacher_id: Uuid::nil(),
            room_id: Uuid::nil(),
            room_name: "Room B-204".into(),
            division_code: "SE/A".into(),
            division_id: Uuid::nil(),
            subject_id: None,
            subject_name: Some("Maths".into()),
            status: SessionStatus::Ended,
            scheduled_start: Timestamp::from_unix(1_795_338_000),
            scheduled_end: Timestamp::from_unix(1_795_341_600),
            started_at: None,
            ended_at: None,
            qr_period_s: 20,
            policy: "token".parse::<Policy>().unwrap(),
            late_after_min: 10,
        }
    }

    fn entry(name: &str, status: Option<AttendanceStatus>, flags: &[&str]) -> RosterEntry {
        RosterEntry {
            student_id: Uuid::nil(),
            display_name: name.into(),
            student_no: Some("20260001".into()),
            status,
            source: status.map(|_| RecordSource::Claim),
            marked_at: status.map(|_| Timestamp::from_unix(1_795_338_120)),
            in_review: false,
            flags: flags.iter().filter_map(|f| ReasonCode::parse(f)).collect(),
        }
    }

    #[test]
    fn the_csv_has_a_line_per_student_with_flags_in_words_and_no_formulas() {
        let roster = Roster {
            session_id: Uuid::nil(),
            entries: vec![
                entry("Ada Lovelace", Some(AttendanceStatus::Present), &[]),
                entry("=HYPERLINK(\"x\")", None, &["location_mocked"]),
            ],
            present: 1,
            expected: 2,
        };
        let text = String::from_utf8(to_csv(&session(), &roster, UtcOffset::UTC).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[1].starts_with("Ada Lovelace,20260001,present,claim,2026-11-22 "),
            "{text}"
        );
        assert!(lines[2].starts_with("\"'=HYPERLINK"), "{text}");
        assert!(lines[2].contains("not marked,,,mocked location"), "{text}");
    }

    #[test]
    fn the_pdf_names_the_class_and_the_file_stem_is_safe() {
        let roster = Roster {
            session_id: Uuid::nil(),
            entries: vec![entry("Zoë", Some(AttendanceStatus::Late), &[])],
            present: 1,
            expected: 1,
        };
        let pdf = to_pdf(&session(), &roster, UtcOffset::UTC);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4"));
        assert!(
            text.contains("(Class sheet: Maths / SE/A / Room B-204)"),
            "{text}"
        );
        assert!(text.contains("(Zo\\353)"));
        let stem = file_stem(&session(), UtcOffset::UTC);
        assert!(stem.starts_with("class-sheet-SE-A-2026-11-2"), "{stem}");
        assert!(
            !stem.contains(' ') && !stem.contains('/') && !stem.contains(':'),
            "{stem}"
        );
    }
}
