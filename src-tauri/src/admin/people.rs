//! Accounts for admins: the searchable list, creating, editing and deactivating,
//! and the CSV import.

use rollcall_core::api::{
    CsvImportReport, ImportOptions, ListParams, NewUser, Page, UserFilter, UserPatch, UserQuery,
    UserRecord,
};
use uuid::Uuid;

use crate::{AppError, ServerClient};

/// The people screen's search as the API's list parameters and filter: a page
/// of 25 by default (200 at most), by name, the search text trimmed.
fn list_query(q: &UserQuery) -> (ListParams, UserFilter) {
    let per_page = if q.per_page == 0 {
        25
    } else {
        q.per_page.min(200)
    };
    let mut list = ListParams::per_page(per_page)
        .sorted("display_name")
        .page(q.page.max(1));
    let text = q.search.trim();
    if !text.is_empty() {
        list.q = Some(text.to_owned());
    }
    let filter = UserFilter {
        role: q.role,
        active: q.active,
    };
    (list, filter)
}

/// A page of accounts.
///
/// # Errors
/// What the server call fails with.
pub async fn list(client: &ServerClient, q: &UserQuery) -> Result<Page<UserRecord>, AppError> {
    let (list, filter) = list_query(q);
    Ok(client.users(&list, &filter).await?)
}

/// Creates an account.
///
/// # Errors
/// What the server call fails with: `invalid_field` with the field in `details`,
/// `already_exists` for a taken username, e-mail or roll number.
pub async fn create(client: &ServerClient, user: &NewUser) -> Result<UserRecord, AppError> {
    Ok(client.create_user(user).await?)
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
    Ok(client.update_user(id, patch).await?)
}

/// Imports accounts from CSV: all or nothing; bad rows come back as
/// `csv_invalid` with a sentence per line in `details`.
///
/// # Errors
/// What the server call fails with.
pub async fn import(client: &ServerClient, csv: String) -> Result<CsvImportReport, AppError> {
    Ok(client.import_users(csv, &ImportOptions::default()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::api::Role;

    #[test]
    fn the_search_becomes_list_parameters_and_a_filter() {
        let q = UserQuery {
            search: " Zoë & co ".into(),
            role: Some(Role::Student),
            active: Some(false),
            page: 2,
            per_page: 25,
        };
        let (list, filter) = list_query(&q);
        assert_eq!(list.q.as_deref(), Some("Zoë & co"));
        assert_eq!((list.page, list.per_page), (Some(2), Some(25)));
        assert_eq!(list.sort.as_deref(), Some("display_name"));
        assert_eq!(
            (filter.role, filter.active),
            (Some(Role::Student), Some(false))
        );
        let (list, filter) = list_query(&UserQuery::default());
        assert_eq!(
            (list.page, list.per_page, list.q),
            (Some(1), Some(25), None)
        );
        assert_eq!(filter, UserFilter::default());
    }
}
