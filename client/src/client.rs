//! The signed-in session and the calls that make and end it.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rollcall_core::api::{
    LoginRequest, LoginResponse, RefreshRequest, ServerInfo, SignedIn, UserSummary,
};

use crate::request::{read_json, unreachable};
use crate::routes;
use crate::{ClientError, ServerAddress};

/// How long to wait for a TCP connection: a wrong address should fail while
/// the person is still looking at the screen.
#[cfg(not(target_arch = "wasm32"))]
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// How long a whole request may take; password hashing makes a sign-in take a moment.
#[cfg(not(target_arch = "wasm32"))]
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// The signed-in account and the credentials for its requests. The tokens
/// never leave the Rust side and are redacted from `Debug`.
pub struct Session {
    /// The server the session belongs to.
    pub server: ServerAddress,
    /// Who is signed in.
    pub user: UserSummary,
    access_token: String,
    refresh_token: String,
}

impl Session {
    /// The bearer token for requests made for this user.
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

/// Told of each new refresh token of the session (sign-in, resumption,
/// renewal) with its server, and with `None` when the session ends; the app
/// keeps the latest in the OS keystore to resume after a restart.
pub type TokenKeeper = Arc<dyn Fn(Option<(&ServerAddress, &str)>) + Send + Sync>;

/// Talks to a Rollcall server and keeps the session.
pub struct Client {
    pub(crate) http: reqwest::Client,
    /// Sent with every request (the live sockets' too; in a browser the
    /// browser names itself).
    #[cfg_attr(
        target_arch = "wasm32",
        expect(dead_code, reason = "the browser sends its own User-Agent")
    )]
    pub(crate) user_agent: String,
    session: Mutex<Option<Session>>,
    /// Held while the access token is renewed, so two requests that both find
    /// it expired use the single-use refresh token once.
    pub(crate) renewing: futures_util::lock::Mutex<()>,
    keeper: Mutex<Option<TokenKeeper>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    /// A client with no one signed in.
    #[must_use]
    pub fn new() -> Self {
        Self::with_user_agent(DEFAULT_USER_AGENT)
    }

    /// A client that names itself `user_agent` (`product/version`): the app says
    /// `rollcall-app/…`, so the server can tell what its own screens use.
    #[must_use]
    pub fn with_user_agent(user_agent: &str) -> Self {
        Self {
            http: http_client(user_agent),
            user_agent: user_agent.to_owned(),
            session: Mutex::new(None),
            renewing: futures_util::lock::Mutex::new(()),
            keeper: Mutex::new(None),
        }
    }

    /// Tells `keeper` of every new refresh token from now on, and of the
    /// session's end.
    pub fn keep_tokens_with(&self, keeper: TokenKeeper) {
        *self.keeper.lock().unwrap_or_else(PoisonError::into_inner) = Some(keeper);
    }

    /// Tells the keeper, outside the session's lock.
    fn tell_keeper(&self, kept: Option<(&ServerAddress, &str)>) {
        let keeper = self
            .keeper
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(keeper) = keeper {
            keeper(kept);
        }
    }

    /// Keeps the session `answer` opened on `server` and tells the keeper.
    fn open_session(
        &self,
        server: ServerAddress,
        info: ServerInfo,
        answer: LoginResponse,
    ) -> SignedIn {
        let signed_in = SignedIn {
            user: answer.user.clone(),
            server: info,
            server_address: server.to_string(),
        };
        self.tell_keeper(Some((&server, &answer.refresh_token)));
        *self.lock_session() = Some(Session {
            server,
            user: answer.user,
            access_token: answer.access_token,
            refresh_token: answer.refresh_token,
        });
        signed_in
    }

    /// Checks that `server_url` is a Rollcall server, signs in with `login`
    /// (username or e-mail) and `password`, and keeps the session.
    ///
    /// # Errors
    /// [`ClientError::BadServerUrl`], [`ClientError::MissingCredentials`],
    /// [`ClientError::Unreachable`], [`ClientError::InvalidCredentials`], or
    /// what the server answered otherwise.
    pub async fn login(
        &self,
        server_url: &str,
        login: &str,
        password: &str,
    ) -> Result<SignedIn, ClientError> {
        let server = ServerAddress::parse(server_url)?;
        let login = login.trim();
        if login.is_empty() || password.is_empty() {
            return Err(ClientError::MissingCredentials);
        }
        let info = self.server_info(&server).await?;
        let request = LoginRequest {
            login: login.to_owned(),
            password: password.to_owned(),
        };
        let response = self
            .http
            .post(server.endpoint(routes::LOGIN.template())?)
            .json(&request)
            .send()
            .await
            .map_err(|source| unreachable(&server, source))?;
        let answer: LoginResponse = read_json(&server, response).await?;
        Ok(self.open_session(server, info, answer))
    }

    /// Resumes a sign-in kept from an earlier run of the app: the refresh
    /// token for `server_url` is exchanged (and so rotated) for a new session.
    ///
    /// # Errors
    /// [`ClientError::SignInAgain`] when the token no longer works (signed out
    /// elsewhere, expired, revoked); [`ClientError::BadServerUrl`],
    /// [`ClientError::Unreachable`], [`ClientError::NotRollcall`].
    pub async fn resume(
        &self,
        server_url: &str,
        refresh_token: &str,
    ) -> Result<SignedIn, ClientError> {
        let server = ServerAddress::parse(server_url)?;
        let info = self.server_info(&server).await?;
        let response = self
            .http
            .post(server.endpoint(routes::REFRESH.template())?)
            .json(&RefreshRequest {
                refresh_token: refresh_token.to_owned(),
            })
            .send()
            .await
            .map_err(|source| unreachable(&server, source))?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            return Err(ClientError::SignInAgain);
        }
        let answer: LoginResponse = read_json(&server, response).await?;
        Ok(self.open_session(server, info, answer))
    }

    /// `GET /api/v1/meta`: which server this is.
    ///
    /// # Errors
    /// [`ClientError::Unreachable`] or [`ClientError::NotRollcall`].
    pub async fn server_info(&self, server: &ServerAddress) -> Result<ServerInfo, ClientError> {
        let response = self
            .http
            .get(server.endpoint(routes::META.template())?)
            .send()
            .await
            .map_err(|source| unreachable(server, source))?;
        read_json(server, response).await
    }

    /// Signs out: forgets the session, then asks the server to revoke its
    /// refresh token. The session is forgotten even when the server cannot be
    /// reached (its refresh token then simply expires); the error says so.
    ///
    /// # Errors
    /// What telling the server failed with.
    pub async fn sign_out(&self) -> Result<(), ClientError> {
        let Some(session) = self.lock_session().take() else {
            return Ok(());
        };
        self.tell_keeper(None);
        let response = self
            .http
            .post(session.server.endpoint(routes::LOGOUT.template())?)
            .bearer_auth(&session.access_token)
            .json(&RefreshRequest {
                refresh_token: session.refresh_token.clone(),
            })
            .send()
            .await
            .map_err(|source| unreachable(&session.server, source))?;
        crate::request::read_empty(&session.server, response).await
    }

    /// Runs `f` on the current session; `None` when no one is signed in.
    pub fn with_session<T>(&self, f: impl FnOnce(&Session) -> T) -> Option<T> {
        self.lock_session().as_ref().map(f)
    }

    /// The server and access token of the signed-in session.
    ///
    /// # Errors
    /// [`ClientError::NotSignedIn`].
    pub fn credentials(&self) -> Result<(ServerAddress, String), ClientError> {
        self.with_session(|s| (s.server.clone(), s.access_token.clone()))
            .ok_or(ClientError::NotSignedIn)
    }

    /// Replaces the session's tokens (after a renewal; tests use it to make
    /// a token stale).
    pub fn replace_tokens(&self, access_token: String, refresh_token: String) {
        let (server, refresh_token) = {
            let mut session = self.lock_session();
            let Some(session) = session.as_mut() else {
                return;
            };
            session.access_token = access_token;
            session.refresh_token = refresh_token;
            (session.server.clone(), session.refresh_token.clone())
        };
        self.tell_keeper(Some((&server, &refresh_token)));
    }

    /// Forgets the session without telling the server (its tokens no longer work).
    pub fn forget_session(&self) {
        if self.lock_session().take().is_some() {
            self.tell_keeper(None);
        }
    }

    /// A working access token after `stale` was refused: renewed with the
    /// refresh token, or the one another request renewed meanwhile.
    ///
    /// # Errors
    /// [`ClientError::SignInAgain`] when the refresh token no longer works
    /// (the session is forgotten then); [`ClientError::NotSignedIn`]; an
    /// unreachable server.
    pub async fn renewed_token(&self, stale: &str) -> Result<String, ClientError> {
        let _one_at_a_time = self.renewing.lock().await;
        let (server, access, refresh) = self
            .with_session(|s| {
                (
                    s.server.clone(),
                    s.access_token.clone(),
                    s.refresh_token.clone(),
                )
            })
            .ok_or(ClientError::NotSignedIn)?;
        if access != stale {
            return Ok(access);
        }
        let response = self
            .http
            .post(server.endpoint(routes::REFRESH.template())?)
            .json(&RefreshRequest {
                refresh_token: refresh,
            })
            .send()
            .await
            .map_err(|source| unreachable(&server, source))?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            self.forget_session();
            return Err(ClientError::SignInAgain);
        }
        let answer: LoginResponse = read_json(&server, response).await?;
        self.replace_tokens(answer.access_token.clone(), answer.refresh_token);
        Ok(answer.access_token)
    }

    /// The `ws://` or `wss://` address of `session`'s live roster on `server`.
    ///
    /// # Errors
    /// [`ClientError::BadServerUrl`] when the address cannot carry a WebSocket.
    pub fn live_address(
        server: &ServerAddress,
        session: uuid::Uuid,
    ) -> Result<reqwest::Url, ClientError> {
        socket_address(server, &routes::LIVE.path(&[&session]))
    }

    /// The `ws://` or `wss://` address of the signed-in user's events on `server`.
    ///
    /// # Errors
    /// [`ClientError::BadServerUrl`] when the address cannot carry a WebSocket.
    pub fn events_address(server: &ServerAddress) -> Result<reqwest::Url, ClientError> {
        socket_address(server, &routes::MY_EVENTS.path(&[]))
    }

    fn lock_session(&self) -> MutexGuard<'_, Option<Session>> {
        // The session is replaced whole, so a panic elsewhere cannot leave it half-written.
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a client calls itself unless told otherwise.
const DEFAULT_USER_AGENT: &str = concat!("rollcall-client/", env!("CARGO_PKG_VERSION"));

#[cfg(not(target_arch = "wasm32"))]
fn http_client(user_agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .user_agent(user_agent)
        .build()
        // Only a TLS backend that cannot start fails here; without one no server
        // can be reached, and every call then says the server is unreachable.
        .unwrap_or_default()
}

/// In a browser the browser names itself.
#[cfg(target_arch = "wasm32")]
fn http_client(_user_agent: &str) -> reqwest::Client {
    reqwest::Client::new()
}

/// The `ws://` or `wss://` address of `path` on `server`.
fn socket_address(server: &ServerAddress, path: &str) -> Result<reqwest::Url, ClientError> {
    let mut url = server.endpoint(path)?;
    let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    url.set_scheme(scheme)
        .map_err(|()| ClientError::BadServerUrl {
            input: server.to_string(),
            reason: "it cannot carry a WebSocket",
        })?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn signed_in_teacher(pool: &sqlx::PgPool) -> Client {
        rollcall_server::seed::seed_demo(pool).await.unwrap();
        let addr = rollcall_server::testing::spawn_server(pool.clone())
            .await
            .unwrap();
        let client = Client::new();
        client
            .login(&format!("http://{addr}"), "teacher1", "rollcall-teacher")
            .await
            .unwrap();
        client
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_expired_access_token_is_renewed_once_for_requests_at_the_same_time(
        pool: sqlx::PgPool,
    ) {
        let client = signed_in_teacher(&pool).await;
        let refresh = client
            .with_session(|s| s.refresh_token().to_owned())
            .unwrap();
        client.replace_tokens("expired".into(), refresh);
        let (a, b) = tokio::join!(client.todays_sessions(), client.todays_sessions());
        // Two renewals with one single-use refresh token would revoke the family.
        assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
        let used: i64 =
            sqlx::query_scalar("SELECT count(*) FROM refresh_tokens WHERE used_at IS NOT NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(used, 1);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_refresh_token_that_no_longer_works_means_sign_in_again(pool: sqlx::PgPool) {
        let client = signed_in_teacher(&pool).await;
        client.replace_tokens("expired".into(), "revoked".into());
        let error = client.todays_sessions().await.unwrap_err();
        assert!(matches!(error, ClientError::SignInAgain), "{error:?}");
        assert!(
            client.with_session(|_| ()).is_none(),
            "the session is forgotten"
        );
        let again = client.todays_sessions().await.unwrap_err();
        assert!(matches!(again, ClientError::NotSignedIn), "{again:?}");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_envelope_of_a_refusal_becomes_a_typed_error_with_its_status(pool: sqlx::PgPool) {
        let client = signed_in_teacher(&pool).await;
        // A teacher may not list accounts.
        let error = client
            .users(
                &rollcall_core::api::ListParams::default(),
                &rollcall_core::api::UserFilter::default(),
            )
            .await
            .unwrap_err();
        assert_eq!((error.code(), error.status()), ("forbidden", Some(403)));
        assert!(!error.is_transient());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_kept_refresh_token_resumes_after_a_restart_and_the_keeper_hears_each_change(
        pool: sqlx::PgPool,
    ) {
        rollcall_server::seed::seed_demo(&pool).await.unwrap();
        let addr = rollcall_server::testing::spawn_server(pool.clone())
            .await
            .unwrap();
        let server = format!("http://{addr}");
        let heard: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
        let keeper = |client: &Client| {
            let heard = heard.clone();
            client.keep_tokens_with(Arc::new(move |kept: Option<(&ServerAddress, &str)>| {
                heard
                    .lock()
                    .unwrap()
                    .push(kept.map(|(_, token)| token.to_owned()));
            }));
        };
        let first = Client::new();
        keeper(&first);
        first
            .login(&server, "teacher1", "rollcall-teacher")
            .await
            .unwrap();
        // The access token expires: the renewal's new refresh token is told too.
        let refresh = first
            .with_session(|s| s.refresh_token().to_owned())
            .unwrap();
        first.replace_tokens("expired".into(), refresh);
        first.todays_sessions().await.unwrap();
        let kept = heard.lock().unwrap().last().cloned().flatten().unwrap();
        assert_eq!(
            first.with_session(|s| s.refresh_token().to_owned()),
            Some(kept.clone()),
            "the keeper holds the latest token"
        );

        // The app restarts: a new client resumes with the kept token, which rotates.
        let second = Client::new();
        keeper(&second);
        let resumed = second.resume(&server, &kept).await.unwrap();
        assert_eq!(resumed.user.username, "teacher1");
        second.todays_sessions().await.unwrap();
        let rotated = heard.lock().unwrap().last().cloned().flatten().unwrap();
        assert_ne!(rotated, kept, "a refresh token is used once");
        // The used token resumes nothing (and, reused, ends the family).
        let stale = Client::new().resume(&server, &kept).await.unwrap_err();
        assert!(matches!(stale, ClientError::SignInAgain), "{stale:?}");
        assert!(matches!(
            Client::new().resume(&server, "not-a-token").await,
            Err(ClientError::SignInAgain)
        ));
        assert!(matches!(
            Client::new().resume("not a url", &rotated).await,
            Err(ClientError::BadServerUrl { .. })
        ));

        // Signing out tells the keeper the session ended.
        second.sign_out().await.ok();
        assert_eq!(heard.lock().unwrap().last(), Some(&None));
    }
}
