//! Accounts as an admin manages them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Role;

/// An account as the admin API shows it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRecord {
    /// The account id.
    pub id: Uuid,
    /// The unique login name.
    pub username: String,
    /// The e-mail address, if any (also a login).
    pub email: Option<String>,
    /// The name a person reads on screen.
    pub display_name: String,
    /// What the account may do.
    pub role: Role,
    /// The school's roll number, for students.
    pub student_no: Option<String>,
    /// Whether the account may sign in.
    pub active: bool,
}

/// `POST /api/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 3–64 characters: lower-case letters, digits, `.`, `_`, `-`.
    pub username: String,
    /// Optional e-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// 1–120 characters.
    pub display_name: String,
    /// `student`, `teacher` or `admin` (kiosks are created as devices).
    pub role: Role,
    /// Roll number (students).
    #[serde(default)]
    pub student_no: Option<String>,
    /// The first password; see [`super::password_problem`].
    pub password: String,
}

/// `PATCH /api/v1/users/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// New e-mail address; `""` removes it.
    #[serde(default)]
    pub email: Option<String>,
    /// New display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// New role.
    #[serde(default)]
    pub role: Option<Role>,
    /// New roll number; `""` removes it.
    #[serde(default)]
    pub student_no: Option<String>,
    /// Activate or deactivate.
    #[serde(default)]
    pub active: Option<bool>,
}

/// One bad row of a CSV import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvRowError {
    /// The 1-based line number in the file (the header is line 1).
    pub line: u32,
    /// What is wrong with it.
    pub message: String,
}

/// The answer to `POST /api/v1/users/import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvImportReport {
    /// Rows written.
    pub imported: u32,
    /// Rows skipped because they were bad (only with `partial=true`).
    pub skipped: u32,
    /// Every bad row, by line.
    pub errors: Vec<CsvRowError>,
}

/// Why `username` cannot be used, or `None`: 3–64 characters of lower-case
/// letters, digits, `.`, `_` and `-`, starting with a letter or digit.
#[must_use]
pub fn username_problem(username: &str) -> Option<&'static str> {
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    let starts_well = username
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    if !(3..=64).contains(&username.len()) {
        Some("a username has 3 to 64 characters")
    } else if !ok_chars || !starts_well {
        Some("a username uses lower-case letters, digits, '.', '_' and '-', and starts with a letter or digit")
    } else {
        None
    }
}

/// Why `email` cannot be used, or `None`. Deliberately loose: one `@` with
/// text on both sides and a dot in the domain; the mail server has the last word.
#[must_use]
pub fn email_problem(email: &str) -> Option<&'static str> {
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Some("an e-mail address has exactly one '@'");
    };
    if local.is_empty() || !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.')
    {
        return Some("this is not an e-mail address");
    }
    if email.len() > 254 || email.chars().any(char::is_whitespace) {
        return Some("this is not an e-mail address");
    }
    None
}

/// Why `name` cannot be a display name, or `None`: 1–120 characters, not blank.
#[must_use]
pub fn display_name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("a display name cannot be blank")
    } else if name.chars().count() > 120 {
        Some("a display name has at most 120 characters")
    } else if name.chars().any(char::is_control) {
        Some("a display name cannot contain control characters")
    } else {
        None
    }
}

impl NewUser {
    /// Every problem with this new account, as `(field, message)`.
    #[must_use]
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if let Some(p) = username_problem(&self.username) {
            out.push(("username", p));
        }
        if let Some(p) = self.email.as_deref().and_then(email_problem) {
            out.push(("email", p));
        }
        if let Some(p) = display_name_problem(&self.display_name) {
            out.push(("display_name", p));
        }
        if self.role == Role::Kiosk {
            out.push(("role", "kiosks are registered as devices, not as users"));
        }
        if let Some(p) = super::password_problem(&self.password, &self.username) {
            out.push(("password", p));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_user() -> NewUser {
        NewUser {
            username: "ann.lee".into(),
            email: Some("ann@school.example".into()),
            display_name: "Ann Lee".into(),
            role: Role::Student,
            student_no: None,
            password: "a good long password".into(),
        }
    }

    #[test]
    fn a_good_new_user_has_no_problems() {
        assert!(new_user().problems().is_empty());
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = NewUser {
            username: "Ann Lee".into(),
            email: Some("ann@".into()),
            display_name: "  ".into(),
            role: Role::Kiosk,
            student_no: None,
            password: "x".into(),
        };
        let fields: Vec<&str> = bad.problems().iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            ["username", "email", "display_name", "role", "password"]
        );
    }

    #[test]
    fn usernames_and_emails_follow_their_rules() {
        assert!(username_problem("ab").is_some());
        assert!(username_problem("-abc").is_some());
        assert!(username_problem("abc'; drop table users;--").is_some());
        assert!(username_problem("teacher_1.a-b").is_none());
        assert!(email_problem("a@b").is_some());
        assert!(email_problem("a b@c.de").is_some());
        assert!(email_problem("a@b@c.de").is_some());
        assert!(email_problem("a@c.de").is_none());
    }
}
