//! Every route of the server's OpenAPI document is reached by a screen's command
//! or stands in a short list of API-only routes with its reason. Run after every
//! journey (by `cargo xtask test`, `--ignored`), it reads what the server counted
//! from Rollcall's own app (`rollcall_app_requests_total`, told apart by the
//! app's User-Agent) with a success status, and compares.
//!
//! A route no screen reaches yet stands in [`NOT_ON_A_SCREEN_YET`] with the
//! work it waits for; the test fails when one of them is reached (move it out),
//! so the list only shrinks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::collections::{BTreeMap, BTreeSet};

/// One record by id: the screens read each from its list (and a write's
/// answer); other programs fetch one.
const ONE_RECORD: &str =
    "one record by id for a school's own programs; the screens read it from its list";

/// Routes only other programs call, and why.
const API_ONLY: &[(&str, &str, &str)] = &[
    ("GET", "/health/live", "the process supervisor's liveness probe"),
    ("GET", "/health/ready", "the load balancer's readiness probe (Postgres answers)"),
    ("GET", "/metrics", "Prometheus scrapes it with ROLLCALL_METRICS_TOKEN"),
    (
        "GET",
        "/api/v1/me",
        "who a token belongs to, for other programs; the app learns it from the sign-in's answer",
    ),
    (
        "GET",
        "/api/v1/records",
        "attendance records as rows for a school's own systems; the screens show them per class and in reports",
    ),
    ("GET", "/api/v1/users/{id}", ONE_RECORD),
    ("GET", "/api/v1/divisions/{id}", ONE_RECORD),
    ("GET", "/api/v1/subjects/{id}", ONE_RECORD),
    ("GET", "/api/v1/rooms/{id}", ONE_RECORD),
    ("GET", "/api/v1/timetable/{id}", ONE_RECORD),
    ("GET", "/api/v1/kiosks/{id}", ONE_RECORD),
    ("GET", "/api/v1/sessions/{id}", ONE_RECORD),
];

/// Routes no screen reaches yet, and the work that will reach them.
const NOT_ON_A_SCREEN_YET: &[(&str, &str, &str)] = &[
    ("DELETE", "/api/v1/rooms/{id}", "#20 admin: delete a room"),
    (
        "POST",
        "/api/v1/rooms/{id}/access-points",
        "#20 admin: access points on an existing room (the command exists; no journey adds one yet)",
    ),
    (
        "DELETE",
        "/api/v1/rooms/{id}/access-points/{ap_id}",
        "#20 admin: remove an access point",
    ),
    (
        "POST",
        "/api/v1/devices/{id}/revoke",
        "the devices screen's Revoke (a command exists; no journey revokes yet)",
    ),
    (
        "GET",
        "/api/v1/review/{claim_id}/thumbnail",
        "#20 review of a kiosk's near-miss (the command exists; no journey has one yet)",
    ),
    (
        "GET",
        "/api/v1/sessions/{id}/roster",
        "#20 teacher's past classes (today's roster comes over the live socket)",
    ),
    (
        "GET",
        "/api/v1/me/face-template",
        "the student's on-device face check (a phone's path; the desktop journey has no enrolled student face)",
    ),
];

/// (method, path) of every operation in the server's OpenAPI document.
async fn documented(server: &str) -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = reqwest::get(format!("{server}/api/v1/openapi.json"))
        .await
        .expect("the OpenAPI document")
        .json()
        .await
        .expect("the OpenAPI document is JSON");
    let mut routes = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for method in operations.as_object().expect("operations").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    routes
}

/// The value of `name="…"` in a Prometheus label set.
fn label<'a>(labels: &'a str, name: &str) -> Option<&'a str> {
    let start = labels.find(&format!("{name}=\""))? + name.len() + 2;
    let end = labels[start..].find('"')? + start;
    Some(&labels[start..end])
}

/// (method, route) → the statuses the app got from it, as the server counted.
async fn reached_by_the_app(
    server: &str,
    token: &str,
) -> BTreeMap<(String, String), BTreeSet<u16>> {
    let text = reqwest::Client::new()
        .get(format!("{server}/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server's metrics")
        .error_for_status()
        .expect("the metrics token is the server's")
        .text()
        .await
        .expect("the metrics text");
    let mut reached: BTreeMap<(String, String), BTreeSet<u16>> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("rollcall_app_requests_total{") else {
            continue;
        };
        let Some((labels, _count)) = rest.split_once("} ") else {
            continue;
        };
        if let (Some(method), Some(route), Some(status)) = (
            label(labels, "method"),
            label(labels, "route"),
            label(labels, "status").and_then(|s| s.parse().ok()),
        ) {
            reached
                .entry((method.to_owned(), route.to_owned()))
                .or_default()
                .insert(status);
        }
    }
    reached
}

#[tokio::test]
#[ignore = "reads what the whole journey suite did: cargo xtask test runs it after the journeys"]
async fn every_route_is_reached_by_a_screen_or_listed_as_api_only_with_its_reason() {
    let server = std::env::var("ROLLCALL_E2E_SERVER").expect("ROLLCALL_E2E_SERVER");
    let server = server.trim_end_matches('/');
    let token = std::env::var("ROLLCALL_E2E_METRICS_TOKEN")
        .expect("ROLLCALL_E2E_METRICS_TOKEN (the e2e server's ROLLCALL_METRICS_TOKEN)");
    let routes = documented(server).await;
    let reached = reached_by_the_app(server, &token).await;
    // A success (a WebSocket's 101 included) means a screen used the route.
    let used = |route: &(String, String)| {
        reached
            .get(route)
            .is_some_and(|statuses| statuses.iter().any(|s| *s < 400))
    };
    let listed = |list: &[(&str, &str, &str)], route: &(String, String)| {
        list.iter().any(|(m, p, _)| *m == route.0 && *p == route.1)
    };
    let mut problems = Vec::new();
    for (list, name) in [
        (API_ONLY, "API_ONLY"),
        (NOT_ON_A_SCREEN_YET, "NOT_ON_A_SCREEN_YET"),
    ] {
        for (method, path, why) in list {
            if !routes.contains(&((*method).to_owned(), (*path).to_owned())) {
                problems.push(format!(
                    "{name} names {method} {path}, which the document lacks"
                ));
            }
            if why.trim().is_empty() {
                problems.push(format!("{name} gives no reason for {method} {path}"));
            }
        }
    }
    let mut on_screens = 0;
    for route in &routes {
        let (method, path) = route;
        match (used(route), listed(API_ONLY, route), listed(NOT_ON_A_SCREEN_YET, route)) {
            (true, _, true) => problems.push(format!(
                "{method} {path} is reached by a screen now: take it out of NOT_ON_A_SCREEN_YET"
            )),
            (true, _, false) => on_screens += 1,
            (false, false, false) => problems.push(format!(
                "{method} {path} is reached by no screen (statuses the app got: {:?}) and is not listed as API-only",
                reached.get(route)
            )),
            (false, _, _) => {}
        }
    }
    println!(
        "{} routes: {on_screens} reached by the app's screens, {} API-only, {} not on a screen yet",
        routes.len(),
        API_ONLY.len(),
        NOT_ON_A_SCREEN_YET.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
