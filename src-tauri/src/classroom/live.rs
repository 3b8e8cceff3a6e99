//! The live roster: the server's `/api/v1/sessions/{id}/live` WebSocket turned into
//! [`LiveRosterEvent`]s for the UI. It reconnects with backoff, renews an expired
//! sign-in, pings so a dead network is noticed, and keeps the last roster to show
//! while offline.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use rollcall_core::api::{LiveConnection, LiveMessage, LiveRosterEvent, Roster};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::{header::AUTHORIZATION, HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::{AppError, ServerAddress, ServerClient};

/// How often the app pings the server.
const PING_EVERY: Duration = Duration::from_secs(15);
/// Silence after which the connection counts as dead.
const SILENT_FOR: Duration = Duration::from_secs(40);
/// The longest wait between attempts.
const MAX_BACKOFF_S: u16 = 15;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

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
    let (server, token) = client.credentials().map_err(|_| ConnectError::SignedOut)?;
    match open(&server, &token, session_id).await {
        Err(Opening::Unauthorized) => {
            let token = client.renewed_token(&token).await.map_err(|e| match e {
                AppError::SignInAgain | AppError::NotSignedIn => ConnectError::SignedOut,
                other => ConnectError::Failed(other.to_string()),
            })?;
            open(&server, &token, session_id)
                .await
                .map_err(|e| match e {
                    Opening::Unauthorized => ConnectError::SignedOut,
                    Opening::Failed(problem) => ConnectError::Failed(problem),
                })
        }
        Err(Opening::Failed(problem)) => Err(ConnectError::Failed(problem)),
        Ok(socket) => Ok(socket),
    }
}

enum Opening {
    Unauthorized,
    Failed(String),
}

async fn open(server: &ServerAddress, token: &str, session_id: Uuid) -> Result<Socket, Opening> {
    let failed = |what: &str| Opening::Failed(what.to_owned());
    let mut url = server
        .endpoint(&format!("api/v1/sessions/{session_id}/live"))
        .map_err(|e| Opening::Failed(e.to_string()))?;
    let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    url.set_scheme(scheme)
        .map_err(|()| failed("the server address cannot carry a WebSocket"))?;
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| Opening::Failed(e.to_string()))?;
    let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| failed("the access token is not a header value"))?;
    request.headers_mut().insert(AUTHORIZATION, bearer);
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(WsError::Http(response)) if response.status() == StatusCode::UNAUTHORIZED => {
            Err(Opening::Unauthorized)
        }
        Err(WsError::Http(response)) => Err(Opening::Failed(format!(
            "the server refused the live roster (HTTP {})",
            response.status().as_u16()
        ))),
        Err(error) => Err(Opening::Failed(format!(
            "could not reach the live roster at {server} ({error})"
        ))),
    }
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
