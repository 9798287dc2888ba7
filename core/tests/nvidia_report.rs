//! NVIDIA attestation reports: the real H100 samples of `silicon/nvidia/` (provenance in
//! its README) read strictly and verified under the leaf key of their own chain, on every
//! backend; the bad-signature sample refused; every truncation and every appended byte
//! refused with a typed code, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::PathBuf;

use poci::evidence::nvidia_spdm::{NvidiaReport, REQUEST_LEN, opaque};
use poci::evidence::p384::verify_p384;
use poci::{Backend, Error, ReportProblem};

fn sample(name: &str) -> (Vec<u8>, Vec<Vec<u8>>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/silicon/nvidia")
        .join(name);
    let hex_text = std::fs::read_to_string(dir.join("report.hex")).unwrap();
    let report = hex::decode(hex_text.trim()).unwrap();
    let pem = std::fs::read_to_string(dir.join("chain.pem")).unwrap();
    let chain = poci::x509::certificates_from_pem(&pem).unwrap();
    (report, chain)
}

/// The uncompressed P-384 point of a certificate's SPKI (test helper: the SPKI of a P-384
/// key always starts with these bytes).
fn p384_key(certificate: &[u8]) -> Vec<u8> {
    const PREFIX: [u8; 10] = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00];
    let at = certificate
        .windows(PREFIX.len())
        .position(|window| window == PREFIX)
        .expect("a P-384 SPKI");
    certificate[at + PREFIX.len()..at + PREFIX.len() + 97].to_vec()
}

fn code(result: Result<impl Sized, Error>) -> &'static str {
    result.err().map_or("OK", |error| error.code())
}

#[test]
fn genuine_h100_reports_read_and_verify_on_every_backend() {
    for (name, driver, fwid) in [("h100-a", "550.90.07", true), ("h100-b", "545.00", false)] {
        let (bytes, chain) = sample(name);
        assert_eq!(chain.len(), 5, "{name}: leaf, BROM, two ICAs, root");
        let report = NvidiaReport::parse(&bytes).unwrap();
        assert_eq!(report.requester_nonce.as_slice(), &bytes[4..36], "{name}");
        assert_eq!(report.signed.len() + 96, bytes.len());
        assert_eq!(report.blocks.len(), 64);
        assert_eq!(report.opaque_text(opaque::PROJECT), Some("1010"));
        assert_eq!(report.opaque_text(opaque::PROJECT_SKU), Some("0200"));
        assert_eq!(report.opaque_text(opaque::CHIP_SKU), Some("882"));
        assert_eq!(report.opaque_text(opaque::DRIVER_VERSION), Some(driver));
        assert_eq!(report.opaque_field(opaque::FWID).is_some(), fwid, "{name}");
        let leaf = p384_key(&chain[0]);
        for backend in Backend::ALL {
            assert_eq!(
                code(verify_p384(
                    *backend,
                    &leaf,
                    report.signed,
                    report.signature
                )),
                "OK",
                "{name} on {backend:?}"
            );
            // Under another GPU's key, or with one signed byte changed, it fails.
            let other = p384_key(&chain[1]);
            assert_eq!(
                code(verify_p384(
                    *backend,
                    &other,
                    report.signed,
                    report.signature
                )),
                "SIGNATURE_INVALID"
            );
            let mut altered = report.signed.to_vec();
            altered[4] ^= 1;
            assert_eq!(
                code(verify_p384(*backend, &leaf, &altered, report.signature)),
                "SIGNATURE_INVALID"
            );
        }
    }
    let (bytes, _) = sample("h100-a");
    let report = NvidiaReport::parse(&bytes).unwrap();
    assert_eq!(report.vbios_version().as_deref(), Some("96.00.9f.00.01"));
}

#[test]
fn the_bad_signature_sample_is_refused_on_every_backend() {
    let (bytes, chain) = sample("h100-bad-signature");
    let report = NvidiaReport::parse(&bytes).unwrap();
    assert_eq!(report.opaque_text(opaque::PROJECT), Some("G520"));
    let leaf = p384_key(&chain[0]);
    for backend in Backend::ALL {
        assert_eq!(
            code(verify_p384(
                *backend,
                &leaf,
                report.signed,
                report.signature
            )),
            "SIGNATURE_INVALID"
        );
    }
}

#[test]
fn every_truncation_and_every_appended_byte_is_refused() {
    let (bytes, _) = sample("h100-a");
    for len in 0..bytes.len() {
        assert_eq!(
            code(NvidiaReport::parse(&bytes[..len])),
            "REPORT_MALFORMED",
            "{len}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        NvidiaReport::parse(&longer),
        Err(Error::ReportMalformed {
            problem: ReportProblem::TrailingData,
            ..
        })
    ));
    let huge = vec![0u8; poci::limits::MAX_NVIDIA_REPORT_LEN + 1];
    assert_eq!(code(NvidiaReport::parse(&huge)), "MESSAGE_TOO_LARGE");
}

#[test]
fn the_request_must_ask_for_a_signed_report_of_every_block() {
    let (bytes, _) = sample("h100-a");
    for (offset, value, problem) in [
        (0, 0x12, ReportProblem::Version),
        (1, 0xe1, ReportProblem::RequestCode),
        (2, 0x00, ReportProblem::RequestParams),
        (3, 0x01, ReportProblem::RequestParams),
        (36, 8, ReportProblem::RequestParams),
        (REQUEST_LEN, 0x10, ReportProblem::Version),
        (REQUEST_LEN + 1, 0x61, ReportProblem::ResponseCode),
        (REQUEST_LEN + 4, 0, ReportProblem::Blocks),
    ] {
        let mut altered = bytes.clone();
        altered[offset] = value;
        match NvidiaReport::parse(&altered) {
            Err(Error::ReportMalformed { problem: found, .. }) => {
                assert_eq!(found, problem, "byte {offset}");
            }
            other => panic!("byte {offset}: {other:?}"),
        }
    }
}

const DEC_2026: u64 = 1_796_083_200;
const JUNE_2021: u64 = 1_622_505_600;

/// The production store of the repository's vendor-roots/: NVIDIA's real root.
fn production() -> poci::TrustStore {
    poci::TrustStore::from_folder(poci::embedded::FILES, poci::TrustPolicy::default(), false)
        .unwrap()
}

fn verify(
    bytes: &[u8],
    chain: &[Vec<u8>],
    nonce: &[u8; 32],
    time: u64,
) -> Result<poci::evidence::nvidia::VerifiedNvidiaReport, Error> {
    let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    let verdicts: Vec<_> = Backend::ALL
        .iter()
        .map(|backend| {
            poci::Verifier::with_trust_store(production())
                .with_backend(*backend)
                .verify_nvidia_report(bytes, &chain, nonce, time)
        })
        .collect();
    assert!(
        verdicts.windows(2).all(|pair| pair[0] == pair[1]),
        "backends disagree"
    );
    verdicts.into_iter().next().unwrap()
}

fn recorded_nonce(bytes: &[u8]) -> [u8; 32] {
    bytes[4..36].try_into().unwrap()
}

#[test]
fn genuine_h100_evidence_verifies_against_the_real_root() {
    let mut key_ids = Vec::new();
    for name in ["h100-a", "h100-b"] {
        let (bytes, chain) = sample(name);
        let verified = verify(&bytes, &chain, &recorded_nonce(&bytes), DEC_2026).unwrap();
        assert_eq!(verified.chip, "GH100");
        assert_eq!(verified.vendor_id, "nvidia");
        assert_eq!(verified.project.as_deref(), Some("1010"));
        assert_eq!(verified.project_sku.as_deref(), Some("0200"));
        assert_eq!(verified.chip_sku.as_deref(), Some("882"));
        assert!(
            verified.fwid.is_some(),
            "{name}: the leaf certifies its firmware"
        );
        key_ids.push(verified.key_id);
    }
    assert_ne!(key_ids[0], key_ids[1], "two GPUs, two identities");
}

#[test]
fn refusals_carry_their_codes() {
    let (bytes, chain) = sample("h100-a");
    let nonce = recorded_nonce(&bytes);
    assert_eq!(
        code(verify(&bytes, &chain, &[0u8; 32], DEC_2026)),
        "NONCE_MISMATCH"
    );
    assert_eq!(
        code(verify(&bytes, &chain, &nonce, JUNE_2021)),
        "CERT_NOT_YET_VALID"
    );
    // Another GPU's chain: its leaf did not sign the report.
    let (_, other_chain) = sample("h100-b");
    assert_eq!(
        code(verify(&bytes, &other_chain, &nonce, DEC_2026)),
        "SIGNATURE_INVALID"
    );
    // The chain without its NVIDIA intermediates reaches no root.
    let short: Vec<Vec<u8>> = chain[..2].to_vec();
    assert_eq!(
        code(verify(&bytes, &short, &nonce, DEC_2026)),
        "UNKNOWN_ISSUER"
    );
    // The report with one measurement changed no longer verifies.
    let mut altered = bytes.clone();
    altered[REQUEST_LEN + 20] ^= 1;
    assert_eq!(
        code(verify(&altered, &chain, &nonce, DEC_2026)),
        "SIGNATURE_INVALID"
    );
    // Without NVIDIA's root in the store, no chain is anchored.
    let chain_refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    assert_eq!(
        code(poci::Verifier::default().verify_nvidia_report(&bytes, &chain_refs, &nonce, DEC_2026)),
        "UNKNOWN_ISSUER"
    );
    let (bad, bad_chain) = sample("h100-bad-signature");
    assert_eq!(
        code(verify(&bad, &bad_chain, &recorded_nonce(&bad), DEC_2026)),
        "SIGNATURE_INVALID"
    );
    assert_eq!(
        code(verify(&bytes[..100], &chain, &nonce, DEC_2026)),
        "REPORT_MALFORMED"
    );
}

#[test]
fn code_report_malformed() {
    let (bytes, chain) = sample("h100-a");
    let nonce = recorded_nonce(&bytes);
    assert_eq!(
        code(verify(&bytes[..36], &chain, &nonce, DEC_2026)),
        "REPORT_MALFORMED"
    );
}

#[test]
fn code_nonce_mismatch() {
    let (bytes, chain) = sample("h100-b");
    let mut other = recorded_nonce(&bytes);
    other[31] ^= 1;
    assert_eq!(
        code(verify(&bytes, &chain, &other, DEC_2026)),
        "NONCE_MISMATCH"
    );
}

/// The re-signed reports of the conformance generator (conformance/src/generate/files/
/// evidence.rs), which reach the firmware-id rule (step 5) before the chain (step 6).
#[test]
fn code_fwid_mismatch() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/evidence.json");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut seen = 0;
    for case in file["groups"][0]["cases"].as_array().unwrap() {
        let expected = case["expected"]["error"].as_str().unwrap_or("OK");
        if expected != "FWID_MISMATCH" && expected != "CERT_SIGNATURE_INVALID" {
            continue;
        }
        let input = &case["input"];
        let bytes = hex::decode(input["report"].as_str().unwrap()).unwrap();
        let chain: Vec<Vec<u8>> = input["chain"]
            .as_array()
            .unwrap()
            .iter()
            .map(|der| hex::decode(der.as_str().unwrap()).unwrap())
            .collect();
        let nonce: [u8; 32] = hex::decode(input["nonce"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(code(verify(&bytes, &chain, &nonce, DEC_2026)), expected);
        seen += 1;
    }
    assert_eq!(seen, 2, "the FWID_MISMATCH case and its control");
}
