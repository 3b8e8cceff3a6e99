//! Face templates at rest: AES-256-GCM under a key from the environment
//! (`ROLLCALL_TEMPLATE_KEY`, base64 of 32 bytes) or, in the embedded default,
//! generated once into the data folder. The associated data binds a
//! ciphertext to its student and model, so rows cannot be swapped. Templates
//! are never logged: the types here print as `<redacted>`.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::Context as _;
use base64::Engine as _;
use rand::RngCore as _;
use uuid::Uuid;

/// The template encryption key (shared: every request's state holds a copy).
#[derive(Clone)]
pub struct TemplateKey(std::sync::Arc<Aes256Gcm>);

impl std::fmt::Debug for TemplateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TemplateKey(<redacted>)")
    }
}

/// A sealed template: what the database stores.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The 96-bit nonce, fresh for every seal.
    pub nonce: Vec<u8>,
    /// The ciphertext with its tag.
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealed(<redacted>)")
    }
}

fn associated(student: Uuid, model: &str) -> Vec<u8> {
    let mut aad = b"rollcall-face-template/v1".to_vec();
    aad.extend_from_slice(student.as_bytes());
    aad.extend_from_slice(model.as_bytes());
    aad
}

impl TemplateKey {
    /// A key from 32 bytes.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(std::sync::Arc::new(Aes256Gcm::new(bytes.into())))
    }

    /// A fresh random key (tests).
    #[must_use]
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self::from_bytes(&bytes)
    }

    /// The configured key (base64 of 32 bytes), or the one stored in
    /// `data_dir/keys`, generated (mode 0600) on first use.
    ///
    /// # Errors
    /// When the configured key is not 32 bytes of base64, or the file cannot be used.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        let decode = |text: &str| -> anyhow::Result<Self> {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .context("ROLLCALL_TEMPLATE_KEY is not base64")?;
            let bytes: [u8; 32] = bytes
                .try_into()
                .map_err(|_| anyhow::anyhow!("ROLLCALL_TEMPLATE_KEY must be 32 bytes (base64)"))?;
            Ok(Self::from_bytes(&bytes))
        };
        if let Some(text) = configured {
            return decode(text);
        }
        let path = data_dir.join("keys").join("face-template.key");
        if let Ok(text) = fs::read_to_string(&path) {
            return decode(&text);
        }
        fs::create_dir_all(data_dir.join("keys")).context("Failed to create the keys folder")?;
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let mut file = fs::OpenOptions::new()
            .create_new(true)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("Failed to create {}", path.display()))?;
        file.write_all(
            base64::engine::general_purpose::STANDARD
                .encode(bytes)
                .as_bytes(),
        )?;
        Ok(Self::from_bytes(&bytes))
    }

    /// Encrypts `embedding` for `student` and `model`.
    ///
    /// # Errors
    /// Only if the cipher fails (it does not for these sizes).
    pub fn seal(&self, student: Uuid, model: &str, embedding: &[f32]) -> anyhow::Result<Sealed> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let plain: Vec<u8> = embedding.iter().flat_map(|v| v.to_le_bytes()).collect();
        let aad = associated(student, model);
        let ciphertext = self
            .0
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            .map_err(|_| anyhow::anyhow!("template encryption failed"))?;
        Ok(Sealed {
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Decrypts a template sealed for `student` and `model`.
    ///
    /// # Errors
    /// When the key, the student or the model differ, or the bytes were altered.
    pub fn open(&self, student: Uuid, model: &str, sealed: &Sealed) -> anyhow::Result<Vec<f32>> {
        if sealed.nonce.len() != 12 {
            anyhow::bail!("a stored template has a bad nonce");
        }
        let aad = associated(student, model);
        let plain = self
            .0
            .decrypt(
                Nonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| anyhow::anyhow!("a stored template does not decrypt with this key"))?;
        if plain.len() % 4 != 0 {
            anyhow::bail!("a stored template has a bad length");
        }
        Ok(plain
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_opens_only_for_its_student_model_and_key() {
        let key = TemplateKey::random();
        let student = Uuid::new_v4();
        let embedding = vec![0.25_f32, -0.5, 0.125, 1.0];
        let sealed = key.seal(student, "mobileface-v2", &embedding).unwrap();
        assert_eq!(
            key.open(student, "mobileface-v2", &sealed).unwrap(),
            embedding
        );
        assert!(
            key.open(Uuid::new_v4(), "mobileface-v2", &sealed).is_err(),
            "another student"
        );
        assert!(
            key.open(student, "other-model", &sealed).is_err(),
            "another model"
        );
        assert!(
            TemplateKey::random()
                .open(student, "mobileface-v2", &sealed)
                .is_err(),
            "another key"
        );
        let mut altered = sealed.clone();
        altered.ciphertext[0] ^= 1;
        assert!(
            key.open(student, "mobileface-v2", &altered).is_err(),
            "altered bytes"
        );
        assert_ne!(
            key.seal(student, "mobileface-v2", &embedding)
                .unwrap()
                .nonce,
            sealed.nonce
        );
        assert_eq!(format!("{sealed:?}"), "Sealed(<redacted>)");
    }

    #[test]
    fn a_configured_key_must_be_32_bytes_of_base64() {
        let dir = tempfile::tempdir().unwrap();
        assert!(TemplateKey::load(Some("not base64!"), dir.path()).is_err());
        assert!(TemplateKey::load(Some("c2hvcnQ="), dir.path()).is_err());
        let good = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert!(TemplateKey::load(Some(&good), dir.path()).is_ok());
        let generated = TemplateKey::load(None, dir.path()).unwrap();
        let again = TemplateKey::load(None, dir.path()).unwrap();
        let sealed = generated.seal(Uuid::nil(), "m", &[1.0]).unwrap();
        assert_eq!(again.open(Uuid::nil(), "m", &sealed).unwrap(), [1.0]);
    }
}
