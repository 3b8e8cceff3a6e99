//! The words and CSS classes every role's screens use for the same things: roles,
//! attendance statuses, the verdict's factors, percentages.

use rollcall_core::api::{AttendanceStatus, Role};
use rollcall_core::policy::{Factor, Status};

/// A role as people name it.
#[must_use]
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Student => "Student",
        Role::Teacher => "Teacher",
        Role::Admin => "Administrator",
        Role::Kiosk => "Kiosk",
    }
}

/// A status as a person reads it, and its CSS class.
#[must_use]
pub fn status_label(status: Option<AttendanceStatus>) -> (&'static str, &'static str) {
    match status {
        None => ("Not yet", "waiting"),
        Some(AttendanceStatus::Present) => ("Present", "present"),
        Some(AttendanceStatus::Late) => ("Late", "late"),
        Some(AttendanceStatus::Absent) => ("Absent", "absent"),
        Some(AttendanceStatus::Excused) => ("Excused", "excused"),
    }
}

/// A percentage as people read it: `87.5 %`, or `–` when there is none.
#[must_use]
pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.1} %"))
}

/// A factor of the verdict as people name it.
#[must_use]
pub fn factor_label(factor: Factor) -> &'static str {
    match factor {
        Factor::Token => "Code",
        Factor::Location => "Location",
        Factor::Radio => "Wi-Fi/BLE",
        Factor::Face => "Face",
    }
}

/// A factor's result as a mark and a word.
#[must_use]
pub fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✓ passed",
        Status::Doubtful => "? doubtful",
        Status::Fail => "✗ failed",
    }
}

/// A factor's result as the CSS class of its chip.
#[must_use]
pub fn status_class(status: Status) -> &'static str {
    match status {
        Status::Pass => "present",
        Status::Doubtful => "late",
        Status::Fail => "absent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_words() {
        assert_eq!(status_label(None), ("Not yet", "waiting"));
        assert_eq!(status_label(Some(AttendanceStatus::Late)).0, "Late");
    }

    #[test]
    fn percentages_read_well() {
        assert_eq!(percent(Some(87.456)), "87.5 %");
        assert_eq!(percent(None), "–");
    }
}
