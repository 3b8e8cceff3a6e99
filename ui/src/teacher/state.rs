//! The teacher's desk as the UI sees it: today's classes, which screen is open,
//! the live roster, and what is under way. Changed only through [`DeskAction`]s.

use std::rc::Rc;

use uuid::Uuid;
use yew::Reducible;

use crate::client::{
    ClassSession, CommandError, LiveConnection, LiveRosterEvent, Roster, RosterEntry, SavedFile,
    SessionStatus, SheetFormat,
};

/// Today's classes: loading, loaded, or why not.
#[derive(Debug, Clone, PartialEq)]
pub enum Classes {
    /// Being fetched.
    Loading,
    /// Fetched, in time order.
    Ready(Vec<ClassSession>),
    /// Could not be fetched: a sentence to show.
    Failed(String),
}

/// Which screen the desk shows: routing by an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeskRoute {
    /// Today's timetable.
    Today,
    /// One class: presentation and roster.
    Classroom(Uuid),
    /// The doubtful check-ins of the teacher's own classes.
    Review,
}

/// Something that takes a moment; its button shows progress meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// Starting the class of this slot.
    Starting(Uuid),
    /// Starting an extra class.
    StartingExtra,
    /// Ending the open class.
    Ending,
    /// Saving the class sheet.
    Exporting(SheetFormat),
    /// Saving a manual mark.
    Marking,
}

/// A line under the header: what just happened, or what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Good news ("Saved to …").
    Done(String),
    /// A problem, as a sentence.
    Problem(String),
}

/// The desk's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Desk {
    /// Today's classes.
    pub classes: Classes,
    /// The screen shown.
    pub route: DeskRoute,
    /// What is under way.
    pub busy: Option<Busy>,
    /// The last outcome worth telling.
    pub notice: Option<Notice>,
    /// The open class's live roster and connection.
    pub live: Option<LiveRosterEvent>,
    /// Full-screen presentation mode.
    pub presenting: bool,
    /// The student whose mark is being corrected.
    pub marking: Option<Uuid>,
}

impl Default for Desk {
    fn default() -> Self {
        Self {
            classes: Classes::Loading,
            route: DeskRoute::Today,
            busy: None,
            notice: None,
            live: None,
            presenting: false,
            marking: None,
        }
    }
}

/// Everything that changes the desk.
#[derive(Debug, Clone, PartialEq)]
pub enum DeskAction {
    /// Today's classes arrived (or failed).
    ClassesLoaded(Result<Vec<ClassSession>, CommandError>),
    /// The teacher pressed Start on a slot's class.
    StartRequested(Uuid),
    /// The teacher sent the extra-class form.
    ExtraRequested,
    /// The class started (or did not).
    Started(Result<ClassSession, CommandError>),
    /// Open a running class.
    Open(Uuid),
    /// The review queue of the teacher's classes.
    OpenReview,
    /// Back to today's classes.
    Back,
    /// The Rust side sent a live-roster event.
    Live(LiveRosterEvent),
    /// Correct this student's mark.
    MarkOpened(Uuid),
    /// The correction was cancelled.
    MarkCancelled,
    /// The correction was sent.
    MarkRequested,
    /// The correction was saved (or not).
    Marked(Result<RosterEntry, CommandError>),
    /// The teacher confirmed ending the class.
    EndRequested,
    /// The class ended (or did not).
    Ended(Result<Roster, CommandError>),
    /// Export in this format was pressed.
    ExportRequested(SheetFormat),
    /// The export finished (or failed).
    Exported(Result<Option<SavedFile>, CommandError>),
    /// Presentation mode on or off.
    Present(bool),
}

impl Desk {
    /// The class on screen, if any.
    #[must_use]
    pub fn open_class(&self) -> Option<&ClassSession> {
        let DeskRoute::Classroom(id) = self.route else {
            return None;
        };
        match &self.classes {
            Classes::Ready(classes) => classes.iter().find(|c| c.id == id),
            _ => None,
        }
    }

    /// The open class's roster, if known.
    #[must_use]
    pub fn roster(&self) -> Option<&Roster> {
        self.live.as_ref().and_then(|l| l.roster.as_ref())
    }

    fn replace_class(&mut self, class: ClassSession) {
        if let Classes::Ready(classes) = &mut self.classes {
            match classes.iter_mut().find(|c| c.id == class.id) {
                Some(slot) => *slot = class,
                None => classes.push(class),
            }
        }
    }

    fn set_status(&mut self, id: Uuid, status: SessionStatus) {
        if let Classes::Ready(classes) = &mut self.classes {
            if let Some(class) = classes.iter_mut().find(|c| c.id == id) {
                class.status = status;
            }
        }
    }
}

impl Reducible for Desk {
    type Action = DeskAction;

    fn reduce(self: Rc<Self>, action: DeskAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            DeskAction::ClassesLoaded(Ok(classes)) => next.classes = Classes::Ready(classes),
            DeskAction::ClassesLoaded(Err(e)) => next.classes = Classes::Failed(e.message),
            DeskAction::StartRequested(slot) => {
                next.busy = Some(Busy::Starting(slot));
                next.notice = None;
            }
            DeskAction::ExtraRequested => {
                next.busy = Some(Busy::StartingExtra);
                next.notice = None;
            }
            DeskAction::Started(Ok(class)) => {
                next.busy = None;
                next.route = DeskRoute::Classroom(class.id);
                next.live = None;
                next.replace_class(class);
            }
            DeskAction::Open(id) => {
                next.route = DeskRoute::Classroom(id);
                next.live = None;
                next.notice = None;
            }
            DeskAction::OpenReview => {
                next.route = DeskRoute::Review;
                next.notice = None;
            }
            DeskAction::Back => {
                next.route = DeskRoute::Today;
                next.live = None;
                next.presenting = false;
                next.marking = None;
                next.notice = None;
            }
            DeskAction::Live(event) => {
                if next.route == DeskRoute::Classroom(event.session_id) {
                    // An offline event keeps the last roster the desk had.
                    let roster = event.roster.or_else(|| next.roster().cloned());
                    next.live = Some(LiveRosterEvent { roster, ..event });
                }
            }
            DeskAction::MarkOpened(student) => next.marking = Some(student),
            DeskAction::MarkCancelled => next.marking = None,
            DeskAction::MarkRequested => next.busy = Some(Busy::Marking),
            DeskAction::Marked(Ok(entry)) => {
                next.busy = None;
                next.marking = None;
                next.notice = Some(Notice::Done(format!(
                    "{} is now {}.",
                    entry.display_name,
                    entry.status.map_or("unmarked", |s| s.as_str())
                )));
                if let Some(live) = next.live.as_mut() {
                    if let Some(roster) = live.roster.as_mut() {
                        if let Some(line) = roster
                            .entries
                            .iter_mut()
                            .find(|e| e.student_id == entry.student_id)
                        {
                            *line = entry;
                        }
                    }
                }
            }
            DeskAction::EndRequested => next.busy = Some(Busy::Ending),
            DeskAction::Ended(Ok(roster)) => {
                next.busy = None;
                next.presenting = false;
                next.set_status(roster.session_id, SessionStatus::Ended);
                next.notice = Some(Notice::Done(format!(
                    "Class ended: {} of {} present; everyone else is marked absent.",
                    roster.present, roster.expected
                )));
                let connection = next
                    .live
                    .as_ref()
                    .map_or(LiveConnection::Live, |l| l.connection.clone());
                next.live = Some(LiveRosterEvent {
                    session_id: roster.session_id,
                    connection,
                    roster: Some(roster),
                });
            }
            DeskAction::ExportRequested(format) => {
                next.busy = Some(Busy::Exporting(format));
                next.notice = None;
            }
            DeskAction::Exported(Ok(saved)) => {
                next.busy = None;
                next.notice = Some(Notice::Done(crate::shared::exports::saved_sentence(
                    saved.as_ref(),
                )));
            }
            DeskAction::Started(Err(e))
            | DeskAction::Marked(Err(e))
            | DeskAction::Ended(Err(e))
            | DeskAction::Exported(Err(e)) => {
                next.busy = None;
                next.notice = Some(Notice::Problem(e.message));
            }
            DeskAction::Present(on) => next.presenting = on,
        }
        Rc::new(next)
    }
}

/// The class to highlight: the running one, else the first that has not ended yet
/// at `now` (unix seconds).
#[must_use]
pub fn next_class(classes: &[ClassSession], now: i64) -> Option<Uuid> {
    classes
        .iter()
        .find(|c| c.status == SessionStatus::Running)
        .or_else(|| {
            classes
                .iter()
                .find(|c| c.status == SessionStatus::Planned && c.scheduled_end.unix() > now)
        })
        .map(|c| c.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{AttendanceStatus, ErrorCode};
    use rollcall_core::timestamp::Timestamp;

    fn class(n: u128, status: SessionStatus, start: i64) -> ClassSession {
        ClassSession {
            id: Uuid::from_u128(n),
            slot_id: Some(Uuid::from_u128(100 + n)),
            teacher_id: Uuid::nil(),
            room_id: Uuid::nil(),
            room_name: "Room B-204".into(),
            division_id: Uuid::nil(),
            division_code: "SE-A".into(),
            subject_id: None,
            subject_name: Some("Maths".into()),
            status,
            scheduled_start: Timestamp::from_unix(start),
            scheduled_end: Timestamp::from_unix(start + 3000),
            started_at: None,
            ended_at: None,
            qr_period_s: 20,
            policy: "token".parse().unwrap(),
            late_after_min: 10,
        }
    }

    fn line(n: u128, status: Option<AttendanceStatus>) -> RosterEntry {
        RosterEntry {
            student_id: Uuid::from_u128(n),
            display_name: format!("Student {n}"),
            student_no: None,
            status,
            source: None,
            marked_at: None,
            in_review: false,
            flags: Vec::new(),
        }
    }

    fn reduce(desk: Desk, action: DeskAction) -> Desk {
        (*Rc::new(desk).reduce(action)).clone()
    }

    #[test]
    fn the_review_queue_opens_from_today_and_back_returns_there() {
        let desk = reduce(Desk::default(), DeskAction::OpenReview);
        assert_eq!(desk.route, DeskRoute::Review);
        assert_eq!(reduce(desk, DeskAction::Back).route, DeskRoute::Today);
    }

    #[test]
    fn the_running_class_is_next_else_the_first_not_yet_over() {
        let classes = [
            class(1, SessionStatus::Ended, 0),
            class(2, SessionStatus::Planned, 3600),
            class(3, SessionStatus::Planned, 7200),
        ];
        assert_eq!(next_class(&classes, 1000), Some(Uuid::from_u128(2)));
        assert_eq!(next_class(&classes, 7000), Some(Uuid::from_u128(3)));
        assert_eq!(next_class(&classes, 20000), None);
        let mut running = classes;
        running[2].status = SessionStatus::Running;
        assert_eq!(next_class(&running, 1000), Some(Uuid::from_u128(3)));
    }

    #[test]
    fn starting_a_class_opens_it_and_ending_keeps_the_final_roster() {
        let desk = reduce(
            Desk::default(),
            DeskAction::ClassesLoaded(Ok(vec![class(1, SessionStatus::Planned, 0)])),
        );
        let desk = reduce(desk, DeskAction::StartRequested(Uuid::from_u128(101)));
        assert_eq!(desk.busy, Some(Busy::Starting(Uuid::from_u128(101))));
        let desk = reduce(
            desk,
            DeskAction::Started(Ok(class(1, SessionStatus::Running, 0))),
        );
        assert_eq!(desk.route, DeskRoute::Classroom(Uuid::from_u128(1)));
        assert_eq!(desk.open_class().unwrap().status, SessionStatus::Running);

        let roster = Roster {
            session_id: Uuid::from_u128(1),
            entries: vec![line(7, None)],
            present: 0,
            expected: 1,
        };
        let desk = reduce(
            desk,
            DeskAction::Live(LiveRosterEvent {
                session_id: Uuid::from_u128(1),
                connection: LiveConnection::Live,
                roster: Some(roster.clone()),
            }),
        );
        // Offline keeps the roster the desk had.
        let desk = reduce(
            desk,
            DeskAction::Live(LiveRosterEvent {
                session_id: Uuid::from_u128(1),
                connection: LiveConnection::Offline {
                    retry_in_s: 2,
                    problem: "cut".into(),
                },
                roster: None,
            }),
        );
        assert_eq!(desk.roster(), Some(&roster));
        // Events of another class are ignored.
        let desk = reduce(
            desk,
            DeskAction::Live(LiveRosterEvent {
                session_id: Uuid::from_u128(9),
                connection: LiveConnection::Live,
                roster: None,
            }),
        );
        assert_eq!(desk.roster(), Some(&roster));

        let desk = reduce(desk, DeskAction::MarkOpened(Uuid::from_u128(7)));
        let desk = reduce(
            desk,
            DeskAction::Marked(Ok(line(7, Some(AttendanceStatus::Excused)))),
        );
        assert_eq!(desk.marking, None);
        assert_eq!(
            desk.roster().unwrap().entries[0].status,
            Some(AttendanceStatus::Excused)
        );

        let desk = reduce(desk, DeskAction::EndRequested);
        let mut final_roster = roster;
        final_roster.entries[0].status = Some(AttendanceStatus::Excused);
        let desk = reduce(desk, DeskAction::Ended(Ok(final_roster)));
        assert_eq!(desk.open_class().unwrap().status, SessionStatus::Ended);
        assert!(
            matches!(desk.notice, Some(Notice::Done(ref t)) if t.starts_with("Class ended: 0 of 1"))
        );
    }

    #[test]
    fn failures_stop_the_progress_and_say_why() {
        let desk = reduce(
            Desk::default(),
            DeskAction::ExportRequested(SheetFormat::Pdf),
        );
        assert_eq!(desk.busy, Some(Busy::Exporting(SheetFormat::Pdf)));
        let desk = reduce(
            desk,
            DeskAction::Exported(Err(CommandError {
                code: ErrorCode::SaveFailed,
                message: "Could not save /x: denied.".into(),
                details: Default::default(),
            })),
        );
        assert_eq!(desk.busy, None);
        assert_eq!(
            desk.notice,
            Some(Notice::Problem("Could not save /x: denied.".into()))
        );
    }
}
