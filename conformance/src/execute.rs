//! Runs one operation of conformance/README.md against this implementation.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use poci::rewards::allocation::{AllocationInput, AllocationPolicy, allocate};
use poci::rewards::emission::EmissionSchedule;
use poci::rewards::lease::settle;
use poci::rewards::pools::PoolSplit;
use poci::rewards::producer::select_producer;
use poci::{
    BindingContext, ChipBinding, ChipBindingRef, ChipLedger, ChipModelRegistry, DeviceKey,
    DevicePublicKey, Error, Heartbeat, HeartbeatItem, HeartbeatRef, HeartbeatSec1Item, JsonProblem,
    KeyId, LeaseAcceptance, LeaseAcceptanceRef, ManifestSource, NetworkParams, RegistrySchedule,
    RootKind, SlotContext, SlotId, TrustPolicy, TrustStore, UnknownRevocationPolicy, Verifier,
    derive_challenge,
};

use crate::input::{
    bytes, bytes32, dec64, dec128, field, network_params, network_policy, num32, text, typed,
};

fn unknown() -> Error {
    Error::JsonInvalid {
        problem: JsonProblem::Schema,
        line: 0,
        column: 0,
    }
}

/// Why a case could not be judged: the implementation's verdict, or a fault of the vectors
/// or the runner itself (which must fail the run, never pass as an expected error).
#[derive(Debug)]
pub enum ExecError {
    /// POCI refused the input: its code is the case's verdict.
    Case(Error),
    /// The case cannot be run as written: an unknown operation, trust store or ledger step,
    /// or a ledger setup step that failed.
    Harness(String),
}

impl From<Error> for ExecError {
    fn from(error: Error) -> Self {
        Self::Case(error)
    }
}

/// A case written wrong (an unknown kind or policy, a field of the wrong shape): the run
/// fails, never passing as an expected `JSON_INVALID`.
fn harness(why: &str) -> ExecError {
    ExecError::Harness(why.to_owned())
}

fn to_value<T: serde::Serialize, E: From<Error>>(value: &T) -> Result<Value, E> {
    // Through the JSON text, so the error is core's own (no foreign error in its API).
    poci::json::from_json(&poci::json::to_json(value)?).map_err(E::from)
}

/// Runs `operation` on `input`; `trust_stores` are the file's named trust stores.
///
/// # Errors
/// [`ExecError::Case`] with the POCI error the operation ends with (its code is the expected
/// `error`); [`ExecError::Harness`] when the case cannot be run as written.
pub fn execute(
    operation: &str,
    input: &Value,
    trust_stores: &BTreeMap<String, Value>,
) -> Result<Value, ExecError> {
    match operation {
        "network_params" => {
            let params = NetworkParams::new(
                text(input, "network_id")?,
                dec64(input, "genesis_unix")?,
                dec64(input, "epoch_seconds")?,
                num32(input, "slots_per_epoch")?,
            )?;
            to_value(&params)
        }
        "derive_challenge" => {
            let params = network_params(input, "params")?;
            let challenge = derive_challenge(
                &params,
                dec64(input, "epoch")?,
                num32(input, "slot")?,
                &bytes(input, "beacon")?,
            )?;
            Ok(json!({ "challenge": hex::encode(challenge) }))
        }
        "slot_start_unix" => {
            let params = network_params(input, "params")?;
            let unix = params.slot_start_unix(dec64(input, "epoch")?, num32(input, "slot")?)?;
            Ok(json!({ "unix": unix.to_string() }))
        }
        "slot_at_unix" => {
            let params = network_params(input, "params")?;
            to_value(&params.slot_at_unix(dec64(input, "unix")?)?)
        }
        "device_key" => {
            let key = DeviceKey::from_secret_bytes(&bytes(input, "secret_key")?)?;
            Ok(json!({
                "public_key": hex::encode(key.public_key().sec1_bytes()),
                "key_id": key.key_id().to_string(),
            }))
        }
        "public_key" => {
            let key = DevicePublicKey::from_sec1_bytes(&bytes(input, "public_key")?)?;
            Ok(json!({ "key_id": key.key_id().to_string() }))
        }
        "decode_message" => decode_message(text(input, "kind")?, &bytes(input, "der")?),
        "message_from_json" => {
            let json = text(input, "json")?;
            let der = match text(input, "kind")? {
                "heartbeat" => Heartbeat::from_json(json)?.to_der()?,
                "chip_binding" => ChipBinding::from_json(json)?.to_der()?,
                "lease_acceptance" => LeaseAcceptance::from_json(json)?.to_der()?,
                other => return Err(harness(&format!("unknown message kind `{other}`"))),
            };
            Ok(json!({ "der": hex::encode(der) }))
        }
        "verify_heartbeat" => {
            let key = DevicePublicKey::from_sec1_bytes(&bytes(input, "public_key")?)?;
            let context = field(input, "context")?;
            let challenge = bytes32(context, "challenge")?;
            let wallet = bytes(context, "wallet")?;
            let context = SlotContext {
                network_id: text(context, "network_id")?,
                epoch: dec64(context, "epoch")?,
                slot: num32(context, "slot")?,
                challenge: &challenge,
                wallet: &wallet,
            };
            to_value(&Verifier::default().verify_heartbeat(
                &bytes(input, "der")?,
                &key,
                &context,
            )?)
        }
        "verify_heartbeat_batch" => {
            let key = DevicePublicKey::from_sec1_bytes(&bytes(input, "public_key")?)?;
            let context = field(input, "context")?;
            let challenge = bytes32(context, "challenge")?;
            let wallet = bytes(context, "wallet")?;
            let der = bytes(input, "der")?;
            let item = HeartbeatItem {
                der: &der,
                key: &key,
                context: SlotContext {
                    network_id: text(context, "network_id")?,
                    epoch: dec64(context, "epoch")?,
                    slot: num32(context, "slot")?,
                    challenge: &challenge,
                    wallet: &wallet,
                },
            };
            let copies = dec64(input, "copies")
                .ok()
                .and_then(|copies| usize::try_from(copies).ok())
                .ok_or_else(|| harness("`copies` is not a decimal count"))?;
            let results = Verifier::default().verify_heartbeats(&vec![item; copies])?;
            let verified = results.iter().filter(|result| result.is_ok()).count();
            Ok(json!({
                "verified": verified,
                "refused": results.len().saturating_sub(verified),
            }))
        }
        "verify_heartbeats" => {
            let items = field(input, "items")?
                .as_array()
                .ok_or_else(|| harness("`items` is not a list"))?;
            let mut owned = Vec::with_capacity(items.len());
            for item in items {
                let context = field(item, "context")?;
                owned.push((
                    bytes(item, "der")?,
                    bytes(item, "public_key")?,
                    text(context, "network_id")?,
                    dec64(context, "epoch")?,
                    num32(context, "slot")?,
                    bytes32(context, "challenge")?,
                    bytes(context, "wallet")?,
                ));
            }
            let batch: Vec<HeartbeatSec1Item<'_>> = owned
                .iter()
                .map(
                    |(der, public_key, network_id, epoch, slot, challenge, wallet)| {
                        HeartbeatSec1Item {
                            der,
                            public_key,
                            context: SlotContext {
                                network_id,
                                epoch: *epoch,
                                slot: *slot,
                                challenge,
                                wallet,
                            },
                        }
                    },
                )
                .collect();
            let results: Vec<Value> = Verifier::default()
                .verify_heartbeats_sec1(&batch)?
                .iter()
                .map(|result| match result {
                    Ok(verified) => json!({ "ok": hex::encode(verified.proof_id) }),
                    Err(error) => json!({ "error": error.code() }),
                })
                .collect();
            Ok(json!({ "results": results }))
        }
        "verify_nvidia_report" => {
            // Against the repository's vendor-roots/ with its testnet material (the
            // embedded testnet store), which holds NVIDIA's real root.
            let chain = hex_list(input, "chain")?;
            let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
            let verified = Verifier::with_trust_store(TrustStore::embedded_testnet()?)
                .verify_nvidia_report(
                    &bytes(input, "report")?,
                    &chain,
                    &bytes32(input, "nonce")?,
                    dec64(input, "time")?,
                )?;
            to_value(&verified)
        }
        "verify_lease_acceptance" => {
            let key = DevicePublicKey::from_sec1_bytes(&bytes(input, "public_key")?)?;
            let verified = Verifier::default().verify_lease_acceptance(
                &bytes(input, "der")?,
                &key,
                text(input, "network_id")?,
            )?;
            to_value(&verified)
        }
        "verify_binding" => {
            let store = named_store(input, trust_stores)?;
            let context = field(input, "context")?;
            let params = network_params(context, "params")?;
            let challenge = bytes32(context, "challenge")?;
            let wallet = bytes(context, "wallet")?;
            let context = BindingContext::new(
                &params,
                dec64(context, "epoch")?,
                num32(context, "slot")?,
                &challenge,
                &wallet,
            );
            to_value(
                &Verifier::with_trust_store(store)
                    .verify_binding(&bytes(input, "der")?, &context)?,
            )
        }
        "trust_store" => {
            let store = build_store(field(input, "trust_store")?)?;
            Ok(json!({ "roots": store.root_count(), "models": store.registry().len() }))
        }
        "registry" => {
            let registry = registry_of(field(input, "manifests")?)?;
            let models: Vec<Value> = registry
                .models()
                .map(|m| json!({ "model_id": m.model_id, "vendor_id": m.vendor_id, "rating_milli_cu": m.rating_milli_cu.to_string() }))
                .collect();
            Ok(json!({ "digest": hex::encode(registry.digest()?), "models": models }))
        }
        "registry_schedule" => {
            let versions = field(input, "versions")?.as_array().ok_or_else(unknown)?;
            let mut built = Vec::new();
            for version in versions {
                built.push((
                    dec64(version, "activation_epoch")?,
                    registry_of(field(version, "manifests")?)?,
                ));
            }
            let schedule = RegistrySchedule::new(built)?;
            let lookups = field(input, "lookups")?.as_array().ok_or_else(unknown)?;
            let mut ratings = Vec::new();
            for lookup in lookups {
                let rating = schedule
                    .lookup(text(lookup, "model_id")?, dec64(lookup, "epoch")?)
                    .map(|model| model.rating_milli_cu.to_string());
                ratings.push(json!(rating));
            }
            Ok(json!({ "ratings": ratings }))
        }
        "emission" => {
            let schedule: EmissionSchedule = typed(input, "schedule")?;
            let epoch = dec64(input, "epoch")?;
            Ok(json!({
                "emission": schedule.emission(epoch)?.to_string(),
                "supply_before": schedule.cumulative(epoch)?.to_string(),
                "supply_after": schedule.supply_after(epoch)?.to_string(),
            }))
        }
        "pools" => {
            let split: PoolSplit = typed(input, "split")?;
            to_value(&split.split(dec128(input, "emission")?)?)
        }
        "allocate" => {
            let entries: Vec<AllocationInput> = typed(input, "entries")?;
            let policy: AllocationPolicy = typed(input, "policy")?;
            to_value(&allocate(dec128(input, "pool")?, &entries, &policy)?)
        }
        "settle_lease" => to_value(&settle(
            dec128(input, "price")?,
            dec128(input, "lease_slots")?,
            dec128(input, "proven_slots")?,
        )?),
        "select_producer" => {
            let candidates = field(input, "candidates")?.as_array().ok_or_else(unknown)?;
            let mut list = Vec::new();
            for candidate in candidates {
                list.push((
                    KeyId(bytes32(candidate, "key_id")?),
                    dec128(candidate, "weight")?,
                ));
            }
            let producer = select_producer(&bytes32(input, "beacon")?, &list)?;
            Ok(json!({ "producer": producer.map(|key| key.to_string()) }))
        }
        "ledger" => run_ledger(input, trust_stores),
        "network_policy" => {
            let policy = network_policy(input, "policy")?;
            Ok(json!({ "digest": hex::encode(policy.digest()?) }))
        }
        "is_sampled" => Ok(json!({ "sampled": poci::is_sampled(
            &bytes32(input, "challenge")?,
            &poci::KeyId(bytes32(input, "key_id")?),
            num32(input, "sample_one_in")?,
        ) })),
        // Against the repository's vendor-roots/ with its testnet material.
        "nvidia_ledger" => run_ledger_with(
            input,
            Verifier::with_trust_store(TrustStore::embedded_testnet()?),
        ),
        other => Err(ExecError::Harness(format!("unknown operation `{other}`"))),
    }
}

fn decode_message(kind: &str, der: &[u8]) -> Result<Value, ExecError> {
    let (message, proof_id) = match kind {
        "heartbeat" => {
            let parsed = HeartbeatRef::from_der(der)?;
            (
                to_value::<_, Error>(&parsed.to_owned_message())?,
                parsed.proof_id(),
            )
        }
        "chip_binding" => {
            let parsed = ChipBindingRef::from_der(der)?;
            (
                to_value::<_, Error>(&parsed.to_owned_message())?,
                parsed.proof_id(),
            )
        }
        "lease_acceptance" => {
            let parsed = LeaseAcceptanceRef::from_der(der)?;
            (
                to_value::<_, Error>(&parsed.to_owned_message())?,
                parsed.proof_id(),
            )
        }
        other => return Err(harness(&format!("unknown message kind `{other}`"))),
    };
    Ok(json!({ "message": message, "proof_id": hex::encode(proof_id) }))
}

fn registry_of(manifests: &Value) -> Result<ChipModelRegistry, Error> {
    let list = manifests.as_array().ok_or_else(unknown)?;
    let mut owned = Vec::new();
    for manifest in list {
        owned.push((
            text(manifest, "file")?.to_owned(),
            text(manifest, "toml")?.to_owned(),
        ));
    }
    let sources: Vec<ManifestSource<'_>> = owned
        .iter()
        .map(|(file, toml)| ManifestSource { file, toml })
        .collect();
    ChipModelRegistry::from_manifests(&sources)
}

/// Builds a trust store from its JSON description (conformance/README.md).
pub(crate) fn build_store(spec: &Value) -> Result<TrustStore, ExecError> {
    let policy = field(spec, "policy")?;
    let name = text(policy, "unknown_revocation")?;
    let unknown_revocation = UnknownRevocationPolicy::from_name(name)
        .ok_or_else(|| harness(&format!("unknown revocation policy `{name}`")))?;
    let allow_test_vendors = field(policy, "allow_test_vendors")?
        .as_bool()
        .ok_or_else(|| harness("`allow_test_vendors` is not a boolean"))?;
    let mut store = TrustStore::new(
        registry_of(field(spec, "manifests")?)?,
        TrustPolicy {
            allow_test_vendors,
            unknown_revocation,
        },
    );
    for vendor in field(spec, "roots")?
        .as_array()
        .ok_or_else(|| harness("`roots` is not a list"))?
    {
        let kind = match text(vendor, "kind")? {
            "vendor" => RootKind::Vendor,
            "test" => RootKind::Test,
            other => return Err(harness(&format!("unknown root kind `{other}`"))),
        };
        let pems = |name: &str| -> Result<Vec<String>, ExecError> {
            field(vendor, name)?
                .as_array()
                .ok_or_else(|| harness("a PEM list is not a list"))?
                .iter()
                .map(|pem| {
                    pem.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| harness("a PEM is not a string"))
                })
                .collect()
        };
        let roots = pems("roots")?;
        let crls = pems("crls")?;
        let roots: Vec<&[u8]> = roots.iter().map(|pem| pem.as_bytes()).collect();
        let crls: Vec<&[u8]> = crls.iter().map(|pem| pem.as_bytes()).collect();
        store.add_roots(text(vendor, "vendor_id")?, kind, &roots, &crls)?;
    }
    Ok(store)
}

fn named_store(
    input: &Value,
    trust_stores: &BTreeMap<String, Value>,
) -> Result<TrustStore, ExecError> {
    let name = text(input, "trust_store")?;
    let store = trust_stores
        .get(name)
        .ok_or_else(|| ExecError::Harness(format!("no trust store named `{name}`")))?;
    build_store(store)
}

/// A list of hex strings (a certificate chain), decoded.
fn hex_list(input: &Value, name: &str) -> Result<Vec<Vec<u8>>, ExecError> {
    field(input, name)?
        .as_array()
        .ok_or_else(|| harness("not a list"))?
        .iter()
        .map(|item| {
            item.as_str()
                .and_then(|text| hex::decode(text).ok())
                .ok_or_else(|| harness("a list entry is not hex"))
        })
        .collect()
}

fn ledger_step(
    ledger: &mut ChipLedger,
    verifier: &Verifier,
    step: &Value,
) -> Result<Value, ExecError> {
    let slot = || -> Result<SlotId, Error> {
        Ok(SlotId {
            epoch: dec64(step, "epoch")?,
            slot: num32(step, "slot")?,
        })
    };
    let now = || typed::<SlotId>(step, "now");
    match text(step, "op")? {
        "bind" => {
            let outcome = ledger.apply_binding(
                verifier,
                &bytes(step, "der")?,
                slot()?,
                &bytes32(step, "challenge")?,
                &bytes(step, "wallet")?,
                now()?,
            )?;
            Ok(to_value::<_, Error>(&outcome)?)
        }
        "heartbeat" => {
            ledger.apply_heartbeat(
                verifier,
                &bytes(step, "der")?,
                slot()?,
                &bytes32(step, "challenge")?,
                now()?,
            )?;
            Ok(json!({ "recorded": true }))
        }
        "bind_nvidia" => {
            let chain = hex_list(step, "chain")?;
            let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
            let outcome = ledger.apply_nvidia_binding(
                verifier,
                &bytes(step, "report")?,
                &chain,
                slot()?,
                &bytes32(step, "challenge")?,
                &bytes(step, "wallet")?,
                now()?,
            )?;
            Ok(to_value::<_, Error>(&outcome)?)
        }
        "heartbeat_nvidia" => {
            ledger.apply_nvidia_heartbeat(
                verifier,
                &poci::KeyId(bytes32(step, "key_id")?),
                &bytes(step, "report")?,
                slot()?,
                &bytes32(step, "challenge")?,
                now()?,
            )?;
            Ok(json!({ "recorded": true }))
        }
        "close" => {
            // A sampled epoch closes with its slot challenges.
            let challenges: Vec<[u8; 32]> = match step.get("challenges") {
                None => Vec::new(),
                Some(_) => hex_list(step, "challenges")?
                    .into_iter()
                    .map(|challenge| {
                        <[u8; 32]>::try_from(challenge.as_slice())
                            .map_err(|_| harness("a challenge is not 32 bytes"))
                    })
                    .collect::<Result<_, _>>()?,
            };
            Ok(to_value::<_, Error>(&ledger.close_epoch(
                dec64(step, "epoch")?,
                None,
                &challenges,
            )?)?)
        }
        "lease" => Ok(to_value::<_, Error>(&ledger.apply_lease(
            verifier,
            &bytes(step, "der")?,
            now()?,
        )?)?),
        "settle" => Ok(to_value::<_, Error>(
            &ledger.settle_lease(&bytes(step, "lease_id")?)?,
        )?),
        other => Err(ExecError::Harness(format!("unknown ledger step `{other}`"))),
    }
}

fn run_ledger(input: &Value, trust_stores: &BTreeMap<String, Value>) -> Result<Value, ExecError> {
    let mut verifier = Verifier::with_trust_store(named_store(input, trust_stores)?);
    // Trust material that takes effect later (SPEC.md 18.5).
    if let Some(versions) = input.get("trust_versions") {
        for version in versions
            .as_array()
            .ok_or_else(|| harness("`trust_versions` is not a list"))?
        {
            verifier.schedule_trust_store(
                dec64(version, "activation_epoch")?,
                named_store(version, trust_stores)?,
            )?;
        }
    }
    run_ledger_with(input, verifier)
}

/// The steps of a ledger case against `verifier`.
fn run_ledger_with(input: &Value, verifier: Verifier) -> Result<Value, ExecError> {
    let mut ledger = match input.get("policy") {
        Some(_) => ChipLedger::with_policy(network_policy(input, "policy")?)?,
        None => ChipLedger::new(network_params(input, "params")?),
    };
    for (index, step) in field(input, "setup")?
        .as_array()
        .ok_or_else(|| harness("`setup` is not a list"))?
        .iter()
        .enumerate()
    {
        // Setup steps must succeed: a refused one would otherwise pass a case expecting
        // that code without ever running the step under test.
        ledger_step(&mut ledger, &verifier, step).map_err(|error| match error {
            ExecError::Case(error) => {
                ExecError::Harness(format!("setup step {index} refused: {}", error.code()))
            }
            harness => harness,
        })?;
    }
    ledger_step(&mut ledger, &verifier, field(input, "step")?)
}
