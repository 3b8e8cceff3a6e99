//! The student's screens: today's classes, the check-in screen, the verdict, and
//! their own attendance, over one reducer ([`state`]).

pub mod check_in_attempt;
pub mod check_in_screen;
pub mod class_list;
pub mod desk;
pub mod my_attendance;
pub mod state;
pub mod verdict;
