//! The adversarial binding vectors are refused for the reason their description gives, not
//! just with the right code: each `BAD_CERTIFICATE` case names the profile rule it breaks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use poci::{CertProblem, Error};
use poci_conformance::{ExecError, VectorFile, execute};

#[test]
fn each_adversarial_certificate_breaks_the_rule_it_names() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/bindings.json");
    let file: VectorFile = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let group = file
        .groups
        .iter()
        .find(|group| group.name == "adversarial")
        .expect("the adversarial group");
    let expected = [
        ("keyUsage twice", CertProblem::Extension),
        (
            "unknown critical extension",
            CertProblem::UnsupportedCriticalExtension,
        ),
        (
            "chip identity extension marked critical",
            CertProblem::Extension,
        ),
        ("MAX_CERTIFICATE_EXTENSIONS", CertProblem::TooManyExtensions),
        ("negative serial", CertProblem::Serial),
        ("serial number of 21 octets", CertProblem::Serial),
        ("serial number zero", CertProblem::Serial),
        ("unique identifier", CertProblem::Encoding),
        ("notAfter before notBefore", CertProblem::Validity),
        ("signature algorithm", CertProblem::Algorithm),
        ("DNS name constraints", CertProblem::NameConstraints),
        (
            "directoryName name constraints",
            CertProblem::NameConstraints,
        ),
        ("pathLen 0", CertProblem::PathLength),
        (
            "without CA basic constraints",
            CertProblem::BasicConstraints,
        ),
        ("root carried as the device", CertProblem::BasicConstraints),
        (
            "subject Name with a long-form length",
            CertProblem::Encoding,
        ),
        ("issuer Name with a long-form length", CertProblem::Encoding),
        ("an empty extensions SEQUENCE", CertProblem::Encoding),
        ("cA FALSE encoded", CertProblem::Extension),
        ("not a P-256 point", CertProblem::Algorithm),
        ("not an Ecdsa-Sig-Value", CertProblem::Encoding),
        ("the same mutation made after", CertProblem::Encoding),
    ];
    let mut used = vec![false; expected.len()];
    for case in &group.cases {
        if case.expected["error"] != "BAD_CERTIFICATE" {
            continue;
        }
        let index = expected
            .iter()
            .position(|(words, _)| case.description.contains(words))
            .unwrap_or_else(|| panic!("{}: no expected problem listed", case.id));
        used[index] = true;
        let problem = &expected[index].1;
        match execute(&group.operation, &case.input, &file.trust_stores) {
            Err(ExecError::Case(Error::BadCertificate { problem: found })) => {
                assert_eq!(found, *problem, "{}: {}", case.id, case.description);
            }
            other => panic!("{}: {other:?}", case.id),
        }
    }
    // Every listed rule has a vector.
    assert!(used.iter().all(|used| *used), "{used:?}");
}
