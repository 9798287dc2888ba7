//! The vector files and their cases.
// The generator crafts fixed inputs: an out-of-range index or overflow here can only abort a
// generation run (and the byte-for-byte check would catch its output), never a node.
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use serde_json::{Value, json};

use poci::rewards::emission::{
    EmissionSchedule, HalvingSchedule, InflationSchedule, RewardDecay, RewardTier,
    TieredDecaySchedule,
};
use poci::rewards::pools::{NamedPool, PoolSplit};
use poci::x509::mint::{
    CertificateTemplate, DistinguishedName, Issuer, TEST_DEVICE_NOT_AFTER, TEST_NOT_BEFORE,
    TestVendor, X509Extension, device_extensions, issue_certificate, mint_crl,
    mint_device_certificate, mint_intermediate, mint_root, testnet_vendor, to_pem,
};
use poci::{
    ChipBindingTbs, ChipIdentity, DeviceKey, EcdsaSignature, Error, HeartbeatRef, HeartbeatTbs,
    LeaseAcceptanceTbs, NetworkParams, Signed, derive_challenge,
};

use super::FileBuilder;
use crate::VectorFile;
use poci::der_builder::{octets, oid, seq, tlv, uint, utf8};

type Result<T> = core::result::Result<T, Error>;

const NETWORK: &str = "poci-testnet";
const EPOCH: u64 = 7;
const SLOT: u32 = 42;
const WALLET: &[u8] = b"wallet-of-alice";

/// One file of the embedded vendor-roots/, as text ("" if absent: the vectors would show it).
fn embedded_text(path: &str) -> &'static str {
    poci::embedded::FILES
        .iter()
        .find(|file| file.path == path)
        .and_then(|file| core::str::from_utf8(file.bytes).ok())
        .unwrap_or_default()
}

/// The embedded manifests of the real vendors (`test_vendors` false) or of the test
/// vendors, in vendor order, labelled by their repository path as the vectors show them.
fn embedded_manifests(test_vendors: bool) -> Vec<(String, &'static str)> {
    poci::embedded::FILES
        .iter()
        .filter(|file| file.path.ends_with("/manifest.toml") && !file.path.contains("testnet/"))
        .filter_map(|file| {
            let toml = core::str::from_utf8(file.bytes).ok()?;
            let manifest = poci::VendorManifest::from_toml(file.path, toml).ok()?;
            (manifest.test == test_vendors).then(|| (format!("vendor-roots/{}", file.path), toml))
        })
        .collect()
}

/// A value's JSON form as a `Value`, with core's own error.
fn json_value<T: serde::Serialize>(value: &T) -> Result<Value> {
    poci::json::from_json(&poci::json::to_json(value)?)
}

/// A ledger submission step made in its own slot: its `now` (the network's current slot)
/// is the slot it answers, unless the step names another.
fn in_its_slot(mut step: Value) -> Value {
    if let Some(object) = step.as_object_mut() {
        let submits = matches!(
            object.get("op").and_then(Value::as_str),
            Some("bind" | "heartbeat" | "bind_nvidia" | "heartbeat_nvidia")
        );
        if submits && !object.contains_key("now") {
            let now = json!({ "epoch": object.get("epoch").cloned(), "slot": object.get("slot").cloned() });
            object.insert("now".to_owned(), now);
        }
    }
    step
}

/// Every step of a ledger case in its own slot ([`in_its_slot`]).
fn in_their_slots(steps: Vec<Value>) -> Vec<Value> {
    steps.into_iter().map(in_its_slot).collect()
}

fn h(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn params() -> Result<NetworkParams> {
    NetworkParams::new(NETWORK, TEST_NOT_BEFORE, 3600, 120)
}

fn params_json() -> Result<Value> {
    json_value(&params()?)
}

fn challenge_at(epoch: u64, slot: u32) -> Result<[u8; 32]> {
    derive_challenge(&params()?, epoch, slot, &epoch.to_be_bytes())
}

fn challenge() -> Result<[u8; 32]> {
    challenge_at(EPOCH, SLOT)
}

/// Every vector file, in name order.
///
/// # Errors
/// Only if minting or signing fails (not expected).
pub fn all_files() -> Result<Vec<VectorFile>> {
    Ok(vec![
        bindings()?,
        consensus()?,
        emission()?,
        evidence()?,
        heartbeats()?,
        keys()?,
        ledger()?,
        messages()?,
        registry()?,
        rewards()?,
        time()?,
    ])
}

mod adversarial;
mod bindings;
mod consensus;
mod emission;
mod evidence;
mod heartbeats;
mod keys;
mod ledger;
mod messages;
mod registry;
mod rewards;
mod time;

use adversarial::*;
use bindings::*;
use consensus::*;
use emission::*;
use evidence::*;
use heartbeats::*;
use keys::*;
use ledger::*;
use messages::*;
use registry::*;
use rewards::*;
use time::*;
