//! Trust material decides verdicts by rule, never by the order it was loaded in (SPEC.md
//! 6.4 step 6, 11): which CRL speaks for a certificate, which vendor's material counts,
//! which of a renewed root's certificates anchors a chain. Each case is loaded in every
//! order and must give one verdict (findings R2 and R3 of the Step 12 review).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::vendors::*;
use poci::x509::mint::{
    CertificateTemplate, Issuer, TEST_DEVICE_NOT_AFTER, TEST_NOT_BEFORE, TEST_ROOT_NOT_AFTER,
    X509Extension, issue_certificate, mint_crl,
};
use poci::{Error, RootKind, TrustStore, Verifier};

/// The slot's start time every binding here is judged at.
fn slot_time() -> u64 {
    params().slot_start_unix(EPOCH, SLOT).unwrap()
}

/// Vendor A's store with `crls` in the given order, vendor B with its own empty CRLs.
fn store_with(crls: &[&[u8]]) -> TrustStore {
    let mut trust = TrustStore::new(test_registry(), allow_tests());
    let a = vendor(0);
    trust
        .add_roots(&a.vendor_id, RootKind::Vendor, &[&a.root_der], crls)
        .unwrap();
    let b = vendor(1);
    trust
        .add_roots(
            &b.vendor_id,
            RootKind::Vendor,
            &[&b.root_der],
            &[&b.root_crl_der, &b.intermediate_crl_der],
        )
        .unwrap();
    trust
}

fn verdict(trust: TrustStore) -> Result<(), &'static str> {
    let (_, der) = valid_binding(b"order chip", b"SN-1");
    verify_with(&Verifier::with_trust_store(trust), &der)
        .map(|_| ())
        .map_err(|err| err.code())
}

/// The intermediate's CRL issued at `this_update`, revoking `revoked` certificate serials.
fn intermediate_crl(this_update: u64, number: u64, revoked: &[u64]) -> Vec<u8> {
    mint_crl(
        vendor(0).intermediate(),
        this_update,
        TEST_DEVICE_NOT_AFTER,
        number,
        revoked,
    )
    .unwrap()
}

#[test]
fn the_newest_crl_at_the_slot_decides_whatever_the_load_order() {
    let a = vendor(0);
    let old = intermediate_crl(TEST_NOT_BEFORE, 1, &[]);
    // The device certificate of `valid_binding` has serial 100.
    let new = intermediate_crl(TEST_NOT_BEFORE + 60, 2, &[100]);
    for crls in [
        [&a.root_crl_der[..], &old, &new],
        [&a.root_crl_der[..], &new, &old],
        [&new[..], &a.root_crl_der, &old],
    ] {
        assert_eq!(verdict(store_with(&crls)), Err("CERT_REVOKED"));
    }
    // A CRL issued after the slot's start does not speak for it: the older one does.
    let later = intermediate_crl(slot_time() + 1, 3, &[100]);
    for crls in [
        [&a.root_crl_der[..], &old, &later],
        [&later[..], &old, &a.root_crl_der],
    ] {
        assert_eq!(verdict(store_with(&crls)), Ok(()));
    }
    // With only the later one, no CRL speaks for the device certificate at the slot.
    assert_eq!(
        verdict(store_with(&[&a.root_crl_der, &later])),
        Err("REVOCATION_STATUS_UNKNOWN")
    );
}

#[test]
fn equal_dates_fall_to_the_crl_number_then_the_bytes() {
    let a = vendor(0);
    let clean = intermediate_crl(TEST_NOT_BEFORE, 7, &[]);
    let revoking = intermediate_crl(TEST_NOT_BEFORE, 8, &[100]);
    for crls in [
        [&a.root_crl_der[..], &clean, &revoking],
        [&a.root_crl_der[..], &revoking, &clean],
    ] {
        assert_eq!(verdict(store_with(&crls)), Err("CERT_REVOKED"));
    }
}

/// Vendor B ships a CRL named after vendor A's intermediate, newer than A's own and signed
/// by B's key: it speaks for none of A's chains, in either load order.
#[test]
fn a_vendor_s_crls_speak_only_for_its_own_chains() {
    let a = vendor(0);
    let b = vendor(1);
    let foreign = mint_crl(
        Issuer {
            name: &a.intermediate_name,
            key: &b.intermediate_key,
        },
        TEST_NOT_BEFORE + 60,
        TEST_ROOT_NOT_AFTER,
        9,
        &[100],
    )
    .unwrap();
    let own: [&[u8]; 2] = [&a.root_crl_der, &a.intermediate_crl_der];
    let b_crls: [&[u8]; 3] = [&foreign, &b.root_crl_der, &b.intermediate_crl_der];
    let mut stores = Vec::new();
    for a_first in [true, false] {
        let mut trust = TrustStore::new(test_registry(), allow_tests());
        let add_a = |trust: &mut TrustStore| {
            trust
                .add_roots(&a.vendor_id, RootKind::Vendor, &[&a.root_der], &own)
                .unwrap();
        };
        let add_b = |trust: &mut TrustStore| {
            trust
                .add_roots(&b.vendor_id, RootKind::Vendor, &[&b.root_der], &b_crls)
                .unwrap();
        };
        if a_first {
            add_a(&mut trust);
            add_b(&mut trust);
        } else {
            add_b(&mut trust);
            add_a(&mut trust);
        }
        stores.push(trust);
    }
    for trust in stores {
        assert_eq!(verdict(trust), Ok(()));
    }
}

/// One root certificate listed by two vendors is ambiguous: which vendor's models may it
/// certify? Refused when the second vendor's roots are added, in either order.
#[test]
fn a_root_listed_by_two_vendors_is_refused_at_load() {
    let a = vendor(0);
    let b = vendor(1);
    for (first, second) in [(&a.vendor_id, &b.vendor_id), (&b.vendor_id, &a.vendor_id)] {
        let mut trust = TrustStore::new(test_registry(), allow_tests());
        trust
            .add_roots(first, RootKind::Vendor, &[&a.root_der], &[])
            .unwrap();
        let refused = trust
            .add_roots(second, RootKind::Vendor, &[&a.root_der], &[])
            .unwrap_err();
        assert!(
            matches!(refused, Error::ManifestInvalid { .. }),
            "{refused:?}"
        );
        assert_eq!(trust.root_count(), 1);
    }
}

/// A renewed root (same name, same key, new validity) beside the expired one: the one
/// valid at the slot anchors the chain, whichever was listed first.
#[test]
fn a_renewed_root_anchors_in_either_order() {
    let a = vendor(0);
    let root_certificate = |serial: u64, not_before: u64, not_after: u64| {
        let template = CertificateTemplate {
            serial,
            subject: a.root_name.clone(),
            not_before,
            not_after,
            extensions: vec![
                X509Extension::ca(None).unwrap(),
                X509Extension::key_usage_ca().unwrap(),
                X509Extension::subject_key_identifier(a.root_key.public_key()).unwrap(),
            ],
        };
        issue_certificate(&template, a.root_key.public_key(), a.root()).unwrap()
    };
    let expired = root_certificate(501, TEST_NOT_BEFORE - 100, slot_time() - 1);
    let renewed = root_certificate(502, slot_time() - 1, TEST_ROOT_NOT_AFTER);
    let crls: [&[u8]; 2] = [&a.root_crl_der, &a.intermediate_crl_der];
    let with_roots = |roots: &[&[u8]]| {
        let mut trust = TrustStore::new(test_registry(), allow_tests());
        trust
            .add_roots(&a.vendor_id, RootKind::Vendor, roots, &crls)
            .unwrap();
        trust
    };
    assert_eq!(verdict(with_roots(&[&expired, &renewed])), Ok(()));
    assert_eq!(verdict(with_roots(&[&renewed, &expired])), Ok(()));
    assert_eq!(verdict(with_roots(&[&expired])), Err("CERT_EXPIRED"));
    // The same certificate twice is kept once.
    assert_eq!(with_roots(&[&renewed, &renewed]).root_count(), 1);
}

/// Name constraints are not part of the profile (SPEC.md 6.4 step 6c): a root that carries
/// them refuses every chain under it, whatever the names, as a constrained CA does.
#[test]
fn a_root_with_name_constraints_anchors_nothing() {
    let a = vendor(0);
    // nameConstraints { permittedSubtrees { dNSName "a.example" } }
    let constraints = vec![
        0x30, 0x0f, 0xa0, 0x0d, 0x30, 0x0b, 0x82, 0x09, b'a', b'.', b'e', b'x', b'a', b'm', b'p',
        b'l', b'e',
    ];
    let template = CertificateTemplate {
        serial: 601,
        subject: a.root_name.clone(),
        not_before: TEST_NOT_BEFORE,
        not_after: TEST_ROOT_NOT_AFTER,
        extensions: vec![
            X509Extension::ca(None).unwrap(),
            X509Extension::key_usage_ca().unwrap(),
            X509Extension {
                oid: vec![0x55, 0x1d, 0x1e],
                critical: true,
                value: constraints,
            },
        ],
    };
    let constrained = issue_certificate(&template, a.root_key.public_key(), a.root()).unwrap();
    let mut trust = TrustStore::new(test_registry(), allow_tests());
    trust
        .add_roots(
            &a.vendor_id,
            RootKind::Vendor,
            &[&constrained],
            &[&a.root_crl_der, &a.intermediate_crl_der],
        )
        .unwrap();
    let (_, der) = valid_binding(b"constrained chip", b"SN-1");
    assert_eq!(
        verify_with(&Verifier::with_trust_store(trust), &der).unwrap_err(),
        Error::BadCertificate {
            problem: poci::CertProblem::NameConstraints
        }
    );
}
