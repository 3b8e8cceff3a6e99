//! The one place the UI calls the Rust side: a typed function per Tauri command.
//! Components call these and never `invoke` directly.

use rollcall_core::api::{ServerInfo, UserSummary};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Tauri's IPC entry point, present because the app sets `withGlobalTauri`.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// The server address the login screen starts with.
///
/// # Errors
/// Only when the Rust side cannot be reached.
pub async fn default_server_url() -> Result<String, CommandError> {
    call("default_server_url", &NoArgs {}).await
}

/// Signs in; the access token stays on the Rust side.
///
/// # Errors
/// The [`CommandError`] the Rust side returned, such as
/// [`ErrorCode::InvalidCredentials`] or [`ErrorCode::ServerUnreachable`].
pub async fn login(form: &LoginForm) -> Result<SignedIn, CommandError> {
    call("login", form).await
}

/// Forgets the signed-in session on the Rust side.
///
/// # Errors
/// Only when the Rust side cannot be reached.
pub async fn sign_out() -> Result<(), CommandError> {
    call("sign_out", &NoArgs {}).await
}

/// What the login form sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginForm {
    /// The server address as typed.
    pub server_url: String,
    /// A username or an e-mail address.
    pub login: String,
    /// The password.
    pub password: String,
}

/// Who signed in, and to which server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SignedIn {
    /// The signed-in account.
    pub user: UserSummary,
    /// The server's name and version.
    pub server: ServerInfo,
    /// The normalised server address.
    pub server_address: String,
}

/// A failed command: the Rust side's `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CommandError {
    /// What went wrong, to decide on.
    pub code: ErrorCode,
    /// A sentence for people, from the Rust side.
    pub message: String,
}

/// The error codes the UI tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
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
    /// The Rust side could not be called at all (not running inside the app, or the
    /// command is not permitted for this window).
    Ipc,
    /// A code this UI does not know yet; its message is shown as it is.
    #[serde(other)]
    Other,
}

impl CommandError {
    fn ipc(message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Ipc,
            message: message.into(),
        }
    }
}

#[derive(Serialize)]
struct NoArgs {}

async fn call<A: Serialize, T: DeserializeOwned>(cmd: &str, args: &A) -> Result<T, CommandError> {
    let args = serde_wasm_bindgen::to_value(args)
        .map_err(|e| CommandError::ipc(format!("could not encode the arguments of {cmd}: {e}")))?;
    match invoke(cmd, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value)
            .map_err(|e| CommandError::ipc(format!("unexpected answer to {cmd}: {e}"))),
        Err(error) => Err(command_error(&error)),
    }
}

/// Commands fail with `{code, message}`; Tauri itself (a missing permission, no IPC at
/// all) fails with a string or a JS exception.
fn command_error(error: &JsValue) -> CommandError {
    if let Ok(error) = serde_wasm_bindgen::from_value::<CommandError>(error.clone()) {
        return error;
    }
    let text = error
        .as_string()
        .unwrap_or_else(|| "the app's Rust side is not available".to_owned());
    CommandError::ipc(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_from_the_rust_side_are_recognised() {
        let error: CommandError = serde_json::from_str(
            r#"{"code":"invalid_credentials","message":"Wrong username or password."}"#,
        )
        .unwrap();
        assert_eq!(error.code, ErrorCode::InvalidCredentials);
    }

    #[test]
    fn an_unknown_code_is_kept_with_its_message() {
        let error: CommandError =
            serde_json::from_str(r#"{"code":"validation_failed","message":"Too long."}"#).unwrap();
        assert_eq!(error.code, ErrorCode::Other);
        assert_eq!(error.message, "Too long.");
    }

    #[test]
    fn the_login_form_uses_the_command_argument_names() {
        let form = LoginForm {
            server_url: "http://127.0.0.1:8080".into(),
            login: "teacher1".into(),
            password: "secret".into(),
        };
        let json = serde_json::to_value(form).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"serverUrl": "http://127.0.0.1:8080", "login": "teacher1", "password": "secret"})
        );
    }
}
