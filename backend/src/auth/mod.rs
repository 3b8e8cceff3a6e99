//! Who is calling: password hashes, access tokens, refresh-token families,
//! reset codes and the mail that carries them.

pub mod accounts;
pub mod mailer;
pub mod password;
pub mod refresh;
pub mod secret_token;
pub mod tokens;
