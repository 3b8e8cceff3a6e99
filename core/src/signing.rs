//! Device binding: each device holds an Ed25519 key pair and signs the
//! canonical bytes of every claim it makes; the server keeps the public key
//! registered for the device and checks the signature.
//!
//! Keys and signatures travel as unpadded base64url.

use crate::claim::Claim;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
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
        // Strict Ed25519 (as `VerifyingKey::verify_strict`), without its
        // decompression of R: once the cofactorless equation holds, R is the
        // canonical encoding of a point, so "R is of small order" is "R is one
        // of the eight encodings below" (a decompression costs about a sixth
        // of a verification; the equivalence is property-tested).
        if refused_outright(self, signature) {
            return Err(SignatureError::Mismatch);
        }
        self.0
            .verify(bytes, &Signature::from_bytes(&signature.0))
            .map_err(|_| SignatureError::Mismatch)
    }
}

/// Most signatures checked in one batch (beyond a few dozen a batch saves
/// nothing more, and a failed batch is checked again one by one).
pub const MOST_IN_BATCH: usize = 64;

/// Checks many signatures at once; one answer per item, in order, the same
/// as [`DevicePublicKey::verify_bytes`] gives each.
///
/// Ed25519 batch verification costs about 18 µs a signature for eight or
/// more against 31 µs alone (this machine, 2026-12). When the batch passes,
/// every item in it verifies; when it fails, each item is checked on its own,
/// so one bad signature costs its batch a second pass but changes no other
/// answer. Weak keys and small-order R are refused before, as alone.
///
/// One difference, on purpose: the batch equation is checked for a random
/// combination of the items, so a signature whose error is a point of small
/// order can pass in a batch and fail alone. Only the holder of the device's
/// key can make such a signature (it needs the key as much as a valid one
/// does), so it lets nobody claim for someone else.
#[must_use]
pub fn verify_many(
    items: &[(&DevicePublicKey, &[u8], &DeviceSignature)],
) -> Vec<Result<(), SignatureError>> {
    let mut answers = vec![Err(SignatureError::Mismatch); items.len()];
    let admissible: Vec<usize> = (0..items.len())
        .filter(|&i| {
            let (key, _, signature) = items[i];
            !refused_outright(key, signature)
        })
        .collect();
    for chunk in admissible.chunks(MOST_IN_BATCH) {
        let messages: Vec<&[u8]> = chunk.iter().map(|&i| items[i].1).collect();
        let signatures: Vec<Signature> = chunk
            .iter()
            .map(|&i| Signature::from_bytes(&items[i].2 .0))
            .collect();
        let keys: Vec<VerifyingKey> = chunk.iter().map(|&i| items[i].0 .0).collect();
        let whole =
            chunk.len() >= 2 && ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok();
        for &i in chunk {
            let (key, message, signature) = items[i];
            answers[i] = if whole {
                Ok(())
            } else {
                key.verify_bytes(message, signature)
            };
        }
    }
    answers
}

/// The canonical encodings of the eight points of small order (the
/// identity, the point of order 2, two of order 4 and four of order 8).
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 8] = [
    hex32("0100000000000000000000000000000000000000000000000000000000000000"),
    hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    hex32("0000000000000000000000000000000000000000000000000000000000000000"),
    hex32("0000000000000000000000000000000000000000000000000000000000000080"),
    hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
    hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
];

/// 32 bytes from 64 hex digits, at compile time.
const fn hex32(text: &str) -> [u8; 32] {
    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a hex digit"),
        }
    }
    let bytes = text.as_bytes();
    assert!(bytes.len() == 64, "64 hex digits");
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = digit(bytes[2 * i]) << 4 | digit(bytes[2 * i + 1]);
        i += 1;
    }
    out
}

/// Whether `signature` is refused whatever the equation says, as
/// `verify_strict` refuses it: a weak (small-order) key, or an R of small
/// order.
fn refused_outright(key: &DevicePublicKey, signature: &DeviceSignature) -> bool {
    let mut r = [0u8; 32];
    r.copy_from_slice(&signature.0[..32]);
    key.0.is_weak() || SMALL_ORDER_ENCODINGS.contains(&r)
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

    mod strictness {
        //! The check without R's decompression answers as `verify_strict`.
        use super::super::*;
        use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
        use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
        use curve25519_dalek::scalar::Scalar;
        use proptest::prelude::*;
        use sha2::{Digest as _, Sha512};

        fn strict(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
            key.verify_strict(message, &Signature::from_bytes(signature))
                .is_ok()
        }

        fn cofactorless(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
            key.verify(message, &Signature::from_bytes(signature))
                .is_ok()
        }

        fn ours(key: &VerifyingKey, message: &[u8], signature: &[u8; 64]) -> bool {
            DevicePublicKey(*key)
                .verify_bytes(message, &DeviceSignature(*signature))
                .is_ok()
        }

        /// k = H(R ‖ A ‖ M), as the verifier computes it.
        fn challenge(r: &[u8; 32], a: &[u8; 32], message: &[u8]) -> Scalar {
            let mut h = Sha512::new();
            h.update(r);
            h.update(a);
            h.update(message);
            Scalar::from_hash(h)
        }

        /// (R, s) with s = k·a, so that [s]B − [k]A is whatever torsion A carries.
        fn forged(r: [u8; 32], a: &[u8; 32], secret: Scalar, message: &[u8]) -> [u8; 64] {
            let s = challenge(&r, a, message) * secret;
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(&r);
            signature[32..].copy_from_slice(s.as_bytes());
            signature
        }

        #[test]
        fn the_table_is_the_eight_points_of_small_order() {
            let mut table: Vec<[u8; 32]> = SMALL_ORDER_ENCODINGS.to_vec();
            let mut torsion: Vec<[u8; 32]> = EIGHT_TORSION
                .iter()
                .map(|p| p.compress().to_bytes())
                .collect();
            table.sort_unstable();
            torsion.sort_unstable();
            assert_eq!(table, torsion);
        }

        #[test]
        fn a_signature_whose_r_is_the_identity_is_refused() {
            let key = SigningKey::from_bytes(&[3; 32]);
            let a = key.verifying_key().to_bytes();
            let r = CompressedEdwardsY(SMALL_ORDER_ENCODINGS[0]).to_bytes();
            let signature = forged(r, &a, key.to_scalar(), b"claim");
            let public = key.verifying_key();
            assert!(
                cofactorless(&public, b"claim", &signature),
                "the forgery is meaningful"
            );
            assert!(!strict(&public, b"claim", &signature));
            assert!(!ours(&public, b"claim", &signature));
        }

        #[test]
        fn a_mixed_order_key_with_a_small_order_r_is_refused() {
            // A = aB + T (not weak: it has a prime-order part); a message for
            // which R = −[k]T holds makes the cofactorless equation pass.
            let secret = SigningKey::from_bytes(&[5; 32]).to_scalar();
            let point: EdwardsPoint = ED25519_BASEPOINT_POINT * secret + EIGHT_TORSION[1];
            let a = point.compress().to_bytes();
            let public = VerifyingKey::from_bytes(&a).expect("a point");
            assert!(!public.is_weak());
            let mut found = 0;
            for n in 0u32..400 {
                let message = n.to_le_bytes();
                for t in &EIGHT_TORSION {
                    let r = t.compress().to_bytes();
                    let signature = forged(r, &a, secret, &message);
                    if cofactorless(&public, &message, &signature) {
                        found += 1;
                        assert!(!strict(&public, &message, &signature));
                        assert!(!ours(&public, &message, &signature));
                    }
                }
            }
            assert!(found > 10, "only {found} forgeries found");
        }

        #[test]
        fn a_weak_key_is_refused_even_when_the_equation_holds() {
            for t in &EIGHT_TORSION {
                let a = t.compress().to_bytes();
                let public = VerifyingKey::from_bytes(&a).expect("a point");
                let mut signature = [0u8; 64];
                signature[..32].copy_from_slice(&SMALL_ORDER_ENCODINGS[0]);
                // s = 0: [0]B − [k]A is a torsion point; for A = identity it is R.
                let passes = cofactorless(&public, b"claim", &signature);
                assert!(!strict(&public, b"claim", &signature));
                assert!(
                    !ours(&public, b"claim", &signature),
                    "passes cofactorless: {passes}"
                );
            }
        }

        /// `count` signed messages, one key each.
        fn signed(count: u8) -> Vec<(DevicePublicKey, Vec<u8>, DeviceSignature)> {
            (0..count)
                .map(|n| {
                    let key = DeviceKey::from_seed(&[n; 32]);
                    let message = vec![n; 40 + usize::from(n)];
                    let signature = key.sign_bytes(&message);
                    (key.public(), message, signature)
                })
                .collect()
        }

        fn many(items: &[(DevicePublicKey, Vec<u8>, DeviceSignature)]) -> Vec<bool> {
            let borrowed: Vec<(&DevicePublicKey, &[u8], &DeviceSignature)> =
                items.iter().map(|(k, m, s)| (k, m.as_slice(), s)).collect();
            verify_many(&borrowed).iter().map(Result::is_ok).collect()
        }

        #[test]
        fn a_batch_answers_each_item_as_alone() {
            let mut items = signed(20);
            assert_eq!(many(&items), vec![true; 20]);
            // A tampered message, someone else's key, a flipped bit in s:
            // only those fail, the batch's others still pass.
            items[3].1[0] ^= 1;
            items[7].0 = DeviceKey::from_seed(&[99; 32]).public();
            let mut bytes = items[11].2.to_bytes();
            bytes[40] ^= 4;
            items[11].2 = DeviceSignature::from_bytes(bytes);
            let expected: Vec<bool> = (0..20).map(|i| ![3, 7, 11].contains(&i)).collect();
            assert_eq!(many(&items), expected);
            assert!(many(&items[..1]) == vec![true] && many(&[]).is_empty());
        }

        #[test]
        fn a_long_list_is_checked_in_batches() {
            let mut items = signed(150);
            items[140].1.push(0);
            let expected: Vec<bool> = (0..150).map(|i| i != 140).collect();
            assert_eq!(many(&items), expected);
        }

        #[test]
        fn a_batch_refuses_a_forged_small_order_r_as_alone() {
            let mut items = signed(8);
            let key = SigningKey::from_bytes(&[3; 32]);
            let a = key.verifying_key().to_bytes();
            let forgery = forged(SMALL_ORDER_ENCODINGS[0], &a, key.to_scalar(), b"claim");
            items[5] = (
                DevicePublicKey(key.verifying_key()),
                b"claim".to_vec(),
                DeviceSignature(forgery),
            );
            let expected: Vec<bool> = (0..8).map(|i| i != 5).collect();
            assert_eq!(many(&items), expected);
        }

        proptest! {
            #[test]
            fn a_batch_of_honest_signatures_passes_whole(count in 2u8..70) {
                let items = signed(count);
                prop_assert_eq!(many(&items), vec![true; usize::from(count)]);
            }

            #[test]
            fn ours_answers_as_verify_strict(
                seed in any::<[u8; 32]>(),
                message in proptest::collection::vec(any::<u8>(), 0..200),
                flip in any::<Option<(usize, u8)>>(),
                r in proptest::option::of(0usize..8),
            ) {
                let key = SigningKey::from_bytes(&seed);
                let public = key.verifying_key();
                let mut signature = key.sign(&message).to_bytes();
                if let Some((at, bits)) = flip {
                    signature[at % 64] ^= bits;
                }
                if let Some(r) = r {
                    signature[..32].copy_from_slice(&SMALL_ORDER_ENCODINGS[r]);
                }
                prop_assert_eq!(
                    ours(&public, &message, &signature),
                    strict(&public, &message, &signature)
                );
            }
        }
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
