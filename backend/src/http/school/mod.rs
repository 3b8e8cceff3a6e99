//! The school's data: divisions and their students, subjects, rooms with their
//! geofence and access points, and the weekly timetable.
//!
//! Every write is admin-only, runs in one transaction and leaves an audit row.
//! Reads are scoped by role: admins see everything; a teacher sees subjects,
//! rooms, the divisions they teach and their own timetable slots; a student
//! sees subjects, rooms, their own division and its timetable; kiosks are
//! refused for now.

mod divisions;
mod rooms;
pub(crate) mod settings;
mod subjects;
mod timetable;

use rollcall_core::api::ErrorCode;
use std::collections::BTreeMap;

use rollcall_core::api::{code_problem, name_problem, Role};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, AppState};

/// The routes of this module, documented, merged into the API router.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(settings::get, settings::put))
        .routes(routes!(subjects::list, subjects::create))
        .routes(routes!(subjects::get, subjects::update, subjects::remove))
        .routes(routes!(divisions::list, divisions::create))
        .routes(routes!(
            divisions::get,
            divisions::update,
            divisions::remove
        ))
        .routes(routes!(divisions::students, divisions::add_students))
        .routes(routes!(divisions::remove_student))
        .routes(routes!(rooms::list, rooms::create))
        .routes(routes!(rooms::get, rooms::update, rooms::remove))
        .routes(routes!(rooms::add_access_point))
        .routes(routes!(rooms::remove_access_point))
        .routes(routes!(timetable::list, timetable::create))
        .routes(routes!(
            timetable::get,
            timetable::update,
            timetable::remove
        ))
}

/// The roles that may read the school's shared data (subjects, rooms).
const READERS: [Role; 3] = [Role::Admin, Role::Teacher, Role::Student];

/// Field problems found while checking a body, reported together.
#[derive(Debug, Default)]
struct Problems(BTreeMap<String, String>);

impl Problems {
    fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| problem.into());
    }

    fn code(&mut self, field: &str, code: &str) {
        if let Some(p) = code_problem(code) {
            self.add(field, p);
        }
    }

    fn name(&mut self, field: &str, name: &str) {
        if let Some(p) = name_problem(name) {
            self.add(field, p);
        }
    }

    /// `Ok` when nothing was found, else 422 `invalid_field` naming each field.
    fn finish(self) -> Result<(), ApiError> {
        let Some((field, problem)) = self.0.iter().next() else {
            return Ok(());
        };
        Err(ApiError::Unprocessable {
            code: ErrorCode::InvalidField,
            message: format!("{field}: {problem}"),
            details: self.0,
        })
    }
}

/// A 422 for one field.
fn invalid(field: &str, problem: impl Into<String>) -> ApiError {
    let problem = problem.into();
    ApiError::Unprocessable {
        code: ErrorCode::InvalidField,
        message: format!("{field}: {problem}"),
        details: BTreeMap::from([(field.to_owned(), problem)]),
    }
}

/// A 409 for something that is still in use.
fn in_use(message: String, details: &[(&str, String)]) -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::InUse,
        message,
        details: details
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

/// Codes are compared as typed, without surrounding spaces.
fn tidy(text: &str) -> String {
    text.trim().to_owned()
}
