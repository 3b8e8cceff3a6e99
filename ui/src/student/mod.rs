//! The student's screens: today's classes, the check-in screen, the verdict,
//! their week, and their own attendance, over one reducer ([`state`]).

pub mod check_in_attempt;
pub mod check_in_screen;
pub mod class_list;
pub mod desk;
pub mod mark_story;
pub mod my_attendance;
pub mod my_week;
pub mod state;
pub mod verdict;
