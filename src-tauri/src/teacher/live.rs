//! The live roster: the server's `/api/v1/sessions/{id}/live` WebSocket turned into
//! [`LiveRosterEvent`]s for the UI, on the shared follower (reconnects with
//! backoff, renews an expired sign-in, pings), keeping the last roster to show
//! while offline.

use rollcall_core::api::{LiveConnection, LiveMessage, LiveRosterEvent, Roster};
use uuid::Uuid;

use crate::live_socket::{self, Heard};
use crate::ServerClient;

/// Follows the live roster of `session_id` until the sign-in is gone, sending each
/// state to `emit`: `Connecting`, then `Live` with each roster as it arrives (the
/// server sends the whole roster first), `Offline` between attempts. Runs until
/// its task is aborted.
pub async fn follow(
    client: &ServerClient,
    session_id: Uuid,
    mut emit: impl FnMut(LiveRosterEvent),
) {
    let mut roster: Option<Roster> = None;
    live_socket::follow(
        || client.live_roster(session_id),
        |heard| {
            let connection = match heard {
                // Live is told with the first roster, not before it.
                Heard::Connection(LiveConnection::Live) => return,
                Heard::Connection(state) => state,
                Heard::Text(text) => {
                    let Ok(message) = serde_json::from_str::<LiveMessage>(text) else {
                        return;
                    };
                    match (roster.as_mut(), message) {
                        (_, LiveMessage::Roster { roster: whole }) => roster = Some(whole),
                        (Some(current), change) => current.apply(change),
                        // A change before the first roster cannot be placed; the
                        // server always sends the roster first.
                        (None, LiveMessage::Change { .. }) => return,
                    }
                    LiveConnection::Live
                }
            };
            emit(LiveRosterEvent {
                session_id,
                connection,
                roster: roster.clone(),
            });
        },
    )
    .await;
}
