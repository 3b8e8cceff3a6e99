//! Accounts for admins: the searchable list, creating, editing and deactivating,
//! and the CSV import.

use std::fmt::Write as _;

use reqwest::Method;
use rollcall_core::api::{CsvImportReport, NewUser, Page, UserPatch, UserQuery, UserRecord};
use uuid::Uuid;

use crate::{AppError, ServerClient};

/// The list's query string: only what is set, and search text percent-encoded.
fn query(q: &UserQuery) -> String {
    let mut path = format!(
        "api/v1/users?page={}&per_page={}&sort=display_name",
        q.page.max(1),
        if q.per_page == 0 {
            25
        } else {
            q.per_page.min(200)
        }
    );
    if let Some(role) = q.role {
        let _ = write!(path, "&role={}", role.as_str());
    }
    if let Some(active) = q.active {
        let _ = write!(path, "&active={active}");
    }
    let text = q.search.trim();
    if !text.is_empty() {
        path.push_str("&q=");
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
                path.push(char::from(byte));
            } else {
                let _ = write!(path, "%{byte:02X}");
            }
        }
    }
    path
}

/// A page of accounts.
///
/// # Errors
/// What the server call fails with.
pub async fn list(client: &ServerClient, q: &UserQuery) -> Result<Page<UserRecord>, AppError> {
    client.get_json(&query(q)).await
}

/// Creates an account.
///
/// # Errors
/// What the server call fails with: `invalid_field` with the field in `details`,
/// `already_exists` for a taken username, e-mail or roll number.
pub async fn create(client: &ServerClient, user: &NewUser) -> Result<UserRecord, AppError> {
    client
        .send_json(Method::POST, "api/v1/users", Some(user))
        .await
}

/// Edits, deactivates or reactivates an account.
///
/// # Errors
/// What the server call fails with.
pub async fn update(
    client: &ServerClient,
    id: Uuid,
    patch: &UserPatch,
) -> Result<UserRecord, AppError> {
    client
        .send_json(Method::PATCH, &format!("api/v1/users/{id}"), Some(patch))
        .await
}

/// Imports accounts from CSV: all or nothing; bad rows come back as
/// `csv_invalid` with a sentence per line in `details`.
///
/// # Errors
/// What the server call fails with.
pub async fn import(client: &ServerClient, csv: String) -> Result<CsvImportReport, AppError> {
    client
        .post_text("api/v1/users/import", "text/csv; charset=utf-8", csv)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::api::Role;

    #[test]
    fn the_query_carries_filters_and_encodes_the_search() {
        let q = UserQuery {
            search: " Zoë & co ".into(),
            role: Some(Role::Student),
            active: Some(false),
            page: 2,
            per_page: 25,
        };
        assert_eq!(
            query(&q),
            "api/v1/users?page=2&per_page=25&sort=display_name&role=student&active=false&q=Zo%C3%AB%20%26%20co"
        );
        assert_eq!(
            query(&UserQuery::default()),
            "api/v1/users?page=1&per_page=25&sort=display_name"
        );
    }
}
