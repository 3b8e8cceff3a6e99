//! The live roster: the server's `/api/v1/sessions/{id}/live` WebSocket turned into
//! [`LiveRosterEvent`]s for the UI. It reconnects with backoff, renews an expired
//! sign-in, pings so a dead network is noticed, and keeps the last roster to show
//! while offline.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use rollcall_client::live::{LiveError, LiveSocket};
use rollcall_core::api::{LiveConnection, LiveMessage, LiveRosterEvent, Roster};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::ServerClient;

/// How often the app pings the server.
const PING_EVERY: Duration = Duration::from_secs(15);
/// Silence after which the connection counts as dead.
const SILENT_FOR: Duration = Duration::from_secs(40);
/// The longest wait between attempts.
const MAX_BACKOFF_S: u16 = 15;

type Socket = LiveSocket;

enum ConnectError {
    /// The sign-in is gone; following stops.
    SignedOut,
    /// This attempt failed; another may work.
    Failed(String),
}

/// Seconds to wait after `failures` failed attempts in a row: 1, 2, 4, 8, 15, 15, …
#[must_use]
pub fn backoff_s(failures: u32) -> u16 {
    1u16.checked_shl(failures.saturating_sub(1))
        .map_or(MAX_BACKOFF_S, |s| s.min(MAX_BACKOFF_S))
}

/// Follows the live roster of `session_id` until the sign-in is gone, sending each
/// state to `emit`. Runs until its task is aborted.
pub async fn follow(
    client: &ServerClient,
    session_id: Uuid,
    mut emit: impl FnMut(LiveRosterEvent),
) {
    let mut roster: Option<Roster> = None;
    let mut failures: u32 = 0;
    loop {
        let mut send = |connection, roster: &Option<Roster>| {
            emit(LiveRosterEvent {
                session_id,
                connection,
                roster: roster.clone(),
            });
        };
        send(LiveConnection::Connecting, &roster);
        let problem = match connect(client, session_id).await {
            Ok(socket) => {
                failures = 0;
                read(socket, &mut roster, |r| send(LiveConnection::Live, r)).await
            }
            Err(ConnectError::SignedOut) => {
                send(LiveConnection::SignedOut, &roster);
                return;
            }
            Err(ConnectError::Failed(problem)) => problem,
        };
        failures = failures.saturating_add(1);
        let retry_in_s = backoff_s(failures);
        emit(LiveRosterEvent {
            session_id,
            connection: LiveConnection::Offline {
                retry_in_s,
                problem,
            },
            roster: roster.clone(),
        });
        tokio::time::sleep(Duration::from_secs(u64::from(retry_in_s))).await;
    }
}

/// Reads messages into `roster` until the connection ends; says why it ended.
async fn read(
    mut socket: Socket,
    roster: &mut Option<Roster>,
    mut on_change: impl FnMut(&Option<Roster>),
) -> String {
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            message = socket.next() => {
                last_heard = tokio::time::Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => {
                        let Ok(message) = serde_json::from_str::<LiveMessage>(&text) else {
                            continue;
                        };
                        match (roster.as_mut(), message) {
                            (_, LiveMessage::Roster { roster: whole }) => *roster = Some(whole),
                            (Some(current), change) => current.apply(change),
                            // A change before the first roster cannot be placed; the
                            // server always sends the roster first.
                            (None, LiveMessage::Change { .. }) => continue,
                        }
                        on_change(roster);
                    }
                    Some(Ok(Message::Close(_))) | None => {
                        return "the server closed the live roster".to_owned();
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => return format!("the live roster was cut off ({error})"),
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > SILENT_FOR {
                    return "the server stopped answering".to_owned();
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return "the connection to the server was lost".to_owned();
                }
            }
        }
    }
}

async fn connect(client: &ServerClient, session_id: Uuid) -> Result<Socket, ConnectError> {
    client
        .live_roster(session_id)
        .await
        .map_err(|error| match error {
            LiveError::SignedOut => ConnectError::SignedOut,
            LiveError::Failed(problem) => ConnectError::Failed(problem),
        })
}

#[cfg(test)]
mod tests {
    use super::backoff_s;

    #[test]
    fn backoff_doubles_up_to_fifteen_seconds() {
        let waits: Vec<u16> = (1..=7).map(backoff_s).collect();
        assert_eq!(waits, [1, 2, 4, 8, 15, 15, 15]);
        assert_eq!(backoff_s(u32::MAX), 15);
        assert_eq!(backoff_s(0), 1);
    }
}
