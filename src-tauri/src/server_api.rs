//! The app's client for the Rollcall server's `/api/v1` HTTP API, and the signed-in session.

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use reqwest::{Response, Url};
use rollcall_core::api::{
    ErrorEnvelope, LoginRequest, LoginResponse, RefreshRequest, ServerInfo, SignedIn, UserSummary,
};
use serde::de::DeserializeOwned;

use crate::AppError;

/// How long to wait for a TCP connection: a wrong address should fail while the user
/// is still looking at the screen.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take; password hashing makes a login take a moment.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// A server's base address: an `http` or `https` URL with a host, ending in `/` so that
/// API paths join below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress(Url);

impl ServerAddress {
    /// Parses what a user typed. A missing scheme means `http://`, because people type
    /// `school-server:8080`; query and fragment are dropped.
    ///
    /// # Errors
    /// [`AppError::BadServerUrl`] when it is empty, not a URL, not `http`/`https`, or
    /// has no host.
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let bad = |reason| AppError::BadServerUrl {
            input: input.to_owned(),
            reason,
        };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(bad("it is empty"));
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("http://{trimmed}")
        };
        let mut url = Url::parse(&with_scheme).map_err(|_| bad("it is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("only http and https are supported"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host name"));
        }
        url.set_query(None);
        url.set_fragment(None);
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Self(url))
    }

    /// The URL of an API path such as `api/v1/meta`, below this address.
    pub(crate) fn endpoint(&self, path: &str) -> Result<Url, AppError> {
        self.0.join(path).map_err(|_| AppError::BadServerUrl {
            input: self.to_string(),
            reason: "API paths cannot be joined to it",
        })
    }
}

impl fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

/// What a sign-out sends, taken out of the session before it is forgotten.
struct LogoutRequest {
    server: ServerAddress,
    access_token: String,
    refresh_token: String,
}

/// The signed-in account and the credentials for its requests. The tokens never leave
/// the Rust side and are redacted from `Debug`.
pub struct Session {
    /// The server the session belongs to.
    pub server: ServerAddress,
    /// Who is signed in.
    pub user: UserSummary,
    access_token: String,
    refresh_token: String,
}

impl Session {
    /// The bearer token for the `Authorization` header of requests made for this user.
    #[must_use]
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// The single-use token that obtains a new access token when this one expires.
    #[must_use]
    pub fn refresh_token(&self) -> &str {
        &self.refresh_token
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("server", &self.server)
            .field("user", &self.user)
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// Talks to the Rollcall server and keeps the session; held in Tauri's managed state.
#[derive(Debug)]
pub struct ServerClient {
    pub(crate) http: reqwest::Client,
    session: Mutex<Option<Session>>,
    /// Held while the access token is renewed, so two requests that both find it
    /// expired use the single-use refresh token once.
    pub(crate) renewing: tokio::sync::Mutex<()>,
}

impl ServerClient {
    /// A client with no one signed in.
    ///
    /// # Panics
    /// When the TLS backend cannot be initialised, like `reqwest::Client::new`: without it
    /// the app cannot talk to any server.
    #[must_use]
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("rollcall-app/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client's TLS backend initialises");
        Self {
            http,
            session: Mutex::new(None),
            renewing: tokio::sync::Mutex::new(()),
        }
    }

    /// Checks that `server_url` is a Rollcall server, signs in with `login` (username or
    /// e-mail) and `password`, and keeps the session.
    ///
    /// # Errors
    /// [`AppError::BadServerUrl`], [`AppError::MissingCredentials`],
    /// [`AppError::ServerUnreachable`], [`AppError::InvalidCredentials`], or what the server
    /// answered otherwise.
    pub async fn login(
        &self,
        server_url: &str,
        login: &str,
        password: &str,
    ) -> Result<SignedIn, AppError> {
        let server = ServerAddress::parse(server_url)?;
        let login = login.trim();
        if login.is_empty() || password.is_empty() {
            return Err(AppError::MissingCredentials);
        }
        let info = self.server_info(&server).await?;
        let request = LoginRequest {
            login: login.to_owned(),
            password: password.to_owned(),
        };
        let response = self
            .http
            .post(server.endpoint("api/v1/auth/login")?)
            .json(&request)
            .send()
            .await
            .map_err(|source| unreachable(&server, source))?;
        let answer: LoginResponse = read_json(&server, response).await?;
        let signed_in = SignedIn {
            user: answer.user.clone(),
            server: info,
            server_address: server.to_string(),
        };
        *self.lock_session() = Some(Session {
            server,
            user: answer.user,
            access_token: answer.access_token,
            refresh_token: answer.refresh_token,
        });
        Ok(signed_in)
    }

    /// `GET /api/v1/meta`: which server this is.
    ///
    /// # Errors
    /// [`AppError::ServerUnreachable`] or [`AppError::NotRollcallServer`].
    pub async fn server_info(&self, server: &ServerAddress) -> Result<ServerInfo, AppError> {
        let response = self
            .http
            .get(server.endpoint("api/v1/meta")?)
            .send()
            .await
            .map_err(|source| unreachable(server, source))?;
        read_json(server, response).await
    }

    /// Signs out: forgets the session and asks the server to revoke its
    /// refresh token. The session is forgotten even when the server cannot
    /// be reached; its refresh token then simply expires.
    pub async fn sign_out(&self) {
        let Some(session) = self.lock_session().take() else {
            return;
        };
        let request = LogoutRequest {
            server: session.server,
            access_token: session.access_token,
            refresh_token: session.refresh_token,
        };
        let sent = self
            .http
            .post(match request.server.endpoint("api/v1/auth/logout") {
                Ok(url) => url,
                Err(_) => return,
            })
            .bearer_auth(&request.access_token)
            .json(&RefreshRequest {
                refresh_token: request.refresh_token,
            })
            .send()
            .await;
        if let Err(error) = sent {
            eprintln!(
                "rollcall: could not tell {} about the sign-out: {error}",
                request.server
            );
        }
    }

    /// Runs `f` on the current session; `None` when no one is signed in.
    pub fn with_session<T>(&self, f: impl FnOnce(&Session) -> T) -> Option<T> {
        self.lock_session().as_ref().map(f)
    }

    /// Replaces the session's tokens after a renewal.
    pub(crate) fn replace_tokens(&self, access_token: String, refresh_token: String) {
        if let Some(session) = self.lock_session().as_mut() {
            session.access_token = access_token;
            session.refresh_token = refresh_token;
        }
    }

    /// Forgets the session without telling the server (its tokens no longer work).
    pub(crate) fn forget_session(&self) {
        self.lock_session().take();
    }

    fn lock_session(&self) -> MutexGuard<'_, Option<Session>> {
        // The session is replaced whole, so a panic elsewhere cannot leave it half-written.
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for ServerClient {
    fn default() -> Self {
        Self::new()
    }
}

pub(crate) fn unreachable(server: &ServerAddress, source: reqwest::Error) -> AppError {
    AppError::ServerUnreachable {
        address: server.to_string(),
        source,
    }
}

/// Reads a successful answer as `T`, or turns the API's error envelope into an [`AppError`].
pub(crate) async fn read_json<T: DeserializeOwned>(
    server: &ServerAddress,
    response: Response,
) -> Result<T, AppError> {
    let status = response.status();
    let not_rollcall = || AppError::NotRollcallServer {
        address: server.to_string(),
    };
    if status.is_success() {
        return response.json::<T>().await.map_err(|_| not_rollcall());
    }
    if status.is_server_error() {
        return Err(AppError::ServerError {
            address: server.to_string(),
            status: status.as_u16(),
        });
    }
    match response.json::<ErrorEnvelope>().await {
        Ok(envelope) if envelope.error.code == "invalid_credentials" => {
            Err(AppError::InvalidCredentials)
        }
        Ok(envelope) => Err(AppError::Rejected {
            code: envelope.error.code,
            message: envelope.error.message,
            details: envelope.error.details,
        }),
        Err(_) => Err(not_rollcall()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> String {
        ServerAddress::parse(input)
            .map(|a| a.0.to_string())
            .unwrap_or_else(|e| e.code().into())
    }

    #[test]
    fn server_addresses_are_normalised() {
        assert_eq!(parsed("http://127.0.0.1:8080"), "http://127.0.0.1:8080/");
        assert_eq!(
            parsed("  https://rollcall.example/school  "),
            "https://rollcall.example/school/"
        );
        assert_eq!(parsed("school-server:8080"), "http://school-server:8080/");
        assert_eq!(parsed("http://host/?q=1#top"), "http://host/");
    }

    #[test]
    fn api_paths_join_below_a_path_prefix() {
        let address = ServerAddress::parse("https://rollcall.example/school").unwrap();
        assert_eq!(
            address.endpoint("api/v1/meta").unwrap().as_str(),
            "https://rollcall.example/school/api/v1/meta"
        );
        assert_eq!(address.to_string(), "https://rollcall.example/school");
    }

    #[test]
    fn only_http_and_https_with_a_host_are_accepted() {
        for input in [
            "",
            "   ",
            "ftp://files.example",
            "not a url",
            "http://",
            "file:///etc/passwd",
        ] {
            assert_eq!(parsed(input), "bad_server_url", "{input:?}");
        }
    }
}
