//! Raw-byte targets for every parser. Oracle: no panic, and whatever is accepted re-encodes
//! to the same bytes (DER is canonical) or the same value (JSON).

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;

use poci::rewards::allocation::AllocationInput;
use poci::rewards::emission::EmissionSchedule;
use poci::rewards::pools::PoolSplit;
use poci::rewards::report::EpochReport;
use poci::x509::CertificateSummary;
use poci::{
    Backend, ChipBinding, ChipBindingRef, ChipIdentity, ChipLedger, ChipModelRegistry,
    DevicePublicKey, EcdsaSignature, Heartbeat, HeartbeatRef, LeaseAcceptance, LeaseAcceptanceRef,
    ManifestSource, NetworkParams, RootKind, Signed, TrustStore, verify_signature,
};

use crate::fixtures::{MODEL, fixtures};

/// The two decoders of one message kind (borrowed and owned) agree; an accepted message
/// re-encodes to the input, keeps its proof id, and survives its JSON form.
macro_rules! message_target {
    ($(#[$doc:meta])* $name:ident, $borrowed:ident, $owned:ident) => {
        $(#[$doc])*
        pub fn $name(data: &[u8]) {
            match ($borrowed::from_der(data), $owned::from_der(data)) {
                (Ok(parsed), Ok(message)) => {
                    assert_eq!(parsed.to_owned_message(), message);
                    assert_eq!(message.to_der().ok().as_deref(), Some(data), "not canonical");
                    assert_eq!(message.proof_id().ok(), Some(parsed.proof_id()));
                    let json = message.to_json().expect("accepted message without JSON form");
                    assert_eq!($owned::from_json(&json).ok(), Some(message));
                }
                (Err(borrowed), Err(owned)) => assert_eq!(borrowed, owned),
                (borrowed, owned) => panic!(
                    "decoders disagree: {:?} / {:?}",
                    borrowed.err(),
                    owned.err()
                ),
            }
        }
    };
}

message_target!(
    /// `Heartbeat` DER.
    decode_heartbeat,
    HeartbeatRef,
    Heartbeat
);
message_target!(
    /// `ChipBinding` DER (with its certificates as opaque bytes).
    decode_binding,
    ChipBindingRef,
    ChipBinding
);
message_target!(
    /// `LeaseAcceptance` DER.
    decode_lease,
    LeaseAcceptanceRef,
    LeaseAcceptance
);

/// A certificate: POCI's reader (the summary), the chip identity extension's reader, the
/// trust store's root check, and the certificate as the device certificate of a binding
/// verified on both backends.
pub fn certificate(data: &[u8]) {
    let fixtures = fixtures();
    let _summary = CertificateSummary::from_der(data);
    if let Ok(identity) = ChipIdentity::from_der(data) {
        assert_eq!(identity.to_der().ok().as_deref(), Some(data));
    }
    let mut store = TrustStore::new(fixtures.store.registry().clone(), *fixtures.store.policy());
    let vendor = &fixtures.vendors[0];
    if store
        .add_roots(&vendor.vendor_id, RootKind::Vendor, &[data], &[])
        .is_ok()
    {
        assert_eq!(store.root_count(), 1);
    }
    let chip = &fixtures.chip;
    let tbs = fixtures.binding_tbs(
        b"SN-1",
        MODEL,
        vec![data.to_vec(), vendor.intermediate_der.clone()],
    );
    let Ok(der) = Signed::sign(tbs, chip).and_then(|binding| binding.to_der()) else {
        return;
    };
    let verdicts: Vec<_> = Backend::ALL
        .iter()
        .map(|backend| fixtures.verify_binding(&fixtures.verifier(*backend), &der))
        .collect();
    assert!(
        verdicts.windows(2).all(|pair| pair.first() == pair.last()),
        "backends disagree"
    );
}

/// A CRL, added beside vendor A's root CRL; an honest binding is then judged alike on both
/// backends.
pub fn crl(data: &[u8]) {
    let fixtures = fixtures();
    let vendor = &fixtures.vendors[0];
    let mut store = TrustStore::new(fixtures.store.registry().clone(), *fixtures.store.policy());
    let before = store.root_count();
    if store
        .add_roots(
            &vendor.vendor_id,
            RootKind::Vendor,
            &[&vendor.root_der],
            &[&vendor.root_crl_der, data],
        )
        .is_err()
    {
        assert_eq!(
            store.root_count(),
            before,
            "a refused CRL changed the store"
        );
        return;
    }
    let verdicts: Vec<_> = Backend::ALL
        .iter()
        .map(|backend| {
            let verifier = poci::Verifier::with_trust_store(store.clone()).with_backend(*backend);
            fixtures.verify_binding(&verifier, &fixtures.honest_binding)
        })
        .collect();
    assert!(
        verdicts.windows(2).all(|pair| pair.first() == pair.last()),
        "backends disagree"
    );
}

/// A vendor manifest (TOML) as the registry reads it.
pub fn manifest(data: &[u8]) {
    let Ok(toml) = std::str::from_utf8(data) else {
        return;
    };
    let source = ManifestSource {
        file: "fuzz/manifest.toml",
        toml,
    };
    if let Ok(registry) = ChipModelRegistry::from_manifests(&[source]) {
        assert!(registry.to_der().is_ok());
        assert!(registry.digest().is_ok());
        for model in registry.models() {
            assert!(registry.get(&model.model_id).is_some());
            assert!(registry.vendor(&model.vendor_id).is_some());
        }
    }
}

/// The JSON forms, chosen by the first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum JsonForm {
    Heartbeat = 0,
    ChipBinding = 1,
    LeaseAcceptance = 2,
    NetworkParams = 3,
    Ledger = 4,
    EmissionSchedule = 5,
    PoolSplit = 6,
    AllocationInputs = 7,
    EpochReport = 8,
    NetworkPolicy = 9,
}

const JSON_FORMS: [JsonForm; 10] = [
    JsonForm::Heartbeat,
    JsonForm::ChipBinding,
    JsonForm::LeaseAcceptance,
    JsonForm::NetworkParams,
    JsonForm::Ledger,
    JsonForm::EmissionSchedule,
    JsonForm::PoolSplit,
    JsonForm::AllocationInputs,
    JsonForm::EpochReport,
    JsonForm::NetworkPolicy,
];

/// A value accepted from JSON serialises and reads back as itself.
fn serde_round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(text: &str) {
    if let Ok(value) = serde_json::from_str::<T>(text) {
        let again = serde_json::to_string(&value).expect("accepted value does not serialise");
        let back: T = serde_json::from_str(&again).expect("serialised value does not read back");
        assert_eq!(back, value);
    }
}

/// A signed message accepted from JSON encodes to DER that decodes to itself.
macro_rules! message_json {
    ($owned:ident, $text:expr) => {
        if let Ok(message) = $owned::from_json($text) {
            let der = message.to_der().expect("accepted JSON message without DER");
            assert_eq!($owned::from_der(&der).ok(), Some(message.clone()));
            let json = message.to_json().expect("JSON form");
            assert_eq!($owned::from_json(&json).ok(), Some(message));
        }
    };
}

/// Every JSON form: the first byte picks the form, the rest is the text.
pub fn json_forms(data: &[u8]) {
    let Some((selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let index = usize::from(*selector) % JSON_FORMS.len();
    match JSON_FORMS.get(index) {
        Some(JsonForm::Heartbeat) => message_json!(Heartbeat, text),
        Some(JsonForm::ChipBinding) => message_json!(ChipBinding, text),
        Some(JsonForm::LeaseAcceptance) => message_json!(LeaseAcceptance, text),
        Some(JsonForm::NetworkParams) => serde_round_trip::<NetworkParams>(text),
        Some(JsonForm::Ledger) => serde_round_trip::<ChipLedger>(text),
        Some(JsonForm::EmissionSchedule) => serde_round_trip::<EmissionSchedule>(text),
        Some(JsonForm::PoolSplit) => serde_round_trip::<PoolSplit>(text),
        Some(JsonForm::AllocationInputs) => serde_round_trip::<Vec<AllocationInput>>(text),
        Some(JsonForm::EpochReport) => serde_round_trip::<EpochReport>(text),
        Some(JsonForm::NetworkPolicy) => {
            // An accepted policy keeps its digest through its JSON form.
            if let Ok(policy) = poci::NetworkPolicy::from_json(text) {
                assert!(policy.validate().is_ok(), "an accepted policy is valid");
                let again = poci::NetworkPolicy::from_json(&policy.to_json().expect("JSON"))
                    .expect("a policy's JSON reads back");
                assert_eq!(again.digest().ok(), policy.digest().ok());
                assert_eq!(again, policy);
            }
        }
        None => {}
    }
}

/// Signatures and public keys: strict DER signatures re-encode to themselves, a signature
/// and its high-S twin differ in exactly that, both backends agree on every signature, and
/// accepted keys re-encode to themselves.
pub fn signature(data: &[u8]) {
    if let Ok(parsed) = EcdsaSignature::from_der(data) {
        assert_eq!(parsed.to_der(), data);
        let twin = parsed.twin();
        assert_ne!(twin.is_high_s(), parsed.is_high_s());
        assert_eq!(twin.twin(), parsed);
    }
    let key = fixtures().chip.public_key();
    let ring = verify_signature(Backend::Ring, key, b"fuzz", data);
    for backend in Backend::ALL {
        assert_eq!(
            ring,
            verify_signature(*backend, key, b"fuzz", data),
            "backends disagree"
        );
    }
    if let Ok(key) = DevicePublicKey::from_sec1_bytes(data) {
        assert_eq!(key.sec1_bytes().as_slice(), data);
        assert_eq!(
            DevicePublicKey::from_spki_der(&key.spki_der()).ok(),
            Some(key)
        );
    }
    if let Ok(key) = DevicePublicKey::from_spki_der(data) {
        assert_eq!(key.spki_der().as_slice(), data);
    }
}

/// Files of a vendor-roots folder packed for fuzzing: each as a one-byte path length, the
/// path, a two-byte (big-endian) content length and the content; a truncated tail is dropped.
#[must_use]
pub fn unpack_folder(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut rest = data;
    while let Some((&path_len, tail)) = rest.split_first() {
        let Some((path, tail)) = tail.split_at_checked(usize::from(path_len)) else {
            break;
        };
        let Some(([high, low], tail)) = tail.split_first_chunk::<2>().map(|(l, t)| (*l, t)) else {
            break;
        };
        let Some((bytes, tail)) =
            tail.split_at_checked(usize::from(u16::from_be_bytes([high, low])))
        else {
            break;
        };
        files.push((String::from_utf8_lossy(path).into_owned(), bytes.to_vec()));
        rest = tail;
    }
    files
}

/// The inverse of [`unpack_folder`], for seeds (files over its bounds are left out).
#[must_use]
pub fn pack_folder(files: &[poci::FolderFile<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for file in files {
        let (Ok(path_len), Ok(len)) = (
            u8::try_from(file.path.len()),
            u16::try_from(file.bytes.len()),
        ) else {
            continue;
        };
        out.push(path_len);
        out.extend_from_slice(file.path.as_bytes());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(file.bytes);
    }
    out
}

/// A vendor-roots folder as the one loader reads it: the verdict (digest or error code) is
/// the same whatever order the files come in, and the registry agrees with the store's.
pub fn vendor_roots(data: &[u8]) {
    let owned = unpack_folder(data);
    let files: Vec<poci::FolderFile<'_>> = owned
        .iter()
        .map(|(path, bytes)| poci::FolderFile { path, bytes })
        .collect();
    let mut reversed = files.clone();
    reversed.reverse();
    let policy = poci::TrustPolicy {
        allow_test_vendors: true,
        ..poci::TrustPolicy::default()
    };
    let verdict = |files: &[poci::FolderFile<'_>], testnet: bool| {
        TrustStore::from_folder(files, policy, testnet)
            .and_then(|store| store.digest())
            .map_err(|error| error.code())
    };
    for testnet in [false, true] {
        assert_eq!(
            verdict(&files, testnet),
            verdict(&reversed, testnet),
            "file order changed the store"
        );
    }
    if let Ok(store) = TrustStore::from_folder(&files, policy, false) {
        let registry = ChipModelRegistry::from_folder(&files).map(|r| r.digest().ok());
        assert_eq!(registry.ok().flatten(), store.registry().digest().ok());
    }
}

/// An NVIDIA attestation report: the reader never panics, an accepted report's parts lie
/// inside it in order, and it verifies the same way on both backends under the sample's
/// leaf key (ring and RustCrypto agree on every P-384 input).
pub fn nvidia_report(data: &[u8]) {
    use poci::evidence::nvidia_spdm::NvidiaReport;
    let Ok(report) = NvidiaReport::parse(data) else {
        return;
    };
    assert_eq!(
        report.signed.len().checked_add(96),
        Some(data.len()),
        "the signature is the last 96 bytes"
    );
    assert_eq!(
        report.requester_nonce.as_slice(),
        data.get(4..36).unwrap_or_default()
    );
    let key = crate::fixtures::nvidia_leaf_key();
    // Without the sample's key both backends would refuse alike and prove nothing.
    assert_eq!(key.len(), 97, "the sample's leaf key");
    let verdicts: Vec<_> = Backend::ALL
        .iter()
        .map(|backend| {
            poci::evidence::p384::verify_p384(*backend, &key, report.signed, report.signature)
        })
        .collect();
    assert!(
        verdicts.windows(2).all(|pair| pair.first() == pair.last()),
        "backends disagree"
    );
}
