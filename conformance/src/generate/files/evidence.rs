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
    Ok(f.finish())
}
