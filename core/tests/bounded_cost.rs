//! Bounded cost per input (SPEC.md 8): the worst input within the limits is accepted or
//! refused within a bounded number of signature checks, and inputs past a limit are refused
//! before any work proportional to them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::vendors::*;
use poci::limits::{
    MAX_BATCH_LEN, MAX_CERTIFICATE_EXTENSIONS, MAX_CHAIN_CERTIFICATES, MAX_CHAIN_SIGNATURE_CHECKS,
    MAX_CRL_LEN,
};
use poci::x509::mint::{
    CertificateTemplate, DistinguishedName, Issuer, TEST_DEVICE_NOT_AFTER, TEST_NOT_BEFORE,
    TEST_ROOT_NOT_AFTER, X509Extension, device_extensions, issue_certificate, mint_crl,
};
use poci::{
    BindingSubmission, ChipLedger, DeviceKey, DevicePublicKey, Error, HeartbeatItem,
    HeartbeatSubmission, RootKind, SlotContext, SlotId, TrustPolicy, TrustStore, Verifier,
};

const MODEL: &str = "poci-test-accel-a1";

fn name(common_name: &str) -> DistinguishedName {
    DistinguishedName {
        organization: "POCI Test Vendor A".into(),
        common_name: common_name.into(),
    }
}

/// A CA certificate without a path length limit.
fn ca_certificate(
    subject: &DistinguishedName,
    key: &DevicePublicKey,
    issuer: Issuer<'_>,
    serial: u64,
) -> Vec<u8> {
    let template = CertificateTemplate {
        serial,
        subject: subject.clone(),
        not_before: TEST_NOT_BEFORE,
        not_after: TEST_ROOT_NOT_AFTER,
        extensions: vec![
            X509Extension::ca(None).unwrap(),
            X509Extension::key_usage_ca().unwrap(),
            X509Extension::subject_key_identifier(key).unwrap(),
            X509Extension::authority_key_identifier(issuer.key.public_key()).unwrap(),
        ],
    };
    issue_certificate(&template, key, issuer).unwrap()
}

/// A device certificate (serial `SN-1`) with `extra` unknown non-critical extensions.
fn device_certificate(device: &DeviceKey, issuer: Issuer<'_>, extra: usize) -> Vec<u8> {
    let mut extensions =
        device_extensions(issuer.key.public_key(), &identity(MODEL, b"SN-1")).unwrap();
    for index in 0..extra {
        extensions.push(X509Extension {
            // 1.3.6.1.4.1.99999.index: an arc nobody defines.
            oid: vec![0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, index as u8],
            critical: false,
            value: vec![0x05, 0x00],
        });
    }
    let template = CertificateTemplate {
        serial: 9,
        subject: name("chip"),
        not_before: TEST_NOT_BEFORE,
        not_after: TEST_DEVICE_NOT_AFTER,
        extensions,
    };
    issue_certificate(&template, device.public_key(), issuer).unwrap()
}

fn binding(device: &DeviceKey, certificates: Vec<Vec<u8>>) -> Vec<u8> {
    signed(binding_tbs(b"SN-1", MODEL, certificates), device)
}

fn vendor_a_store(roots: &[&[u8]], crls: &[&[u8]], policy: TrustPolicy) -> TrustStore {
    let mut store = TrustStore::new(registry_of(&[&manifest(0)]).unwrap(), policy);
    store
        .add_roots(&vendor(0).vendor_id, RootKind::Vendor, roots, crls)
        .unwrap();
    store
}

/// Certificate signature checks `der` costs on a fresh verifier over `store`.
fn checks_of(store: TrustStore, der: &[u8]) -> (Result<poci::VerifiedBinding, Error>, u64) {
    let verifier = Verifier::with_trust_store(store);
    let result = verify_with(&verifier, der);
    (result, verifier.certificate_signature_checks())
}

/// Roots that share a name but not a key are ambiguous trust material: refused when
/// loaded, whatever their order, so path building never has to try one after another.
#[test]
fn same_name_roots_with_other_keys_are_refused_at_load() {
    let maze = name("Maze");
    let roots: Vec<Vec<u8>> = (0..2u8)
        .map(|i| {
            let key = DeviceKey::from_seed(&[b'r', i]).unwrap();
            let issuer = Issuer {
                name: &maze,
                key: &key,
            };
            ca_certificate(&maze, key.public_key(), issuer, 100 + u64::from(i))
        })
        .collect();
    for order in [[0, 1], [1, 0]] {
        let mut store = TrustStore::new(registry_of(&[&manifest(0)]).unwrap(), allow_tests());
        let refs: Vec<&[u8]> = order.iter().map(|i| roots[*i].as_slice()).collect();
        let refused = store
            .add_roots(&vendor(0).vendor_id, RootKind::Vendor, &refs, &[])
            .unwrap_err();
        assert_eq!(refused.code(), "MANIFEST_INVALID");
        assert_eq!(store.root_count(), 0);
    }
}

/// The worst chain within the limits: every carried certificate shares one name with the
/// genuine intermediate (P1 of the Step 12 review: a fresh verifier called it
/// `CHAIN_TOO_COMPLEX` and a warm one accepted it). Not a path: refused before any
/// signature check, the same on a fresh verifier and on one that has verified the genuine
/// chain before.
#[test]
fn a_maze_of_same_name_certificates_is_refused_before_any_signature_check() {
    let v = vendor(0);
    let genuine_name = v.intermediate_name.clone();
    let decoys: Vec<Vec<u8>> = (0..MAX_CHAIN_CERTIFICATES - 2)
        .map(|i| {
            let key = DeviceKey::from_seed(&[b'i', i as u8]).unwrap();
            ca_certificate(&genuine_name, key.public_key(), v.root(), 200 + i as u64)
        })
        .collect();
    let device = DeviceKey::from_seed(b"maze chip").unwrap();
    let mut certificates = vec![device_certificate(&device, v.intermediate(), 0)];
    certificates.extend(decoys);
    certificates.push(v.intermediate_der.clone());
    assert_eq!(certificates.len(), MAX_CHAIN_CERTIFICATES);
    let der = binding(&device, certificates);
    let (cold, checks) = checks_of(store(allow_tests()), &der);
    assert_eq!(cold.clone().unwrap_err().code(), "CHAIN_NOT_A_PATH");
    assert_eq!(checks, 0);
    let warm = Verifier::with_trust_store(store(allow_tests()));
    let honest = binding(
        &device,
        vec![
            device_certificate(&device, v.intermediate(), 0),
            v.intermediate_der.clone(),
        ],
    );
    verify_with(&warm, &honest).unwrap();
    assert!(warm.remembered_signatures() > 0);
    assert_eq!(verify_with(&warm, &der), cold);
    assert_eq!(verify_with(&warm, &der), cold);
}

/// `CHAIN_TOO_COMPLEX` is reserved: a path of at most `MAX_CHAIN_CERTIFICATES` costs at
/// most twice that many checks (a certificate and a CRL each), within the budget.
#[test]
fn code_chain_too_complex() {
    assert!(2 * MAX_CHAIN_CERTIFICATES as u32 <= MAX_CHAIN_SIGNATURE_CHECKS);
    assert_eq!(
        Error::ChainTooComplex {
            max: MAX_CHAIN_SIGNATURE_CHECKS
        }
        .code(),
        "CHAIN_TOO_COMPLEX"
    );
}

/// The longest honest chain (device and three intermediates, each CA with a CRL that the
/// store could not check at load) verifies well within the budget.
#[test]
fn the_longest_valid_chain_fits_the_signature_budget() {
    let v = vendor(0);
    let mut issuer_name = v.root_name.clone();
    let mut issuer_key = v.root_key.clone();
    let mut carried = Vec::new();
    let mut crls = vec![v.root_crl_der.clone()];
    for level in 0..MAX_CHAIN_CERTIFICATES - 1 {
        let subject = name(&format!("CA level {level}"));
        let key = DeviceKey::from_seed(&[b'c', level as u8]).unwrap();
        let issuer = Issuer {
            name: &issuer_name,
            key: &issuer_key,
        };
        carried.insert(
            0,
            ca_certificate(&subject, key.public_key(), issuer, 300 + level as u64),
        );
        let own = Issuer {
            name: &subject,
            key: &key,
        };
        crls.push(mint_crl(own, TEST_NOT_BEFORE, TEST_DEVICE_NOT_AFTER, 1, &[]).unwrap());
        issuer_name = subject;
        issuer_key = key;
    }
    let device = DeviceKey::from_seed(b"deep chip").unwrap();
    let issuer = Issuer {
        name: &issuer_name,
        key: &issuer_key,
    };
    let mut certificates = vec![device_certificate(&device, issuer, 0)];
    certificates.extend(carried);
    assert_eq!(certificates.len(), MAX_CHAIN_CERTIFICATES);
    let der = binding(&device, certificates);
    let crl_refs: Vec<&[u8]> = crls.iter().map(Vec::as_slice).collect();
    let store = vendor_a_store(&[&v.root_der], &crl_refs, allow_tests());
    let (result, checks) = checks_of(store, &der);
    result.unwrap();
    // Four certificate signatures and the three intermediates' CRLs; the root's CRL was
    // checked when the store was built.
    assert_eq!(checks, 7);
}

#[test]
fn extensions_are_counted_up_to_the_limit() {
    let v = vendor(0);
    let device = DeviceKey::from_seed(b"many extensions").unwrap();
    let base = device_extensions(v.intermediate_key.public_key(), &identity(MODEL, b"SN-1"))
        .unwrap()
        .len();
    let at_limit = device_certificate(&device, v.intermediate(), MAX_CERTIFICATE_EXTENSIONS - base);
    let over = device_certificate(
        &device,
        v.intermediate(),
        MAX_CERTIFICATE_EXTENSIONS - base + 1,
    );
    let verifier = Verifier::with_trust_store(store(allow_tests()));
    let chain =
        |device_der: Vec<u8>| binding(&device, vec![device_der, v.intermediate_der.clone()]);
    verify_with(&verifier, &chain(at_limit)).unwrap();
    let refused = verify_with(&verifier, &chain(over)).unwrap_err();
    assert_eq!(
        refused,
        Error::BadCertificate {
            problem: poci::CertProblem::TooManyExtensions
        }
    );
}

/// A CRL listing `count` serials, signed by vendor A's intermediate.
fn crl_of(count: u64) -> Vec<u8> {
    let serials: Vec<u64> = (1_000..1_000 + count).collect();
    mint_crl(
        vendor(0).intermediate(),
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
        2,
        &serials,
    )
    .unwrap()
}

#[test]
fn a_crl_past_the_limit_is_refused_and_one_near_it_serves() {
    let v = vendor(0);
    // Entries are 22 bytes: a CRL within 64 KiB of the limit, then one past it.
    let within = crl_of(47_000);
    assert!(within.len() <= MAX_CRL_LEN && within.len() > MAX_CRL_LEN - 65_536);
    let over = crl_of(50_000);
    assert!(over.len() > MAX_CRL_LEN);
    let mut refused = TrustStore::new(registry_of(&[&manifest(0)]).unwrap(), allow_tests());
    let error = refused
        .add_roots(
            &v.vendor_id,
            RootKind::Vendor,
            &[&v.root_der],
            &[&v.root_crl_der, &over],
        )
        .unwrap_err();
    assert_eq!(error.code(), "MESSAGE_TOO_LARGE");
    assert_eq!(refused.root_count(), 0, "a refused CRL adds nothing");
    let store = vendor_a_store(&[&v.root_der], &[&v.root_crl_der, &within], allow_tests());
    let (_, der) = valid_binding(b"crl chip", b"SN-1");
    let (result, checks) = checks_of(store, &der);
    result.unwrap();
    // A 47,000-entry CRL costs no more than a small one: the device, the intermediate and
    // this CRL's signature.
    assert_eq!(checks, 3);
}

#[test]
fn code_batch_too_large() {
    let verifier = Verifier::with_trust_store(store(allow_tests()));
    let mut ledger = ChipLedger::new(params());
    let (_, der) = valid_binding(b"batch chip", b"SN-1");
    let challenge = challenge();
    let at = SlotId {
        epoch: EPOCH,
        slot: SLOT,
    };
    let bindings = vec![BindingSubmission::poci(&der, at, &challenge, WALLET); MAX_BATCH_LEN + 1];
    let before = ledger.clone();
    let error = ledger.apply_bindings(&verifier, &bindings, at).unwrap_err();
    assert_eq!(error.code(), "BATCH_TOO_LARGE");
    assert_eq!(ledger, before, "a refused batch applies nothing");

    // Heartbeats that fail to parse are the cheapest items: a full batch of them is checked
    // item by item, one more is refused whole.
    let junk = [0x30, 0x00];
    let beats = vec![HeartbeatSubmission::poci(&junk, at, &challenge); MAX_BATCH_LEN + 1];
    let error = ledger.apply_heartbeats(&verifier, &beats, at).unwrap_err();
    assert_eq!(error.code(), "BATCH_TOO_LARGE");
    let results = ledger
        .apply_heartbeats(&verifier, &beats[..MAX_BATCH_LEN], at)
        .unwrap();
    assert_eq!(results.len(), MAX_BATCH_LEN);
    assert!(results.iter().all(Result::is_err));
    assert_eq!(ledger, before);

    let key = DeviceKey::from_seed(b"batch key").unwrap();
    let item = HeartbeatItem {
        der: &junk,
        key: key.public_key(),
        context: SlotContext {
            network_id: "poci-testnet",
            epoch: EPOCH,
            slot: SLOT,
            challenge: &challenge,
            wallet: WALLET,
        },
    };
    let items = vec![item; MAX_BATCH_LEN + 1];
    let error = verifier.verify_heartbeats(&items).unwrap_err();
    assert_eq!(error.code(), "BATCH_TOO_LARGE");
}

/// The cheap checks come first: a binding for the wrong wallet, or signed by the wrong key,
/// is refused before any certificate signature is checked, and a heartbeat with the wrong
/// context is refused before its signature.
#[test]
fn the_cheap_checks_come_first() {
    let v = vendor(0);
    let (_, certificate) = chip_a(b"cheap chip", b"SN-1");
    let thief = DeviceKey::from_seed(b"cheap thief").unwrap();
    let stolen = binding(&thief, vec![certificate, v.intermediate_der.clone()]);
    let (result, checks) = checks_of(store(allow_tests()), &stolen);
    assert_eq!(result.unwrap_err().code(), "SIGNATURE_INVALID");
    assert_eq!(
        checks, 0,
        "no certificate signature before the binding's own"
    );

    let (_, honest) = valid_binding(b"cheap chip 2", b"SN-1");
    let verifier = Verifier::with_trust_store(store(allow_tests()));
    let params = params();
    let challenge = challenge();
    let context = poci::BindingContext::new(&params, EPOCH, SLOT, &challenge, b"front-runner");
    let refused = verifier.verify_binding(&honest, &context).unwrap_err();
    assert_eq!(refused.code(), "WALLET_MISMATCH");
    assert_eq!(verifier.certificate_signature_checks(), 0);

    // Signed by another key and for another network: the network is what is reported.
    let chip = DeviceKey::from_seed(b"cheap heartbeat chip").unwrap();
    let tbs = poci::HeartbeatTbs {
        network_id: "poci-othernet".into(),
        chip_key_id: *chip.key_id(),
        wallet: WALLET.to_vec(),
        epoch: EPOCH,
        slot: SLOT,
        challenge,
        counter: 1,
        measurement: None,
    };
    let der = poci::Signed::sign(tbs, &thief).unwrap().to_der().unwrap();
    let context = SlotContext {
        network_id: "poci-testnet",
        epoch: EPOCH,
        slot: SLOT,
        challenge: &challenge,
        wallet: WALLET,
    };
    let refused = verifier
        .verify_heartbeat(&der, chip.public_key(), &context)
        .unwrap_err();
    assert_eq!(refused.code(), "WRONG_NETWORK");
}
