//! How a class in the student's history was marked, in words: how the mark was
//! made, how a doubtful check-in was decided, and what the server said about
//! the last check-in.

use rollcall_core::api::{HistoryEntry, ReviewStatus};
use rollcall_core::record::RecordSource;

/// `first`, then `: note` when there is a note.
fn with_note(first: &str, note: Option<&str>) -> String {
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(note) => format!("{first}: {note}"),
        None => format!("{first}."),
    }
}

/// The sentences under one class of the history, most important first.
#[must_use]
pub fn mark_story(entry: &HistoryEntry) -> Vec<String> {
    let mut lines = Vec::new();
    let how = match entry.source {
        Some(RecordSource::Claim) if entry.synced_late => {
            Some("Checked in from your phone; sent later from its outbox.".to_owned())
        }
        Some(RecordSource::Claim) => Some("Checked in from your phone.".to_owned()),
        Some(RecordSource::Kiosk) => Some("Recognised by the kiosk at the door.".to_owned()),
        Some(RecordSource::Manual) => {
            Some(with_note("Marked by your teacher", entry.note.as_deref()))
        }
        Some(RecordSource::SessionEnd) => Some("Marked absent when the class ended.".to_owned()),
        Some(RecordSource::Review) => Some(with_note(
            "Your check-in was confirmed after review",
            entry.review_note.as_deref(),
        )),
        None => None,
    };
    lines.extend(how);
    match entry.review_status {
        Some(ReviewStatus::Pending) => {
            lines.push("Your check-in waits for a teacher or admin to confirm it.".to_owned());
        }
        Some(ReviewStatus::Rejected) => lines.push(with_note(
            "Your check-in was refused after review",
            entry.review_note.as_deref(),
        )),
        Some(ReviewStatus::Approved) | None => {}
    }
    if lines.is_empty() {
        lines.push("Nothing recorded yet.".to_owned());
    }
    lines.extend(entry.reasons.iter().map(|r| format!("Check-in: {r}")));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::api::AttendanceStatus;
    use rollcall_core::timestamp::Timestamp;
    use uuid::Uuid;

    fn entry(status: Option<AttendanceStatus>, source: Option<RecordSource>) -> HistoryEntry {
        HistoryEntry {
            session_id: Uuid::nil(),
            subject_name: Some("Physics".into()),
            room_name: "Lab".into(),
            scheduled_start: Timestamp::from_unix(0),
            status,
            source,
            note: None,
            review_status: None,
            review_note: None,
            reasons: Vec::new(),
            synced_late: false,
        }
    }

    #[test]
    fn each_way_a_mark_is_made_reads_as_a_sentence() {
        let present = entry(Some(AttendanceStatus::Present), Some(RecordSource::Claim));
        assert_eq!(mark_story(&present), ["Checked in from your phone."]);
        let late_sync = HistoryEntry {
            synced_late: true,
            reasons: vec!["no face check".into()],
            ..present
        };
        assert_eq!(
            mark_story(&late_sync),
            [
                "Checked in from your phone; sent later from its outbox.",
                "Check-in: no face check"
            ]
        );
        let excused = HistoryEntry {
            note: Some(" Medical ".into()),
            ..entry(Some(AttendanceStatus::Excused), Some(RecordSource::Manual))
        };
        assert_eq!(mark_story(&excused), ["Marked by your teacher: Medical"]);
        let by_hand = entry(Some(AttendanceStatus::Absent), Some(RecordSource::Manual));
        assert_eq!(mark_story(&by_hand), ["Marked by your teacher."]);
        let kiosk = entry(Some(AttendanceStatus::Present), Some(RecordSource::Kiosk));
        assert_eq!(mark_story(&kiosk), ["Recognised by the kiosk at the door."]);
        assert_eq!(mark_story(&entry(None, None)), ["Nothing recorded yet."]);
    }

    #[test]
    fn a_doubtful_check_in_says_how_it_was_decided_and_why_it_was_doubtful() {
        let waiting = HistoryEntry {
            review_status: Some(ReviewStatus::Pending),
            reasons: vec!["the location is too inaccurate (250 m)".into()],
            ..entry(None, None)
        };
        assert_eq!(
            mark_story(&waiting),
            [
                "Your check-in waits for a teacher or admin to confirm it.",
                "Check-in: the location is too inaccurate (250 m)"
            ]
        );
        let confirmed = HistoryEntry {
            review_status: Some(ReviewStatus::Approved),
            review_note: Some("Seen in class".into()),
            ..entry(Some(AttendanceStatus::Present), Some(RecordSource::Review))
        };
        assert_eq!(
            mark_story(&confirmed),
            ["Your check-in was confirmed after review: Seen in class"]
        );
        let refused = HistoryEntry {
            review_status: Some(ReviewStatus::Rejected),
            review_note: Some("Not in the room".into()),
            ..entry(
                Some(AttendanceStatus::Absent),
                Some(RecordSource::SessionEnd),
            )
        };
        assert_eq!(
            mark_story(&refused),
            [
                "Marked absent when the class ended.",
                "Your check-in was refused after review: Not in the room"
            ]
        );
    }
}
