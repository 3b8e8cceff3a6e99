//! `GET /api/v1/me/events`: a WebSocket that tells the signed-in student or
//! teacher what changed for them (a class started or ended, a mark changed, a
//! review decided), from the same LISTEN/NOTIFY hub as the live roster, so
//! every replica's writes reach every replica's sockets.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use rollcall_core::api::{ErrorCode, ErrorEnvelope, MyEvent, Role};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{ApiError, AppState, AuthUser};
use crate::attendance::live::RosterChange;
use crate::attendance::records;

#[utoipa::path(get, path = "/api/v1/me/events", tag = "account", summary = "WebSocket: what changes for the signed-in student or teacher (class started or ended, a mark, a review decided), as JSON messages {type: class|mark}", responses((status = 101, description = "Switching to WebSocket"), (status = 400, description = "websocket_required: not a WebSocket request", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope), (status = 403, description = "Not a student or teacher", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn events(
    State(state): State<AppState>,
    user: AuthUser,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Student, Role::Teacher])?;
    let upgrade = upgrade.map_err(|_| ApiError::BadRequest {
        code: ErrorCode::WebsocketRequired,
        message: "this address speaks WebSocket only".to_owned(),
    })?;
    // A student's divisions, read once per connection (the app reconnects and
    // reloads after any break, so a change of division is seen then).
    let divisions = sqlx::query_scalar!(
        "SELECT division_id FROM division_students WHERE student_id = $1",
        user.id
    )
    .fetch_all(&state.pool)
    .await?;
    let me = Whom {
        user: user.id,
        divisions,
    };
    Ok(upgrade.on_upgrade(move |socket| stream(socket, state, me)))
}

/// Whose socket it is.
struct Whom {
    user: Uuid,
    divisions: Vec<Uuid>,
}

impl Whom {
    /// The class event `change` is for this user, if it is one of their classes.
    fn class_event(&self, change: &RosterChange) -> Option<MyEvent> {
        let class = change.class?;
        (class.teacher_id == self.user || self.divisions.contains(&class.division_id)).then_some(
            MyEvent::Class {
                session_id: change.session_id,
                status: class.status,
            },
        )
    }
}

async fn send(socket: &mut WebSocket, event: &MyEvent) -> bool {
    match serde_json::to_string(event) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => false,
    }
}

/// The student's line in `session` now, as a mark event.
async fn mark(state: &AppState, session: Uuid, student: Uuid) -> Option<MyEvent> {
    let mut conn = state.pool.acquire().await.ok()?;
    let entry = records::entry(&mut conn, session, student).await.ok()??;
    Some(MyEvent::Mark {
        session_id: session,
        status: entry.status,
        in_review: entry.in_review,
    })
}

async fn stream(mut socket: WebSocket, state: AppState, me: Whom) {
    let mut changes = state.live.subscribe();
    loop {
        tokio::select! {
            change = changes.recv() => {
                let event = match change {
                    Ok(change) if change.student_id == Some(me.user) => {
                        mark(&state, change.session_id, me.user).await
                    }
                    Ok(change) => me.class_event(&change),
                    // Missed some: close, so the app reconnects and reloads.
                    Err(RecvError::Lagged(_) | RecvError::Closed) => return,
                };
                if let Some(event) = event {
                    if !send(&mut socket, &event).await {
                        return;
                    }
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attendance::live::ClassChange;
    use rollcall_core::api::SessionStatus;

    #[test]
    fn a_class_concerns_its_teacher_and_its_divisions_students_only() {
        let (mine, other, teacher, session) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let student = Whom {
            user: Uuid::now_v7(),
            divisions: vec![mine],
        };
        let started = |division_id| RosterChange {
            session_id: session,
            student_id: None,
            class: Some(ClassChange {
                division_id,
                teacher_id: teacher,
                status: SessionStatus::Running,
            }),
        };
        assert_eq!(
            student.class_event(&started(mine)),
            Some(MyEvent::Class {
                session_id: session,
                status: SessionStatus::Running
            })
        );
        assert_eq!(student.class_event(&started(other)), None);
        let the_teacher = Whom {
            user: teacher,
            divisions: Vec::new(),
        };
        assert!(the_teacher.class_event(&started(other)).is_some());
        // Someone else's mark is not a class event.
        let marked = RosterChange {
            session_id: session,
            student_id: Some(Uuid::now_v7()),
            class: None,
        };
        assert_eq!(student.class_event(&marked), None);
    }
}
