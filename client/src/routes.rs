//! The API's routes, one constant each, which the endpoint functions are made
//! from: a function cannot call a path that is not here. The table is held
//! against the server's OpenAPI document both ways by a test, and a route that
//! no function calls is dead code, which CI refuses.

use std::fmt::Display;

use reqwest::Method;

/// An HTTP method of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Verb {
    /// As `reqwest` names it.
    #[must_use]
    pub const fn method(self) -> Method {
        match self {
            Self::Get => Method::GET,
            Self::Post => Method::POST,
            Self::Put => Method::PUT,
            Self::Patch => Method::PATCH,
            Self::Delete => Method::DELETE,
        }
    }

    /// Its name in upper case, as the document's keys are in lower case.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// A route: a method and a path template with `{…}` parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    verb: Verb,
    template: &'static str,
}

impl Route {
    /// The method.
    #[must_use]
    pub const fn verb(&self) -> Verb {
        self.verb
    }

    /// The method, as `reqwest` names it.
    #[must_use]
    pub const fn method(&self) -> Method {
        self.verb.method()
    }

    /// The path as the document writes it, e.g. `/api/v1/users/{id}`.
    #[must_use]
    pub const fn template(&self) -> &'static str {
        self.template
    }

    /// The path with its `{…}` parameters replaced by `params`, in order.
    pub(crate) fn path(&self, params: &[&(dyn Display + Sync)]) -> String {
        let mut out = String::with_capacity(self.template.len() + 40);
        let mut rest = self.template;
        let mut params = params.iter();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            match params.next() {
                Some(value) => out.push_str(&value.to_string()),
                None => out.push_str(&rest[open..close]),
            }
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }
}

macro_rules! routes {
    ($($(#[$doc:meta])* $name:ident = $verb:ident $path:literal;)*) => {
        $(
            $(#[$doc])*
            pub(crate) const $name: Route = Route { verb: Verb::$verb, template: $path };
        )*

        /// Every route with its constant's name, for the test that holds them
        /// against the server's document.
        #[cfg(test)]
        pub(crate) const ALL: &[(&str, Route)] = &[$((stringify!($name), $name)),*];
    };
}

routes! {
    // operations
    HEALTH_LIVE = Get "/health/live";
    HEALTH_READY = Get "/health/ready";
    META = Get "/api/v1/meta";
    METRICS = Get "/metrics";
    AUDIT = Get "/api/v1/audit";
    // account
    LOGIN = Post "/api/v1/auth/login";
    REFRESH = Post "/api/v1/auth/refresh";
    LOGOUT = Post "/api/v1/auth/logout";
    CHANGE_PASSWORD = Post "/api/v1/auth/password";
    FORGOT_PASSWORD = Post "/api/v1/auth/forgot";
    RESET_PASSWORD = Post "/api/v1/auth/reset";
    ME = Get "/api/v1/me";
    MY_EXPORT = Get "/api/v1/me/export";
    // users
    USERS = Get "/api/v1/users";
    CREATE_USER = Post "/api/v1/users";
    IMPORT_USERS = Post "/api/v1/users/import";
    USER = Get "/api/v1/users/{id}";
    UPDATE_USER = Patch "/api/v1/users/{id}";
    // school: divisions
    DIVISIONS = Get "/api/v1/divisions";
    CREATE_DIVISION = Post "/api/v1/divisions";
    DIVISION = Get "/api/v1/divisions/{id}";
    UPDATE_DIVISION = Patch "/api/v1/divisions/{id}";
    DELETE_DIVISION = Delete "/api/v1/divisions/{id}";
    DIVISION_STUDENTS = Get "/api/v1/divisions/{id}/students";
    ADD_DIVISION_STUDENTS = Post "/api/v1/divisions/{id}/students";
    REMOVE_DIVISION_STUDENT = Delete "/api/v1/divisions/{id}/students/{student_id}";
    // school: subjects
    SUBJECTS = Get "/api/v1/subjects";
    CREATE_SUBJECT = Post "/api/v1/subjects";
    SUBJECT = Get "/api/v1/subjects/{id}";
    UPDATE_SUBJECT = Patch "/api/v1/subjects/{id}";
    DELETE_SUBJECT = Delete "/api/v1/subjects/{id}";
    // school: rooms and access points
    ROOMS = Get "/api/v1/rooms";
    CREATE_ROOM = Post "/api/v1/rooms";
    ROOM = Get "/api/v1/rooms/{id}";
    UPDATE_ROOM = Patch "/api/v1/rooms/{id}";
    DELETE_ROOM = Delete "/api/v1/rooms/{id}";
    ADD_ACCESS_POINT = Post "/api/v1/rooms/{id}/access-points";
    REMOVE_ACCESS_POINT = Delete "/api/v1/rooms/{id}/access-points/{ap_id}";
    // school: timetable and settings
    TIMETABLE = Get "/api/v1/timetable";
    CREATE_SLOT = Post "/api/v1/timetable";
    SLOT = Get "/api/v1/timetable/{id}";
    UPDATE_SLOT = Patch "/api/v1/timetable/{id}";
    DELETE_SLOT = Delete "/api/v1/timetable/{id}";
    SETTINGS = Get "/api/v1/settings";
    SAVE_SETTINGS = Put "/api/v1/settings";
    // devices and kiosks
    DEVICES = Get "/api/v1/devices";
    REGISTER_DEVICE = Post "/api/v1/devices";
    APPROVE_DEVICE = Post "/api/v1/devices/{id}/approve";
    REVOKE_DEVICE = Post "/api/v1/devices/{id}/revoke";
    KIOSKS = Get "/api/v1/kiosks";
    CREATE_KIOSK = Post "/api/v1/kiosks";
    KIOSK = Get "/api/v1/kiosks/{id}";
    UPDATE_KIOSK = Patch "/api/v1/kiosks/{id}";
    ROTATE_KIOSK_CREDENTIAL = Post "/api/v1/kiosks/{id}/credential";
    KIOSK_HEARTBEAT = Post "/api/v1/kiosks/heartbeat";
    KIOSK_ROSTER_TEMPLATES = Get "/api/v1/kiosks/roster-templates";
    // sessions
    TODAYS_SESSIONS = Get "/api/v1/sessions/today";
    SESSIONS = Get "/api/v1/sessions";
    START_SESSION = Post "/api/v1/sessions";
    SESSION = Get "/api/v1/sessions/{id}";
    ROSTER = Get "/api/v1/sessions/{id}/roster";
    SHEET = Get "/api/v1/sessions/{id}/sheet";
    END_SESSION = Post "/api/v1/sessions/{id}/end";
    MARK = Put "/api/v1/sessions/{id}/records/{student_id}";
    LIVE = Get "/api/v1/sessions/{id}/live";
    MY_EVENTS = Get "/api/v1/me/events";
    // attendance
    SUBMIT_CLAIMS = Post "/api/v1/attendance/claims";
    SUBMIT_KIOSK_MARKS = Post "/api/v1/attendance/kiosk-marks";
    REVIEW_QUEUE = Get "/api/v1/review";
    DECIDE_REVIEW = Post "/api/v1/review/{claim_id}";
    REVIEW_THUMBNAIL = Get "/api/v1/review/{claim_id}/thumbnail";
    RECORDS = Get "/api/v1/records";
    // reports and a student's own
    ATTENDANCE_REPORT = Get "/api/v1/reports/attendance";
    MY_ATTENDANCE = Get "/api/v1/me/attendance";
    MY_CLASSES = Get "/api/v1/me/classes";
    // face templates
    FACE_TEMPLATE = Get "/api/v1/students/{id}/face-template";
    PUT_FACE_TEMPLATE = Put "/api/v1/students/{id}/face-template";
    DELETE_FACE_TEMPLATE = Delete "/api/v1/students/{id}/face-template";
    MY_FACE_TEMPLATE = Get "/api/v1/me/face-template";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_fill_the_template_in_order() {
        let id = uuid::Uuid::nil();
        assert_eq!(
            REMOVE_DIVISION_STUDENT.path(&[&id, &7]),
            format!("/api/v1/divisions/{id}/students/7")
        );
        assert_eq!(USERS.path(&[]), "/api/v1/users");
        assert_eq!(
            USER.path(&[]),
            "/api/v1/users/{id}",
            "a missing value stays visible"
        );
    }

    /// The routes the server documents, as (METHOD, template).
    fn documented() -> std::collections::BTreeSet<(String, String)> {
        let (_, document) = rollcall_server::http::api();
        let document = serde_json::to_value(&document).expect("the document as JSON");
        let mut routes = std::collections::BTreeSet::new();
        for (path, item) in document["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("operations").keys() {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
        routes
    }

    #[test]
    fn every_documented_route_has_a_client_function_and_no_function_calls_another() {
        let documented = documented();
        let ours: std::collections::BTreeSet<(String, String)> = ALL
            .iter()
            .map(|(_, r)| (r.verb().as_str().to_owned(), r.template().to_owned()))
            .collect();
        let missing: Vec<_> = documented.difference(&ours).collect();
        let undocumented: Vec<_> = ours.difference(&documented).collect();
        assert!(
            missing.is_empty(),
            "documented routes the client cannot call: {missing:?}"
        );
        assert!(
            undocumented.is_empty(),
            "client routes the server does not document: {undocumented:?}"
        );
        assert!(documented.len() > 70, "{} routes", documented.len());
    }

    #[test]
    fn every_route_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (name, route) in ALL {
            assert!(
                seen.insert((route.verb().as_str(), route.template())),
                "{name} repeats a route"
            );
        }
    }
}
