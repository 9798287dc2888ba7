//! Round trips and invariants of the wire formats (proptest), plus byte-flip tamper tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::*;
use poci::{
    Backend, ChipBinding, ChipBindingRef, ChipBindingTbs, Heartbeat, HeartbeatRef, HeartbeatTbs,
    KeyId, LeaseAcceptance, LeaseAcceptanceRef, LeaseAcceptanceTbs, Signed, Verifier,
};
use proptest::prelude::*;

fn identifier(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-z0-9][a-z0-9._-]{{0,{}}}", max - 1)).unwrap()
}

fn bytes(min: usize, max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), min..=max)
}

/// Signature bytes of any allowed length: decoding does not judge their structure.
fn signature() -> impl Strategy<Value = Vec<u8>> {
    bytes(1, 72)
}

fn heartbeat() -> impl Strategy<Value = Heartbeat> {
    (
        identifier(32),
        any::<[u8; 32]>(),
        bytes(1, 64),
        any::<u64>(),
        any::<u32>(),
        any::<[u8; 32]>(),
        any::<u64>(),
        proptest::option::of(any::<[u8; 32]>()),
        signature(),
    )
        .prop_map(
            |(network_id, key, wallet, epoch, slot, challenge, counter, measurement, signature)| {
                Signed {
                    tbs: HeartbeatTbs {
                        network_id,
                        chip_key_id: KeyId(key),
                        wallet,
                        epoch,
                        slot,
                        challenge,
                        counter,
                        measurement,
                    },
                    signature,
                }
            },
        )
}

fn certificate() -> impl Strategy<Value = Vec<u8>> {
    bytes(0, 300).prop_map(|content| seq(&[octets(&content)]))
}

fn binding() -> impl Strategy<Value = ChipBinding> {
    (
        (identifier(32), bytes(1, 64), identifier(64), bytes(1, 64)),
        (any::<u64>(), any::<u64>(), any::<u32>(), any::<[u8; 32]>()),
        proptest::collection::vec(certificate(), 1..=4),
        signature(),
    )
        .prop_map(
            |(
                (network_id, chip_serial, model_id, wallet),
                (binding_counter, epoch, slot, challenge),
                certificates,
                signature,
            )| Signed {
                tbs: ChipBindingTbs {
                    network_id,
                    chip_serial,
                    model_id,
                    wallet,
                    binding_counter,
                    epoch,
                    slot,
                    challenge,
                    certificates,
                },
                signature,
            },
        )
}

fn lease() -> impl Strategy<Value = LeaseAcceptance> {
    (
        identifier(32),
        bytes(1, 64),
        bytes(1, 64),
        any::<[u8; 32]>(),
        any::<u64>(),
        any::<u64>(),
        any::<u128>(),
        signature(),
    )
        .prop_map(
            |(network_id, lease_id, renter_wallet, key, a, b, price, signature)| Signed {
                tbs: LeaseAcceptanceTbs {
                    network_id,
                    lease_id,
                    renter_wallet,
                    chip_key_id: KeyId(key),
                    first_epoch: a.min(b),
                    last_epoch: a.max(b),
                    price,
                },
                signature,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn heartbeat_round_trips(message in heartbeat()) {
        let der = message.to_der().unwrap();
        prop_assert_eq!(&Heartbeat::from_der(&der).unwrap(), &message);
        let json = message.to_json().unwrap();
        let back = Heartbeat::from_json(&json).unwrap();
        prop_assert_eq!(back.to_der().unwrap(), der.clone());
        prop_assert_eq!(HeartbeatRef::from_der(&der).unwrap().der(), &der[..]);
    }

    #[test]
    fn binding_round_trips(message in binding()) {
        let der = message.to_der().unwrap();
        prop_assert_eq!(&ChipBinding::from_der(&der).unwrap(), &message);
        let back = ChipBinding::from_json(&message.to_json().unwrap()).unwrap();
        prop_assert_eq!(back.to_der().unwrap(), der.clone());
        prop_assert_eq!(ChipBindingRef::from_der(&der).unwrap().tbs().certificates.len(), message.tbs.certificates.len());
    }

    #[test]
    fn lease_round_trips(message in lease()) {
        let der = message.to_der().unwrap();
        prop_assert_eq!(&LeaseAcceptance::from_der(&der).unwrap(), &message);
        let back = LeaseAcceptance::from_json(&message.to_json().unwrap()).unwrap();
        prop_assert_eq!(back.to_der().unwrap(), der);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(input in bytes(0, 600)) {
        let _ = HeartbeatRef::from_der(&input);
        let _ = ChipBindingRef::from_der(&input);
        let _ = LeaseAcceptanceRef::from_der(&input);
        let _ = poci::EcdsaSignature::from_der(&input);
        let _ = poci::DevicePublicKey::from_sec1_bytes(&input);
    }

    #[test]
    fn decoding_mutated_messages_never_panics(message in heartbeat(), position in any::<usize>(), value in any::<u8>()) {
        let mut der = message.to_der().unwrap();
        let index = position % der.len();
        der[index] = value;
        if let Ok(parsed) = HeartbeatRef::from_der(&der) {
            // Whatever still parses re-encodes to the very same bytes: one encoding per message.
            prop_assert_eq!(parsed.to_owned_message().to_der().unwrap(), der);
        }
    }

    #[test]
    fn parsing_arbitrary_json_never_panics(text in ".{0,300}") {
        let _ = Heartbeat::from_json(&text);
        let _ = ChipBinding::from_json(&text);
        let _ = LeaseAcceptance::from_json(&text);
    }

    #[test]
    fn flipping_any_byte_of_a_signed_heartbeat_fails_verification(position in any::<usize>(), mask in 1u8..=255) {
        let mut der = signed_heartbeat_der();
        let index = position % der.len();
        der[index] ^= mask;
        let challenge = challenge();
        for backend in Backend::ALL {
            let verdict = Verifier::new(*backend).verify_heartbeat(&der, chip().public_key(), &context(&challenge));
            prop_assert!(verdict.is_err(), "byte {} ^ {:#04x} verified with {:?}", index, mask, backend);
        }
    }
}

#[test]
fn flipping_each_byte_fails_verification_exhaustively() {
    let original = signed_heartbeat_der();
    let challenge = challenge();
    let context = context(&challenge);
    assert!(
        Verifier::default()
            .verify_heartbeat(&original, chip().public_key(), &context)
            .is_ok()
    );
    for index in 0..original.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut der = original.clone();
            der[index] ^= mask;
            for backend in Backend::ALL {
                assert!(
                    Verifier::new(*backend)
                        .verify_heartbeat(&der, chip().public_key(), &context)
                        .is_err(),
                    "byte {index} ^ {mask:#04x} verified with {backend:?}"
                );
            }
        }
    }
}

#[test]
fn json_form_is_stable() {
    let message = Signed::sign(heartbeat_tbs(), &chip()).unwrap();
    let json = message.to_json().unwrap();
    assert!(
        json.starts_with(r#"{"tbs":{"network_id":"poci-testnet","chip_key_id":""#),
        "{json}"
    );
    assert!(json.contains(r#""epoch":"7","slot":42,"#), "{json}");
    assert!(
        json.contains(r#""counter":"1000","measurement":"2222"#),
        "{json}"
    );
    let unknown = json.replacen(r#"{"tbs":{"#, r#"{"tbs":{"extra":1,"#, 1);
    assert_eq!(
        Heartbeat::from_json(&unknown).unwrap_err().code(),
        "JSON_INVALID"
    );
}

#[test]
fn signing_is_deterministic() {
    let a = Signed::sign(heartbeat_tbs(), &chip())
        .unwrap()
        .to_der()
        .unwrap();
    let b = Signed::sign(heartbeat_tbs(), &chip())
        .unwrap()
        .to_der()
        .unwrap();
    assert_eq!(a, b);
}

/// The worked example of SPEC.md 6.5 is what this implementation produces, byte for byte.
#[test]
fn spec_worked_heartbeat_example() {
    let spec = include_str!("data/SPEC.md");
    let chip = poci::DeviceKey::from_seed(b"demo chip 1").unwrap();
    assert_eq!(
        hex::encode(chip.to_secret_bytes()),
        "91a82999edbebd90966a9a5f29e7326c9df5af66971be66eeec6099570e1a3c2"
    );
    let tbs = HeartbeatTbs {
        network_id: "poci-testnet".into(),
        chip_key_id: *chip.key_id(),
        wallet: b"wallet-of-alice".to_vec(),
        epoch: EPOCH,
        slot: SLOT,
        challenge: challenge(),
        counter: 1,
        measurement: None,
    };
    let challenge_line = format!("challenge = {}", hex::encode(challenge()));
    assert!(
        spec.contains(&challenge_line),
        "SPEC.md 5 does not show {challenge_line}"
    );
    let der = Signed::sign(tbs, &chip).unwrap().to_der().unwrap();
    let der_hex = hex::encode(&der);
    assert!(
        spec.contains(&format!("`{der_hex}`")),
        "SPEC.md 6.5 does not show {der_hex}"
    );
    let proof_id = hex::encode(HeartbeatRef::from_der(&der).unwrap().proof_id());
    assert!(spec.contains(&format!("proof id is `{proof_id}`")));
    assert!(spec.contains(&format!("key id\n`{}`", chip.key_id())));
}

/// JSON forms also deserialise from owned input (serde_json::Value, readers).
#[test]
fn json_forms_read_from_owned_values() {
    let message = Signed::sign(heartbeat_tbs(), &chip()).unwrap();
    let value = serde_json::to_value(&message).unwrap();
    let back: Heartbeat = serde_json::from_value(value).unwrap();
    assert_eq!(back, message);
    let expected = params();
    let text = serde_json::to_string(&expected).unwrap();
    let read: poci::NetworkParams = serde_json::from_reader(text.as_bytes()).unwrap();
    assert_eq!(read, expected);
}
