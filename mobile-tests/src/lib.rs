//! Student-phone journeys against a real server and database, with simulated
//! sensors. The journeys arrive with the check-in issue; this crate holds
//! their shared fixtures.

/// The demo student whose phone the journeys simulate.
pub const DEMO_STUDENT: &str = "student1";
