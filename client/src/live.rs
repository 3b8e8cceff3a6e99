//! The API's WebSockets: a session's live roster (`/api/v1/sessions/{id}/live`)
//! and the signed-in user's events (`/api/v1/me/events`), opened with the
//! signed-in user's token (renewed once if it had expired). Host only; a
//! browser opens its socket through the web shell.

use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::header::{AUTHORIZATION, USER_AGENT};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::{Client, ClientError, ServerAddress};

/// An open socket of the API.
pub type LiveSocket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// Why a socket could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The sign-in is gone (signed out, or it could not be renewed).
    #[error("not signed in")]
    SignedOut,
    /// This attempt failed; another may work.
    #[error("{0}")]
    Failed(String),
}

enum Opening {
    Unauthorized,
    Failed(String),
}

impl Client {
    /// Opens the live roster of `session`.
    ///
    /// # Errors
    /// [`LiveError::SignedOut`] when there is no sign-in to open it with;
    /// [`LiveError::Failed`] otherwise, in words.
    pub async fn live_roster(&self, session: Uuid) -> Result<LiveSocket, LiveError> {
        self.socket(
            |server| Self::live_address(server, session),
            "the live roster",
        )
        .await
    }

    /// Opens the signed-in user's events: [`rollcall_core::api::MyEvent`]s as
    /// JSON text frames.
    ///
    /// # Errors
    /// As [`Client::live_roster`].
    pub async fn my_events(&self) -> Result<LiveSocket, LiveError> {
        self.socket(Self::events_address, "your events").await
    }

    async fn socket(
        &self,
        address: impl Fn(&ServerAddress) -> Result<reqwest::Url, ClientError>,
        what: &str,
    ) -> Result<LiveSocket, LiveError> {
        let (server, token) = self.credentials().map_err(|_| LiveError::SignedOut)?;
        let url = address(&server).map_err(|e| LiveError::Failed(e.to_string()))?;
        let agent = self.user_agent.as_str();
        match open(&url, &token, agent, what).await {
            Ok(socket) => Ok(socket),
            Err(Opening::Failed(problem)) => Err(LiveError::Failed(problem)),
            Err(Opening::Unauthorized) => {
                let token = self.renewed_token(&token).await.map_err(|e| match e {
                    ClientError::SignInAgain | ClientError::NotSignedIn => LiveError::SignedOut,
                    other => LiveError::Failed(other.to_string()),
                })?;
                open(&url, &token, agent, what).await.map_err(|e| match e {
                    Opening::Unauthorized => LiveError::SignedOut,
                    Opening::Failed(problem) => LiveError::Failed(problem),
                })
            }
        }
    }
}

async fn open(
    url: &reqwest::Url,
    token: &str,
    user_agent: &str,
    what: &str,
) -> Result<LiveSocket, Opening> {
    let failed = |problem: &str| Opening::Failed(problem.to_owned());
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| Opening::Failed(e.to_string()))?;
    let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| failed("the access token is not a header value"))?;
    request.headers_mut().insert(AUTHORIZATION, bearer);
    if let Ok(agent) = HeaderValue::from_str(user_agent) {
        request.headers_mut().insert(USER_AGENT, agent);
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(WsError::Http(response)) if response.status() == StatusCode::UNAUTHORIZED => {
            Err(Opening::Unauthorized)
        }
        Err(WsError::Http(response)) => Err(Opening::Failed(format!(
            "the server refused {what} (HTTP {})",
            response.status().as_u16()
        ))),
        Err(error) => Err(Opening::Failed(format!(
            "could not reach {what} at {} ({error})",
            url.host_str().unwrap_or("the server")
        ))),
    }
}
