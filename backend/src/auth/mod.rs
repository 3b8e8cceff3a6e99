//! Who is calling: password hashes and access tokens.

pub mod password;
pub mod tokens;
