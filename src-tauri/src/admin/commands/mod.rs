//! The admin's commands, one module per desk: oversight (dashboard, reports, the
//! review queue), the school's structure, people and devices, and face enrolment.

pub mod face;
pub mod oversight;
pub mod people;
pub mod structure;
