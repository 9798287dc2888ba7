//! The `evidence` vector file (conformance/vectors/evidence.json): NVIDIA GPU attestation
//! reports (SPEC.md 17), from the real H100 samples of silicon/nvidia/ and from reports
//! this generator re-signs to reach the steps real samples cannot.

use super::*;

/// 2026-12-01T00:00:00Z.
const DEC_2026: &str = "1796083200";
/// 2021-06-01T00:00:00Z: before NVIDIA's intermediates were issued.
const JUNE_2021: &str = "1622505600";

/// A sample's report and chain (leaf first), as the repository holds them.
fn sample(name: &str) -> (Vec<u8>, Vec<Vec<u8>>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../silicon/nvidia")
        .join(name);
    let report = std::fs::read_to_string(dir.join("report.hex"))
        .ok()
        .and_then(|text| hex::decode(text.trim()).ok())
        .unwrap_or_default();
    let pem = std::fs::read_to_string(dir.join("chain.pem")).unwrap_or_default();
    let chain = poci::x509::certificates_from_pem(&pem).unwrap_or_default();
    (report, chain)
}

fn case(report: &[u8], chain: &[Vec<u8>], nonce: &[u8], time: &str) -> Value {
    let chain: Vec<String> = chain.iter().map(|der| h(der)).collect();
    json!({ "report": h(report), "chain": chain, "nonce": h(nonce), "time": time })
}

/// The report's own requester nonce.
fn recorded(report: &[u8]) -> Vec<u8> {
    report.get(4..36).unwrap_or_default().to_vec()
}

/// `report` re-signed by a key of the generator, under a leaf that certifies
/// `certified_fwid` and names the sample's identity certificate as issuer: it passes
/// SPEC.md 17.3 steps 1 to 4, so it reaches the firmware-id rule, and then the chain,
/// whose leaf signature it cannot produce.
fn resigned(
    report: &[u8],
    chain: &[Vec<u8>],
    certified_fwid: &[u8],
) -> Result<(Vec<u8>, Vec<Vec<u8>>)> {
    use p384::ecdsa::signature::Signer as _;
    let key =
        p384::ecdsa::SigningKey::from_slice(&[7u8; 48]).map_err(|_| Error::SignatureInvalid)?;
    let public = key.verifying_key().to_sec1_point(false);
    let ec_public_key = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    let secp384r1 = [0x2b, 0x81, 0x04, 0x00, 0x22];
    let ecdsa_sha384 = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    let sha384 = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    let tcb_info = [0x67, 0x81, 0x05, 0x05, 0x04, 0x01];
    let spki = seq(&[
        seq(&[oid(&ec_public_key), oid(&secp384r1)]),
        tlv(0x03, &[&[0u8][..], public.as_bytes()].concat()),
    ]);
    let subject = seq(&[tlv(
        0x31,
        &seq(&[oid(&[0x55, 0x04, 0x03]), utf8("GH100 A01 GSP FMC LF")]),
    )]);
    let identity = poci::evidence::nvidia_certificate::NvidiaCertificate::from_der(
        chain.get(1).map(Vec::as_slice).unwrap_or_default(),
    )?;
    let fwid = seq(&[uint(1), seq(&[oid(&sha384), octets(certified_fwid)])]);
    let tbs = seq(&[
        tlv(0xa0, &uint(2)),
        uint(1),
        seq(&[oid(&ecdsa_sha384)]),
        identity.subject.to_vec(),
        seq(&[tlv(0x17, b"201017000000Z"), tlv(0x18, b"99991231235959Z")]),
        subject,
        spki,
        tlv(0xa3, &seq(&[seq(&[oid(&tcb_info), octets(&fwid)])])),
    ]);
    let leaf = seq(&[
        tbs,
        seq(&[oid(&ecdsa_sha384)]),
        tlv(0x03, &[&[0u8][..], &seq(&[uint(1), uint(1)])].concat()),
    ]);
    let signed = report.get(..report.len() - 96).unwrap_or_default();
    let signature: p384::ecdsa::Signature = key.sign(signed);
    let mut forged = chain.to_vec();
    forged[0] = leaf;
    Ok(([signed, signature.to_bytes().as_slice()].concat(), forged))
}

pub(super) fn evidence() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "evidence",
        "NVIDIA GPU attestation reports as nvidia-spdm evidence (SPEC.md 17), against the \
         repository's vendor-roots/ with its testnet material; real H100 samples from \
         silicon/nvidia/ (Apache-2.0, NVIDIA)",
    );
    let (a, a_chain) = sample("h100-a");
    let (b, b_chain) = sample("h100-b");
    let (bad, bad_chain) = sample("h100-bad-signature");
    f.group("nvidia_report", "verify_nvidia_report");
    f.ok(
        "a genuine H100 report (project 1010, driver 550.90.07) with its recorded nonce",
        case(&a, &a_chain, &recorded(&a), DEC_2026),
    );
    f.ok(
        "another genuine H100 report, whose opaque data states no firmware id",
        case(&b, &b_chain, &recorded(&b), DEC_2026),
    );
    f.err(
        "an H100 report whose signature does not verify",
        case(&bad, &bad_chain, &recorded(&bad), DEC_2026),
        "SIGNATURE_INVALID",
    );
    f.err(
        "a genuine report under another GPU's chain",
        case(&a, &b_chain, &recorded(&a), DEC_2026),
        "SIGNATURE_INVALID",
    );
    let mut other_nonce = recorded(&a);
    other_nonce[0] ^= 1;
    f.err(
        "a genuine report for another nonce",
        case(&a, &a_chain, &other_nonce, DEC_2026),
        "NONCE_MISMATCH",
    );
    f.err(
        "a truncated report",
        case(&a[..a.len() - 1], &a_chain, &recorded(&a), DEC_2026),
        "REPORT_MALFORMED",
    );
    let mut longer = a.clone();
    longer.push(0);
    f.err(
        "a byte after the signature",
        case(&longer, &a_chain, &recorded(&a), DEC_2026),
        "REPORT_MALFORMED",
    );
    f.err(
        "judged before NVIDIA's intermediates were valid",
        case(&a, &a_chain, &recorded(&a), JUNE_2021),
        "CERT_NOT_YET_VALID",
    );
    f.err(
        "the chain without NVIDIA's intermediates",
        case(&a, &a_chain[..2], &recorded(&a), DEC_2026),
        "UNKNOWN_ISSUER",
    );
    let mut long_chain = a_chain.clone();
    long_chain.push(a_chain[4].clone());
    f.err(
        "six certificates: more than a chain and its root",
        case(&a, &long_chain, &recorded(&a), DEC_2026),
        "CHAIN_TOO_LONG",
    );
    let vendor = vendor_a()?;
    let mut p256_chain = a_chain.clone();
    p256_chain[1] = vendor.intermediate_der.clone();
    f.err(
        "a P-256 certificate in the chain",
        case(&a, &p256_chain, &recorded(&a), DEC_2026),
        "BAD_CERTIFICATE",
    );
    let reported = poci::evidence::nvidia_spdm::NvidiaReport::parse(&a)?
        .opaque_field(poci::evidence::nvidia_spdm::opaque::FWID)
        .unwrap_or_default()
        .to_vec();
    let mut other_fwid = reported.clone();
    other_fwid[0] ^= 1;
    let (report, chain) = resigned(&a, &a_chain, &other_fwid)?;
    f.err(
        "a report signed under a leaf that certifies another firmware id",
        case(&report, &chain, &recorded(&a), DEC_2026),
        "FWID_MISMATCH",
    );
    let (report, chain) = resigned(&a, &a_chain, &reported)?;
    f.err(
        "the same forgery certifying the reported firmware id: its leaf is not NVIDIA's",
        case(&report, &chain, &recorded(&a), DEC_2026),
        "CERT_SIGNATURE_INVALID",
    );
    let ca = poci::evidence::nvidia_emulator::NvidiaTestnetCa::testnet()?;
    for (board, description) in [
        (
            0,
            "an emulated H100 report: genuine under the testnet root, and its signed fields map to a model",
        ),
        (3, "an emulated board no row maps: genuine, model_id null"),
    ] {
        let gpu = ca.gpu(
            &poci::evidence::nvidia_emulator::EMULATED_BOARDS[board],
            "vector-gpu-0",
            "96.00.9f.00.01",
        )?;
        let nonce = [0x5a; 32];
        f.ok(
            description,
            case(&gpu.report(&nonce)?, gpu.chain(), &nonce, DEC_2026),
        );
    }
    nvidia_ledger(&mut f)?;
    Ok(f.finish())
}

/// The binding or heartbeat nonce of a slot of the vectors' network for `wallet`.
fn slot_nonce(
    epoch: u64,
    slot: u32,
    wallet: &[u8],
    purpose: poci::evidence::nonce::EvidencePurpose,
) -> Result<[u8; 32]> {
    let params = params()?;
    let challenge = challenge_at(epoch, slot)?;
    let context = poci::SlotContext {
        network_id: params.network_id(),
        epoch,
        slot,
        challenge: &challenge,
        wallet,
    };
    poci::evidence::nonce::evidence_nonce(&context, purpose)
}

/// NVIDIA GPUs in the ledger (SPEC.md 17.4, 17.5): emulated GPUs of the testnet chain
/// (17.7), against the repository's vendor-roots/ with its testnet material.
fn nvidia_ledger(f: &mut FileBuilder) -> Result<()> {
    use poci::evidence::nonce::EvidencePurpose::{Binding, Heartbeat};
    use poci::evidence::nvidia_emulator::{EMULATED_BOARDS, EmulatedGpu, NvidiaTestnetCa};
    let ca = NvidiaTestnetCa::testnet()?;
    let firmware = "96.00.9f.00.01";
    let h100 = ca.gpu(&EMULATED_BOARDS[0], "vector-gpu-0", firmware)?;
    let updated = ca.gpu(&EMULATED_BOARDS[0], "vector-gpu-0", "96.00.a0.00.01")?;
    let b200 = ca.gpu(&EMULATED_BOARDS[2], "vector-gpu-1", firmware)?;
    let unmapped = ca.gpu(&EMULATED_BOARDS[3], "vector-gpu-2", firmware)?;
    let nvswitch = ca.gpu(&EMULATED_BOARDS[4], "vector-switch-0", firmware)?;
    let bind = |gpu: &EmulatedGpu, epoch: u64, slot: u32, wallet: &[u8]| -> Result<Value> {
        let report = gpu.report(&slot_nonce(epoch, slot, wallet, Binding)?)?;
        let chain: Vec<String> = gpu.chain().iter().map(|der| h(der)).collect();
        Ok(
            json!({ "op": "bind_nvidia", "report": h(&report), "chain": chain,
            "epoch": epoch.to_string(), "slot": slot,
            "challenge": h(&challenge_at(epoch, slot)?), "wallet": h(wallet) }),
        )
    };
    let beat_for = |gpu: &EmulatedGpu, epoch: u64, slot: u32, nonce: [u8; 32]| -> Result<Value> {
        Ok(
            json!({ "op": "heartbeat_nvidia", "key_id": h(gpu.key_id()?.as_bytes()),
            "report": h(&gpu.report(&nonce)?), "epoch": epoch.to_string(), "slot": slot,
            "challenge": h(&challenge_at(epoch, slot)?) }),
        )
    };
    let beat = |gpu: &EmulatedGpu, epoch: u64, slot: u32, wallet: &[u8]| -> Result<Value> {
        beat_for(
            gpu,
            epoch,
            slot,
            slot_nonce(epoch, slot, wallet, Heartbeat)?,
        )
    };
    let close = |epoch: u64| json!({ "op": "close", "epoch": epoch.to_string() });
    let case = |setup: Vec<Value>, step: Value| -> Result<Value> {
        Ok(
            json!({ "params": params_json()?, "setup": in_their_slots(setup), "step": in_its_slot(step) }),
        )
    };
    f.group("nvidia_ledger", "nvidia_ledger");
    f.ok(
        "an emulated H100 claims a chip with nvidia-spdm evidence",
        case(vec![], bind(&h100, 7, 0, WALLET)?)?,
    );
    f.ok(
        "H100 and B200 prove slots; the epoch pays each by its mapped model's rating",
        case(
            vec![
                bind(&h100, 7, 0, WALLET)?,
                bind(&b200, 7, 0, b"wallet-of-bob")?,
                beat(&h100, 7, 1, WALLET)?,
                beat(&h100, 7, 2, WALLET)?,
                beat(&b200, 7, 2, b"wallet-of-bob")?,
            ],
            close(7),
        )?,
    );
    f.ok(
        "the same binding report again changes nothing",
        case(vec![bind(&h100, 7, 0, WALLET)?], bind(&h100, 7, 0, WALLET)?)?,
    );
    f.ok(
        "a second report for the binding slot, for another wallet, is equivocation",
        case(
            vec![bind(&h100, 7, 0, WALLET)?],
            bind(&h100, 7, 0, b"wallet-of-bob")?,
        )?,
    );
    f.ok(
        "after a firmware update the chip binds again for a later slot (same key id)",
        case(
            vec![bind(&h100, 7, 0, WALLET)?, beat(&h100, 7, 1, WALLET)?],
            bind(&updated, 7, 2, WALLET)?,
        )?,
    );
    f.err(
        "after a firmware update, before binding again, the new alias key is not the chip's",
        case(
            vec![bind(&h100, 7, 0, WALLET)?],
            beat(&updated, 7, 1, WALLET)?,
        )?,
        "SIGNATURE_INVALID",
    );
    f.err(
        "a binding for a slot before the binding in force",
        case(vec![bind(&h100, 7, 5, WALLET)?], bind(&h100, 7, 4, WALLET)?)?,
        "COUNTER_REPLAY",
    );
    f.err(
        "a heartbeat report replayed to the next slot",
        case(
            vec![bind(&h100, 7, 0, WALLET)?],
            beat_for(&h100, 7, 2, slot_nonce(7, 1, WALLET, Heartbeat)?)?,
        )?,
        "NONCE_MISMATCH",
    );
    f.err(
        "a binding report submitted as a heartbeat",
        case(
            vec![bind(&h100, 7, 0, WALLET)?],
            beat_for(&h100, 7, 1, slot_nonce(7, 1, WALLET, Binding)?)?,
        )?,
        "NONCE_MISMATCH",
    );
    let mut front_run = bind(&h100, 7, 0, WALLET)?;
    front_run["wallet"] = json!(h(b"wallet-of-mallory"));
    f.err(
        "a binding report submitted by another wallet than it answers",
        case(vec![], front_run)?,
        "NONCE_MISMATCH",
    );
    f.err(
        "the same heartbeat twice",
        case(
            vec![bind(&h100, 7, 0, WALLET)?, beat(&h100, 7, 1, WALLET)?],
            beat(&h100, 7, 1, WALLET)?,
        )?,
        "SLOT_ALREADY_PROVEN",
    );
    f.err(
        "a heartbeat for a chip never bound",
        case(vec![], beat(&h100, 7, 1, WALLET)?)?,
        "UNKNOWN_CHIP",
    );
    f.err(
        "a board no row of the NVIDIA manifest maps",
        case(vec![], bind(&unmapped, 7, 0, WALLET)?)?,
        "MODEL_UNMAPPED",
    );
    f.err(
        "an NVSwitch: genuine, not a compute chip",
        case(vec![], bind(&nvswitch, 7, 0, WALLET)?)?,
        "NOT_A_COMPUTE_CHIP",
    );
    let impostor = DeviceKey::from_seed(b"vector impostor")?;
    let poci_heartbeat = Signed::sign(
        HeartbeatTbs {
            network_id: NETWORK.into(),
            chip_key_id: h100.key_id()?,
            wallet: WALLET.to_vec(),
            epoch: 7,
            slot: 1,
            challenge: challenge_at(7, 1)?,
            counter: 1,
            measurement: None,
        },
        &impostor,
    )?
    .to_der()?;
    f.err(
        "a POCI heartbeat for an NVIDIA chip",
        case(
            vec![bind(&h100, 7, 0, WALLET)?],
            json!({ "op": "heartbeat", "der": h(&poci_heartbeat), "epoch": "7", "slot": 1,
                "challenge": h(&challenge_at(7, 1)?) }),
        )?,
        "EVIDENCE_KIND_MISMATCH",
    );
    let (real, real_chain) = sample("h100-a");
    let chain: Vec<String> = real_chain.iter().map(|der| h(der)).collect();
    f.err(
        "a real H100 report as a binding: genuine, but made for another nonce",
        case(
            vec![],
            json!({ "op": "bind_nvidia", "report": h(&real), "chain": chain, "epoch": "7",
                "slot": 0, "challenge": h(&challenge_at(7, 0)?), "wallet": h(WALLET) }),
        )?,
        "NONCE_MISMATCH",
    );
    Ok(())
}
