//! The teacher's screens: today's classes, the classroom (its presentation screen,
//! the live roster and marks), and the desk's state behind them.

pub mod classroom_screen;
pub mod desk;
pub mod desk_handle;
pub mod extra_class;
pub mod mark_dialog;
pub mod presentation_panel;
pub mod roster_panel;
pub mod state;
pub mod todays_classes;
