//! The one place the UI calls the Rust side: a typed function per Tauri command.
//! Components call these and never `invoke` directly.

use serde::de::DeserializeOwned;
use serde::Serialize;
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

pub use rollcall_core::api::{CommandError, CommandErrorCode as ErrorCode, LoginForm, SignedIn};

fn ipc_error(message: impl Into<String>) -> CommandError {
    CommandError {
        code: ErrorCode::Ipc,
        message: message.into(),
    }
}

#[derive(Serialize)]
struct NoArgs {}

async fn call<A: Serialize, T: DeserializeOwned>(cmd: &str, args: &A) -> Result<T, CommandError> {
    let args = serde_wasm_bindgen::to_value(args)
        .map_err(|e| ipc_error(format!("could not encode the arguments of {cmd}: {e}")))?;
    match invoke(cmd, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value)
            .map_err(|e| ipc_error(format!("unexpected answer to {cmd}: {e}"))),
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
    ipc_error(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_outside_the_app_is_an_ipc_error_with_its_text() {
        let error = ipc_error("no IPC");
        assert_eq!(error.code, ErrorCode::Ipc);
        assert_eq!(error.message, "no IPC");
    }
}
