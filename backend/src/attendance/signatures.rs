//! Claims' signatures checked in batches: the requests arriving together hand
//! their claim's canonical bytes, signature and device key to one task, which
//! checks whatever has gathered at once ([`rollcall_core::signing::verify_many`]:
//! about 18 µs a signature instead of 31, the single largest cost of judging a
//! claim). Under light load a batch is one claim, checked at once.

use std::sync::OnceLock;

use rollcall_core::signing::{verify_many, DevicePublicKey, DeviceSignature, MOST_IN_BATCH};
use tokio::sync::{mpsc, oneshot};

/// A signature waiting for its batch.
struct Pending {
    key: DevicePublicKey,
    bytes: Vec<u8>,
    signature: DeviceSignature,
    reply: oneshot::Sender<bool>,
}

/// Hands signatures to the checking task, which starts on first use.
#[derive(Default)]
pub struct SignatureChecks {
    sender: OnceLock<mpsc::Sender<Pending>>,
}

impl std::fmt::Debug for SignatureChecks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignatureChecks(..)")
    }
}

impl SignatureChecks {
    /// Whether `signature` over `bytes` is by `key`.
    ///
    /// # Errors
    /// When the checking task stopped before answering (its runtime is
    /// shutting down): nothing is judged then, rather than judged wrongly.
    pub async fn check(
        &self,
        key: DevicePublicKey,
        bytes: Vec<u8>,
        signature: DeviceSignature,
    ) -> anyhow::Result<bool> {
        let sender = self.sender.get_or_init(spawn);
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            key,
            bytes,
            signature,
            reply,
        };
        match sender.send(pending).await {
            Ok(()) => answer
                .await
                .map_err(|_| anyhow::anyhow!("the signature checks stopped before answering")),
            // The task is gone (the runtime it started on has ended): check here.
            Err(mpsc::error::SendError(pending)) => Ok(pending
                .key
                .verify_bytes(&pending.bytes, &pending.signature)
                .is_ok()),
        }
    }
}

fn spawn() -> mpsc::Sender<Pending> {
    let (sender, receiver) = mpsc::channel(MOST_IN_BATCH * 16);
    tokio::spawn(work(receiver));
    sender
}

/// Gathers a batch (what has arrived by the time the last one was checked),
/// checks it, answers each; until every sender has gone.
async fn work(mut receiver: mpsc::Receiver<Pending>) {
    while let Some(first) = receiver.recv().await {
        // Claims come in groups (their states were read together): let the
        // others of the group reach the queue before the batch is taken.
        tokio::task::yield_now().await;
        let mut batch = vec![first];
        while batch.len() < MOST_IN_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let items: Vec<(&DevicePublicKey, &[u8], &DeviceSignature)> = batch
            .iter()
            .map(|p| (&p.key, p.bytes.as_slice(), &p.signature))
            .collect();
        let answers = verify_many(&items);
        for (pending, answer) in batch.into_iter().zip(answers) {
            let _ = pending.reply.send(answer.is_ok());
        }
    }
}
