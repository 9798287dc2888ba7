//! Chip bindings against vendor trust: valid chains, remembered signatures, the committed
//! test vendors, and one test per certificate and policy error code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::vendors::*;
use poci::x509::mint::{
    CertificateTemplate, DistinguishedName, Issuer, TEST_DEVICE_NOT_AFTER, TEST_NOT_BEFORE,
    TestVendor, X509Extension, device_extensions, issue_certificate, mint_crl,
    mint_device_certificate,
};
use poci::{
    Backend, CertRole, ChipModelRegistry, DeviceKey, Error, RootKind, TrustPolicy, TrustStore,
    Verifier,
};

fn verify(der: &[u8]) -> Result<poci::VerifiedBinding, Error> {
    verify_with(&Verifier::with_trust_store(store(allow_tests())), der)
}

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> &'static str {
    result.unwrap_err().code()
}

/// A device certificate from vendor A's intermediate with a custom template.
fn device_cert(key: &DeviceKey, template: CertificateTemplate) -> Vec<u8> {
    issue_certificate(&template, key.public_key(), vendor(0).intermediate()).unwrap()
}

fn template(serial: &[u8], model: &str) -> CertificateTemplate {
    CertificateTemplate {
        serial: 77,
        subject: DistinguishedName {
            organization: "POCI Test Vendor A".into(),
            common_name: "chip".into(),
        },
        not_before: TEST_NOT_BEFORE,
        not_after: TEST_DEVICE_NOT_AFTER,
        extensions: device_extensions(
            vendor(0).intermediate_key.public_key(),
            &identity(model, serial),
        )
        .unwrap(),
    }
}

/// A binding of a fresh vendor-A chip whose certificate comes from `template`.
fn binding_from(template: CertificateTemplate, serial: &[u8], model: &str) -> Vec<u8> {
    let key = DeviceKey::from_seed(b"crafted chip").unwrap();
    let certificate = device_cert(&key, template);
    signed(
        binding_tbs(
            serial,
            model,
            vec![certificate, vendor(0).intermediate_der.clone()],
        ),
        &key,
    )
}

#[test]
fn valid_binding_yields_a_chip_record() {
    let (key, der) = valid_binding(b"chip-1", b"SN-1");
    for backend in Backend::ALL {
        let verifier = Verifier::with_trust_store(store(allow_tests())).with_backend(*backend);
        let verified = verify_with(&verifier, &der).unwrap();
        let record = verified.record;
        assert_eq!(record.key_id, *key.key_id());
        assert_eq!(record.vendor_id, "poci-test-a");
        assert_eq!(record.model_id, "poci-test-accel-a1");
        assert_eq!(record.rating_milli_cu, 100_000);
        assert_eq!(record.serial, b"SN-1");
        assert_eq!(record.wallet, WALLET);
        assert_eq!(record.security_version, 3);
        assert_eq!(record.certificate_not_after, TEST_DEVICE_NOT_AFTER);
        assert_eq!(record.public_key, key.public_key().sec1_bytes().to_vec());
    }
}

/// Certificate and CRL signature checks of a first and a second binding under one
/// intermediate, with a fresh verifier over `trust`.
fn cold_and_warm_checks(trust: TrustStore) -> (u64, u64) {
    let verifier = Verifier::with_trust_store(trust);
    let (_, first) = valid_binding(b"chip-1", b"SN-1");
    let (_, second) = valid_binding(b"chip-2", b"SN-2");
    assert_eq!(verifier.remembered_signatures(), 0);
    let before = verifier.certificate_signature_checks();
    verify_with(&verifier, &first).unwrap();
    let cold = verifier.certificate_signature_checks() - before;
    // The device certificate's own signature is never remembered: it serves one chip.
    assert_eq!(verifier.remembered_signatures() as u64, cold - 1);
    let before = verifier.certificate_signature_checks();
    verify_with(&verifier, &second).unwrap();
    let warm = verifier.certificate_signature_checks() - before;
    (cold, warm)
}

#[test]
fn second_chip_under_the_same_intermediate_checks_only_its_own_certificate() {
    // The store checked the root's CRL when it was added.
    // Cold: device cert, intermediate cert, intermediate's CRL. Warm: the device cert; the
    // other two signatures are remembered (the whole chain is still validated).
    assert_eq!(cold_and_warm_checks(store(allow_tests())), (3, 1));
    // Told the vendor's intermediate, the store checked its CRL when it was added.
    let mut trust = store(allow_tests());
    trust
        .add_intermediates("poci-test-a", &[&vendor(0).intermediate_der])
        .unwrap();
    assert_eq!(cold_and_warm_checks(trust), (2, 1));
}

/// Remembering signatures never changes a verdict, and a binding carries exactly its path.
/// A device certificate issued by the root itself, carried with the vendor's intermediate it
/// does not need, is not a path: refused the same by a fresh verifier and by one that has
/// checked that intermediate before. (A verifier that cached the intermediate as an anchor
/// once judged it differently: found by the `verify_binding` fuzz target,
/// `fuzz/regressions/verify_binding/`.)
#[test]
fn a_warm_verifier_judges_every_chain_as_a_cold_one() {
    let v = vendor(0);
    let device = DeviceKey::from_seed(b"root-issued chip").unwrap();
    let certificate = mint_device_certificate(
        v.root(),
        device.public_key(),
        &identity("poci-test-accel-a1", b"SN-1"),
        77,
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
    )
    .unwrap();
    let der = signed(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![certificate.clone(), v.intermediate_der.clone()],
        ),
        &device,
    );
    let cold = Verifier::with_trust_store(store(allow_tests()));
    let cold_verdict = verify_with(&cold, &der);
    assert_eq!(code(cold_verdict.clone()), "CHAIN_NOT_A_PATH");
    assert_eq!(cold.certificate_signature_checks(), 0);
    let warm = Verifier::with_trust_store(store(allow_tests()));
    let (_, honest) = valid_binding(b"chip-1", b"SN-1");
    verify_with(&warm, &honest).unwrap();
    assert!(warm.remembered_signatures() > 0);
    assert_eq!(verify_with(&warm, &der), cold_verdict);
    // Carried as its path (device alone), the same certificate is valid.
    let alone = signed(
        binding_tbs(b"SN-1", "poci-test-accel-a1", vec![certificate]),
        &device,
    );
    verify_with(&cold, &alone).unwrap();
    verify_with(&warm, &alone).unwrap();
}

/// A binding carries exactly its path: each certificate's issuer is the next one's subject.
#[test]
fn code_chain_not_a_path() {
    let (key, certificate) = chip_a(b"chip-1", b"SN-1");
    let carried_wrong = signed(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![certificate.clone(), vendor(1).intermediate_der.clone()],
        ),
        &key,
    );
    assert_eq!(code(verify(&carried_wrong)), "CHAIN_NOT_A_PATH");
    // The right intermediate carried twice: two certificates share a subject.
    let twice = signed(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![
                certificate,
                vendor(0).intermediate_der.clone(),
                vendor(0).intermediate_der.clone(),
            ],
        ),
        &key,
    );
    assert_eq!(code(verify(&twice)), "CHAIN_NOT_A_PATH");
}

#[test]
fn a_crl_is_trusted_only_under_the_key_that_signed_it() {
    // A CRL naming vendor A's intermediate as issuer but signed by another key: the store
    // records nothing for it, and every chain through that intermediate is refused.
    let genuine = vendor(0);
    let impostor = TestVendor::new("poci-test-a", "POCI Test Vendor A", "impostor").unwrap();
    let forged = mint_crl(
        Issuer {
            name: &genuine.intermediate_name,
            key: &impostor.intermediate_key,
        },
        TEST_NOT_BEFORE,
        poci::x509::mint::TEST_ROOT_NOT_AFTER,
        1,
        &[],
    )
    .unwrap();
    let mut trust = TrustStore::new(test_registry(), allow_tests());
    trust
        .add_roots(
            "poci-test-a",
            RootKind::Vendor,
            &[&genuine.root_der],
            &[&genuine.root_crl_der, &forged],
        )
        .unwrap();
    trust
        .add_intermediates("poci-test-a", &[&genuine.intermediate_der])
        .unwrap();
    let verifier = Verifier::with_trust_store(trust);
    let (_, der) = valid_binding(b"chip-1", b"SN-1");
    let refused = verify_with(&verifier, &der).unwrap_err();
    // webpki reports a CRL whose signature fails as a bad signature in the chain.
    assert_eq!(refused.code(), "CERT_SIGNATURE_INVALID");
}

#[test]
fn failures_are_never_cached() {
    let verifier = Verifier::with_trust_store(store(allow_tests()));
    let rogue = TestVendor::from_seed("rogue", "Rogue").unwrap();
    let (key, certificate) = rogue
        .mint_chip(b"x", &identity("poci-test-accel-a1", b"SN-9"), 5)
        .unwrap();
    let der = signed(
        binding_tbs(
            b"SN-9",
            "poci-test-accel-a1",
            vec![certificate, rogue.intermediate_der.clone()],
        ),
        &key,
    );
    assert_eq!(code(verify_with(&verifier, &der)), "UNKNOWN_ISSUER");
    assert_eq!(verifier.remembered_signatures(), 0);
}

#[test]
fn committed_vendor_roots_are_what_the_generator_makes_and_they_verify() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/vendor-roots");
    let real = ChipModelRegistry::embedded().unwrap();
    for (path, contents) in poci::x509::mint::generated_vendor_roots(&real).unwrap() {
        let committed = std::fs::read_to_string(format!("{root}/{path}")).unwrap();
        assert_eq!(
            committed, contents,
            "vendor-roots/{path} differs: run `make vendor-roots`"
        );
    }
    let read = |path: &str| std::fs::read(format!("{root}/{path}")).unwrap();
    let mut store = TrustStore::new(test_registry(), allow_tests());
    for spec in poci::x509::mint::TEST_VENDORS {
        let id = spec.vendor_id;
        let crls = [
            read(&format!("{id}/crls/root.crl.pem")),
            read(&format!("{id}/crls/intermediate.crl.pem")),
        ];
        store
            .add_roots(
                id,
                RootKind::Vendor,
                &[&read(&format!("{id}/roots/root.pem"))],
                &[&crls[0], &crls[1]],
            )
            .unwrap();
    }
    let (_, der) = valid_binding(b"chip-1", b"SN-1");
    verify_with(&Verifier::with_trust_store(store), &der).unwrap();
}

/// A store of one vendor (by its manifest) with the given roots and CRLs.
fn one_vendor_store(
    manifest: &str,
    vendor_id: &str,
    roots: &[&[u8]],
    crls: &[&[u8]],
    policy: TrustPolicy,
) -> Result<TrustStore, Error> {
    let mut store = TrustStore::new(registry_of(&[manifest])?, policy);
    store.add_roots(vendor_id, RootKind::Vendor, roots, crls)?;
    Ok(store)
}

#[test]
fn code_unknown_issuer() {
    let rogue = TestVendor::from_seed("rogue", "Rogue").unwrap();
    let (key, certificate) = rogue
        .mint_chip(b"x", &identity("poci-test-accel-a1", b"SN-9"), 5)
        .unwrap();
    let der = signed(
        binding_tbs(
            b"SN-9",
            "poci-test-accel-a1",
            vec![certificate, rogue.intermediate_der.clone()],
        ),
        &key,
    );
    assert_eq!(code(verify(&der)), "UNKNOWN_ISSUER");
}

#[test]
fn code_cert_expired() {
    let mut expired = template(b"SN-1", "poci-test-accel-a1");
    expired.not_after = TEST_NOT_BEFORE + 3600;
    assert_eq!(
        verify(&binding_from(expired, b"SN-1", "poci-test-accel-a1")).unwrap_err(),
        Error::CertExpired {
            role: CertRole::Device
        }
    );
    // A root past its own validity: webpki does not check anchors, POCI does.
    let short_root = short_lived_root_vendor();
    assert_eq!(
        short_root.unwrap_err(),
        Error::CertExpired {
            role: CertRole::Root
        }
    );
}

/// A vendor whose root expires an hour after genesis while its intermediate and device live on.
fn short_lived_root_vendor() -> Result<poci::VerifiedBinding, Error> {
    let root_key = DeviceKey::from_seed(b"short/root").unwrap();
    let root_name = DistinguishedName {
        organization: "Short".into(),
        common_name: "Short Root".into(),
    };
    let root_der = poci::x509::mint::mint_root(
        &root_key,
        &root_name,
        1,
        TEST_NOT_BEFORE,
        TEST_NOT_BEFORE + 3600,
    )
    .unwrap();
    let root = Issuer {
        name: &root_name,
        key: &root_key,
    };
    let int_key = DeviceKey::from_seed(b"short/int").unwrap();
    let int_name = DistinguishedName {
        organization: "Short".into(),
        common_name: "Short CA".into(),
    };
    let int_der = poci::x509::mint::mint_intermediate(
        root,
        int_key.public_key(),
        &int_name,
        2,
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
    )
    .unwrap();
    let intermediate = Issuer {
        name: &int_name,
        key: &int_key,
    };
    let crls = [
        mint_crl(root, TEST_NOT_BEFORE, TEST_DEVICE_NOT_AFTER, 1, &[]).unwrap(),
        mint_crl(intermediate, TEST_NOT_BEFORE, TEST_DEVICE_NOT_AFTER, 1, &[]).unwrap(),
    ];
    let manifest = "schema = 1\nvendor_id = \"short\"\ndisplay_name = \"Short\"\ntest = true\n\
        status = \"active\"\n\n[[models]]\nmodel_id = \"short-accel-a1\"\ndisplay_name = \"S\"\n\
        int8_tops = \"2\"\nint8_sparse = false\nrating_milli_cu = 1000\nsource = \"test\"\n";
    let store = one_vendor_store(
        manifest,
        "short",
        &[&root_der],
        &[&crls[0], &crls[1]],
        allow_tests(),
    )
    .unwrap();
    let key = DeviceKey::from_seed(b"short chip").unwrap();
    let certificate = poci::x509::mint::mint_device_certificate(
        intermediate,
        key.public_key(),
        &identity("short-accel-a1", b"SN-1"),
        9,
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
    )
    .unwrap();
    let der = signed(
        binding_tbs(b"SN-1", "short-accel-a1", vec![certificate, int_der]),
        &key,
    );
    verify_with(&Verifier::with_trust_store(store), &der)
}

#[test]
fn code_cert_not_yet_valid() {
    let mut early = template(b"SN-1", "poci-test-accel-a1");
    early.not_before = TEST_NOT_BEFORE + 86_400;
    assert_eq!(
        verify(&binding_from(early, b"SN-1", "poci-test-accel-a1")).unwrap_err(),
        Error::CertNotYetValid {
            role: CertRole::Device
        }
    );
}

fn store_with_intermediate_crl(crl: &[u8], policy: TrustPolicy) -> TrustStore {
    let v = vendor(0);
    one_vendor_store(
        &manifest(0),
        &v.vendor_id,
        &[&v.root_der],
        &[&v.root_crl_der, crl],
        policy,
    )
    .unwrap()
}

#[test]
fn code_cert_revoked() {
    let crl = mint_crl(
        vendor(0).intermediate(),
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
        2,
        &[100],
    )
    .unwrap();
    let (_, der) = valid_binding(b"chip-1", b"SN-1");
    let verifier = Verifier::with_trust_store(store_with_intermediate_crl(&crl, allow_tests()));
    assert_eq!(code(verify_with(&verifier, &der)), "CERT_REVOKED");
}

#[test]
fn code_revocation_status_unknown() {
    let v = vendor(0);
    let store = one_vendor_store(
        &manifest(0),
        &v.vendor_id,
        &[&v.root_der],
        &[&v.root_crl_der],
        allow_tests(),
    )
    .unwrap();
    let (_, der) = valid_binding(b"chip-1", b"SN-1");
    assert_eq!(
        code(verify_with(&Verifier::with_trust_store(store), &der)),
        "REVOCATION_STATUS_UNKNOWN"
    );
    // The explicit opposite policy accepts the same chain.
    let lenient_policy = TrustPolicy {
        allow_test_vendors: true,
        unknown_revocation: poci::UnknownRevocationPolicy::Allow,
    };
    let lenient = one_vendor_store(
        &manifest(0),
        &v.vendor_id,
        &[&v.root_der],
        &[&v.root_crl_der],
        lenient_policy,
    )
    .unwrap();
    verify_with(&Verifier::with_trust_store(lenient), &der).unwrap();
}

#[test]
fn code_crl_expired() {
    let crl = mint_crl(
        vendor(0).intermediate(),
        TEST_NOT_BEFORE,
        TEST_NOT_BEFORE + 60,
        2,
        &[],
    )
    .unwrap();
    let (_, der) = valid_binding(b"chip-1", b"SN-1");
    let verifier = Verifier::with_trust_store(store_with_intermediate_crl(&crl, allow_tests()));
    assert_eq!(code(verify_with(&verifier, &der)), "CRL_EXPIRED");
}

#[test]
fn code_cert_signature_invalid() {
    // Names vendor A's intermediate as issuer, but is signed by another key.
    let impostor = DeviceKey::from_seed(b"impostor").unwrap();
    let key = DeviceKey::from_seed(b"crafted chip").unwrap();
    let issuer = Issuer {
        name: &vendor(0).intermediate_name,
        key: &impostor,
    };
    let certificate = issue_certificate(
        &template(b"SN-1", "poci-test-accel-a1"),
        key.public_key(),
        issuer,
    )
    .unwrap();
    let der = signed(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![certificate, vendor(0).intermediate_der.clone()],
        ),
        &key,
    );
    assert_eq!(code(verify(&der)), "CERT_SIGNATURE_INVALID");
}

#[test]
fn code_wrong_key_usage() {
    let mut server = template(b"SN-1", "poci-test-accel-a1");
    // TLS server auth instead of device attestation.
    server.extensions[1] =
        X509Extension::ext_key_usage(&[&[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]]).unwrap();
    assert_eq!(
        code(verify(&binding_from(server, b"SN-1", "poci-test-accel-a1"))),
        "WRONG_KEY_USAGE"
    );
    let mut no_signing = template(b"SN-1", "poci-test-accel-a1");
    no_signing.extensions[0] = X509Extension::key_usage(0x08).unwrap();
    assert_eq!(
        code(verify(&binding_from(
            no_signing,
            b"SN-1",
            "poci-test-accel-a1"
        ))),
        "WRONG_KEY_USAGE"
    );
}

#[test]
fn code_missing_chip_identity() {
    let mut anonymous = template(b"SN-1", "poci-test-accel-a1");
    anonymous.extensions.remove(2);
    assert_eq!(
        code(verify(&binding_from(
            anonymous,
            b"SN-1",
            "poci-test-accel-a1"
        ))),
        "MISSING_CHIP_IDENTITY"
    );
}

#[test]
fn code_model_unknown() {
    let unknown = template(b"SN-1", "nobody-accel-9");
    assert_eq!(
        code(verify(&binding_from(unknown, b"SN-1", "nobody-accel-9"))),
        "MODEL_UNKNOWN"
    );
}

#[test]
fn code_model_not_allowed_for_vendor() {
    // Vendor A certifies a model of vendor B.
    let swapped = template(b"SN-1", "poci-test-npu-b1");
    assert_eq!(
        code(verify(&binding_from(swapped, b"SN-1", "poci-test-npu-b1"))),
        "MODEL_NOT_ALLOWED_FOR_VENDOR"
    );
}

#[test]
fn code_serial_mismatch() {
    let certified = template(b"SN-1", "poci-test-accel-a1");
    assert_eq!(
        code(verify(&binding_from(
            certified,
            b"SN-2",
            "poci-test-accel-a1"
        ))),
        "SERIAL_MISMATCH"
    );
}

#[test]
fn code_model_mismatch() {
    let certified = template(b"SN-1", "poci-test-accel-a1");
    assert_eq!(
        code(verify(&binding_from(
            certified,
            b"SN-1",
            "poci-test-accel-a2"
        ))),
        "MODEL_MISMATCH"
    );
}

#[test]
fn code_test_vendor_refused() {
    let (_, der) = valid_binding(b"chip-1", b"SN-1");
    let production = Verifier::with_trust_store(store(TrustPolicy::default()));
    assert_eq!(code(verify_with(&production, &der)), "TEST_VENDOR_REFUSED");
}

#[test]
fn code_vendor_revoked() {
    let v = vendor(0);
    let revoked = manifest(0).replace("status = \"active\"", "status = \"revoked\"");
    let crls: [&[u8]; 2] = [&v.root_crl_der, &v.intermediate_crl_der];
    let store =
        one_vendor_store(&revoked, &v.vendor_id, &[&v.root_der], &crls, allow_tests()).unwrap();
    let (_, der) = valid_binding(b"chip-1", b"SN-1");
    assert_eq!(
        code(verify_with(&Verifier::with_trust_store(store), &der)),
        "VENDOR_REVOKED"
    );
}

#[test]
fn code_bad_certificate() {
    let key = DeviceKey::from_seed(b"crafted chip").unwrap();
    let junk = common::seq(&[common::octets(b"not a certificate")]);
    let der = signed(binding_tbs(b"SN-1", "poci-test-accel-a1", vec![junk]), &key);
    assert_eq!(code(verify(&der)), "BAD_CERTIFICATE");
    // A CA certificate presented as the device certificate.
    let der = signed(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![vendor(0).intermediate_der.clone()],
        ),
        &key,
    );
    assert_eq!(
        verify(&der).unwrap_err(),
        Error::BadCertificate {
            problem: poci::CertProblem::BasicConstraints
        }
    );
}

#[test]
fn code_bad_crl() {
    let v = vendor(0);
    let mut store = TrustStore::new(test_registry(), allow_tests());
    let result = store.add_roots(
        &v.vendor_id,
        RootKind::Vendor,
        &[&v.root_der],
        &[b"\x30\x03\x02\x01\x01"],
    );
    assert_eq!(code(result), "BAD_CRL");
    // Nothing of the refused material remains.
    assert_eq!(store.root_count(), 0);
}

#[test]
fn code_manifest_invalid() {
    let v = vendor(0);
    // Roots for a vendor no manifest declares.
    let mut store = TrustStore::new(test_registry(), allow_tests());
    let unknown = store
        .add_roots("nobody", RootKind::Vendor, &[&v.root_der], &[])
        .unwrap_err();
    assert_eq!(unknown.code(), "MANIFEST_INVALID");
    assert!(unknown.to_string().contains("nobody"), "{unknown}");
    // A root that is not a CA.
    let (_, device) = chip_a(b"c", b"S");
    assert_eq!(
        code(store.add_roots(&v.vendor_id, RootKind::Vendor, &[&device], &[])),
        "MANIFEST_INVALID"
    );
    // No roots at all.
    assert_eq!(
        code(store.add_roots(&v.vendor_id, RootKind::Vendor, &[], &[])),
        "MANIFEST_INVALID"
    );
    // Manifest errors are covered, each named, in registry.rs.
    assert_eq!(code(registry_of(&["not toml ["])), "MANIFEST_INVALID");
}

#[test]
fn testnet_roots_of_a_real_vendor_are_test_roots() {
    let v = vendor(0);
    let mut store = TrustStore::new(test_registry(), TrustPolicy::default());
    let crls: [&[u8]; 2] = [&v.root_crl_der, &v.intermediate_crl_der];
    store
        .add_roots(&v.vendor_id, RootKind::Test, &[&v.root_der], &crls)
        .unwrap();
    let (_, der) = valid_binding(b"chip-1", b"SN-1");
    assert_eq!(
        code(verify_with(&Verifier::with_trust_store(store), &der)),
        "TEST_VENDOR_REFUSED"
    );
}

#[test]
fn code_chain_too_long_in_a_binding() {
    let (key, certificate) = chip_a(b"chip-1", b"SN-1");
    let intermediate = vendor(0).intermediate_der.clone();
    let tbs = binding_tbs(
        b"SN-1",
        "poci-test-accel-a1",
        vec![
            certificate,
            intermediate.clone(),
            intermediate.clone(),
            intermediate.clone(),
            intermediate,
        ],
    );
    assert_eq!(code(poci::Signed::sign(tbs, &key)), "CHAIN_TOO_LONG");
}

#[test]
fn binding_context_errors() {
    let (_, der) = valid_binding(b"chip-1", b"SN-1");
    let verifier = Verifier::with_trust_store(store(allow_tests()));
    let params = params();
    let challenge = challenge();
    let good = poci::BindingContext::new(&params, EPOCH, SLOT, &challenge, WALLET);
    assert!(verifier.verify_binding(&der, &good).is_ok());
    assert_eq!(
        code(verifier.verify_binding(
            &der,
            &poci::BindingContext::new(&params, EPOCH, SLOT, &challenge, b"mallory")
        )),
        "WALLET_MISMATCH"
    );
    assert_eq!(
        code(verifier.verify_binding(
            &der,
            &poci::BindingContext::new(&params, EPOCH, 43, &challenge, WALLET)
        )),
        "WRONG_SLOT"
    );
    let other = [0u8; 32];
    assert_eq!(
        code(verifier.verify_binding(
            &der,
            &poci::BindingContext::new(&params, EPOCH, SLOT, &other, WALLET)
        )),
        "CHALLENGE_MISMATCH"
    );
    let mainnet = poci::NetworkParams::new("poci-mainnet", TEST_NOT_BEFORE, 3600, 120).unwrap();
    assert_eq!(
        code(verifier.verify_binding(
            &der,
            &poci::BindingContext::new(&mainnet, EPOCH, SLOT, &challenge, WALLET)
        )),
        "WRONG_NETWORK"
    );
}

#[test]
fn binding_signed_by_another_key_is_refused() {
    let (_, certificate) = chip_a(b"chip-1", b"SN-1");
    let thief = DeviceKey::from_seed(b"thief").unwrap();
    let der = signed(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![certificate, vendor(0).intermediate_der.clone()],
        ),
        &thief,
    );
    assert_eq!(code(verify(&der)), "SIGNATURE_INVALID");
}

#[test]
fn testnet_chip_of_a_real_model_is_rated_by_the_registry() {
    let nvidia = poci::x509::mint::testnet_vendor("nvidia", "NVIDIA").unwrap();
    let (key, certificate) = nvidia
        .mint_chip(b"h100 #1", &identity("nvidia-h100-sxm", b"H100-0001"), 1)
        .unwrap();
    let der = signed(
        binding_tbs(
            b"H100-0001",
            "nvidia-h100-sxm",
            vec![certificate, nvidia.intermediate_der.clone()],
        ),
        &key,
    );
    let testnet = Verifier::with_trust_store(TrustStore::embedded_testnet().unwrap());
    let record = verify_with(&testnet, &der).unwrap().record;
    assert_eq!(
        (record.vendor_id.as_str(), record.rating_milli_cu),
        ("nvidia", 989_500)
    );
    // The same chain under the production registry without test roots: no anchor.
    let production = Verifier::with_trust_store(TrustStore::new(
        ChipModelRegistry::embedded().unwrap(),
        TrustPolicy::default(),
    ));
    assert_eq!(code(verify_with(&production, &der)), "UNKNOWN_ISSUER");
}

/// Remembered signatures do not outlive a revocation: new trust material that revokes the
/// intermediate is obeyed at once, because every chain is checked against it in full.
#[test]
fn new_trust_material_that_revokes_a_remembered_intermediate_is_obeyed() {
    let v = vendor(0);
    let mut verifier = Verifier::with_trust_store(store(allow_tests()));
    let (_, first) = valid_binding(b"chip-1", b"SN-1");
    let (_, second) = valid_binding(b"chip-2", b"SN-2");
    verify_with(&verifier, &first).unwrap();
    assert!(verifier.remembered_signatures() > 0);
    let revoking = mint_crl(v.root(), TEST_NOT_BEFORE, TEST_DEVICE_NOT_AFTER, 2, &[2]).unwrap();
    let mut trust = TrustStore::new(test_registry(), allow_tests());
    trust
        .add_roots(
            &v.vendor_id,
            RootKind::Vendor,
            &[&v.root_der],
            &[&revoking, &v.intermediate_crl_der],
        )
        .unwrap();
    verifier.set_trust_store(trust);
    assert_eq!(code(verify_with(&verifier, &second)), "CERT_REVOKED");
}

/// The attack the old intermediate cache allowed: a genuine chip's chain that also carries
/// a CA of the attacker's, unused by the path, must not make that CA an anchor for the
/// chips the attacker then mints under it. (The old cache accepted the minted chip when the
/// policy allowed unknown revocation status, and refused it only for want of a CRL when it
/// did not.)
#[test]
fn a_carried_ca_off_the_path_never_becomes_an_anchor() {
    for policy in [
        allow_tests(),
        TrustPolicy {
            unknown_revocation: poci::UnknownRevocationPolicy::Allow,
            ..allow_tests()
        },
    ] {
        forged_ca_attempt(policy);
    }
}

fn forged_ca_attempt(policy: TrustPolicy) {
    let v = vendor(0);
    let forger = DeviceKey::from_seed(b"forger CA").unwrap();
    let forged_name = DistinguishedName {
        organization: "POCI Test Vendor A".into(),
        common_name: "Forged CA".into(),
    };
    let forged_ca = issue_certificate(
        &CertificateTemplate {
            serial: 66,
            subject: forged_name.clone(),
            not_before: TEST_NOT_BEFORE,
            not_after: TEST_DEVICE_NOT_AFTER,
            extensions: vec![
                X509Extension::ca(Some(0)).unwrap(),
                X509Extension::key_usage_ca().unwrap(),
            ],
        },
        forger.public_key(),
        Issuer {
            name: &forged_name,
            key: &forger,
        },
    )
    .unwrap();
    let verifier = Verifier::with_trust_store(store(policy));
    // A genuine chip, its chain carrying the forged CA first: not a path, refused.
    let (genuine, certificate) = chip_a(b"genuine chip", b"SN-1");
    let decoy = signed(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![certificate, forged_ca.clone(), v.intermediate_der.clone()],
        ),
        &genuine,
    );
    assert_eq!(code(verify_with(&verifier, &decoy)), "CHAIN_NOT_A_PATH");
    // Then a chip minted by the forger.
    let minted = DeviceKey::from_seed(b"minted chip").unwrap();
    let fake_certificate = mint_device_certificate(
        Issuer {
            name: &forged_name,
            key: &forger,
        },
        minted.public_key(),
        &identity("poci-test-accel-a1", b"SN-2"),
        77,
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
    )
    .unwrap();
    let forged = signed(
        binding_tbs(
            b"SN-2",
            "poci-test-accel-a1",
            vec![fake_certificate, forged_ca],
        ),
        &minted,
    );
    assert_eq!(code(verify_with(&verifier, &forged)), "UNKNOWN_ISSUER");
}

/// Core is the one parser of policy and backend names: every binding and runner calls it.
#[test]
fn policy_and_backend_names_round_trip() {
    for policy in poci::UnknownRevocationPolicy::ALL {
        assert_eq!(
            poci::UnknownRevocationPolicy::from_name(policy.name()),
            Some(*policy)
        );
    }
    for backend in Backend::ALL {
        assert_eq!(Backend::from_name(backend.name()), Some(*backend));
    }
    for wrong in ["", "Deny", "ALLOW", "sometimes", "Ring", "pure_rust"] {
        assert_eq!(poci::UnknownRevocationPolicy::from_name(wrong), None);
        assert_eq!(Backend::from_name(wrong), None);
    }
}
