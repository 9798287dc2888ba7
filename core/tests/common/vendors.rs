//! Test vendors, chips and bindings for the trust tests.

use std::sync::OnceLock;

use poci::x509::mint::{TEST_VENDORS, TestVendor};
use poci::{
    BindingContext, ChipBindingTbs, ChipIdentity, ChipModelRegistry, DeviceKey, HeartbeatTbs,
    ManifestSource, NetworkParams, RootKind, Signed, SlotId, TrustPolicy, TrustStore, Verifier,
    derive_challenge,
};

pub const WALLET: &[u8] = b"wallet-of-bob";
pub const EPOCH: u64 = 7;
pub const SLOT: u32 = 42;

pub fn params() -> NetworkParams {
    NetworkParams::new("poci-testnet", poci::x509::mint::TEST_NOT_BEFORE, 3600, 120).unwrap()
}

pub fn challenge() -> [u8; 32] {
    derive_challenge(&params(), EPOCH, SLOT, &[0x33; 32]).unwrap()
}

pub fn vendor(index: usize) -> &'static TestVendor {
    static VENDORS: OnceLock<Vec<TestVendor>> = OnceLock::new();
    &VENDORS.get_or_init(|| {
        TEST_VENDORS
            .iter()
            .map(|spec| TestVendor::from_seed(spec.vendor_id, spec.organization).unwrap())
            .collect()
    })[index]
}

/// The manifest of test vendor `index`, as the generator writes it.
pub fn manifest(index: usize) -> String {
    poci::x509::mint::test_vendor_manifest(&TEST_VENDORS[index])
}

/// A registry of the given manifests (file names made up from their position).
pub fn registry_of(manifests: &[&str]) -> Result<ChipModelRegistry, poci::Error> {
    let files: Vec<String> = (0..manifests.len())
        .map(|i| format!("manifest-{i}.toml"))
        .collect();
    let sources: Vec<ManifestSource<'_>> = manifests
        .iter()
        .zip(&files)
        .map(|(toml, file)| ManifestSource { file, toml })
        .collect();
    ChipModelRegistry::from_manifests(&sources)
}

/// The registry of both test vendors.
pub fn test_registry() -> ChipModelRegistry {
    registry_of(&[&manifest(0), &manifest(1)]).unwrap()
}

pub fn allow_tests() -> TrustPolicy {
    TrustPolicy {
        allow_test_vendors: true,
        ..TrustPolicy::default()
    }
}

/// Both test vendors with their roots and empty CRLs.
pub fn store(policy: TrustPolicy) -> TrustStore {
    let mut store = TrustStore::new(test_registry(), policy);
    for index in 0..2 {
        let v = vendor(index);
        store
            .add_roots(
                &v.vendor_id,
                RootKind::Vendor,
                &[&v.root_der],
                &[&v.root_crl_der, &v.intermediate_crl_der],
            )
            .unwrap();
    }
    store
}

pub fn identity(model: &str, serial: &[u8]) -> ChipIdentity {
    ChipIdentity {
        model_id: model.into(),
        serial: serial.to_vec(),
        security_version: 3,
    }
}

/// A chip of vendor A (model a1) with its device certificate.
pub fn chip_a(seed: &[u8], serial: &[u8]) -> (DeviceKey, Vec<u8>) {
    vendor(0)
        .mint_chip(seed, &identity("poci-test-accel-a1", serial), 100)
        .unwrap()
}

pub fn binding_tbs(serial: &[u8], model: &str, certificates: Vec<Vec<u8>>) -> ChipBindingTbs {
    ChipBindingTbs {
        network_id: "poci-testnet".into(),
        chip_serial: serial.to_vec(),
        model_id: model.into(),
        wallet: WALLET.to_vec(),
        binding_counter: 1,
        epoch: EPOCH,
        slot: SLOT,
        challenge: challenge(),
        certificates,
    }
}

pub fn signed(tbs: ChipBindingTbs, key: &DeviceKey) -> Vec<u8> {
    Signed::sign(tbs, key).unwrap().to_der().unwrap()
}

/// A valid binding of a vendor-A chip: (device key, binding DER).
pub fn valid_binding(seed: &[u8], serial: &[u8]) -> (DeviceKey, Vec<u8>) {
    let (key, certificate) = chip_a(seed, serial);
    let der = signed(
        binding_tbs(
            serial,
            "poci-test-accel-a1",
            vec![certificate, vendor(0).intermediate_der.clone()],
        ),
        &key,
    );
    (key, der)
}

pub fn verify_with(verifier: &Verifier, der: &[u8]) -> Result<poci::VerifiedBinding, poci::Error> {
    let params = params();
    let challenge = challenge();
    let context = BindingContext::new(&params, EPOCH, SLOT, &challenge, WALLET);
    verifier.verify_binding(der, &context)
}

/// The challenge of `slot` (its beacon: the epoch, big-endian).
pub fn slot_challenge(slot: SlotId) -> [u8; 32] {
    derive_challenge(&params(), slot.epoch, slot.slot, &slot.epoch.to_be_bytes()).unwrap()
}

/// `key`'s heartbeat for `slot` with `counter`, for `wallet`.
pub fn heartbeat(key: &DeviceKey, slot: SlotId, counter: u64, wallet: &[u8]) -> Vec<u8> {
    let tbs = HeartbeatTbs {
        network_id: "poci-testnet".into(),
        chip_key_id: *key.key_id(),
        wallet: wallet.to_vec(),
        epoch: slot.epoch,
        slot: slot.slot,
        challenge: slot_challenge(slot),
        counter,
        measurement: None,
    };
    Signed::sign(tbs, key).unwrap().to_der().unwrap()
}
