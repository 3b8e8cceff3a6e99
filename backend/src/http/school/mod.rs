//! The school's data: divisions and their students, subjects, rooms with their
//! geofence and access points, and the weekly timetable.

use axum::Router;

use super::AppState;

/// The routes of this module, merged into the API router.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
}
