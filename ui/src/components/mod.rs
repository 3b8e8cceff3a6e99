//! The screens, named for what the user sees.

mod app;
mod brand_panel;
mod login_screen;
mod signed_in_screen;

pub use app::App;
