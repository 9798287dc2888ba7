//! NVIDIA GPUs in the ledger (SPEC.md 17.4–17.5): emulated GPUs of the testnet chain bind
//! and prove slots with `nvidia-spdm` evidence; the real H100 samples are genuine but answer
//! no slot of any network; every new refusal has its code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::PathBuf;

use poci::evidence::nonce::{EvidencePurpose, evidence_nonce};
use poci::evidence::nvidia_emulator::{EMULATED_BOARDS, EmulatedGpu, NvidiaTestnetCa};
use poci::{
    BindingEvidence, BindingOutcome, BindingSubmission, ChipLedger, DeviceKey, EvidenceKind,
    HeartbeatEvidence, HeartbeatSubmission, KeyId, NetworkParams, SlotContext, SlotId, TrustPolicy,
    TrustStore, Verifier, derive_challenge,
};

const FIRMWARE: &str = "96.00.9f.00.01";

/// Genesis 2026-06-01, after the testnet chain's notBefore.
fn params() -> NetworkParams {
    NetworkParams::new("poci-testnet", 1_780_272_000, 3600, 120).unwrap()
}

/// The repository's vendor-roots/ with its testnet material, test vendors allowed.
fn testnet() -> Verifier {
    let policy = TrustPolicy {
        allow_test_vendors: true,
        ..TrustPolicy::default()
    };
    Verifier::with_trust_store(
        TrustStore::from_folder(poci::embedded::FILES, policy, true).unwrap(),
    )
}

fn at(epoch: u64, slot: u32) -> SlotId {
    SlotId { epoch, slot }
}

fn challenge(slot: SlotId) -> [u8; 32] {
    derive_challenge(&params(), slot.epoch, slot.slot, &[0x44; 32]).unwrap()
}

fn nonce(slot: SlotId, wallet: &[u8], purpose: EvidencePurpose) -> [u8; 32] {
    let params = params();
    let challenge = challenge(slot);
    let context = SlotContext {
        network_id: params.network_id(),
        epoch: slot.epoch,
        slot: slot.slot,
        challenge: &challenge,
        wallet,
    };
    evidence_nonce(&context, purpose).unwrap()
}

fn gpu(board: usize, seed: &str, firmware: &str) -> EmulatedGpu {
    NvidiaTestnetCa::testnet()
        .unwrap()
        .gpu(&EMULATED_BOARDS[board], seed, firmware)
        .unwrap()
}

fn bind(
    ledger: &mut ChipLedger,
    verifier: &Verifier,
    gpu: &EmulatedGpu,
    slot: SlotId,
    wallet: &[u8],
) -> Result<BindingOutcome, poci::Error> {
    let report = gpu
        .report(&nonce(slot, wallet, EvidencePurpose::Binding))
        .unwrap();
    let chain: Vec<&[u8]> = gpu.chain().iter().map(Vec::as_slice).collect();
    ledger.apply_nvidia_binding(
        verifier,
        &report,
        &chain,
        slot,
        &challenge(slot),
        wallet,
        slot,
    )
}

fn beat(
    ledger: &mut ChipLedger,
    verifier: &Verifier,
    gpu: &EmulatedGpu,
    slot: SlotId,
    wallet: &[u8],
) -> Result<(), poci::Error> {
    let report = gpu
        .report(&nonce(slot, wallet, EvidencePurpose::Heartbeat))
        .unwrap();
    let key_id = gpu.key_id().unwrap();
    ledger.apply_nvidia_heartbeat(verifier, &key_id, &report, slot, &challenge(slot), slot)
}

fn code<T>(result: Result<T, poci::Error>) -> &'static str {
    result.err().map_or("OK", |error| error.code())
}

#[test]
fn an_emulated_h100_binds_proves_slots_and_is_paid_by_its_rating() {
    let verifier = testnet();
    let mut ledger = ChipLedger::new(params());
    let h100 = gpu(0, "gpu-0", FIRMWARE);
    let b200 = gpu(2, "gpu-1", FIRMWARE);
    assert_eq!(
        bind(&mut ledger, &verifier, &h100, at(1, 0), b"alice"),
        Ok(BindingOutcome::Claimed)
    );
    assert_eq!(
        bind(&mut ledger, &verifier, &b200, at(1, 0), b"bob"),
        Ok(BindingOutcome::Claimed)
    );
    let record = ledger.chip(&h100.key_id().unwrap()).unwrap();
    assert_eq!(record.evidence, EvidenceKind::NvidiaSpdm);
    assert_eq!(record.model_id, "nvidia-h100-sxm");
    assert_eq!(record.vendor_id, "nvidia");
    assert_eq!(record.rating_milli_cu, 989_500);
    assert_eq!(record.public_key.len(), 97);
    assert_eq!(
        record.binding_counter, 120,
        "its absolute slot: epoch 1 slot 0"
    );
    assert_eq!(
        ledger
            .chip(&b200.key_id().unwrap())
            .unwrap()
            .rating_milli_cu,
        2_250_000
    );
    for slot in 1..=5 {
        beat(&mut ledger, &verifier, &h100, at(1, slot), b"alice").unwrap();
    }
    beat(&mut ledger, &verifier, &b200, at(1, 3), b"bob").unwrap();
    let closed = ledger.close_epoch(1, None, &[]).unwrap();
    let mut slots: Vec<(u64, u32)> = closed
        .availability
        .iter()
        .map(|entry| (entry.rating_milli_cu, entry.proven_slots))
        .collect();
    slots.sort_unstable();
    assert_eq!(slots, vec![(989_500, 5), (2_250_000, 1)]);
}

#[test]
fn a_report_answers_one_slot_one_wallet_one_purpose() {
    let verifier = testnet();
    let mut ledger = ChipLedger::new(params());
    let h100 = gpu(0, "gpu-0", FIRMWARE);
    let key_id = h100.key_id().unwrap();
    bind(&mut ledger, &verifier, &h100, at(1, 0), b"alice").unwrap();
    let before = ledger.clone();
    let for_slot_1 = h100
        .report(&nonce(at(1, 1), b"alice", EvidencePurpose::Heartbeat))
        .unwrap();
    let apply = |ledger: &mut ChipLedger, report: &[u8], slot: SlotId| {
        ledger.apply_nvidia_heartbeat(&verifier, &key_id, report, slot, &challenge(slot), slot)
    };
    // Replayed to a later slot, as another wallet's, or a binding's report as a heartbeat.
    assert_eq!(
        code(apply(&mut ledger, &for_slot_1, at(1, 2))),
        "NONCE_MISMATCH"
    );
    let mallory = h100
        .report(&nonce(at(1, 1), b"mallory", EvidencePurpose::Heartbeat))
        .unwrap();
    assert_eq!(
        code(apply(&mut ledger, &mallory, at(1, 1))),
        "NONCE_MISMATCH"
    );
    let binding = h100
        .report(&nonce(at(1, 1), b"alice", EvidencePurpose::Binding))
        .unwrap();
    assert_eq!(
        code(apply(&mut ledger, &binding, at(1, 1))),
        "NONCE_MISMATCH"
    );
    // Another GPU's report for the right nonce is not this chip's.
    let other = gpu(0, "gpu-9", FIRMWARE)
        .report(&nonce(at(1, 1), b"alice", EvidencePurpose::Heartbeat))
        .unwrap();
    assert_eq!(
        code(apply(&mut ledger, &other, at(1, 1))),
        "SIGNATURE_INVALID"
    );
    assert_eq!(ledger, before, "refused heartbeats changed nothing");
    apply(&mut ledger, &for_slot_1, at(1, 1)).unwrap();
    // The same report again: its slot is proven.
    assert_eq!(
        code(apply(&mut ledger, &for_slot_1, at(1, 1))),
        "SLOT_ALREADY_PROVEN"
    );
    // A binding report submitted by another wallet than the one it names.
    let report = h100
        .report(&nonce(at(1, 5), b"alice", EvidencePurpose::Binding))
        .unwrap();
    let chain: Vec<&[u8]> = h100.chain().iter().map(Vec::as_slice).collect();
    assert_eq!(
        code(ledger.apply_nvidia_binding(
            &verifier,
            &report,
            &chain,
            at(1, 5),
            &challenge(at(1, 5)),
            b"mallory",
            at(1, 5),
        )),
        "NONCE_MISMATCH"
    );
}

#[test]
fn a_firmware_update_keeps_the_chip_and_needs_a_new_binding() {
    let verifier = testnet();
    let mut ledger = ChipLedger::new(params());
    let old = gpu(0, "gpu-0", FIRMWARE);
    let new = gpu(0, "gpu-0", "96.00.a0.00.01");
    assert_eq!(old.key_id().unwrap(), new.key_id().unwrap());
    bind(&mut ledger, &verifier, &old, at(1, 0), b"alice").unwrap();
    beat(&mut ledger, &verifier, &old, at(1, 1), b"alice").unwrap();
    // After the update the new alias key signs; the ledger still holds the old one.
    assert_eq!(
        code(beat(&mut ledger, &verifier, &new, at(1, 2), b"alice")),
        "SIGNATURE_INVALID"
    );
    assert_eq!(
        bind(&mut ledger, &verifier, &new, at(1, 3), b"alice"),
        Ok(BindingOutcome::Rebound {
            previous_wallet: b"alice".to_vec()
        })
    );
    assert_eq!(
        code(beat(&mut ledger, &verifier, &old, at(1, 4), b"alice")),
        "SIGNATURE_INVALID"
    );
    beat(&mut ledger, &verifier, &new, at(1, 4), b"alice").unwrap();
    assert_eq!(ledger.chip_count(), 1);
    let closed = ledger.close_epoch(1, None, &[]).unwrap();
    assert_eq!(closed.availability.len(), 1);
    assert_eq!(
        closed.availability[0].proven_slots, 2,
        "history stays with the chip"
    );
    // An earlier slot cannot re-bind; the same slot again is nothing new.
    assert_eq!(
        code(bind(&mut ledger, &verifier, &old, at(1, 2), b"alice")),
        "COUNTER_REPLAY"
    );
}

#[test]
fn two_reports_for_one_binding_slot_are_equivocation() {
    let verifier = testnet();
    let mut ledger = ChipLedger::new(params());
    let h100 = gpu(0, "gpu-0", FIRMWARE);
    bind(&mut ledger, &verifier, &h100, at(1, 0), b"alice").unwrap();
    assert_eq!(
        bind(&mut ledger, &verifier, &h100, at(1, 0), b"alice"),
        Ok(BindingOutcome::AlreadyApplied),
        "the emulator is deterministic: the very same report"
    );
    let before = ledger.clone();
    let outcome = bind(&mut ledger, &verifier, &h100, at(1, 0), b"bob").unwrap();
    let BindingOutcome::Equivocation(evidence) = outcome else {
        panic!("expected equivocation, got {outcome:?}");
    };
    assert_eq!(evidence.key_id, h100.key_id().unwrap());
    assert_eq!(ledger, before);
    assert_eq!(
        ledger.chip(&h100.key_id().unwrap()).unwrap().wallet,
        b"alice"
    );
}

#[test]
fn batches_give_what_one_by_one_gives() {
    let verifier = testnet();
    let gpus: Vec<EmulatedGpu> = (0..3)
        .map(|n| gpu(n % 3, &format!("gpu-{n}"), FIRMWARE))
        .collect();
    let slot = at(1, 0);
    let reports: Vec<Vec<u8>> = gpus
        .iter()
        .map(|gpu| {
            gpu.report(&nonce(slot, b"alice", EvidencePurpose::Binding))
                .unwrap()
        })
        .collect();
    let chains: Vec<Vec<&[u8]>> = gpus
        .iter()
        .map(|gpu| gpu.chain().iter().map(Vec::as_slice).collect())
        .collect();
    let challenge = challenge(slot);
    let submissions: Vec<BindingSubmission<'_>> = reports
        .iter()
        .zip(&chains)
        .map(|(report, chain)| BindingSubmission {
            evidence: BindingEvidence::NvidiaSpdm { report, chain },
            slot,
            challenge: &challenge,
            wallet: b"alice",
        })
        .collect();
    let mut together = ChipLedger::new(params());
    let batch = together
        .apply_bindings(&verifier, &submissions, slot)
        .unwrap();
    let mut sequential = ChipLedger::new(params());
    let one_by_one: Vec<_> = reports
        .iter()
        .zip(&chains)
        .map(|(report, chain)| {
            sequential
                .apply_nvidia_binding(&verifier, report, chain, slot, &challenge, b"alice", slot)
        })
        .collect();
    assert_eq!(batch, one_by_one);
    assert_eq!(batch[0], Ok(BindingOutcome::Claimed));
    assert_eq!(code(batch[2].clone()), "OK", "the B200 board maps");
    assert_eq!(together, sequential);
    // Heartbeats of every chip in one batch, mixed with a POCI heartbeat for no chip.
    let beat_at = at(1, 1);
    let beat_challenge = self::challenge(beat_at);
    let beats: Vec<(KeyId, Vec<u8>)> = gpus
        .iter()
        .map(|gpu| {
            (
                gpu.key_id().unwrap(),
                gpu.report(&nonce(beat_at, b"alice", EvidencePurpose::Heartbeat))
                    .unwrap(),
            )
        })
        .collect();
    let mut submissions: Vec<HeartbeatSubmission<'_>> = beats
        .iter()
        .map(|(key_id, report)| HeartbeatSubmission {
            evidence: HeartbeatEvidence::NvidiaSpdm {
                key_id: *key_id,
                report,
            },
            slot: beat_at,
            challenge: &beat_challenge,
        })
        .collect();
    let garbage = [0x30, 0x00];
    submissions.push(HeartbeatSubmission::poci(
        &garbage,
        beat_at,
        &beat_challenge,
    ));
    let results = together
        .apply_heartbeats(&verifier, &submissions, beat_at)
        .unwrap();
    let codes: Vec<&str> = results.into_iter().map(code).collect();
    assert_eq!(codes[..3], ["OK", "OK", "OK"]);
    assert_ne!(codes[3], "OK");
}

#[test]
fn the_persisted_ledger_keeps_nvidia_chips() {
    let verifier = testnet();
    let mut ledger = ChipLedger::new(params());
    let h100 = gpu(0, "gpu-0", FIRMWARE);
    bind(&mut ledger, &verifier, &h100, at(1, 0), b"alice").unwrap();
    beat(&mut ledger, &verifier, &h100, at(1, 1), b"alice").unwrap();
    let json = serde_json::to_value(&ledger).unwrap();
    let restored: ChipLedger = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(restored, ledger);
    let mut restored = restored;
    beat(&mut restored, &verifier, &h100, at(1, 2), b"alice").unwrap();
    // States no history reaches are refused.
    let mut counter = json.clone();
    counter["chips"][0]["last_heartbeat_counter"] = serde_json::json!("1");
    assert!(serde_json::from_value::<ChipLedger>(counter).is_err());
    let mut short_key = json.clone();
    short_key["chips"][0]["record"]["public_key"] = serde_json::json!("04");
    assert!(serde_json::from_value::<ChipLedger>(short_key).is_err());
    let mut moved = json;
    moved["chips"][0]["record"]["binding_counter"] = serde_json::json!("1");
    assert!(serde_json::from_value::<ChipLedger>(moved).is_err());
}

#[test]
fn the_real_h100_samples_are_genuine_but_answer_no_slot() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/silicon/nvidia/h100-a");
    let report = hex::decode(
        std::fs::read_to_string(dir.join("report.hex"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let pem = std::fs::read_to_string(dir.join("chain.pem")).unwrap();
    let chain = poci::x509::certificates_from_pem(&pem).unwrap();
    let chain: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    for include_testnet in [false, true] {
        let store = TrustStore::from_folder(
            poci::embedded::FILES,
            TrustPolicy::default(),
            include_testnet,
        )
        .unwrap();
        let verifier = Verifier::with_trust_store(store);
        let mut ledger = ChipLedger::new(params());
        let slot = at(1, 0);
        assert_eq!(
            code(ledger.apply_nvidia_binding(
                &verifier,
                &report,
                &chain,
                slot,
                &challenge(slot),
                b"alice",
                slot,
            )),
            "NONCE_MISMATCH",
            "a nonce NVIDIA's sample was made for answers no POCI context"
        );
        assert_eq!(ledger.chip_count(), 0);
    }
}

#[test]
fn emulated_gpus_need_the_testnet_root_and_test_trust() {
    let h100 = gpu(0, "gpu-0", FIRMWARE);
    let production = Verifier::with_trust_store(
        TrustStore::from_folder(poci::embedded::FILES, TrustPolicy::default(), false).unwrap(),
    );
    let mut ledger = ChipLedger::new(params());
    assert_eq!(
        code(bind(&mut ledger, &production, &h100, at(1, 0), b"alice")),
        "UNKNOWN_ISSUER"
    );
    let testnet_refusing_tests = Verifier::with_trust_store(
        TrustStore::from_folder(poci::embedded::FILES, TrustPolicy::default(), true).unwrap(),
    );
    assert_eq!(
        code(bind(
            &mut ledger,
            &testnet_refusing_tests,
            &h100,
            at(1, 0),
            b"alice"
        )),
        "TEST_VENDOR_REFUSED"
    );
}

#[test]
fn code_model_unmapped() {
    let mut ledger = ChipLedger::new(params());
    let unmapped = gpu(3, "gpu-0", FIRMWARE);
    assert_eq!(
        code(bind(&mut ledger, &testnet(), &unmapped, at(1, 0), b"alice")),
        "MODEL_UNMAPPED"
    );
    assert_eq!(ledger.chip_count(), 0);
}

#[test]
fn code_not_a_compute_chip() {
    let mut ledger = ChipLedger::new(params());
    let nvswitch = gpu(4, "switch-0", FIRMWARE);
    assert_eq!(
        code(bind(&mut ledger, &testnet(), &nvswitch, at(1, 0), b"alice")),
        "NOT_A_COMPUTE_CHIP"
    );
}

#[test]
fn code_evidence_kind_mismatch() {
    // A POCI chip, bound by a POCI binding, cannot prove slots with an NVIDIA report.
    let verifier = testnet();
    let mut ledger = ChipLedger::new(params());
    let h100 = gpu(0, "gpu-0", FIRMWARE);
    bind(&mut ledger, &verifier, &h100, at(1, 0), b"alice").unwrap();
    let key = DeviceKey::from_seed(b"not a gpu").unwrap();
    let heartbeat = poci::Signed::sign(
        poci::HeartbeatTbs {
            network_id: "poci-testnet".into(),
            chip_key_id: h100.key_id().unwrap(),
            wallet: b"alice".to_vec(),
            epoch: 1,
            slot: 1,
            challenge: challenge(at(1, 1)),
            counter: 1,
            measurement: None,
        },
        &key,
    )
    .unwrap()
    .to_der()
    .unwrap();
    assert_eq!(
        code(ledger.apply_heartbeat(
            &verifier,
            &heartbeat,
            at(1, 1),
            &challenge(at(1, 1)),
            at(1, 1)
        )),
        "EVIDENCE_KIND_MISMATCH"
    );
}

/// The repository's vendor-roots/ with its testnet material, test vendors allowed, and
/// `crls` as CRLs of the testnet NVIDIA chain's CAs.
fn testnet_with_crls(crls: &[Vec<u8>]) -> Result<Verifier, poci::Error> {
    let pems: Vec<(String, String)> = crls
        .iter()
        .enumerate()
        .map(|(index, der)| {
            (
                format!("testnet/nvidia/evidence/nvidia-spdm/crls/{index}.pem"),
                poci::x509::mint::to_pem("X509 CRL", der).unwrap(),
            )
        })
        .collect();
    let mut files: Vec<poci::FolderFile<'_>> = poci::embedded::FILES.to_vec();
    for (path, pem) in &pems {
        files.push(poci::FolderFile {
            path,
            bytes: pem.as_bytes(),
        });
    }
    let policy = TrustPolicy {
        allow_test_vendors: true,
        ..TrustPolicy::default()
    };
    Ok(Verifier::with_trust_store(TrustStore::from_folder(
        &files, policy, true,
    )?))
}

#[test]
fn crls_where_supplied_revoke_gpus_and_ca_levels() {
    let ca = NvidiaTestnetCa::testnet().unwrap();
    let revoked = gpu(0, "gpu-revoked", FIRMWARE);
    let kept = gpu(0, "gpu-kept", FIRMWARE);
    let b200 = gpu(2, "gpu-b200", FIRMWARE);
    let serial = revoked.identity_serial().unwrap();
    // Epoch 1 starts 2026-06-06; the CRL is valid from 2026-05-01 to 2026-07-01.
    let crl = ca
        .provisioner_crl("GH100", &[&serial], 1_777_593_600, 1_782_864_000, 1)
        .unwrap();
    let verifier = testnet_with_crls(std::slice::from_ref(&crl)).unwrap();
    let mut ledger = ChipLedger::new(params());
    assert_eq!(
        code(bind(&mut ledger, &verifier, &revoked, at(1, 0), b"alice")),
        "CERT_REVOKED"
    );
    assert_eq!(
        code(bind(&mut ledger, &verifier, &kept, at(1, 0), b"alice")),
        "OK"
    );
    // A CRL speaks for its issuer's certificates only: no CRL of GB100's CAs is supplied.
    assert_eq!(
        code(bind(&mut ledger, &verifier, &b200, at(1, 0), b"alice")),
        "OK"
    );
    // Past its nextUpdate the CRL no longer vouches for anything.
    let late = at(24 * 60, 0);
    let late_challenge = challenge(late);
    let report = kept
        .report(&nonce(late, b"bob", EvidencePurpose::Binding))
        .unwrap();
    let chain: Vec<&[u8]> = kept.chain().iter().map(Vec::as_slice).collect();
    assert_eq!(
        code(verifier.verify_nvidia_binding(
            &report,
            &chain,
            &poci::BindingContext::new(&params(), late.epoch, late.slot, &late_challenge, b"bob"),
        )),
        "CRL_EXPIRED"
    );
    // The CRL is part of the trust material: another store, another digest.
    let without = testnet_with_crls(&[]).unwrap();
    assert_ne!(
        without.trust_store().digest().unwrap(),
        verifier.trust_store().digest().unwrap()
    );
    // A CRL that does not read is refused at load.
    let mut broken = crl;
    broken.truncate(broken.len() - 1);
    assert_eq!(code(testnet_with_crls(&[broken])), "BAD_CRL");
}

/// Revocation reaches bound GPUs (SPEC.md 18.5): a provisioner CRL that takes effect from
/// epoch 2 stops the GPU it lists from then on, and only that one; a CRL whose signature is
/// not the provisioner's stops nobody.
#[test]
fn a_provisioner_crl_from_an_epoch_stops_the_bound_gpu_it_lists() {
    let ca = NvidiaTestnetCa::testnet().unwrap();
    let revoked = gpu(0, "gpu-bound-then-revoked", FIRMWARE);
    let kept = gpu(0, "gpu-bound-and-kept", FIRMWARE);
    let serial = revoked.identity_serial().unwrap();
    // Epoch 2 starts 2026-06-01 02:00; the CRL is valid from 2026-05-01 to 2026-07-01.
    let crl = ca
        .provisioner_crl("GH100", &[&serial], 1_777_593_600, 1_782_864_000, 7)
        .unwrap();
    let mut verifier = testnet();
    let later = testnet_with_crls(std::slice::from_ref(&crl)).unwrap();
    verifier
        .schedule_trust_store(2, later.trust_store().clone())
        .unwrap();
    let mut ledger = ChipLedger::new(params());
    for chip in [&revoked, &kept] {
        assert_eq!(
            code(bind(&mut ledger, &verifier, chip, at(1, 0), b"alice")),
            "OK"
        );
        assert_eq!(
            code(beat(&mut ledger, &verifier, chip, at(1, 1), b"alice")),
            "OK"
        );
    }
    assert_eq!(
        code(beat(&mut ledger, &verifier, &revoked, at(2, 0), b"alice")),
        "CERT_REVOKED"
    );
    assert_eq!(
        code(beat(&mut ledger, &verifier, &kept, at(2, 0), b"alice")),
        "OK"
    );
    let listed = ledger.revoked_chips(&verifier, 2).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0, revoked.key_id().unwrap());
    assert!(ledger.revoked_chips(&verifier, 1).unwrap().is_empty());
    // The chain identity: the identity certificate and NVIDIA's CAs, with P-384 issuer keys.
    let chain = ledger.chain(&revoked.key_id().unwrap()).unwrap();
    assert!(chain.levels.len() >= 2, "{chain:?}");
    assert_eq!(chain.levels[0].serial, serial);
    assert!(
        chain
            .levels
            .iter()
            .all(|level| level.issuer_key.len() == 97)
    );
    let text = poci::json::to_json(&ledger).unwrap();
    let back: ChipLedger = poci::json::from_json(&text).unwrap();
    assert_eq!(back, ledger);

    // The same CRL with a broken signature: listed, but not the provisioner's word.
    let mut forged = crl;
    let last = forged.len() - 2;
    forged[last] ^= 1;
    let mut verifier = testnet();
    verifier
        .schedule_trust_store(
            2,
            testnet_with_crls(&[forged]).unwrap().trust_store().clone(),
        )
        .unwrap();
    let mut ledger = ChipLedger::new(params());
    assert_eq!(
        code(bind(&mut ledger, &verifier, &revoked, at(1, 0), b"alice")),
        "OK"
    );
    assert_eq!(
        code(beat(&mut ledger, &verifier, &revoked, at(2, 0), b"alice")),
        "OK"
    );
}
