//! The session as the UI sees it: signed out (perhaps with a problem to show), signing
//! in, or signed in. Changed only through [`SessionAction`]s.

use std::rc::Rc;

use yew::Reducible;

use crate::client::{CommandError, ErrorCode, SignedIn};

/// The server address shown until the Rust side has answered with its default.
pub const FALLBACK_SERVER_URL: &str = "http://127.0.0.1:8080";

/// Where the user is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the default server address, so the form never flashes an empty field.
    Starting,
    /// On the login screen; `problem` is the last failed attempt's explanation.
    SignedOut {
        /// A sentence to show above the form.
        problem: Option<String>,
    },
    /// A login request is under way.
    SigningIn,
    /// Signed in.
    SignedIn(SignedIn),
}

/// The UI's session state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The server address the login form shows: the default, then the last one used.
    pub server_url: String,
    /// Where the user is.
    pub phase: Phase,
}

impl Default for Session {
    fn default() -> Self {
        Self {
            server_url: FALLBACK_SERVER_URL.to_owned(),
            phase: Phase::Starting,
        }
    }
}

/// Everything that changes the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionAction {
    /// The Rust side told us its default server address.
    DefaultServerKnown(String),
    /// The user submitted the login form for this server.
    SignInStarted {
        /// The server address as typed.
        server_url: String,
    },
    /// The login failed.
    SignInFailed(CommandError),
    /// The login succeeded.
    SignedIn(SignedIn),
    /// The user signed out.
    SignedOut,
    /// The sign-in expired or was revoked; the sentence says so on the login screen.
    Expired(String),
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            SessionAction::DefaultServerKnown(url) => {
                if next.phase == Phase::Starting {
                    next.server_url = url;
                    next.phase = Phase::SignedOut { problem: None };
                }
            }
            SessionAction::SignInStarted { server_url } => {
                next.server_url = server_url;
                next.phase = Phase::SigningIn;
            }
            SessionAction::SignInFailed(error) => {
                let problem = explain(&error, &next.server_url);
                next.phase = Phase::SignedOut {
                    problem: Some(problem),
                };
            }
            SessionAction::SignedIn(signed_in) => {
                next.server_url.clone_from(&signed_in.server_address);
                next.phase = Phase::SignedIn(signed_in);
            }
            SessionAction::SignedOut => next.phase = Phase::SignedOut { problem: None },
            SessionAction::Expired(problem) => {
                next.phase = Phase::SignedOut {
                    problem: Some(problem),
                }
            }
        }
        Rc::new(next)
    }
}

/// The sentence the login screen shows for a failed login, chosen by error code.
#[must_use]
pub fn explain(error: &CommandError, server_url: &str) -> String {
    let server_url = server_url.trim();
    match error.code {
        ErrorCode::InvalidCredentials => "Wrong username or password.".to_owned(),
        ErrorCode::ServerUnreachable => format!(
            "Can't reach the Rollcall server at {server_url}. Check the address and that the server is running."
        ),
        ErrorCode::BadServerUrl => format!(
            "\u{201c}{server_url}\u{201d} is not a server address. Use one like http://127.0.0.1:8080."
        ),
        ErrorCode::MissingCredentials => "Enter your username or e-mail and your password.".to_owned(),
        ErrorCode::NotRollcallServer => {
            format!("Something answered at {server_url}, but it is not a Rollcall server.")
        }
        ErrorCode::ServerError => {
            "The server had a problem signing you in. Try again in a moment.".to_owned()
        }
        ErrorCode::NotSignedIn
        | ErrorCode::SignInAgain
        | ErrorCode::UnknownClass
        | ErrorCode::SaveFailed
        | ErrorCode::MapUnavailable => error.message.clone(),
        ErrorCode::Ipc => format!("The app could not handle the request ({}).", error.message),
        ErrorCode::Api(_) => error.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::api::{Role, ServerInfo, UserSummary};

    fn error(code: ErrorCode) -> CommandError {
        CommandError {
            code,
            message: "from the Rust side".into(),
            details: Default::default(),
        }
    }

    fn reduce(session: Session, action: SessionAction) -> Session {
        (*Rc::new(session).reduce(action)).clone()
    }

    fn signed_in() -> SignedIn {
        SignedIn {
            user: UserSummary {
                id: serde_json::from_str("\"01a1fbf9-51ca-749e-8051-5f2e87f9bba5\"").unwrap(),
                username: "teacher1".into(),
                display_name: "Ada Lovelace".into(),
                role: Role::Teacher,
            },
            server: ServerInfo {
                name: "rollcall-server".into(),
                version: "0.1.0".into(),
            },
            server_address: "http://127.0.0.1:8080".into(),
        }
    }

    #[test]
    fn the_login_form_appears_once_the_default_server_is_known() {
        let session = reduce(
            Session::default(),
            SessionAction::DefaultServerKnown("http://s:1".into()),
        );
        assert_eq!(session.server_url, "http://s:1");
        assert_eq!(session.phase, Phase::SignedOut { problem: None });
    }

    #[test]
    fn a_wrong_password_is_explained_on_the_login_screen() {
        let session = reduce(
            Session::default(),
            SessionAction::SignInStarted {
                server_url: "http://s:1".into(),
            },
        );
        assert_eq!(session.phase, Phase::SigningIn);
        let session = reduce(
            session,
            SessionAction::SignInFailed(error(ErrorCode::InvalidCredentials)),
        );
        assert_eq!(
            session.phase,
            Phase::SignedOut {
                problem: Some("Wrong username or password.".into())
            }
        );
    }

    #[test]
    fn an_unreachable_server_is_named_in_the_explanation() {
        let text = explain(
            &error(ErrorCode::ServerUnreachable),
            " http://10.0.0.9:8080 ",
        );
        assert!(text.contains("http://10.0.0.9:8080."), "{text}");
    }

    #[test]
    fn unknown_codes_show_the_message_from_the_rust_side() {
        assert_eq!(
            explain(
                &error(ErrorCode::Api(rollcall_core::api::ErrorCode::Unknown)),
                "x"
            ),
            "from the Rust side"
        );
    }

    #[test]
    fn signing_out_returns_to_the_login_form_with_the_last_server() {
        let session = reduce(
            Session::default(),
            SessionAction::SignInStarted {
                server_url: "http://s:1".into(),
            },
        );
        let session = reduce(session, SessionAction::SignedIn(signed_in()));
        assert!(matches!(session.phase, Phase::SignedIn(_)));
        let session = reduce(session, SessionAction::SignedOut);
        assert_eq!(session.phase, Phase::SignedOut { problem: None });
        assert_eq!(
            session.server_url,
            signed_in().server_address,
            "the address the Rust side signed in to"
        );
        // A sign-in resumed at start (nothing typed) leaves its server in the form too.
        let resumed = reduce(
            reduce(
                Session::default(),
                SessionAction::DefaultServerKnown("http://default:1".into()),
            ),
            SessionAction::SignedIn(signed_in()),
        );
        let resumed = reduce(resumed, SessionAction::SignedOut);
        assert_eq!(resumed.server_url, signed_in().server_address);
    }
}
