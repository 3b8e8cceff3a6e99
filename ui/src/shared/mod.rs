//! What every role's screens share: the session, the sign-in screen and its guard,
//! the account panel and the password reset,
//! the webcam and picture files, the words for roles and statuses, clock times, and
//! what an export says.

pub mod account_panel;
pub mod brand_panel;
pub mod camera;
pub mod clock;
pub mod exports;
pub mod forgot_password;
pub mod labels;
pub mod login_screen;
pub mod new_password;
pub mod session;
pub mod sign_in_guard;
pub mod webcam;
