//! What every proof answers: the verifying node's network, the slot being proven, that
//! slot's challenge and the wallet it is for. One type and one check (SPEC.md 6.2 steps
//! 2–5, 6.4 step 1) serve heartbeats, chip bindings and every later evidence kind, so the
//! order of these checks, and the code each failure gets, cannot differ between them.

use crate::error::{Error, Result};
use crate::time::NetworkParams;

/// The slot a proof must answer.
///
/// The challenge is derived once per slot by the caller ([`crate::derive_challenge`]) and
/// shared by every chip's check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotContext<'a> {
    /// Network of the verifying node.
    pub network_id: &'a str,
    /// Epoch being proven.
    pub epoch: u64,
    /// Slot being proven.
    pub slot: u32,
    /// Challenge of that slot.
    pub challenge: &'a [u8; 32],
    /// Wallet the proof is for: the chip's bound wallet, or the one claiming it.
    pub wallet: &'a [u8],
}

/// What a message says it answers, field by field, to be held against a [`SlotContext`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct SlotClaims<'a> {
    pub(crate) network_id: &'a str,
    pub(crate) epoch: u64,
    pub(crate) slot: u32,
    pub(crate) challenge: &'a [u8; 32],
    pub(crate) wallet: &'a [u8],
}

impl SlotContext<'_> {
    /// Holds a message's claims against the context: network, then slot, then challenge,
    /// then wallet, the first mismatch deciding the code.
    ///
    /// # Errors
    /// `WRONG_NETWORK`, `WRONG_SLOT`, `CHALLENGE_MISMATCH`, `WALLET_MISMATCH`.
    pub(crate) fn check(&self, claims: &SlotClaims<'_>) -> Result<()> {
        if claims.network_id != self.network_id {
            return Err(Error::WrongNetwork);
        }
        if claims.epoch != self.epoch || claims.slot != self.slot {
            return Err(Error::WrongSlot {
                expected_epoch: self.epoch,
                expected_slot: self.slot,
                epoch: claims.epoch,
                slot: claims.slot,
            });
        }
        if claims.challenge != self.challenge {
            return Err(Error::ChallengeMismatch);
        }
        if claims.wallet != self.wallet {
            return Err(Error::WalletMismatch);
        }
        Ok(())
    }
}

/// A [`SlotContext`] with the network's clock, for proofs that carry certificates: they
/// are judged at the slot's start time (SPEC.md 6.4 step 5). The network id is the
/// parameters' own, so the two cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindingContext<'a> {
    params: &'a NetworkParams,
    slot: SlotContext<'a>,
}

impl<'a> BindingContext<'a> {
    /// The context of `params`' network at (`epoch`, `slot`), with that slot's
    /// `challenge`, for a proof submitted by `wallet`.
    #[must_use]
    pub fn new(
        params: &'a NetworkParams,
        epoch: u64,
        slot: u32,
        challenge: &'a [u8; 32],
        wallet: &'a [u8],
    ) -> Self {
        Self {
            params,
            slot: SlotContext {
                network_id: params.network_id(),
                epoch,
                slot,
                challenge,
                wallet,
            },
        }
    }

    /// The network's parameters.
    #[must_use]
    pub const fn params(&self) -> &'a NetworkParams {
        self.params
    }

    /// The slot the proof must answer.
    #[must_use]
    pub const fn slot(&self) -> &SlotContext<'a> {
        &self.slot
    }

    /// Holds a message's claims against the slot, then returns the slot's start time.
    ///
    /// # Errors
    /// As [`SlotContext::check`]; `SLOT_OUT_OF_RANGE`, `TIME_OVERFLOW`.
    pub(crate) fn check(&self, claims: &SlotClaims<'_>) -> Result<u64> {
        self.slot.check(claims)?;
        self.params.slot_start_unix(claims.epoch, claims.slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_mismatch_decides_in_one_order() {
        let challenge = [7u8; 32];
        let context = SlotContext {
            network_id: "poci-testnet",
            epoch: 3,
            slot: 4,
            challenge: &challenge,
            wallet: b"alice",
        };
        let other = [8u8; 32];
        let claims = |network_id, slot, challenge, wallet| SlotClaims {
            network_id,
            epoch: 3,
            slot,
            challenge,
            wallet,
        };
        let code = |claims: SlotClaims<'_>| context.check(&claims).err().map(|e| e.code());
        assert_eq!(code(claims("poci-testnet", 4, &challenge, b"alice")), None);
        assert_eq!(
            code(claims("poci-mainnet", 5, &other, b"mallory")),
            Some("WRONG_NETWORK")
        );
        assert_eq!(
            code(claims("poci-testnet", 5, &other, b"mallory")),
            Some("WRONG_SLOT")
        );
        assert_eq!(
            code(claims("poci-testnet", 4, &other, b"mallory")),
            Some("CHALLENGE_MISMATCH")
        );
        assert_eq!(
            code(claims("poci-testnet", 4, &challenge, b"mallory")),
            Some("WALLET_MISMATCH")
        );
    }
}
