//! Project Wycheproof ECDSA P-256/SHA-256 (DER) vectors through both backends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use poci::{Backend, DevicePublicKey, EcdsaSignature, Error, verify_signature};
use wycheproof::TestResult;
use wycheproof::ecdsa::{TestName, TestSet};

#[test]
fn both_backends_are_compiled_into_the_tests() {
    assert!(
        Backend::ALL.len() >= 2,
        "tests must compare ring and pure-rust: {:?}",
        Backend::ALL
    );
}

#[test]
fn wycheproof_p256_sha256_with_low_s_policy() {
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256).unwrap();
    let (mut accepted, mut high_s, mut rejected, mut total) = (0usize, 0usize, 0usize, 0usize);
    for group in &set.test_groups {
        let key = DevicePublicKey::from_sec1_bytes(&group.key.key)
            .expect("every P-256 Wycheproof group key is a valid point");
        for test in &group.tests {
            total += 1;
            let verdicts: Vec<Result<(), Error>> = Backend::ALL
                .iter()
                .map(|backend| verify_signature(*backend, &key, &test.msg, &test.sig))
                .collect();
            assert!(
                verdicts.windows(2).all(|pair| pair[0] == pair[1]),
                "tc {} ({}): backends disagree: {verdicts:?}",
                test.tc_id,
                test.comment
            );
            let verdict = &verdicts[0];
            match test.result {
                TestResult::Valid => {
                    // A valid ECDSA signature passes unless it is the high-S form,
                    // which POCI refuses; its low-S twin must then pass.
                    let parsed = EcdsaSignature::from_der(&test.sig).unwrap();
                    if parsed.is_high_s() {
                        assert_eq!(verdict, &Err(Error::SignatureHighS), "tc {}", test.tc_id);
                        high_s += 1;
                    } else {
                        assert_eq!(verdict, &Ok(()), "tc {} ({})", test.tc_id, test.comment);
                        accepted += 1;
                    }
                }
                TestResult::Invalid => {
                    assert!(
                        verdict.is_err(),
                        "tc {} ({}) must fail",
                        test.tc_id,
                        test.comment
                    );
                    rejected += 1;
                }
                TestResult::Acceptable => {
                    // Policy may go either way; the agreement above is what matters.
                }
            }
        }
    }
    println!(
        "wycheproof: {total} cases, {accepted} accepted, {high_s} high-S refused, {rejected} invalid refused"
    );
    assert_eq!(total, set.number_of_tests);
    assert!(
        accepted > 50 && high_s > 50 && rejected > 200,
        "{accepted} {high_s} {rejected}"
    );
}

/// P-384/SHA-384 with raw `r || s` signatures, as NVIDIA reports carry them: every backend
/// gives the same verdict, Wycheproof's on every case (no low-S rule for vendor evidence).
#[test]
fn wycheproof_p384_sha384_p1363_on_every_backend() {
    let set = TestSet::load(TestName::EcdsaSecp384r1Sha384P1363).unwrap();
    let (mut valid, mut invalid) = (0usize, 0usize);
    for group in &set.test_groups {
        for test in &group.tests {
            let verdicts: Vec<Result<(), Error>> = Backend::ALL
                .iter()
                .map(|backend| match <&[u8; 96]>::try_from(test.sig.as_slice()) {
                    Ok(signature) => poci::evidence::p384::verify_p384(
                        *backend,
                        &group.key.key,
                        &test.msg,
                        signature,
                    ),
                    // A signature of another length never reaches a backend.
                    Err(_) => Err(Error::SignatureInvalid),
                })
                .collect();
            assert!(
                verdicts.windows(2).all(|pair| pair[0] == pair[1]),
                "tc {} ({}): backends disagree: {verdicts:?}",
                test.tc_id,
                test.comment
            );
            match test.result {
                TestResult::Valid => {
                    assert_eq!(verdicts[0], Ok(()), "tc {} ({})", test.tc_id, test.comment);
                    valid += 1;
                }
                TestResult::Invalid => {
                    assert!(
                        verdicts[0].is_err(),
                        "tc {} ({}) must fail",
                        test.tc_id,
                        test.comment
                    );
                    invalid += 1;
                }
                TestResult::Acceptable => {}
            }
        }
    }
    assert!(
        valid > 150 && invalid > 50,
        "{valid} valid, {invalid} invalid"
    );
}
