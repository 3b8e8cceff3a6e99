//! The signed-in person's own account, for every role but the kiosk: changing
//! the password (the server ends every other sign-in and keeps this one), and,
//! from the login screen, the mailed reset code and a new password.

use rollcall_core::api::{
    ForgotPasswordRequest, PasswordChangeRequest, ResetPasswordRequest, Role,
};
use tauri::State;

use crate::{AppError, ServerAddress, ServerClient};

/// Changes the signed-in person's password. Kiosks have no password to change.
#[tauri::command]
pub async fn change_password(
    client: State<'_, ServerClient>,
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let role = client
        .with_session(|s| s.user.role)
        .ok_or(rollcall_client::ClientError::NotSignedIn)?;
    if role == Role::Kiosk {
        return Err(AppError::Phone {
            code: "forbidden",
            message: "A kiosk's credential is rotated by an administrator.".to_owned(),
        });
    }
    Ok(client
        .change_password(&PasswordChangeRequest {
            current_password,
            new_password,
        })
        .await?)
}

/// Asks the server at `server_url` to mail a reset code to the account named
/// `login` (the answer is the same whether it exists or not).
#[tauri::command]
pub async fn forgot_password(
    client: State<'_, ServerClient>,
    server_url: String,
    login: String,
) -> Result<(), AppError> {
    let server = ServerAddress::parse(&server_url)?;
    let login = login.trim();
    if login.is_empty() {
        return Err(rollcall_client::ClientError::MissingCredentials.into());
    }
    Ok(client
        .forgot_password(
            &server,
            &ForgotPasswordRequest {
                login: login.to_owned(),
            },
        )
        .await?)
}

/// Sets a new password with the mailed `code`.
#[tauri::command]
pub async fn reset_password(
    client: State<'_, ServerClient>,
    server_url: String,
    code: String,
    new_password: String,
) -> Result<(), AppError> {
    let server = ServerAddress::parse(&server_url)?;
    Ok(client
        .reset_password(
            &server,
            &ResetPasswordRequest {
                token: code.trim().to_owned(),
                new_password,
            },
        )
        .await?)
}
