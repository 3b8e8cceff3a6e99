//! What changed for the signed-in user: `GET /api/v1/me/events` (a WebSocket)
//! and the app's `my-events` event built from it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::app::LiveConnection;
use super::attendance::{AttendanceStatus, SessionStatus};

/// One change that concerns the signed-in user, as a JSON text frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MyEvent {
    /// One of their classes started or ended (a student's division's, or a
    /// teacher's own).
    Class {
        /// The session.
        session_id: Uuid,
        /// Where it is now.
        status: SessionStatus,
    },
    /// The student's mark in a class changed: a check-in, a review decided, a
    /// teacher's correction, a kiosk at the door.
    Mark {
        /// The session.
        session_id: Uuid,
        /// The mark now (`None` while nothing stands).
        status: Option<AttendanceStatus>,
        /// A check-in of theirs waits for review.
        in_review: bool,
    },
}

impl MyEvent {
    /// The session it concerns.
    #[must_use]
    pub const fn session_id(&self) -> Uuid {
        match self {
            Self::Class { session_id, .. } | Self::Mark { session_id, .. } => *session_id,
        }
    }
}

/// The `my-events` event the app's Rust side sends the UI: the connection's
/// state, and the change that arrived, if one did. While the socket cannot be
/// had, each `Offline` notice is the UI's cue to poll instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyEventsUpdate {
    /// The connection to `/api/v1/me/events`.
    pub connection: LiveConnection,
    /// What changed, if anything.
    pub event: Option<MyEvent>,
}

/// The name of the event that carries [`MyEventsUpdate`]s.
pub const MY_EVENTS_EVENT: &str = "my-events";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_tagged_json() {
        let id = Uuid::nil();
        let class = MyEvent::Class {
            session_id: id,
            status: SessionStatus::Running,
        };
        let text = serde_json::to_string(&class).unwrap();
        assert_eq!(
            text,
            r#"{"type":"class","session_id":"00000000-0000-0000-0000-000000000000","status":"running"}"#
        );
        let mark: MyEvent = serde_json::from_str(
            r#"{"type":"mark","session_id":"00000000-0000-0000-0000-000000000000","status":"late","in_review":false}"#,
        )
        .unwrap();
        assert_eq!(
            mark,
            MyEvent::Mark {
                session_id: id,
                status: Some(AttendanceStatus::Late),
                in_review: false
            }
        );
        assert_eq!(mark.session_id(), id);
    }
}
