//! The nonce a verifier hands a chip whose evidence format carries one (an NVIDIA report's
//! requester nonce): it commits to the whole slot context, so a report answers exactly one
//! slot of one network for one wallet and one purpose, and cannot be front-run (another
//! wallet), replayed (another slot) or reused (a binding as a heartbeat).

use sha2::{Digest, Sha256};

use crate::error::{Error, Field, Result};
use crate::slot_context::SlotContext;

/// Domain tag that starts every evidence nonce preimage.
pub const EVIDENCE_NONCE_DOMAIN: &[u8] = b"POCI/1/evidence-nonce";

/// What a piece of evidence is submitted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvidencePurpose {
    /// Binding the chip to the context's wallet.
    Binding,
    /// Proving the slot for the wallet the chip is bound to.
    Heartbeat,
}

impl EvidencePurpose {
    /// Every purpose.
    pub const ALL: [Self; 2] = [Self::Binding, Self::Heartbeat];

    /// The purpose's stable name (`"binding"`, `"heartbeat"`), as the bindings spell it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Binding => "binding",
            Self::Heartbeat => "heartbeat",
        }
    }

    /// The purpose named `name`: the one parser of purpose names.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|purpose| purpose.name() == name)
    }

    const fn byte(self) -> u8 {
        match self {
            Self::Binding => 1,
            Self::Heartbeat => 2,
        }
    }
}

fn short_len(field: Field, bytes: &[u8]) -> Result<u8> {
    u8::try_from(bytes.len()).map_err(|_| Error::FieldTooLong {
        field,
        len: bytes.len(),
        max: usize::from(u8::MAX),
    })
}

/// The nonce of `context` for `purpose`:
///
/// `SHA-256("POCI/1/evidence-nonce" || u8(purpose) || u8(len(networkId)) || networkId
///  || u64be(epoch) || u32be(slot) || challenge || u8(len(wallet)) || wallet)`
///
/// with purpose 1 for a binding and 2 for a heartbeat.
///
/// # Errors
/// `FIELD_TOO_LONG` for a network id or wallet over 255 bytes (the limits keep both far
/// below).
pub fn evidence_nonce(context: &SlotContext<'_>, purpose: EvidencePurpose) -> Result<[u8; 32]> {
    let network_id = context.network_id.as_bytes();
    let mut hasher = Sha256::new();
    hasher.update(EVIDENCE_NONCE_DOMAIN);
    hasher.update([purpose.byte()]);
    hasher.update([short_len(Field::NetworkId, network_id)?]);
    hasher.update(network_id);
    hasher.update(context.epoch.to_be_bytes());
    hasher.update(context.slot.to_be_bytes());
    hasher.update(context.challenge);
    hasher.update([short_len(Field::Wallet, context.wallet)?]);
    hasher.update(context.wallet);
    Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_of_the_context_changes_the_nonce() {
        let challenge = [7u8; 32];
        let other_challenge = [8u8; 32];
        let base = SlotContext {
            network_id: "poci-testnet",
            epoch: 7,
            slot: 42,
            challenge: &challenge,
            wallet: b"alice",
        };
        let nonce = |context: SlotContext<'_>, purpose| evidence_nonce(&context, purpose).unwrap();
        let reference = nonce(base, EvidencePurpose::Binding);
        let mut preimage = b"POCI/1/evidence-nonce".to_vec();
        preimage.extend([1, 12]);
        preimage.extend(b"poci-testnet");
        preimage.extend(7u64.to_be_bytes());
        preimage.extend(42u32.to_be_bytes());
        preimage.extend(challenge);
        preimage.push(5);
        preimage.extend(b"alice");
        assert_eq!(reference, <[u8; 32]>::from(Sha256::digest(&preimage)));
        for changed in [
            nonce(base, EvidencePurpose::Heartbeat),
            nonce(
                SlotContext {
                    network_id: "poci-mainnet",
                    ..base
                },
                EvidencePurpose::Binding,
            ),
            nonce(SlotContext { epoch: 8, ..base }, EvidencePurpose::Binding),
            nonce(SlotContext { slot: 43, ..base }, EvidencePurpose::Binding),
            nonce(
                SlotContext {
                    challenge: &other_challenge,
                    ..base
                },
                EvidencePurpose::Binding,
            ),
            nonce(
                SlotContext {
                    wallet: b"mallory",
                    ..base
                },
                EvidencePurpose::Binding,
            ),
        ] {
            assert_ne!(changed, reference);
        }
    }
}
