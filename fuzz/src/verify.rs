//! Structure-aware targets for heartbeat and binding verification. The fuzzer chooses
//! fields, signers, chains and byte edits; the messages are then built and signed for real,
//! so the search goes past the signature check.
//!
//! Oracles: both signature backends give the same verdict; a binding gets the same verdict
//! from a fresh verifier and from one that has verified other chains; an input built
//! honestly is accepted; an accepted input says what was signed.

use arbitrary::{Arbitrary, Unstructured};

use poci::x509::mint::{
    CertificateTemplate, DistinguishedName, Issuer, TEST_DEVICE_NOT_AFTER, TEST_NOT_BEFORE,
    X509Extension, device_extensions, issue_certificate,
};
use poci::{
    Backend, DeviceKey, EcdsaSignature, HeartbeatItem, HeartbeatTbs, Signed, SlotContext, Verifier,
};

use crate::fixtures::{MODEL, NETWORK, WALLET, fixtures, identity};

/// Most byte edits, extensions or chain pieces taken from one input.
const MAX_PARTS: usize = 8;

/// XORs each `(position, mask)` into `bytes` (positions wrap), then truncates.
fn edit(bytes: &mut Vec<u8>, edits: &[(u16, u8)], truncate: Option<u16>) {
    for &(position, mask) in edits.iter().take(MAX_PARTS) {
        let len = bytes.len();
        if let Some(byte) = usize::from(position)
            .checked_rem(len)
            .and_then(|index| bytes.get_mut(index))
        {
            *byte ^= mask;
        }
    }
    if let Some(keep) = truncate {
        bytes.truncate(usize::from(keep));
    }
}

/// `bytes` with `edits` and `truncate` applied.
fn edited(bytes: &[u8], edits: &[(u16, u8)], truncate: Option<u16>) -> Vec<u8> {
    let mut out = bytes.to_vec();
    edit(&mut out, edits, truncate);
    out
}

/// Replaces a DER signature by its high-S twin when `high_s`.
fn twin_if(signature: &mut Vec<u8>, high_s: bool) {
    if high_s {
        if let Ok(parsed) = EcdsaSignature::from_der(signature) {
            *signature = parsed.twin().to_der();
        }
    }
}

/// A heartbeat as the fuzzer chooses it; `None` and `false` mean "as the context expects".
#[derive(Debug, Arbitrary)]
struct HeartbeatCase {
    other_network: bool,
    other_key_id: bool,
    wallet: Option<Vec<u8>>,
    epoch: Option<u64>,
    slot: Option<u32>,
    challenge_edit: Option<(u8, u8)>,
    counter: u64,
    measurement: Option<[u8; 32]>,
    signer_other: bool,
    high_s: bool,
    edits: Vec<(u16, u8)>,
    truncate: Option<u16>,
}

/// Heartbeat verification against the chip's registered key, in epoch 2, slot 3; whether
/// the input reached the verdict and its oracles.
pub fn verify_heartbeat(data: &[u8]) -> bool {
    let Ok(case) = HeartbeatCase::arbitrary_take_rest(Unstructured::new(data)) else {
        return false;
    };
    let fixtures = fixtures();
    let (epoch, slot) = (2, 3);
    let challenge = fixtures.challenge(epoch, slot);
    let context = SlotContext {
        network_id: NETWORK,
        epoch,
        slot,
        challenge: &challenge,
        wallet: WALLET,
    };
    let other = DeviceKey::from_seed(b"fuzz other key").expect("key");
    let mut signed_challenge = challenge;
    if let Some((index, mask)) = case.challenge_edit {
        if let Some(byte) = signed_challenge.get_mut(usize::from(index) % 32) {
            *byte ^= mask;
        }
    }
    let tbs = HeartbeatTbs {
        network_id: if case.other_network {
            "poci-mainnet"
        } else {
            NETWORK
        }
        .into(),
        chip_key_id: if case.other_key_id {
            *other.key_id()
        } else {
            *fixtures.chip.key_id()
        },
        wallet: case.wallet.clone().unwrap_or_else(|| WALLET.to_vec()),
        epoch: case.epoch.unwrap_or(epoch),
        slot: case.slot.unwrap_or(slot),
        challenge: signed_challenge,
        counter: case.counter,
        measurement: case.measurement,
    };
    let fields_match = tbs.network_id == NETWORK
        && tbs.chip_key_id == *fixtures.chip.key_id()
        && tbs.wallet == WALLET
        && tbs.epoch == epoch
        && tbs.slot == slot
        && tbs.challenge == challenge;
    let signer = if case.signer_other {
        &other
    } else {
        &fixtures.chip
    };
    let Ok(mut message) = Signed::sign(tbs, signer) else {
        return false;
    };
    twin_if(&mut message.signature, case.high_s);
    let Ok(clean) = message.to_der() else {
        return false;
    };
    let der = edited(&clean, &case.edits, case.truncate);

    let key = fixtures.chip.public_key();
    let ring = Verifier::new(Backend::Ring).verify_heartbeat(&der, key, &context);
    for backend in Backend::ALL {
        let other = Verifier::new(*backend).verify_heartbeat(&der, key, &context);
        assert_eq!(ring, other, "backends disagree");
    }
    let item = HeartbeatItem {
        der: &der,
        key,
        context,
    };
    let batch = Verifier::new(Backend::Ring)
        .verify_heartbeats(&[item])
        .expect("a batch of one is within the limit");
    assert_eq!(batch, vec![ring.clone()], "batch and single disagree");

    if der == clean && fields_match {
        let code = ring.as_ref().err().map(poci::Error::code);
        let expected = if case.high_s {
            Some("SIGNATURE_HIGH_S")
        } else if case.signer_other {
            Some("SIGNATURE_INVALID")
        } else {
            None
        };
        assert_eq!(code, expected, "honest fields, wrong verdict");
    }
    if let Ok(verified) = ring {
        assert_eq!(verified.heartbeat.chip_key_id, *fixtures.chip.key_id());
        assert_eq!(
            (verified.heartbeat.epoch, verified.heartbeat.slot),
            (epoch, slot)
        );
        assert_eq!(verified.heartbeat.challenge, challenge);
        assert_eq!(verified.heartbeat.wallet, WALLET);
        assert!(!case.signer_other, "accepted under the wrong key");
    }
    true
}

/// Who signs the device certificate.
#[derive(Debug, Arbitrary)]
enum CertificateIssuer {
    IntermediateA,
    IntermediateB,
    RootA,
    /// A key nobody certified, under vendor A's intermediate's name.
    Impostor,
}

/// One certificate carried in the binding.
#[derive(Debug, Arbitrary)]
enum ChainPiece {
    Device,
    IntermediateA,
    IntermediateB,
    RootA,
    /// A certificate from the conformance vectors.
    Vector(u8),
    Bytes(Vec<u8>),
}

/// An extension added to the device certificate.
#[derive(Debug, Arbitrary)]
struct ExtraExtension {
    /// Last arc of the OID: 0..=255 under a private arc, or a standard `id-ce` arc.
    arc: u8,
    standard: bool,
    critical: bool,
    value: Vec<u8>,
}

/// A binding as the fuzzer chooses it; `None`, `false` and empty mean "honest".
#[derive(Debug, Arbitrary)]
struct BindingCase {
    chip: u8,
    issuer: CertificateIssuer,
    certificate_serial: u64,
    identity_model: u8,
    identity_serial: Option<Vec<u8>>,
    not_before_offset: Option<u32>,
    not_after_days: Option<u16>,
    drop_extension: Option<u8>,
    extra_extensions: Vec<ExtraExtension>,
    certificate_edits: Vec<(u16, u8)>,
    binding_serial: Option<Vec<u8>>,
    binding_model: Option<u8>,
    wallet_other: bool,
    counter: u64,
    slot_other: bool,
    challenge_other: bool,
    chain: Vec<ChainPiece>,
    signer_other: bool,
    high_s: bool,
    edits: Vec<(u16, u8)>,
}

/// Models the fuzzer picks from: vendor A's two, vendor B's, one nobody makes.
const MODELS: [&str; 4] = [
    MODEL,
    "poci-test-accel-a2",
    "poci-test-npu-b1",
    "nobody-accel-9",
];

impl BindingCase {
    fn is_honest(&self) -> bool {
        matches!(self.issuer, CertificateIssuer::IntermediateA)
            && self.identity_model % 4 == 0
            && self.identity_serial.is_none()
            && self.not_before_offset.is_none()
            && self.not_after_days.is_none()
            && self.drop_extension.is_none()
            && self.extra_extensions.is_empty()
            && self.certificate_edits.iter().all(|&(_, mask)| mask == 0)
            && self.binding_serial.is_none()
            && self.binding_model.is_none()
            && !self.wallet_other
            && !self.slot_other
            && !self.challenge_other
            && self.chain.is_empty()
            && !self.signer_other
            && !self.high_s
    }

    fn pick(list: &[&'static str; 4], index: u8) -> &'static str {
        list.get(usize::from(index) % list.len())
            .copied()
            .unwrap_or(MODEL)
    }

    /// The binding's model: the certificate's unless the fuzzer picks another.
    fn binding_model_id(&self) -> &'static str {
        Self::pick(&MODELS, self.binding_model.unwrap_or(self.identity_model))
    }

    /// The device certificate, or `None` if the template cannot be issued.
    fn device_certificate(&self, device: &DeviceKey) -> Option<Vec<u8>> {
        let fixtures = fixtures();
        let [vendor_a, vendor_b] = &fixtures.vendors;
        let impostor = DeviceKey::from_seed(b"fuzz impostor").ok()?;
        let issuer = match self.issuer {
            CertificateIssuer::IntermediateA => vendor_a.intermediate(),
            CertificateIssuer::IntermediateB => vendor_b.intermediate(),
            CertificateIssuer::RootA => vendor_a.root(),
            CertificateIssuer::Impostor => Issuer {
                name: &vendor_a.intermediate_name,
                key: &impostor,
            },
        };
        let serial = self
            .identity_serial
            .clone()
            .unwrap_or_else(|| b"SN-1".to_vec());
        let model = Self::pick(&MODELS, self.identity_model);
        let mut extensions =
            device_extensions(issuer.key.public_key(), &identity(model, &serial)).ok()?;
        if let Some(index) = self.drop_extension {
            let len = extensions.len();
            if let Some(at) = usize::from(index).checked_rem(len) {
                extensions.remove(at);
            }
        }
        for extra in self.extra_extensions.iter().take(MAX_PARTS) {
            let oid = if extra.standard {
                vec![0x55, 0x1d, extra.arc]
            } else {
                vec![
                    0x2b,
                    0x06,
                    0x01,
                    0x04,
                    0x01,
                    0x86,
                    0x8d,
                    0x1f,
                    extra.arc & 0x7f,
                ]
            };
            extensions.push(X509Extension {
                oid,
                critical: extra.critical,
                value: extra.value.clone(),
            });
        }
        let not_before =
            TEST_NOT_BEFORE.saturating_add(u64::from(self.not_before_offset.unwrap_or(0)));
        let not_after = self.not_after_days.map_or(TEST_DEVICE_NOT_AFTER, |days| {
            TEST_NOT_BEFORE.saturating_add(u64::from(days).saturating_mul(86_400))
        });
        let template = CertificateTemplate {
            serial: self.certificate_serial.max(1),
            subject: DistinguishedName {
                organization: vendor_a.intermediate_name.organization.clone(),
                common_name: "chip".into(),
            },
            not_before,
            not_after,
            extensions,
        };
        let mut der = issue_certificate(&template, device.public_key(), issuer).ok()?;
        edit(&mut der, &self.certificate_edits, None);
        Some(der)
    }
}

/// Binding verification against the two test vendors; whether the input reached the
/// verdict and its oracles.
pub fn verify_binding(data: &[u8]) -> bool {
    let Ok(case) = BindingCase::arbitrary_take_rest(Unstructured::new(data)) else {
        return false;
    };
    let fixtures = fixtures();
    if std::env::var_os("POCI_FUZZ_DEBUG").is_some() {
        eprintln!("{case:#?}");
    }
    let [vendor_a, vendor_b] = &fixtures.vendors;
    let device = if case.chip == 0 {
        fixtures.chip.clone()
    } else {
        let Ok(key) = DeviceKey::from_seed(&[b'k', case.chip]) else {
            return false;
        };
        key
    };
    let Some(certificate) = case.device_certificate(&device) else {
        return false;
    };
    let mut chain: Vec<Vec<u8>> = case
        .chain
        .iter()
        .take(MAX_PARTS)
        .map(|piece| match piece {
            ChainPiece::Device => certificate.clone(),
            ChainPiece::IntermediateA => vendor_a.intermediate_der.clone(),
            ChainPiece::IntermediateB => vendor_b.intermediate_der.clone(),
            ChainPiece::RootA => vendor_a.root_der.clone(),
            ChainPiece::Vector(index) => {
                let pool = &fixtures.vector_certificates;
                usize::from(*index)
                    .checked_rem(pool.len())
                    .and_then(|at| pool.get(at))
                    .cloned()
                    .unwrap_or_default()
            }
            ChainPiece::Bytes(bytes) => bytes.clone(),
        })
        .collect();
    if chain.is_empty() {
        chain = vec![certificate.clone(), vendor_a.intermediate_der.clone()];
    }
    let serial = case
        .binding_serial
        .clone()
        .or_else(|| case.identity_serial.clone())
        .unwrap_or_else(|| b"SN-1".to_vec());
    let model = case.binding_model_id();
    let mut tbs = fixtures.binding_tbs(&serial, model, chain);
    tbs.binding_counter = case.counter;
    if case.wallet_other {
        tbs.wallet = b"front-runner".to_vec();
    }
    if case.slot_other {
        tbs.slot = tbs.slot.wrapping_add(1);
    }
    if case.challenge_other {
        tbs.challenge = fixtures.challenge(tbs.epoch, tbs.slot.wrapping_add(7) % 4);
    }
    let other = DeviceKey::from_seed(b"fuzz other key").expect("key");
    let signer = if case.signer_other { &other } else { &device };
    let expected_serial = tbs.chip_serial.clone();
    let expected_model = tbs.model_id.clone();
    let Ok(mut message) = Signed::sign(tbs, signer) else {
        return false;
    };
    twin_if(&mut message.signature, case.high_s);
    let Ok(clean) = message.to_der() else {
        return false;
    };
    let der = edited(&clean, &case.edits, None);

    let ring = fixtures.verify_binding(&fixtures.verifier(Backend::Ring), &der);
    for backend in Backend::ALL {
        let other = fixtures.verify_binding(&fixtures.verifier(*backend), &der);
        assert_eq!(ring, other, "backends disagree");
    }
    let warm = fixtures.verifier(Backend::Ring);
    let warmed = fixtures.verify_binding(&warm, &fixtures.honest_binding);
    assert!(warmed.is_ok(), "the honest binding failed: {warmed:?}");
    let first = fixtures.verify_binding(&warm, &der);
    let second = fixtures.verify_binding(&warm, &der);
    assert_eq!(first, ring, "a warm verifier changed the verdict");
    assert_eq!(second, ring, "a second look changed the verdict");

    if case.is_honest() && der == clean {
        assert!(ring.is_ok(), "honest binding refused: {ring:?}");
    }
    if let Ok(verified) = ring {
        assert_eq!(verified.record.serial, expected_serial);
        assert_eq!(verified.record.model_id, expected_model);
        assert_eq!(verified.record.wallet, WALLET);
        assert_eq!(verified.record.key_id, *device.key_id());
        assert!(!case.signer_other && !case.high_s);
    }
    true
}
