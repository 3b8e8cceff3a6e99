//! The screens, named for what the user sees.

mod app;
mod brand_panel;
mod classroom_screen;
mod login_screen;
mod mark_dialog;
mod presentation_panel;
mod roster_panel;
mod teacher_desk;
mod todays_classes;
mod workspace;

pub use app::App;
