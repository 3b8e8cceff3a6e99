//! Device public keys already parsed. A key arrives from the database as
//! base64url text, and turning it into a curve point costs a square root
//! (about a tenth of judging a claim); the same phones claim again and again,
//! so each text is parsed once. Parsing depends on the text alone, so a
//! revoked or replaced key is never served from here: the claim state read
//! decides which key, if any, is the student's.

use std::collections::HashMap;
use std::sync::Mutex;

use rollcall_core::signing::DevicePublicKey;

/// Keys kept before the cache starts over (a key is 43 characters and a
/// point: a few megabytes at most).
const MOST_KEYS: usize = 50_000;

/// Parsed keys by their text.
#[derive(Debug, Default)]
pub struct DeviceKeys {
    parsed: Mutex<HashMap<String, DevicePublicKey>>,
}

impl DeviceKeys {
    /// The key `text` stands for; `None` when it is not a valid key.
    pub fn parse(&self, text: &str) -> Option<DevicePublicKey> {
        if let Some(key) = self.lock().get(text) {
            return Some(*key);
        }
        let key = text.parse::<DevicePublicKey>().ok()?;
        let mut parsed = self.lock();
        if parsed.len() >= MOST_KEYS {
            parsed.clear();
        }
        parsed.insert(text.to_owned(), key);
        Some(key)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, DevicePublicKey>> {
        self.parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::signing::DeviceKey;

    #[test]
    fn a_key_parses_as_it_would_alone_and_once() {
        let keys = DeviceKeys::default();
        let public = DeviceKey::from_seed(&[9; 32]).public();
        let text = public.to_string();
        assert_eq!(keys.parse(&text), Some(public));
        assert_eq!(keys.parse(&text), Some(public));
        assert_eq!(keys.lock().len(), 1);
        assert_eq!(keys.parse("not a key"), None);
        assert_eq!(keys.lock().len(), 1, "a bad key is not kept");
    }

    #[test]
    fn a_full_cache_starts_over() {
        let keys = DeviceKeys::default();
        let text = DeviceKey::from_seed(&[1; 32]).public().to_string();
        keys.lock().extend(
            (0..MOST_KEYS).map(|n| (n.to_string(), DeviceKey::from_seed(&[2; 32]).public())),
        );
        assert!(keys.parse(&text).is_some());
        assert_eq!(keys.lock().len(), 1);
    }
}
