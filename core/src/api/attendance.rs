//! Class sessions, claims and attendance records.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::policy::Policy;
use crate::record::RecordSource;
use crate::signing::SignedClaim;
use crate::timestamp::Timestamp;
use crate::verdict::{FactorStatus, Outcome, Reason, ReasonCode};

/// Where a class session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// On today's timetable, not started yet.
    Planned,
    /// Started by its teacher; check-in is open.
    Running,
    /// Ended; everyone without a record was marked absent.
    Ended,
}

/// A student's attendance in one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum AttendanceStatus {
    /// Checked in on time.
    Present,
    /// Checked in after the session's late threshold.
    Late,
    /// No check-in by the end of the session.
    Absent,
    /// Excused by the teacher or an admin.
    Excused,
}

impl AttendanceStatus {
    /// The name used in the API and the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::Late => "late",
            Self::Absent => "absent",
            Self::Excused => "excused",
        }
    }

    /// Parses [`AttendanceStatus::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "present" => Some(Self::Present),
            "late" => Some(Self::Late),
            "absent" => Some(Self::Absent),
            "excused" => Some(Self::Excused),
            _ => None,
        }
    }
}

/// `POST /api/v1/sessions`: start a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StartSession {
    /// The session of one of today's timetable slots.
    Slot {
        /// The timetable slot.
        slot_id: Uuid,
    },
    /// A class outside the timetable.
    AdHoc {
        /// Where.
        room_id: Uuid,
        /// Who attends.
        division_id: Uuid,
        /// What is taught, if any.
        #[serde(default)]
        subject_id: Option<Uuid>,
        /// How long, 5 to 300 minutes.
        minutes: u16,
    },
}

/// An extra class outside the timetable, as the teacher's form gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraClass {
    /// Where.
    pub room_id: Uuid,
    /// Who attends (one of the teacher's divisions).
    pub division_id: Uuid,
    /// What is taught, if any.
    pub subject_id: Option<Uuid>,
    /// How long, minutes.
    pub minutes: u16,
}

impl ExtraClass {
    /// How long an extra class may last, minutes (the server's rule too).
    pub const MINUTES: std::ops::RangeInclusive<u16> = 5..=300;

    /// The request that starts it.
    #[must_use]
    pub const fn request(&self) -> StartSession {
        StartSession::AdHoc {
            room_id: self.room_id,
            division_id: self.division_id,
            subject_id: self.subject_id,
            minutes: self.minutes,
        }
    }
}

/// A class session as its teacher and admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClassSession {
    /// The session id (claims name it).
    pub id: Uuid,
    /// The timetable slot it belongs to, if any.
    pub slot_id: Option<Uuid>,
    /// Its teacher.
    pub teacher_id: Uuid,
    /// The room.
    pub room_id: Uuid,
    /// The room's name ("Room B-204").
    pub room_name: String,
    /// The division attending.
    pub division_id: Uuid,
    /// The division's code ("SE-A").
    pub division_code: String,
    /// The subject, if any.
    pub subject_id: Option<Uuid>,
    /// The subject's name.
    pub subject_name: Option<String>,
    /// Where it is in its life.
    pub status: SessionStatus,
    /// Timetabled start.
    pub scheduled_start: Timestamp,
    /// Timetabled end.
    pub scheduled_end: Timestamp,
    /// When the teacher started it.
    pub started_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// Seconds between QR changes.
    pub qr_period_s: u16,
    /// Which factors a check-in needs.
    pub policy: Policy,
    /// Minutes after the start after which a check-in counts as late.
    pub late_after_min: u16,
}

/// One of a student's classes today, with their own record in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StudentClass {
    /// The class (never its secret).
    pub session: ClassSession,
    /// The student's record, if any yet.
    pub status: Option<AttendanceStatus>,
}

/// A session with its secret for its own teacher, whose app draws the
/// rotating QR and the OTP itself so they keep turning offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeacherSession {
    /// The session.
    pub session: ClassSession,
    /// Its secret, base64url: only for the session's teacher (admins and
    /// everyone else get `null`).
    pub secret: Option<String>,
}

/// `POST /api/v1/attendance/claims`: a batch of signed claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimBatch {
    /// The claims, oldest first; at most the server's batch limit.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub claims: Vec<SignedClaim>,
}

/// The server's answer for one claim of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimResult {
    /// Which claim.
    pub claim_id: Uuid,
    /// Accepted, review or rejected.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub outcome: Outcome,
    /// Why, most severe first.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub reasons: Vec<Reason>,
    /// The factors judged.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub factors: Vec<FactorStatus>,
    /// Judged at its scan time because it was synced late.
    pub synced_late: bool,
    /// The student's record in the session after this claim, if any.
    pub record: Option<AttendanceStatus>,
    /// This claim id was already received; this is the stored answer.
    pub duplicate: bool,
}

/// The answer to a claim batch, one result per claim in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimBatchResult {
    /// One result per submitted claim.
    pub results: Vec<ClaimResult>,
}

/// One student's line on a session's roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RosterEntry {
    /// The student.
    pub student_id: Uuid,
    /// Their name.
    pub display_name: String,
    /// Their roll number.
    pub student_no: Option<String>,
    /// Their record, or none yet.
    pub status: Option<AttendanceStatus>,
    /// How the record was made.
    pub source: Option<RecordSource>,
    /// When it was made.
    pub marked_at: Option<Timestamp>,
    /// A claim of theirs waits in the review queue.
    pub in_review: bool,
    /// Reason codes worth a teacher's eye from their latest claim
    /// (`location_mocked`, `outside_geofence`, `shared_device`, …; see
    /// [`ReasonCode::is_roster_flag`], and [`ReasonCode::label`] for words).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub flags: Vec<ReasonCode>,
}

/// A session's roster: every student of its division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Roster {
    /// The session.
    pub session_id: Uuid,
    /// One line per student, by name.
    pub entries: Vec<RosterEntry>,
    /// Students present or late.
    pub present: u32,
    /// Students in the division.
    pub expected: u32,
}

/// What `GET /api/v1/sessions/{id}/live` sends, as JSON text frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveMessage {
    /// The whole roster: first, and again after the session ends.
    Roster {
        /// The roster.
        roster: Roster,
    },
    /// One student's line changed.
    Change {
        /// Their new line.
        entry: RosterEntry,
        /// Present or late now.
        present: u32,
        /// In the division.
        expected: u32,
    },
}

impl Roster {
    /// Applies a live message: a whole roster replaces this one; a change
    /// replaces (or adds) one student's line and the counts.
    pub fn apply(&mut self, message: LiveMessage) {
        match message {
            LiveMessage::Roster { roster } => *self = roster,
            LiveMessage::Change {
                entry,
                present,
                expected,
            } => {
                match self
                    .entries
                    .iter_mut()
                    .find(|e| e.student_id == entry.student_id)
                {
                    Some(line) => *line = entry,
                    None => {
                        let at = self
                            .entries
                            .partition_point(|e| e.display_name <= entry.display_name);
                        self.entries.insert(at, entry);
                    }
                }
                self.present = present;
                self.expected = expected;
            }
        }
    }
}

/// `PUT /api/v1/sessions/{id}/records/{student_id}`: a teacher's manual mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ManualMark {
    /// The status to set.
    pub status: AttendanceStatus,
    /// Why (required; kept in the audit log).
    pub reason: String,
}

/// A claim waiting for a human, with its evidence made readable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewItem {
    /// The claim.
    pub claim_id: Uuid,
    /// Its session.
    pub session_id: Uuid,
    /// The student.
    pub student_id: Uuid,
    /// Their name.
    pub student_name: String,
    /// The room's name.
    pub room_name: String,
    /// The subject's name.
    pub subject_name: Option<String>,
    /// When the student scanned.
    pub scanned_at: Timestamp,
    /// Why it is doubtful (and everything else the verdict noted).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub reasons: Vec<Reason>,
    /// The factors judged.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub factors: Vec<FactorStatus>,
    /// A kiosk attached a face thumbnail (`GET /api/v1/review/{claim_id}/thumbnail`).
    pub has_thumbnail: bool,
}

/// Where a doubtful claim is in the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum ReviewStatus {
    /// Waits for a teacher's or an admin's decision.
    Pending,
    /// The student was there.
    Approved,
    /// They were not.
    Rejected,
}

impl ReviewStatus {
    /// The name used in the API and the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }
}

impl ReviewDecision {
    /// The review status the decision leaves the claim in.
    #[must_use]
    pub const fn status(self) -> ReviewStatus {
        match self {
            Self::Approve => ReviewStatus::Approved,
            Self::Reject => ReviewStatus::Rejected,
        }
    }
}

/// What a reviewer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// The student was there: mark them present (or late).
    Approve,
    /// They were not: the claim marks nobody.
    Reject,
}

/// `POST /api/v1/review/{claim_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewVerdict {
    /// Approve or reject.
    pub decision: ReviewDecision,
    /// Why (kept with the claim and in the audit log).
    pub note: String,
}

/// One class in a student's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// The session.
    pub session_id: Uuid,
    /// Its subject.
    pub subject_name: Option<String>,
    /// Its room.
    pub room_name: String,
    /// When it was timetabled to start.
    pub scheduled_start: Timestamp,
    /// The record, if any yet.
    pub status: Option<AttendanceStatus>,
    /// How the record was made.
    #[serde(default)]
    pub source: Option<RecordSource>,
    /// The teacher's reason, for a mark by hand.
    #[serde(default)]
    pub note: Option<String>,
    /// The review of the student's last check-in to it, when it was doubtful.
    #[serde(default)]
    pub review_status: Option<ReviewStatus>,
    /// The reviewer's note, once decided.
    #[serde(default)]
    pub review_note: Option<String>,
    /// The reasons the server gave for the last check-in's verdict, in words
    /// (empty for a clean acceptance or no check-in).
    #[serde(default)]
    pub reasons: Vec<String>,
    /// The last check-in was sent later from the phone's outbox.
    #[serde(default)]
    pub synced_late: bool,
}

/// Attendance in one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectAttendance {
    /// The subject (`None`: classes without one).
    pub subject_name: Option<String>,
    /// Sessions held (ended) so far.
    pub held: u32,
    /// Present or late in them.
    pub attended: u32,
    /// Excused in them (not counted against the student).
    pub excused: u32,
    /// attended / (held − excused), as a percentage; `None` before any class.
    pub percentage: Option<f64>,
}

impl SubjectAttendance {
    /// Counts made into a line, with core's percentage rule.
    #[must_use]
    pub fn new(subject_name: Option<String>, held: u32, attended: u32, excused: u32) -> Self {
        Self {
            subject_name,
            held,
            attended,
            excused,
            percentage: crate::record::attendance_percentage(
                attended.into(),
                held.into(),
                excused.into(),
            ),
        }
    }

    /// Below the school's at-risk line.
    #[must_use]
    pub fn at_risk(&self, line: f64) -> bool {
        crate::record::at_risk(self.percentage, line)
    }
}

/// `GET /api/v1/me/attendance`: a student's own record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyAttendance {
    /// Every subject together.
    pub overall: SubjectAttendance,
    /// The school's at-risk line, a percentage: below it, a warning.
    pub at_risk_below: f64,
    /// Per subject.
    pub subjects: Vec<SubjectAttendance>,
    /// The most recent classes, newest first.
    pub recent: Vec<HistoryEntry>,
}

/// One student's line in an attendance report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    /// The student.
    pub student_id: Uuid,
    /// Their name.
    pub student_name: String,
    /// Their roll number.
    pub student_no: Option<String>,
    /// Sessions held in the period.
    pub held: u32,
    /// Present.
    pub present: u32,
    /// Late.
    pub late: u32,
    /// Absent.
    pub absent: u32,
    /// Excused.
    pub excused: u32,
    /// (present + late) / (held − excused) as a percentage.
    pub percentage: Option<f64>,
    /// Below the at-risk threshold.
    pub at_risk: bool,
}

/// One day of a report's series, for charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyPoint {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Records that day.
    pub records: u32,
    /// Present or late among them.
    pub attended: u32,
}

/// An attendance report over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceReport {
    /// What it covers, for people ("SE-A · Data Structures · 2026-11-01 to 2026-11-30").
    pub title: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    /// The at-risk threshold used, percent.
    pub at_risk_below: f64,
    /// One line per student, by name.
    pub rows: Vec<ReportRow>,
    /// Per day, for charts.
    pub daily: Vec<DailyPoint>,
    /// Sessions held in the period.
    pub sessions_held: u32,
    /// Attended / countable records over everyone, percent.
    pub overall_percentage: Option<f64>,
}

/// `PUT /api/v1/students/{id}/face-template`: an enrolment result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FaceTemplateUpload {
    /// The embedding model, e.g. `mobileface-v2`.
    pub model_id: String,
    /// The template: the L2-normalised mean of the enrolment embeddings.
    pub embedding: Vec<f32>,
}

/// What is known about a stored template, without the template itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaceTemplateInfo {
    /// The student.
    pub student_id: Uuid,
    /// The embedding model.
    pub model_id: String,
    /// Its length.
    pub dims: u32,
    /// When it was last enrolled.
    pub updated_at: Timestamp,
}

/// A template as its student's phone, or a kiosk, receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaceTemplateRecord {
    /// The student.
    pub student_id: Uuid,
    /// Their name (kiosks greet them).
    pub display_name: String,
    /// The embedding model.
    pub model_id: String,
    /// The template.
    pub embedding: Vec<f32>,
}

/// One attendance record in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordRow {
    /// The session.
    pub session_id: Uuid,
    /// When it was timetabled to start.
    pub scheduled_start: Timestamp,
    /// Its division's code.
    pub division_code: String,
    /// Its subject.
    pub subject_name: Option<String>,
    /// The student.
    pub student_id: Uuid,
    /// Their name.
    pub student_name: String,
    /// The status.
    pub status: AttendanceStatus,
    /// How it was made.
    pub source: RecordSource,
    /// When.
    pub marked_at: Timestamp,
    /// The note of a manual mark or review.
    pub note: Option<String>,
}

/// One face recognised at a kiosk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KioskMark {
    /// Made on the kiosk (UUID v7): the idempotency key.
    pub id: Uuid,
    /// Who the kiosk recognised.
    pub student_id: Uuid,
    /// When.
    pub scanned_at: Timestamp,
    /// The match: score against the student's template, model, liveness.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub face: crate::face::FaceEvidence,
    /// A small JPEG of the face (base64, at most 32 KiB), kept only when
    /// the mark goes to review.
    #[serde(default)]
    pub thumbnail: Option<String>,
}

/// `POST /api/v1/attendance/kiosk-marks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KioskMarkBatch {
    /// The marks, oldest first.
    pub marks: Vec<KioskMark>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u128, name: &str, status: Option<AttendanceStatus>) -> RosterEntry {
        RosterEntry {
            student_id: Uuid::from_u128(n),
            display_name: name.into(),
            student_no: None,
            status,
            source: None,
            marked_at: None,
            in_review: false,
            flags: Vec::new(),
        }
    }

    #[test]
    fn live_messages_update_a_roster_in_place_and_keep_it_in_name_order() {
        let mut roster = Roster {
            session_id: Uuid::nil(),
            entries: vec![line(1, "Ada", None), line(3, "Cy", None)],
            present: 0,
            expected: 2,
        };
        let json = r#"{"type":"change","entry":{"student_id":"00000000-0000-0000-0000-000000000003","display_name":"Cy","student_no":null,"status":"present","source":"claim","marked_at":null,"in_review":false,"flags":[]},"present":1,"expected":2}"#;
        roster.apply(serde_json::from_str(json).unwrap());
        assert_eq!(roster.entries[1].status, Some(AttendanceStatus::Present));
        assert_eq!(roster.present, 1);
        roster.apply(LiveMessage::Change {
            entry: line(2, "Bo", Some(AttendanceStatus::Late)),
            present: 2,
            expected: 3,
        });
        let names: Vec<&str> = roster
            .entries
            .iter()
            .map(|e| e.display_name.as_str())
            .collect();
        assert_eq!(names, ["Ada", "Bo", "Cy"]);
        assert_eq!((roster.present, roster.expected), (2, 3));
        roster.apply(LiveMessage::Roster {
            roster: Roster {
                session_id: Uuid::nil(),
                entries: Vec::new(),
                present: 0,
                expected: 0,
            },
        });
        assert!(roster.entries.is_empty());
    }
}
