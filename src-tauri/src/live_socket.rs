//! Following one of the server's WebSockets for as long as the sign-in lasts:
//! it reconnects with backoff, renews an expired sign-in (through the typed
//! client), and pings so that a dead network is noticed. The teacher's live
//! roster and each user's events are built on it.

use std::future::Future;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use rollcall_client::live::{LiveError, LiveSocket};
use rollcall_core::api::LiveConnection;
use tokio_tungstenite::tungstenite::Message;

/// How often the app pings the server.
const PING_EVERY: Duration = Duration::from_secs(15);
/// Silence after which the connection counts as dead.
const SILENT_FOR: Duration = Duration::from_secs(40);
/// The longest wait between attempts.
const MAX_BACKOFF_S: u16 = 15;

/// What the follower heard.
#[derive(Debug)]
pub enum Heard<'a> {
    /// The connection's state changed (`Live` once a socket is open).
    Connection(LiveConnection),
    /// A text frame arrived.
    Text(&'a str),
}

/// Seconds to wait after `failures` failed attempts in a row: 1, 2, 4, 8, 15, 15, …
#[must_use]
pub fn backoff_s(failures: u32) -> u16 {
    rollcall_checkin::sync::doubling_s(failures, MAX_BACKOFF_S)
}

/// Opens a socket with `open` and tells `heard` each state and frame, again
/// after every break, until the sign-in is gone (then `SignedOut`, and it
/// returns). Runs until its task is aborted.
pub async fn follow<F, Opened>(mut open: F, mut heard: impl FnMut(Heard<'_>))
where
    F: FnMut() -> Opened,
    Opened: Future<Output = Result<LiveSocket, LiveError>>,
{
    let mut failures: u32 = 0;
    loop {
        heard(Heard::Connection(LiveConnection::Connecting));
        let problem = match open().await {
            Ok(socket) => {
                failures = 0;
                heard(Heard::Connection(LiveConnection::Live));
                read(socket, &mut heard).await
            }
            Err(LiveError::SignedOut) => {
                heard(Heard::Connection(LiveConnection::SignedOut));
                return;
            }
            Err(LiveError::Failed(problem)) => problem,
        };
        failures = failures.saturating_add(1);
        let retry_in_s = backoff_s(failures);
        heard(Heard::Connection(LiveConnection::Offline {
            retry_in_s,
            problem,
        }));
        tokio::time::sleep(Duration::from_secs(u64::from(retry_in_s))).await;
    }
}

/// Hands on text frames until the connection ends; says why it ended.
async fn read(mut socket: LiveSocket, heard: &mut impl FnMut(Heard<'_>)) -> String {
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            message = socket.next() => {
                last_heard = tokio::time::Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => heard(Heard::Text(text.as_str())),
                    Some(Ok(Message::Close(_))) | None => {
                        return "the server closed the connection".to_owned();
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => return format!("the connection was cut off ({error})"),
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
