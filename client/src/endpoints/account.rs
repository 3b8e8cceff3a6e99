//! A person's own account: password change and reset, who they are, their data.

use rollcall_core::api::{
    ForgotPasswordRequest, PasswordChangeRequest, ResetPasswordRequest, UserSummary,
};

use crate::request::{Caller, Download};
use crate::routes;
use crate::{Client, ClientError, ServerAddress};

impl Client {
    /// `POST /api/v1/auth/password`: the signed-in user changes their password.
    ///
    /// # Errors
    /// What the call fails with (`invalid_credentials` for a wrong current
    /// password, `weak_password`).
    pub async fn change_password(&self, change: &PasswordChangeRequest) -> Result<(), ClientError> {
        self.call(&routes::CHANGE_PASSWORD, &[], Caller::SignedIn)
            .json(change)?
            .done()
            .await
    }

    /// `POST /api/v1/auth/forgot`: mails a reset code to the account, if it
    /// exists (the answer is the same either way).
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn forgot_password(
        &self,
        server: &ServerAddress,
        request: &ForgotPasswordRequest,
    ) -> Result<(), ClientError> {
        self.call(
            &routes::FORGOT_PASSWORD,
            &[],
            Caller::Anonymous(server.clone()),
        )
        .json(request)?
        .done()
        .await
    }

    /// `POST /api/v1/auth/reset`: sets a new password with a mailed code.
    ///
    /// # Errors
    /// What the call fails with (`invalid_reset_token`, `weak_password`).
    pub async fn reset_password(
        &self,
        server: &ServerAddress,
        request: &ResetPasswordRequest,
    ) -> Result<(), ClientError> {
        self.call(
            &routes::RESET_PASSWORD,
            &[],
            Caller::Anonymous(server.clone()),
        )
        .json(request)?
        .done()
        .await
    }

    /// `GET /api/v1/me`: who the token belongs to, as the server sees it now.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn me(&self) -> Result<UserSummary, ClientError> {
        self.call(&routes::ME, &[], Caller::SignedIn).answer().await
    }

    /// `GET /api/v1/me/export`: everything kept about the signed-in user, as a
    /// JSON file.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn export_my_data(&self) -> Result<Download, ClientError> {
        self.call(&routes::MY_EXPORT, &[], Caller::SignedIn)
            .file()
            .await
    }
}
