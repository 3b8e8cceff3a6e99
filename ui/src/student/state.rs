//! The student's desk as the UI sees it: this device, today's classes, the class
//! chosen, the attempt under way and its answer, the outbox's state and the
//! student's own attendance. Changed only through [`StudentAction`]s.

use std::rc::Rc;

use rollcall_core::api::DeviceStatus;
use uuid::Uuid;
use yew::Reducible;

use crate::client::face::FaceStatus;
use crate::client::{
    CheckInAnswer, CommandError, LiveConnection, MyAttendance, MyEventsUpdate, PhoneState,
    SessionStatus, StudentClass, SyncStatus,
};
use crate::shared::sign_in_guard::Loadable;

/// Everything the student's desk shows.
#[derive(Debug, Clone, PartialEq)]
pub struct StudentState {
    /// This device as the student's phone: its key, registration and outbox.
    pub phone: Loadable<PhoneState>,
    /// Today's classes with the student's record in each.
    pub classes: Loadable<Vec<StudentClass>>,
    /// The student's attendance per subject.
    pub history: Loadable<MyAttendance>,
    /// The sync worker's last word, once it has spoken.
    pub sync: Option<SyncStatus>,
    /// The class the student checks in to.
    pub chosen: Option<Uuid>,
    /// The last attempt's answer, or a problem in words.
    pub answer: Option<Result<CheckInAnswer, String>>,
    /// An attempt is under way: the buttons wait.
    pub busy: bool,
    /// Whether this device can check faces.
    pub face: Option<FaceStatus>,
    /// Selfie frames chosen for the face check, sent with the next attempt.
    pub selfies: Vec<String>,
    /// Bumped to fetch the classes and the history again.
    pub refreshes: u32,
    /// Bumped when the webcam has read a code, so its panel starts anew (off).
    pub webcam_round: u32,
}

impl Default for StudentState {
    fn default() -> Self {
        Self {
            phone: Loadable::Loading,
            classes: Loadable::Loading,
            history: Loadable::Loading,
            sync: None,
            chosen: None,
            answer: None,
            busy: false,
            face: None,
            selfies: Vec::new(),
            refreshes: 0,
            webcam_round: 0,
        }
    }
}

/// What can happen on the student's desk.
#[derive(Debug, Clone, PartialEq)]
pub enum StudentAction {
    /// The phone was prepared, or why not.
    PhoneLoaded(Result<PhoneState, CommandError>),
    /// Today's classes arrived; the running one is chosen if none was.
    ClassesLoaded(Result<Vec<StudentClass>, CommandError>),
    /// The student's attendance arrived.
    HistoryLoaded(Result<MyAttendance, CommandError>),
    /// The sync worker reported.
    Synced(SyncStatus),
    /// Whether this device can check faces.
    FaceKnown(FaceStatus),
    /// The student picked a class.
    Choose(Uuid),
    /// Selfie frames were chosen.
    SelfiesTaken(Vec<String>),
    /// An attempt started: busy, the old answer cleared.
    Begin,
    /// A problem found before anything was sent (or a picture that could not be read).
    Refused(String),
    /// The attempt's answer, or its problem in words; the lists are fetched again.
    Answered(Result<CheckInAnswer, String>),
    /// The webcam read a code: its panel starts anew.
    CodeSeen,
    /// The server told of a change for this student (a class started or ended,
    /// a mark, a review decided), the events came back after a break, or they
    /// are away (the lists are polled then): the lists are fetched again.
    Heard(MyEventsUpdate),
}

impl Reducible for StudentState {
    type Action = StudentAction;

    fn reduce(self: Rc<Self>, action: StudentAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            StudentAction::PhoneLoaded(result) => next.phone = result.into(),
            StudentAction::ClassesLoaded(result) => {
                if let (Ok(list), None) = (&result, next.chosen) {
                    next.chosen = running_class(list);
                }
                next.classes = result.into();
            }
            StudentAction::HistoryLoaded(result) => next.history = result.into(),
            StudentAction::Synced(status) => next.sync = Some(status),
            StudentAction::FaceKnown(status) => next.face = Some(status),
            StudentAction::Choose(id) => next.chosen = Some(id),
            StudentAction::SelfiesTaken(frames) => next.selfies = frames,
            StudentAction::Begin => {
                next.busy = true;
                next.answer = None;
            }
            StudentAction::Refused(problem) => {
                next.busy = false;
                next.answer = Some(Err(problem));
            }
            StudentAction::Answered(answer) => {
                next.busy = false;
                if answer.is_ok() {
                    next.selfies.clear();
                }
                next.answer = Some(answer);
                next.refreshes += 1;
            }
            StudentAction::CodeSeen => next.webcam_round += 1,
            StudentAction::Heard(update) => {
                if update.event.is_some()
                    || matches!(
                        update.connection,
                        LiveConnection::Live | LiveConnection::Offline { .. }
                    )
                {
                    next.refreshes += 1;
                }
            }
        }
        Rc::new(next)
    }
}

impl StudentState {
    /// The device has a live camera QR scanner (a phone's).
    #[must_use]
    pub fn camera_scanner(&self) -> bool {
        matches!(&self.phone, Loadable::Ready(p) if p.camera_scanner)
    }

    /// This device waits for an administrator's approval.
    #[must_use]
    pub fn device_pending(&self) -> bool {
        matches!(&self.phone, Loadable::Ready(p) if p.status == DeviceStatus::Pending)
    }

    /// The check-in buttons wait: an attempt is under way or no class is chosen.
    #[must_use]
    pub fn waiting(&self) -> bool {
        self.busy || self.chosen.is_none()
    }

    /// The outbox's state in words: what waits, a problem, or that all is sent.
    #[must_use]
    pub fn sync_line(&self) -> String {
        match (&self.sync, &self.phone) {
            (Some(s), _) if s.pending > 0 => format!(
                "{} check-in(s) waiting to be sent{}",
                s.pending,
                s.retry_in_s
                    .map_or_else(String::new, |r| format!(" · retrying in {r} s"))
            ),
            (Some(s), _) if s.problem.is_some() => s.problem.clone().unwrap_or_default(),
            (Some(_), _) => "Everything is sent.".to_owned(),
            (None, Loadable::Ready(p)) if p.pending > 0 => {
                format!("{} check-in(s) waiting to be sent", p.pending)
            }
            (None, Loadable::Ready(_)) => "Everything is sent.".to_owned(),
            _ => "Preparing this device…".to_owned(),
        }
    }
}

/// The class running now, if one is.
fn running_class(classes: &[StudentClass]) -> Option<Uuid> {
    classes
        .iter()
        .find(|c| c.session.status == SessionStatus::Running)
        .map(|c| c.session.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{ClassSession, ErrorCode};
    use rollcall_core::timestamp::Timestamp;

    fn class(n: u128, status: SessionStatus) -> StudentClass {
        StudentClass {
            session: ClassSession {
                id: Uuid::from_u128(n),
                slot_id: None,
                teacher_id: Uuid::nil(),
                room_id: Uuid::nil(),
                room_name: "Lab".into(),
                division_id: Uuid::nil(),
                division_code: "10-A".into(),
                subject_id: None,
                subject_name: Some("Physics".into()),
                status,
                scheduled_start: Timestamp::from_unix(1_000),
                scheduled_end: Timestamp::from_unix(4_000),
                started_at: None,
                ended_at: None,
                qr_period_s: 20,
                policy: "token".parse().unwrap(),
                late_after_min: 10,
            },
            status: None,
        }
    }

    fn reduce(state: StudentState, action: StudentAction) -> StudentState {
        (*Rc::new(state).reduce(action)).clone()
    }

    fn phone(pending: u64, status: DeviceStatus) -> PhoneState {
        PhoneState {
            device_id: Uuid::from_u128(9),
            status,
            pending,
            camera_scanner: false,
        }
    }

    #[test]
    fn the_running_class_is_chosen_once_and_a_choice_stays() {
        let classes = vec![
            class(1, SessionStatus::Ended),
            class(2, SessionStatus::Running),
        ];
        let state = reduce(
            StudentState::default(),
            StudentAction::ClassesLoaded(Ok(classes.clone())),
        );
        assert_eq!(state.chosen, Some(Uuid::from_u128(2)));
        let state = reduce(state, StudentAction::Choose(Uuid::from_u128(1)));
        let state = reduce(state, StudentAction::ClassesLoaded(Ok(classes)));
        assert_eq!(state.chosen, Some(Uuid::from_u128(1)), "a reload keeps it");
        assert!(!state.waiting());
    }

    #[test]
    fn an_attempt_waits_then_answers_clears_the_selfies_and_reloads() {
        let state = reduce(
            StudentState::default(),
            StudentAction::SelfiesTaken(vec!["a".into()]),
        );
        let state = reduce(state, StudentAction::Begin);
        assert!(state.busy && state.answer.is_none());
        let refused = reduce(state.clone(), StudentAction::Refused("No class.".into()));
        assert!(!refused.busy);
        assert_eq!(refused.answer, Some(Err("No class.".into())));
        assert_eq!(refused.selfies.len(), 1, "kept for the next attempt");
        let answered = reduce(
            state,
            StudentAction::Answered(Ok(CheckInAnswer {
                claim_id: Uuid::from_u128(5),
                result: None,
                pending: 1,
            })),
        );
        assert!(!answered.busy && answered.selfies.is_empty());
        assert_eq!(answered.refreshes, 1);
    }

    #[test]
    fn the_sync_line_says_what_waits_or_that_all_is_sent() {
        let mut state = StudentState::default();
        assert_eq!(state.sync_line(), "Preparing this device…");
        state = reduce(
            state,
            StudentAction::PhoneLoaded(Ok(phone(2, DeviceStatus::Pending))),
        );
        assert!(state.device_pending());
        assert_eq!(state.sync_line(), "2 check-in(s) waiting to be sent");
        state = reduce(
            state,
            StudentAction::Synced(SyncStatus {
                pending: 1,
                last_sync: None,
                problem: Some("offline".into()),
                retry_in_s: Some(30),
            }),
        );
        assert_eq!(
            state.sync_line(),
            "1 check-in(s) waiting to be sent · retrying in 30 s"
        );
        state = reduce(
            state,
            StudentAction::Synced(SyncStatus {
                pending: 0,
                last_sync: Some(5),
                problem: None,
                retry_in_s: None,
            }),
        );
        assert_eq!(state.sync_line(), "Everything is sent.");
        let failed = reduce(
            StudentState::default(),
            StudentAction::PhoneLoaded(Err(CommandError {
                code: ErrorCode::Ipc,
                message: "No keystore.".into(),
                details: Default::default(),
            })),
        );
        assert_eq!(failed.phone, Loadable::Failed("No keystore.".into()));
    }

    #[test]
    fn a_change_a_return_or_a_break_reloads_the_lists_and_connecting_does_not() {
        let heard = |connection, event| StudentAction::Heard(MyEventsUpdate { connection, event });
        let state = reduce(
            StudentState::default(),
            heard(LiveConnection::Connecting, None),
        );
        assert_eq!(state.refreshes, 0);
        let started = rollcall_core::api::MyEvent::Class {
            session_id: Uuid::from_u128(2),
            status: SessionStatus::Running,
        };
        let state = reduce(state, heard(LiveConnection::Live, Some(started)));
        assert_eq!(state.refreshes, 1, "a class started");
        let state = reduce(state, heard(LiveConnection::Live, None));
        assert_eq!(state.refreshes, 2, "back after a break: what was missed");
        let state = reduce(
            state,
            heard(
                LiveConnection::Offline {
                    retry_in_s: 4,
                    problem: "no network".into(),
                },
                None,
            ),
        );
        assert_eq!(state.refreshes, 3, "away: polled instead");
        let state = reduce(state, heard(LiveConnection::SignedOut, None));
        assert_eq!(state.refreshes, 3);
    }
}
