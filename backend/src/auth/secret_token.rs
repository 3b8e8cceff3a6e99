//! Random bearer secrets (refresh tokens, reset codes): handed out once,
//! stored only as their SHA-256 hash, so a leaked table holds nothing usable.

use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// A fresh 256-bit secret, base64url without padding (43 characters).
#[must_use]
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The hash stored in place of `secret`.
#[must_use]
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.trim().as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_unique_and_hash_stably() {
        let a = super::generate();
        assert_eq!(a.len(), 43);
        assert_ne!(a, super::generate());
        assert_eq!(super::hash(&a), super::hash(&format!(" {a}\n")));
        assert_eq!(super::hash(&a).len(), 32);
    }
}
