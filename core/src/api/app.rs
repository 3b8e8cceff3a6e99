//! What the app's Rust side and its UI say to each other through Tauri
//! commands (the UI never talks to the network itself).

use serde::{Deserialize, Serialize};

use super::{ServerInfo, UserSummary};

/// The arguments of the `login` command (Tauri names arguments in camelCase).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginForm {
    /// The server address as typed.
    pub server_url: String,
    /// A username or an e-mail address.
    pub login: String,
    /// The password.
    pub password: String,
}

/// Who signed in, and to which server. The tokens are deliberately absent:
/// they never leave the Rust side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    /// The signed-in account.
    pub user: UserSummary,
    /// The server's name and version.
    pub server: ServerInfo,
    /// The normalised server address, as the app will use it.
    pub server_address: String,
}

/// A failed command: `{"code": "...", "message": "..."}`. The UI decides by
/// `code` and may show `message`, a sentence meant for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    /// What went wrong, to decide on.
    pub code: CommandErrorCode,
    /// A sentence for people.
    pub message: String,
}

/// The error codes the UI tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandErrorCode {
    /// The server address is not a usable http(s) URL.
    BadServerUrl,
    /// The username or password was empty.
    MissingCredentials,
    /// Nothing answered at the server address.
    ServerUnreachable,
    /// Wrong username or password.
    InvalidCredentials,
    /// Something answered, but not a Rollcall server.
    NotRollcallServer,
    /// The server failed on its side.
    ServerError,
    /// The Rust side could not be called at all (not inside the app, or the
    /// command is not permitted for this window).
    Ipc,
    /// A code this UI does not know yet (an API error passed through); its
    /// message is shown as it is.
    #[serde(other)]
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_codes_deserialise() {
        let known: CommandError =
            serde_json::from_str(r#"{"code":"invalid_credentials","message":"Wrong."}"#).unwrap();
        assert_eq!(known.code, CommandErrorCode::InvalidCredentials);
        let unknown: CommandError =
            serde_json::from_str(r#"{"code":"validation_failed","message":"Too long."}"#).unwrap();
        assert_eq!(unknown.code, CommandErrorCode::Other);
        assert_eq!(unknown.message, "Too long.");
    }

    #[test]
    fn the_login_form_uses_the_command_argument_names() {
        let form = LoginForm {
            server_url: "http://127.0.0.1:8080".into(),
            login: "teacher1".into(),
            password: "secret".into(),
        };
        assert_eq!(
            serde_json::to_value(form).unwrap(),
            serde_json::json!({"serverUrl": "http://127.0.0.1:8080", "login": "teacher1", "password": "secret"})
        );
    }
}
