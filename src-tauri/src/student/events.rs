//! What changes for the signed-in student (a class started or ended, a mark, a
//! review decided): the server's `/api/v1/me/events` WebSocket turned into
//! [`MyEventsUpdate`]s for the UI, on the shared follower. The UI reloads on
//! each, and on each `Live` (whatever happened while it was away) and
//! `Offline` notice (polling while the socket cannot be had).

use rollcall_core::api::{MyEvent, MyEventsUpdate};

use crate::live_socket::{self, Heard};
use crate::ServerClient;

/// Follows the signed-in user's events until the sign-in is gone. Runs until
/// its task is aborted.
pub async fn follow(client: &ServerClient, mut emit: impl FnMut(MyEventsUpdate)) {
    let mut connection = rollcall_core::api::LiveConnection::Connecting;
    live_socket::follow(
        || client.my_events(),
        |heard| {
            let event = match heard {
                Heard::Connection(state) => {
                    connection = state;
                    None
                }
                // A kind of event this app does not know yet still asks for a
                // reload.
                Heard::Text(text) => serde_json::from_str::<MyEvent>(text).ok(),
            };
            emit(MyEventsUpdate {
                connection: connection.clone(),
                event,
            });
        },
    )
    .await;
}
