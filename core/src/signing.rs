//! Device binding: each device holds an Ed25519 key pair and signs the
//! canonical bytes of every claim it makes; the server keeps the public key
//! registered for the device and checks the signature.
//!
//! Keys and signatures travel as unpadded base64url.

use crate::claim::Claim;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A device's private key. `Debug` is redacted.
#[derive(Clone)]
pub struct DeviceKey(SigningKey);

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey(public: {})", self.public())
    }
}

impl DeviceKey {
    /// A new key pair from the caller's CSPRNG.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self(SigningKey::generate(rng))
    }

    /// The key pair from its 32-byte secret seed (as kept in the key store).
    #[must_use]
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(seed))
    }

    /// The 32-byte secret seed, for the platform key store only.
    #[must_use]
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public half, registered with the server.
    #[must_use]
    pub fn public(&self) -> DevicePublicKey {
        DevicePublicKey(self.0.verifying_key())
    }

    /// Signs a claim's canonical bytes.
    #[must_use]
    pub fn sign(&self, claim: &Claim) -> DeviceSignature {
        self.sign_bytes(&claim.canonical_bytes())
    }

    /// Signs bytes already in canonical form.
    #[must_use]
    pub fn sign_bytes(&self, bytes: &[u8]) -> DeviceSignature {
        DeviceSignature(self.0.sign(bytes).to_bytes())
    }
}

/// A device's registered public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevicePublicKey(VerifyingKey);

/// Why a key or signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The key bytes are not a valid Ed25519 public key.
    #[error("not a valid device public key")]
    BadKey,
    /// Not 64 bytes of base64url.
    #[error("not a valid signature encoding")]
    BadEncoding,
    /// The signature does not match the claim and key.
    #[error("the claim's signature does not match the device's key")]
    Mismatch,
}

impl DevicePublicKey {
    /// A key from its 32 bytes.
    ///
    /// # Errors
    /// [`SignatureError::BadKey`] for bytes that are not a curve point.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, SignatureError> {
        VerifyingKey::from_bytes(bytes)
            .map(Self)
            .map_err(|_| SignatureError::BadKey)
    }

    /// The 32 bytes.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Checks a claim's signature (strict Ed25519: no malleable signatures,
    /// no weak keys).
    ///
    /// # Errors
    /// [`SignatureError::Mismatch`] when it does not verify.
    pub fn verify(&self, claim: &Claim, signature: &DeviceSignature) -> Result<(), SignatureError> {
        self.verify_bytes(&claim.canonical_bytes(), signature)
    }

    /// Checks a signature over bytes already in canonical form.
    ///
    /// # Errors
    /// [`SignatureError::Mismatch`] when it does not verify.
    pub fn verify_bytes(
        &self,
        bytes: &[u8],
        signature: &DeviceSignature,
    ) -> Result<(), SignatureError> {
        self.0
            .verify_strict(bytes, &Signature::from_bytes(&signature.0))
            .map_err(|_| SignatureError::Mismatch)
    }
}

impl fmt::Display for DevicePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0.as_bytes()))
    }
}

impl std::str::FromStr for DevicePublicKey {
    type Err = SignatureError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut buf = [0u8; 32];
        match URL_SAFE_NO_PAD.decode_slice(s.trim(), &mut buf) {
            Ok(32) => Self::from_bytes(&buf),
            _ => Err(SignatureError::BadKey),
        }
    }
}

/// An Ed25519 signature by a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceSignature([u8; 64]);

impl DeviceSignature {
    /// A signature from its 64 bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 64]) -> Self {
        Self(bytes)
    }

    /// The 64 bytes.
    #[must_use]
    pub const fn to_bytes(&self) -> [u8; 64] {
        self.0
    }
}

impl fmt::Display for DeviceSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl std::str::FromStr for DeviceSignature {
    type Err = SignatureError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut buf = [0u8; 66];
        match URL_SAFE_NO_PAD.decode_slice(s.trim(), &mut buf) {
            Ok(64) => {
                let mut sig = [0u8; 64];
                sig.copy_from_slice(&buf[..64]);
                Ok(Self(sig))
            }
            _ => Err(SignatureError::BadEncoding),
        }
    }
}

macro_rules! serde_as_text {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_as_text!(DevicePublicKey);
serde_as_text!(DeviceSignature);

/// A claim with its device signature, as submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedClaim {
    /// The claim.
    pub claim: Claim,
    /// The device's signature over its canonical bytes.
    pub signature: DeviceSignature,
}

impl SignedClaim {
    /// Signs a claim with the device key.
    #[must_use]
    pub fn sign(claim: Claim, key: &DeviceKey) -> Self {
        let signature = key.sign(&claim);
        Self { claim, signature }
    }

    /// Checks the signature against the device's registered key.
    ///
    /// # Errors
    /// [`SignatureError::Mismatch`] when it does not verify.
    pub fn verify(&self, key: &DevicePublicKey) -> Result<(), SignatureError> {
        key.verify(&self.claim, &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::tests::full_claim;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn a_signed_claim_verifies_and_any_change_breaks_it() {
        let mut rng = StdRng::seed_from_u64(1);
        let key = DeviceKey::generate(&mut rng);
        let signed = SignedClaim::sign(full_claim(None), &key);
        assert_eq!(signed.verify(&key.public()), Ok(()));
        let mut tampered = signed.clone();
        tampered.claim.scanned_at = tampered.claim.scanned_at.plus(60);
        assert_eq!(
            tampered.verify(&key.public()),
            Err(SignatureError::Mismatch)
        );
        let other = DeviceKey::generate(&mut rng);
        assert_eq!(
            signed.verify(&other.public()),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn keys_and_signatures_travel_as_base64url() {
        let key = DeviceKey::from_seed(&[7; 32]);
        assert_eq!(DeviceKey::from_seed(&key.seed()).public(), key.public());
        assert!(!format!("{key:?}").contains(&format!("{:?}", key.seed())));
        let signed = SignedClaim::sign(full_claim(None), &key);
        let json = serde_json::to_string(&signed).unwrap();
        let back: SignedClaim = serde_json::from_str(&json).unwrap();
        assert_eq!(back.verify(&key.public()), Ok(()));
        let pk: DevicePublicKey = key.public().to_string().parse().unwrap();
        assert_eq!(pk, key.public());
        assert!("short".parse::<DevicePublicKey>().is_err());
        assert!("short".parse::<DeviceSignature>().is_err());
    }
}
