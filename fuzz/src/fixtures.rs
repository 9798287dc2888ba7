//! What the structure-aware targets build on, made once per process: the network, the two
//! test vendors and their trust store, and the certificates found in the conformance vectors.

use std::sync::OnceLock;

use poci::x509::mint::{TEST_NOT_BEFORE, TEST_VENDORS, TestVendor, test_vendor_manifest};
use poci::{
    Backend, BindingContext, ChipBindingTbs, ChipIdentity, ChipModelRegistry, DeviceKey, Error,
    ManifestSource, NetworkParams, RootKind, Signed, TrustPolicy, TrustStore, VerifiedBinding,
    Verifier, derive_challenge,
};

use crate::seeds;

/// The network every structure-aware target runs on: four slots of 900 s per epoch.
pub(crate) const NETWORK: &str = "poci-testnet";
/// Slots per epoch.
pub(crate) const SLOTS: u32 = 4;
/// Vendor A's first model.
pub(crate) const MODEL: &str = "poci-test-accel-a1";
/// The wallet that submits bindings.
pub(crate) const WALLET: &[u8] = b"fuzz-wallet";
/// The slot bindings answer: epoch 0, slot 1.
pub(crate) const BIND_EPOCH: u64 = 0;
/// See [`BIND_EPOCH`].
pub(crate) const BIND_SLOT: u32 = 1;

/// Fixed material, built once.
pub(crate) struct Fixtures {
    pub(crate) params: NetworkParams,
    pub(crate) vendors: [TestVendor; 2],
    pub(crate) store: TrustStore,
    /// Every certificate (DER) the conformance vectors carry: roots, intermediates and
    /// device certificates, valid or crafted.
    pub(crate) vector_certificates: Vec<Vec<u8>>,
    /// A vendor-A chip (serial `SN-1`, model [`MODEL`]) and its device certificate.
    pub(crate) chip: DeviceKey,
    pub(crate) chip_certificate: Vec<u8>,
    /// That chip's valid binding for the binding slot, submitted by [`WALLET`].
    pub(crate) honest_binding: Vec<u8>,
}

/// The shared fixtures.
pub(crate) fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let params =
            NetworkParams::new(NETWORK, TEST_NOT_BEFORE, 3600, SLOTS).expect("network parameters");
        let vendor = |index: usize| {
            let spec = TEST_VENDORS.get(index).expect("test vendor spec");
            TestVendor::from_seed(spec.vendor_id, spec.organization).expect("test vendor")
        };
        let vendors = [vendor(0), vendor(1)];
        let manifests: Vec<String> = TEST_VENDORS.iter().map(test_vendor_manifest).collect();
        let sources: Vec<ManifestSource<'_>> = manifests
            .iter()
            .map(|toml| ManifestSource {
                file: "manifest.toml",
                toml,
            })
            .collect();
        let registry = ChipModelRegistry::from_manifests(&sources).expect("test registry");
        let policy = TrustPolicy {
            allow_test_vendors: true,
            ..TrustPolicy::default()
        };
        let mut store = TrustStore::new(registry, policy);
        for vendor in &vendors {
            store
                .add_roots(
                    &vendor.vendor_id,
                    RootKind::Vendor,
                    &[&vendor.root_der],
                    &[&vendor.root_crl_der, &vendor.intermediate_crl_der],
                )
                .expect("test vendor roots");
        }
        let [vendor_a, _] = &vendors;
        let (chip, chip_certificate) = vendor_a
            .mint_chip(b"fuzz chip", &identity(MODEL, b"SN-1"), 100)
            .expect("fuzz chip");
        let mut fixtures = Fixtures {
            params,
            vendors,
            store,
            vector_certificates: seeds::vector_certificates(),
            chip,
            chip_certificate,
            honest_binding: Vec::new(),
        };
        let [vendor_a, _] = &fixtures.vendors;
        let tbs = fixtures.binding_tbs(
            b"SN-1",
            MODEL,
            vec![
                fixtures.chip_certificate.clone(),
                vendor_a.intermediate_der.clone(),
            ],
        );
        fixtures.honest_binding = Signed::sign(tbs, &fixtures.chip)
            .and_then(|binding| binding.to_der())
            .expect("honest binding");
        fixtures
    })
}

impl Fixtures {
    /// The challenge of `(epoch, slot)`.
    pub(crate) fn challenge(&self, epoch: u64, slot: u32) -> [u8; 32] {
        derive_challenge(&self.params, epoch, slot, &[0x33; 32]).expect("challenge")
    }

    /// A binding of the binding slot by [`WALLET`], counter 1.
    pub(crate) fn binding_tbs(
        &self,
        serial: &[u8],
        model: &str,
        certificates: Vec<Vec<u8>>,
    ) -> ChipBindingTbs {
        ChipBindingTbs {
            network_id: NETWORK.into(),
            chip_serial: serial.to_vec(),
            model_id: model.into(),
            wallet: WALLET.to_vec(),
            binding_counter: 1,
            epoch: BIND_EPOCH,
            slot: BIND_SLOT,
            challenge: self.challenge(BIND_EPOCH, BIND_SLOT),
            certificates,
        }
    }

    /// Verifies a binding in the binding slot's context.
    pub(crate) fn verify_binding(
        &self,
        verifier: &Verifier,
        der: &[u8],
    ) -> Result<VerifiedBinding, Error> {
        let challenge = self.challenge(BIND_EPOCH, BIND_SLOT);
        verifier.verify_binding(
            der,
            &BindingContext::new(&self.params, BIND_EPOCH, BIND_SLOT, &challenge, WALLET),
        )
    }

    /// A verifier over the test vendors.
    pub(crate) fn verifier(&self, backend: Backend) -> Verifier {
        Verifier::with_trust_store(self.store.clone()).with_backend(backend)
    }
}

/// A chip identity of `model` with `serial`.
pub(crate) fn identity(model: &str, serial: &[u8]) -> ChipIdentity {
    ChipIdentity {
        model_id: model.into(),
        serial: serial.to_vec(),
        security_version: 1,
    }
}

/// The attestation key of the real H100 sample `silicon/nvidia/h100-a` (its chain's leaf).
pub(crate) fn nvidia_leaf_key() -> Vec<u8> {
    let pem = include_str!("../../silicon/nvidia/h100-a/chain.pem");
    poci::x509::certificates_from_pem(pem)
        .ok()
        .and_then(|chain| chain.into_iter().next())
        .and_then(|der| {
            poci::evidence::nvidia_certificate::NvidiaCertificate::from_der(&der)
                .ok()
                .map(|leaf| leaf.public_key.to_vec())
        })
        .unwrap_or_default()
}
