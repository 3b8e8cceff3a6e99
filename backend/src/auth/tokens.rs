//! Short-lived access tokens (JWT, HS256). The key comes from
//! `ROLLCALL_JWT_SECRET`, or is generated once into the data folder.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use anyhow::Context as _;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore as _;
use rollcall_core::api::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long an access token lives.
pub const ACCESS_TOKEN_SECONDS: u64 = 15 * 60;
const ISSUER: &str = "rollcall";

/// What an access token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The account id.
    pub sub: Uuid,
    /// The account's role when the token was issued.
    pub role: Role,
    /// Issued at (unix seconds).
    pub iat: u64,
    /// Expires at (unix seconds).
    pub exp: u64,
    /// Always `rollcall`.
    pub iss: String,
    /// The sign-in it belongs to (its refresh family): when that ends (sign-out,
    /// a password change), so does the token, on every replica at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
}

/// The signing and verifying halves of the access-token key (shared: every
/// request's state holds a copy).
#[derive(Clone)]
pub struct TokenKeys(std::sync::Arc<KeyPair>);

struct KeyPair {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    /// Keys from a shared secret.
    #[must_use]
    pub fn from_secret(secret: &[u8]) -> Self {
        Self(std::sync::Arc::new(KeyPair {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }))
    }

    /// A fresh random key (tests, or a server that may forget its tokens).
    #[must_use]
    pub fn random() -> Self {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        Self::from_secret(&secret)
    }

    /// The configured secret, or the one stored in `data_dir/keys`, generated
    /// (mode 0600) on first use.
    ///
    /// # Errors
    /// When the key file cannot be read or written.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(secret) = configured {
            return Ok(Self::from_secret(secret.as_bytes()));
        }
        let dir = data_dir.join("keys");
        let path = dir.join("access-token.key");
        if let Ok(text) = fs::read_to_string(&path) {
            let secret = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .with_context(|| format!("Failed to decode {}", path.display()))?;
            return Ok(Self::from_secret(&secret));
        }
        fs::create_dir_all(&dir).with_context(|| format!("Failed to create {}", dir.display()))?;
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        let mut file = fs::OpenOptions::new()
            .create_new(true)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("Failed to create {}", path.display()))?;
        file.write_all(
            base64::engine::general_purpose::STANDARD
                .encode(secret)
                .as_bytes(),
        )
        .with_context(|| format!("Failed to write {}", path.display()))?;
        Ok(Self::from_secret(&secret))
    }

    /// Issues an access token for `user` acting as `role`, within the sign-in
    /// (refresh family) `sign_in`.
    ///
    /// # Errors
    /// Only if signing fails.
    pub fn issue(&self, user: Uuid, role: Role, sign_in: Uuid) -> anyhow::Result<String> {
        let now = unix_now();
        let claims = AccessClaims {
            sub: user,
            role,
            iat: now,
            exp: now + ACCESS_TOKEN_SECONDS,
            iss: ISSUER.to_owned(),
            sid: Some(sign_in),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.0.encoding)
            .context("Failed to sign an access token")
    }

    /// Checks a token's signature, algorithm, issuer and expiry.
    ///
    /// # Errors
    /// When the token is not one this server issued, or has expired.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 0;
        jsonwebtoken::decode::<AccessClaims>(token, &self.0.decoding, &validation).map(|d| d.claims)
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_key_and_not_another() {
        let keys = TokenKeys::random();
        let id = Uuid::new_v4();
        let token = keys.issue(id, Role::Teacher, Uuid::now_v7()).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.sub, id);
        assert_eq!(claims.role, Role::Teacher);
        assert!(TokenKeys::random().verify(&token).is_err());
    }

    #[test]
    fn an_unsigned_token_is_refused() {
        let keys = TokenKeys::random();
        let token = keys
            .issue(Uuid::new_v4(), Role::Admin, Uuid::now_v7())
            .unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"alg":"none","typ":"JWT"}"#);
        parts[0] = &none_header;
        let forged = format!("{}.{}.", parts[0], parts[1]);
        assert!(keys.verify(&forged).is_err());
    }

    #[test]
    fn the_generated_key_is_stored_privately_and_reused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let a = TokenKeys::load(None, dir.path()).unwrap();
        let token = a
            .issue(Uuid::new_v4(), Role::Student, Uuid::now_v7())
            .unwrap();
        let b = TokenKeys::load(None, dir.path()).unwrap();
        assert!(b.verify(&token).is_ok());
        let mode = fs::metadata(dir.path().join("keys/access-token.key"))
            .unwrap()
            .permissions();
        assert_eq!(mode.mode() & 0o777, 0o600);
    }
}
