//! Shared fixtures of the integration tests: a network, a chip, a signed heartbeat,
//! and a hand-written DER builder for inputs the library itself refuses to produce.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use poci::{DeviceKey, HeartbeatTbs, KeyId, NetworkParams, Signed, SlotContext, derive_challenge};

pub const WALLET: &[u8] = b"wallet-of-alice";
pub const EPOCH: u64 = 7;
pub const SLOT: u32 = 42;
pub const BEACON: [u8; 32] = [0x11; 32];

pub fn params() -> NetworkParams {
    NetworkParams::new("poci-testnet", 1_767_225_600, 3600, 120).unwrap()
}

pub fn chip() -> DeviceKey {
    DeviceKey::from_seed(b"test chip 1").unwrap()
}

pub fn challenge() -> [u8; 32] {
    derive_challenge(&params(), EPOCH, SLOT, &BEACON).unwrap()
}

pub fn heartbeat_tbs() -> HeartbeatTbs {
    HeartbeatTbs {
        network_id: params().network_id().to_owned(),
        chip_key_id: *chip().key_id(),
        wallet: WALLET.to_vec(),
        epoch: EPOCH,
        slot: SLOT,
        challenge: challenge(),
        counter: 1000,
        measurement: Some([0x22; 32]),
    }
}

pub fn signed_heartbeat_der() -> Vec<u8> {
    Signed::sign(heartbeat_tbs(), &chip())
        .unwrap()
        .to_der()
        .unwrap()
}

/// The context of [`heartbeat_tbs`]; the challenge is passed in to borrow it.
pub fn context(challenge: &[u8; 32]) -> SlotContext<'static> {
    let network_id: &'static str = "poci-testnet";
    SlotContext {
        network_id,
        epoch: EPOCH,
        slot: SLOT,
        challenge: Box::leak(Box::new(*challenge)),
        wallet: WALLET,
    }
}

pub fn key_id(key: &DeviceKey) -> KeyId {
    *key.key_id()
}

pub use poci::der_builder::{octets, oid, seq, tlv, uint, utf8};

/// The fields of a heartbeat tbs, as DER TLVs, for tests to alter one by one.
pub fn heartbeat_fields() -> Vec<Vec<u8>> {
    let tbs = heartbeat_tbs();
    vec![
        uint(1),
        oid(&poci::oid::HEARTBEAT_DOMAIN_DER),
        utf8(&tbs.network_id),
        octets(&tbs.chip_key_id.0),
        octets(&tbs.wallet),
        uint(u128::from(tbs.epoch)),
        uint(u128::from(tbs.slot)),
        octets(&tbs.challenge),
        uint(u128::from(tbs.counter)),
        tlv(0x80, &tbs.measurement.unwrap()),
    ]
}

/// A signed message from hand-made tbs bytes.
pub fn sign_raw(tbs_der: &[u8]) -> Vec<u8> {
    let signature = chip().sign(tbs_der).unwrap();
    seq(&[tbs_der.to_vec(), octets(&signature)])
}

/// P-256 group order.
pub const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// The other valid signature of the same message: (r, n - s).
pub fn high_s_twin(signature_der: &[u8]) -> Vec<u8> {
    let parsed = poci::EcdsaSignature::from_der(signature_der).unwrap();
    let s = parsed.s();
    let mut twin = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(ORDER[i]) - i16::from(s[i]) - borrow;
        borrow = if d < 0 {
            d += 256;
            1
        } else {
            0
        };
        twin[i] = d as u8;
    }
    let int = |bytes: &[u8; 32]| {
        let first = bytes.iter().position(|b| *b != 0).unwrap();
        let mut content = bytes[first..].to_vec();
        if content[0] & 0x80 != 0 {
            content.insert(0, 0);
        }
        tlv(0x02, &content)
    };
    seq(&[int(parsed.r()), int(&twin)])
}

/// Replaces the signature of a signed message.
pub fn with_signature(message_der: &[u8], signature: &[u8]) -> Vec<u8> {
    let parsed = poci::HeartbeatRef::from_der(message_der).unwrap();
    seq(&[parsed.tbs_der().to_vec(), octets(signature)])
}

pub mod vendors;
