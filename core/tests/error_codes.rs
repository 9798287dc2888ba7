//! One test per error code of SPEC.md, each producing the error from a real input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::*;
use poci::{
    ChipBindingTbs, DeviceKey, DevicePublicKey, Error, Heartbeat, HeartbeatRef, LeaseAcceptanceRef,
    LeaseAcceptanceTbs, NetworkParams, Signed, Verifier, derive_challenge,
};

fn verify(der: &[u8]) -> Result<poci::VerifiedHeartbeat, Error> {
    let challenge = challenge();
    Verifier::default().verify_heartbeat(der, chip().public_key(), &context(&challenge))
}

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> &'static str {
    result.unwrap_err().code()
}

fn with_field(index: usize, value: Vec<u8>) -> Vec<u8> {
    let mut fields = heartbeat_fields();
    fields[index] = value;
    sign_raw(&seq(&fields))
}

fn lease_tbs() -> LeaseAcceptanceTbs {
    LeaseAcceptanceTbs {
        network_id: "poci-testnet".into(),
        lease_id: b"lease-1".to_vec(),
        renter_wallet: b"renter".to_vec(),
        chip_key_id: *chip().key_id(),
        first_epoch: 10,
        last_epoch: 19,
        price: 5_000_000_000_000_000_000_000_000,
    }
}

fn binding_tbs(certificates: usize) -> ChipBindingTbs {
    ChipBindingTbs {
        network_id: "poci-testnet".into(),
        chip_serial: b"SN-0001".to_vec(),
        model_id: "nvidia-h100-sxm".into(),
        wallet: WALLET.to_vec(),
        binding_counter: 1,
        epoch: EPOCH,
        slot: SLOT,
        challenge: challenge(),
        certificates: vec![seq(&[octets(b"not a real certificate")]); certificates],
    }
}

#[test]
fn valid_heartbeat_verifies() {
    let verified = verify(&signed_heartbeat_der()).unwrap();
    assert_eq!(verified.heartbeat.counter, 1000);
    assert_eq!(verified.heartbeat, heartbeat_tbs());
}

#[test]
fn code_message_too_large() {
    let mut der = signed_heartbeat_der();
    der.resize(poci::limits::MAX_HEARTBEAT_LEN + 1, 0);
    assert_eq!(code(verify(&der)), "MESSAGE_TOO_LARGE");
}

#[test]
fn code_der_malformed() {
    let der = signed_heartbeat_der();
    assert_eq!(code(verify(&der[..der.len() - 1])), "DER_MALFORMED");
    assert_eq!(code(verify(&[])), "DER_MALFORMED");
    // A tbs whose slot is an OCTET STRING where an INTEGER belongs.
    assert_eq!(code(verify(&with_field(6, octets(&[1])))), "DER_MALFORMED");
}

#[test]
fn code_der_noncanonical() {
    // INTEGER 7 padded with a leading zero.
    assert_eq!(
        code(verify(&with_field(5, tlv(0x02, &[0, 7])))),
        "DER_NONCANONICAL"
    );
    // A long-form length for a short wallet.
    let mut long_wallet = vec![0x04, 0x81, WALLET.len() as u8];
    long_wallet.extend_from_slice(WALLET);
    assert_eq!(
        code(verify(&with_field(4, long_wallet))),
        "DER_NONCANONICAL"
    );
    // Indefinite length (BER).
    let mut fields = heartbeat_fields().concat();
    fields.extend([0, 0]);
    let mut indefinite = vec![0x30, 0x80];
    indefinite.extend(fields);
    assert_eq!(code(verify(&sign_raw(&indefinite))), "DER_NONCANONICAL");
}

#[test]
fn code_trailing_data() {
    let mut der = signed_heartbeat_der();
    der.push(0);
    assert_eq!(code(verify(&der)), "TRAILING_DATA");
}

#[test]
fn code_unsupported_version() {
    assert_eq!(code(verify(&with_field(0, uint(2)))), "UNSUPPORTED_VERSION");
    assert_eq!(
        HeartbeatRef::from_der(&with_field(0, uint(u128::MAX))).unwrap_err(),
        Error::UnsupportedVersion {
            kind: poci::MessageKind::Heartbeat,
            version: None
        }
    );
}

#[test]
fn code_wrong_domain_tag() {
    // A heartbeat presented as a lease acceptance.
    assert_eq!(
        code(LeaseAcceptanceRef::from_der(&signed_heartbeat_der())),
        "WRONG_DOMAIN_TAG"
    );
}

#[test]
fn code_field_empty() {
    assert_eq!(code(verify(&with_field(4, octets(&[])))), "FIELD_EMPTY");
}

#[test]
fn code_field_too_long() {
    assert_eq!(
        code(verify(&with_field(4, octets(&[7; 65])))),
        "FIELD_TOO_LONG"
    );
}

#[test]
fn code_field_wrong_length() {
    assert_eq!(
        code(verify(&with_field(3, octets(&[7; 31])))),
        "FIELD_WRONG_LENGTH"
    );
}

#[test]
fn code_integer_out_of_range() {
    assert_eq!(
        code(verify(&with_field(6, uint(1 << 32)))),
        "INTEGER_OUT_OF_RANGE"
    );
    assert_eq!(
        code(verify(&with_field(5, tlv(0x02, &[0xff])))),
        "INTEGER_OUT_OF_RANGE"
    );
}

#[test]
fn code_invalid_identifier() {
    assert_eq!(
        code(verify(&with_field(2, utf8("POCI-testnet")))),
        "INVALID_IDENTIFIER"
    );
}

#[test]
fn code_invalid_epoch_range() {
    let mut tbs = lease_tbs();
    tbs.first_epoch = 20;
    assert_eq!(code(Signed::sign(tbs, &chip())), "INVALID_EPOCH_RANGE");
}

#[test]
fn code_chain_too_long() {
    assert_eq!(code(binding_tbs(5).to_der()), "CHAIN_TOO_LONG");
    // And on the wire, where the list is cut off before it is read in full.
    let key = chip();
    let four = Signed::sign(binding_tbs(4), &key)
        .unwrap()
        .to_der()
        .unwrap();
    poci::ChipBindingRef::from_der(&four).unwrap();
    let five_der = {
        let certificates = vec![seq(&[octets(b"not a real certificate")]); 5];
        let fields = vec![
            uint(1),
            oid(&poci::oid::CHIP_BINDING_DOMAIN_DER),
            utf8("poci-testnet"),
            octets(b"SN-0001"),
            utf8("nvidia-h100-sxm"),
            octets(WALLET),
            uint(1),
            uint(u128::from(EPOCH)),
            uint(u128::from(SLOT)),
            octets(&challenge()),
            seq(&certificates),
        ];
        sign_raw(&seq(&fields))
    };
    assert_eq!(
        code(poci::ChipBindingRef::from_der(&five_der)),
        "CHAIN_TOO_LONG"
    );
}

#[test]
fn code_json_invalid() {
    let json = Signed::sign(heartbeat_tbs(), &chip())
        .unwrap()
        .to_json()
        .unwrap();
    assert_eq!(
        code(Heartbeat::from_json(&json.to_uppercase())),
        "JSON_INVALID"
    );
    assert_eq!(
        code(Heartbeat::from_json(&json[..json.len() - 2])),
        "JSON_INVALID"
    );
    let padded = json.replace("\"epoch\":\"7\"", "\"epoch\":\"07\"");
    assert_ne!(padded, json);
    assert_eq!(code(Heartbeat::from_json(&padded)), "JSON_INVALID");
}

#[test]
fn code_signature_malformed() {
    let der = with_signature(&signed_heartbeat_der(), &[0x30, 0x03, 0x02, 0x01, 0x01]);
    assert_eq!(code(verify(&der)), "SIGNATURE_MALFORMED");
}

#[test]
fn code_signature_high_s() {
    let der = signed_heartbeat_der();
    let signature = HeartbeatRef::from_der(&der).unwrap().signature().to_vec();
    let twin = high_s_twin(&signature);
    assert_ne!(twin, signature);
    assert_eq!(
        code(verify(&with_signature(&der, &twin))),
        "SIGNATURE_HIGH_S"
    );
}

#[test]
fn code_signature_invalid() {
    let der = signed_heartbeat_der();
    let other = chip().sign(b"another message").unwrap();
    assert_eq!(
        code(verify(&with_signature(&der, &other))),
        "SIGNATURE_INVALID"
    );
}

#[test]
fn code_public_key_invalid() {
    assert_eq!(
        code(DevicePublicKey::from_sec1_bytes(&[4; 65])),
        "PUBLIC_KEY_INVALID"
    );
}

#[test]
fn code_device_key_invalid() {
    assert_eq!(
        code(DeviceKey::from_secret_bytes(&[0; 32])),
        "DEVICE_KEY_INVALID"
    );
}

#[test]
fn code_chip_key_mismatch() {
    let other = DeviceKey::from_seed(b"another chip").unwrap();
    let challenge = challenge();
    let result = Verifier::default().verify_heartbeat(
        &signed_heartbeat_der(),
        other.public_key(),
        &context(&challenge),
    );
    assert_eq!(code(result), "CHIP_KEY_MISMATCH");
}

#[test]
fn code_wrong_network() {
    let mut tbs = heartbeat_tbs();
    tbs.network_id = "poci-mainnet".into();
    let der = Signed::sign(tbs, &chip()).unwrap().to_der().unwrap();
    assert_eq!(code(verify(&der)), "WRONG_NETWORK");
}

#[test]
fn code_wrong_slot() {
    let mut tbs = heartbeat_tbs();
    tbs.slot += 1;
    let der = Signed::sign(tbs, &chip()).unwrap().to_der().unwrap();
    assert_eq!(
        verify(&der).unwrap_err(),
        Error::WrongSlot {
            expected_epoch: EPOCH,
            expected_slot: SLOT,
            epoch: EPOCH,
            slot: SLOT + 1
        }
    );
}

#[test]
fn code_challenge_mismatch() {
    let mut tbs = heartbeat_tbs();
    tbs.challenge = derive_challenge(&params(), EPOCH, SLOT, &[0x12; 32]).unwrap();
    let der = Signed::sign(tbs, &chip()).unwrap().to_der().unwrap();
    assert_eq!(code(verify(&der)), "CHALLENGE_MISMATCH");
}

#[test]
fn code_wallet_mismatch() {
    let mut tbs = heartbeat_tbs();
    tbs.wallet = b"wallet-of-mallory".to_vec();
    let der = Signed::sign(tbs, &chip()).unwrap().to_der().unwrap();
    assert_eq!(code(verify(&der)), "WALLET_MISMATCH");
}

#[test]
fn code_invalid_network_params() {
    assert_eq!(
        code(NetworkParams::new("poci", 0, 3600, 7)),
        "INVALID_NETWORK_PARAMS"
    );
}

#[test]
fn code_slot_out_of_range() {
    assert_eq!(
        code(derive_challenge(&params(), 0, 120, &BEACON)),
        "SLOT_OUT_OF_RANGE"
    );
}

#[test]
fn code_time_overflow() {
    assert_eq!(code(params().slot_start_unix(u64::MAX, 0)), "TIME_OVERFLOW");
}

#[test]
fn code_before_genesis() {
    assert_eq!(code(params().slot_at_unix(0)), "BEFORE_GENESIS");
}

/// Every code of SPEC.md has a `code_*` test (in one of the files below), and SPEC.md lists every code.
#[test]
fn every_code_has_a_test_and_a_spec_entry() {
    let this_file = [
        include_str!("error_codes.rs"),
        include_str!("binding.rs"),
        include_str!("registry.rs"),
        include_str!("rewards.rs"),
        include_str!("ledger.rs"),
        include_str!("bounded_cost.rs"),
        include_str!("nvidia_report.rs"),
        include_str!("nvidia_ledger.rs"),
        include_str!("consensus_rules.rs"),
    ]
    .concat();
    let spec = include_str!("data/SPEC.md");
    for code in Error::ALL_CODES {
        let test_name = format!("fn code_{}()", code.to_lowercase());
        assert!(this_file.contains(&test_name), "no test {test_name}");
        assert!(
            spec.contains(&format!("`{code}`")),
            "SPEC.md does not list {code}"
        );
    }
}
