//! The attacks a real network meets, each with the verdict POCI must give. The run fails if
//! any is accepted or refused for another reason.

use poci::x509::mint::TestVendor;
use poci::{
    ChipBindingTbs, ChipIdentity, DeviceKey, EcdsaSignature, HeartbeatRef, HeartbeatTbs, Signed,
    SlotId,
};
use serde::Serialize;

use crate::error::{CliError, setup};

/// What the ledger must answer to an attack: an error code, or equivocation evidence.
pub const EQUIVOCATION: &str = "EQUIVOCATION_EVIDENCE";

/// One attack and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttackOutcome {
    /// Short name.
    pub name: &'static str,
    /// What the attacker tried.
    pub description: &'static str,
    /// The verdict POCI must give.
    pub expected: &'static str,
    /// The verdict it gave (`ACCEPTED` if it took the input).
    pub got: String,
    /// Where in the run it happened.
    pub at: SlotId,
}

impl AttackOutcome {
    /// Whether POCI gave the expected verdict.
    pub fn refused_as_expected(&self) -> bool {
        self.got == self.expected
    }
}

/// An attack submitted as a heartbeat: the bytes and the verdict they must get.
#[derive(Debug, Clone)]
pub struct HeartbeatAttack {
    /// Short name.
    pub name: &'static str,
    /// What it tries.
    pub description: &'static str,
    /// Expected code.
    pub expected: &'static str,
    /// The bytes submitted.
    pub der: Vec<u8>,
}

/// An attack submitted as a binding, with the wallet that submits it.
#[derive(Debug, Clone)]
pub struct BindingAttack {
    /// Short name.
    pub name: &'static str,
    /// What it tries.
    pub description: &'static str,
    /// Expected code, or [`EQUIVOCATION`].
    pub expected: &'static str,
    /// The bytes submitted.
    pub der: Vec<u8>,
    /// The submitting wallet.
    pub submitter: Vec<u8>,
}

/// What a bound, online chip gives the attacks to work with in the attack slot.
#[derive(Debug, Clone, Copy)]
pub struct Victim<'a> {
    /// The chip's key.
    pub key: &'a DeviceKey,
    /// Its honest heartbeat for this slot.
    pub heartbeat: &'a [u8],
    /// Its wallet.
    pub wallet: &'a [u8],
    /// The counter of its honest heartbeat.
    pub counter: u64,
}

/// The heartbeat attacks of the attack slot: forgeries of `victim`'s honest heartbeat, a
/// replay of `previous` (another chip's heartbeat of the slot before), and strangers.
pub fn heartbeat_attacks(
    network_id: &str,
    at: SlotId,
    challenge: &[u8; 32],
    victim: Victim<'_>,
    previous: &[u8],
) -> Result<Vec<HeartbeatAttack>, CliError> {
    let fail = setup("building an attack");
    let parsed = HeartbeatRef::from_der(victim.heartbeat).map_err(setup("building an attack"))?;
    let mut high_s = Signed::<HeartbeatTbs>::from_der(victim.heartbeat).map_err(fail)?;
    high_s.signature = EcdsaSignature::from_der(parsed.signature())
        .map_err(setup("building an attack"))?
        .twin()
        .to_der();
    let sign = |key: &DeviceKey, tbs: HeartbeatTbs| {
        Signed::sign(tbs, key)
            .and_then(|signed| signed.to_der())
            .map_err(setup("building an attack"))
    };
    let honest_tbs = HeartbeatTbs {
        network_id: network_id.to_owned(),
        chip_key_id: *victim.key.key_id(),
        wallet: victim.wallet.to_vec(),
        epoch: at.epoch,
        slot: at.slot,
        challenge: *challenge,
        counter: victim.counter,
        measurement: None,
    };
    let mut precomputed = honest_tbs.clone();
    precomputed.challenge = poci::derive_challenge(
        &poci::NetworkParams::new(network_id, 0, 1, 1).map_err(setup("building an attack"))?,
        at.epoch,
        0,
        &[0x5a; 32],
    )
    .map_err(setup("building an attack"))?;
    let mut other_network = honest_tbs.clone();
    other_network.network_id = "poci-mainnet".to_owned();
    let mut redirected = honest_tbs.clone();
    redirected.wallet = b"wallet-of-a-thief".to_vec();
    let stranger = DeviceKey::from_seed(b"a chip that was never bound")
        .map_err(setup("building an attack"))?;
    let mut unknown = honest_tbs.clone();
    unknown.chip_key_id = *stranger.key_id();
    let truncated = victim
        .heartbeat
        .get(..victim.heartbeat.len() / 2)
        .unwrap_or_default()
        .to_vec();
    Ok(vec![
        HeartbeatAttack {
            name: "high-S twin",
            description: "the same heartbeat with its signature's malleable twin (r, n - s), sent first",
            expected: "SIGNATURE_HIGH_S",
            der: high_s.to_der().map_err(setup("building an attack"))?,
        },
        HeartbeatAttack {
            name: "replayed heartbeat",
            description: "another chip's heartbeat of the previous slot, resubmitted for this one",
            expected: "WRONG_SLOT",
            der: previous.to_vec(),
        },
        HeartbeatAttack {
            name: "wrong challenge",
            description: "a heartbeat signed ahead of time over a challenge the chain never issued",
            expected: "CHALLENGE_MISMATCH",
            der: sign(victim.key, precomputed)?,
        },
        HeartbeatAttack {
            name: "truncated message",
            description: "the first half of a valid heartbeat",
            expected: "DER_MALFORMED",
            der: truncated,
        },
        HeartbeatAttack {
            name: "other network",
            description: "a heartbeat for another network's id",
            expected: "WRONG_NETWORK",
            der: sign(victim.key, other_network)?,
        },
        HeartbeatAttack {
            name: "redirected reward",
            description: "a heartbeat naming a wallet the chip is not bound to",
            expected: "WALLET_MISMATCH",
            der: sign(victim.key, redirected)?,
        },
        HeartbeatAttack {
            name: "unregistered chip",
            description: "a heartbeat from a key that never bound",
            expected: "UNKNOWN_CHIP",
            der: sign(&stranger, unknown)?,
        },
    ])
}

/// The honest heartbeat sent a second time, after the original.
pub fn duplicate(victim: Victim<'_>) -> HeartbeatAttack {
    HeartbeatAttack {
        name: "duplicate heartbeat",
        description: "a valid heartbeat submitted twice in its slot",
        expected: "COUNTER_REPLAY",
        der: victim.heartbeat.to_vec(),
    }
}

/// The context of a binding in the attack slot.
#[derive(Debug, Clone, Copy)]
pub struct BindingSlot<'a> {
    /// Network id.
    pub network_id: &'a str,
    /// The slot.
    pub at: SlotId,
    /// Its challenge.
    pub challenge: &'a [u8; 32],
}

/// A chip's binding for `slot`.
pub fn binding(
    slot: BindingSlot<'_>,
    key: &DeviceKey,
    identity: &ChipIdentity,
    certificates: Vec<Vec<u8>>,
    wallet: &[u8],
    counter: u64,
) -> Result<Vec<u8>, CliError> {
    let tbs = ChipBindingTbs {
        network_id: slot.network_id.to_owned(),
        chip_serial: identity.serial.clone(),
        model_id: identity.model_id.clone(),
        wallet: wallet.to_vec(),
        binding_counter: counter,
        epoch: slot.at.epoch,
        slot: slot.at.slot,
        challenge: *slot.challenge,
        certificates,
    };
    Signed::sign(tbs, key)
        .and_then(|signed| signed.to_der())
        .map_err(setup("signing a binding"))
}

/// A bound chip the binding attacks reuse.
#[derive(Debug, Clone, Copy)]
pub struct BoundChip<'a> {
    /// Its key.
    pub key: &'a DeviceKey,
    /// Its identity.
    pub identity: &'a ChipIdentity,
    /// Device certificate and intermediate.
    pub certificates: &'a [Vec<u8>],
    /// Its wallet.
    pub wallet: &'a [u8],
    /// Its current binding counter.
    pub counter: u64,
    /// Its first binding (of another slot).
    pub first_binding: &'a [u8],
}

/// The binding attacks of the attack slot.
pub fn binding_attacks(
    slot: BindingSlot<'_>,
    bound: BoundChip<'_>,
    sale_binding: &[u8],
    foreign_vendor: &TestVendor,
) -> Result<Vec<BindingAttack>, CliError> {
    // A vendor nobody trusts, claiming to be NVIDIA.
    let rogue =
        TestVendor::new("nvidia", "NVIDIA", "rogue/nvidia").map_err(setup("rogue vendor"))?;
    let rogue_identity = ChipIdentity {
        model_id: "nvidia-h100-sxm".to_owned(),
        serial: b"ROGUE-0001".to_vec(),
        security_version: 1,
    };
    let (rogue_key, rogue_certificate) = rogue
        .mint_chip(b"rogue chip", &rogue_identity, 1)
        .map_err(setup("rogue chip"))?;
    // A real vendor's testnet CA certifying a model of another vendor.
    let foreign_identity = ChipIdentity {
        model_id: "nvidia-h100-sxm".to_owned(),
        serial: b"FOREIGN-0001".to_vec(),
        security_version: 1,
    };
    let (foreign_key, foreign_certificate) = foreign_vendor
        .mint_chip(b"foreign-model chip", &foreign_identity, 1)
        .map_err(setup("foreign chip"))?;
    let thief = b"wallet-of-a-thief".to_vec();
    Ok(vec![
        BindingAttack {
            name: "unknown root",
            description: "an H100 certified by a CA that chains to no trusted root",
            expected: "UNKNOWN_ISSUER",
            der: binding(
                slot,
                &rogue_key,
                &rogue_identity,
                vec![rogue_certificate, rogue.intermediate_der.clone()],
                &thief,
                1,
            )?,
            submitter: thief.clone(),
        },
        BindingAttack {
            name: "another vendor's model",
            description: "a chip certified by one vendor's CA claiming another vendor's model",
            expected: "MODEL_NOT_ALLOWED_FOR_VENDOR",
            der: binding(
                slot,
                &foreign_key,
                &foreign_identity,
                vec![foreign_certificate, foreign_vendor.intermediate_der.clone()],
                &thief,
                1,
            )?,
            submitter: thief.clone(),
        },
        BindingAttack {
            name: "equivocating binding",
            description: "a second, different binding with the chip's current counter, to another wallet",
            expected: EQUIVOCATION,
            der: binding(
                slot,
                bound.key,
                bound.identity,
                bound.certificates.to_vec(),
                &thief,
                bound.counter,
            )?,
            submitter: thief.clone(),
        },
        BindingAttack {
            name: "front-run claim",
            description: "the sale's binding copied from the mempool and submitted by another wallet",
            expected: "WALLET_MISMATCH",
            der: sale_binding.to_vec(),
            submitter: thief.clone(),
        },
        BindingAttack {
            name: "replayed binding",
            description: "a chip's first binding resubmitted in a later slot",
            expected: "WRONG_SLOT",
            der: bound.first_binding.to_vec(),
            submitter: bound.wallet.to_vec(),
        },
    ])
}
