//! Accounts as an admin manages them.

use rollcall_core::api::{
    CsvImportReport, ImportOptions, ListParams, NewUser, Page, UserFilter, UserPatch, UserRecord,
};
use uuid::Uuid;

use crate::request::Caller;
use crate::routes;
use crate::{Client, ClientError};

impl Client {
    /// `GET /api/v1/users`: a page of accounts.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn users(
        &self,
        list: &ListParams,
        filter: &UserFilter,
    ) -> Result<Page<UserRecord>, ClientError> {
        self.call(&routes::USERS, &[], Caller::SignedIn)
            .query(list)?
            .query(filter)?
            .answer()
            .await
    }

    /// `POST /api/v1/users`: a new account.
    ///
    /// # Errors
    /// What the call fails with (`already_exists` naming the field, …).
    pub async fn create_user(&self, user: &NewUser) -> Result<UserRecord, ClientError> {
        self.call(&routes::CREATE_USER, &[], Caller::SignedIn)
            .json(user)?
            .answer()
            .await
    }

    /// `POST /api/v1/users/import`: accounts from a CSV file.
    ///
    /// # Errors
    /// What the call fails with (`csv_invalid` with every bad line).
    pub async fn import_users(
        &self,
        csv: String,
        options: &ImportOptions,
    ) -> Result<CsvImportReport, ClientError> {
        self.call(&routes::IMPORT_USERS, &[], Caller::SignedIn)
            .query(options)?
            .text("text/csv; charset=utf-8", csv)
            .answer()
            .await
    }

    /// `GET /api/v1/users/{id}`: one account.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn user(&self, id: Uuid) -> Result<UserRecord, ClientError> {
        self.call(&routes::USER, &[&id], Caller::SignedIn)
            .answer()
            .await
    }

    /// `PATCH /api/v1/users/{id}`: changes an account.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn update_user(
        &self,
        id: Uuid,
        patch: &UserPatch,
    ) -> Result<UserRecord, ClientError> {
        self.call(&routes::UPDATE_USER, &[&id], Caller::SignedIn)
            .json(patch)?
            .answer()
            .await
    }
}
