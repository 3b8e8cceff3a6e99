//! The device key a check-in is signed with, behind a trait: the apps hold an
//! Ed25519 key (in the OS keystore), a browser will hold a passkey.

use rollcall_core::claim::Claim;
use rollcall_core::signing::{DeviceKey, DevicePublicKey, SignedClaim};

/// Signs claims as one registered device.
pub trait ClaimSigner: Send + Sync {
    /// The public half the server registers.
    fn public_key(&self) -> DevicePublicKey;

    /// The claim, signed.
    fn sign(&self, claim: Claim) -> SignedClaim;
}

impl ClaimSigner for DeviceKey {
    fn public_key(&self) -> DevicePublicKey {
        self.public()
    }

    fn sign(&self, claim: Claim) -> SignedClaim {
        SignedClaim::sign(claim, self)
    }
}
