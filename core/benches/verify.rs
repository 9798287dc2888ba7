//! Heartbeat and binding verification with each backend, batches on one and on all
//! threads, and DER parse/encode of each message, each against one raw P-256 verify of the
//! same run: the ratios are what matters on a shared machine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use criterion::{Criterion, criterion_group, criterion_main};
use poci::{
    Backend, DeviceKey, HeartbeatRef, HeartbeatTbs, NetworkParams, Signed, SlotContext, Verifier,
    derive_challenge, verify_signature,
};

fn bench_verify(c: &mut Criterion) {
    let params = NetworkParams::new("poci-bench", 1_767_225_600, 3600, 120).unwrap();
    let chip = DeviceKey::from_seed(b"bench chip").unwrap();
    let challenge = derive_challenge(&params, 3, 9, &[7; 32]).unwrap();
    let wallet = b"bench-wallet".to_vec();
    let tbs = HeartbeatTbs {
        network_id: params.network_id().to_owned(),
        chip_key_id: *chip.key_id(),
        wallet: wallet.clone(),
        epoch: 3,
        slot: 9,
        challenge,
        counter: 77,
        measurement: Some([9; 32]),
    };
    let der = Signed::sign(tbs, &chip).unwrap().to_der().unwrap();
    let parsed = HeartbeatRef::from_der(&der).unwrap();
    let context = SlotContext {
        network_id: params.network_id(),
        epoch: 3,
        slot: 9,
        challenge: &challenge,
        wallet: &wallet,
    };
    let mut group = c.benchmark_group("p256");
    for backend in Backend::ALL {
        group.bench_function(format!("raw_verify/{}", backend.name()), |b| {
            b.iter(|| {
                verify_signature(
                    *backend,
                    chip.public_key(),
                    parsed.tbs_der(),
                    parsed.signature(),
                )
                .unwrap();
            });
        });
        let verifier = Verifier::new(*backend);
        group.bench_function(format!("verify_heartbeat/{}", backend.name()), |b| {
            b.iter(|| {
                verifier
                    .verify_heartbeat(&der, chip.public_key(), &context)
                    .unwrap()
            });
        });
    }
    group.bench_function("parse_heartbeat", |b| {
        b.iter(|| HeartbeatRef::from_der(&der).unwrap());
    });
    group.finish();
}

/// A real H100 report (silicon/nvidia/h100-a): raw P-384 verification on each backend
/// beside P-256's, parsing, and the whole report and chain against NVIDIA's root.
fn bench_nvidia(c: &mut Criterion) {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/silicon/nvidia/h100-a");
    let report = hex::decode(
        std::fs::read_to_string(dir.join("report.hex"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let pem = std::fs::read_to_string(dir.join("chain.pem")).unwrap();
    let chain = poci::x509::certificates_from_pem(&pem).unwrap();
    let chain_refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    let parsed = poci::evidence::nvidia_spdm::NvidiaReport::parse(&report).unwrap();
    let leaf = poci::evidence::nvidia_certificate::NvidiaCertificate::from_der(&chain[0])
        .unwrap()
        .public_key
        .to_vec();
    let nonce: [u8; 32] = report[4..36].try_into().unwrap();
    let store =
        poci::TrustStore::from_folder(poci::embedded::FILES, poci::TrustPolicy::default(), false)
            .unwrap();
    let mut group = c.benchmark_group("p384");
    for backend in Backend::ALL {
        group.bench_function(format!("raw_verify/{}", backend.name()), |b| {
            b.iter(|| {
                poci::evidence::p384::verify_p384(*backend, &leaf, parsed.signed, parsed.signature)
                    .unwrap();
            });
        });
        let verifier = Verifier::with_trust_store(store.clone()).with_backend(*backend);
        group.bench_function(format!("verify_nvidia_report/{}", backend.name()), |b| {
            b.iter(|| {
                verifier
                    .verify_nvidia_report(&report, &chain_refs, &nonce, 1_796_083_200)
                    .unwrap()
            });
        });
    }
    // An emulated H100 of the testnet chain: a heartbeat (parse, nonce, one P-384 verify
    // under the registered key), and a binding (report and chain, model mapping) with a
    // fresh verifier each time (cold) or one verifier throughout (warm).
    use poci::evidence::nonce::{EvidencePurpose, evidence_nonce};
    use poci::evidence::nvidia_emulator::{EMULATED_BOARDS, NvidiaTestnetCa};
    let gpu = NvidiaTestnetCa::testnet()
        .unwrap()
        .gpu(&EMULATED_BOARDS[0], "bench-gpu", "96.00.9f.00.01")
        .unwrap();
    let gpu_chain: Vec<&[u8]> = gpu.chain().iter().map(Vec::as_slice).collect();
    let gpu_leaf = poci::evidence::nvidia_certificate::NvidiaCertificate::from_der(gpu_chain[0])
        .unwrap()
        .public_key
        .to_vec();
    let params = NetworkParams::new("poci-testnet", 1_780_272_000, 3600, 120).unwrap();
    let challenge = [0x42; 32];
    let context = poci::SlotContext {
        network_id: params.network_id(),
        epoch: 7,
        slot: 3,
        challenge: &challenge,
        wallet: b"bench-wallet",
    };
    let beat = gpu
        .report(&evidence_nonce(&context, EvidencePurpose::Heartbeat).unwrap())
        .unwrap();
    let binding = gpu
        .report(&evidence_nonce(&context, EvidencePurpose::Binding).unwrap())
        .unwrap();
    let binding_context = poci::BindingContext::new(&params, 7, 3, &challenge, b"bench-wallet");
    let testnet = poci::TrustStore::embedded_testnet().unwrap();
    for backend in Backend::ALL {
        let verifier = Verifier::with_trust_store(testnet.clone()).with_backend(*backend);
        group.bench_function(format!("nvidia_heartbeat/{}", backend.name()), |b| {
            b.iter(|| {
                verifier
                    .verify_nvidia_heartbeat(&beat, &gpu_leaf, &context)
                    .unwrap()
            });
        });
        group.bench_function(format!("nvidia_binding_warm/{}", backend.name()), |b| {
            b.iter(|| {
                verifier
                    .verify_nvidia_binding(&binding, &gpu_chain, &binding_context)
                    .unwrap()
            });
        });
        group.bench_function(format!("nvidia_binding_cold/{}", backend.name()), |b| {
            b.iter_batched(
                || Verifier::with_trust_store(testnet.clone()).with_backend(*backend),
                |cold| {
                    cold.verify_nvidia_binding(&binding, &gpu_chain, &binding_context)
                        .unwrap()
                },
                criterion::BatchSize::SmallInput,
            );
        });
    }
    group.bench_function("parse_nvidia_report", |b| {
        b.iter(|| poci::evidence::nvidia_spdm::NvidiaReport::parse(&report).unwrap());
    });
    group.finish();
}

fn bench_binding(c: &mut Criterion) {
    use poci::x509::mint::{TEST_NOT_BEFORE, TestVendor};
    use poci::{BindingContext, ChipBindingTbs, ChipIdentity, TrustStore};

    let vendor = TestVendor::from_seed("poci-test-a", "POCI Test Vendor A").unwrap();
    // The embedded test-network trust store holds poci-test-a's root and CRLs.
    let store = TrustStore::embedded_testnet().unwrap();
    let params = NetworkParams::new("poci-bench", TEST_NOT_BEFORE, 3600, 120).unwrap();
    let challenge = derive_challenge(&params, 1, 2, &[5; 32]).unwrap();
    let identity = ChipIdentity {
        model_id: "poci-test-accel-a1".into(),
        serial: b"SN".to_vec(),
        security_version: 1,
    };
    let (key, certificate) = vendor.mint_chip(b"bench chip", &identity, 10).unwrap();
    let tbs = ChipBindingTbs {
        network_id: "poci-bench".into(),
        chip_serial: b"SN".to_vec(),
        model_id: "poci-test-accel-a1".into(),
        wallet: b"w".to_vec(),
        binding_counter: 1,
        epoch: 1,
        slot: 2,
        challenge,
        certificates: vec![certificate, vendor.intermediate_der.clone()],
    };
    let der = Signed::sign(tbs, &key).unwrap().to_der().unwrap();
    let context = BindingContext::new(&params, 1, 2, &challenge, b"w");
    let parsed = poci::ChipBindingRef::from_der(&der).unwrap();

    let mut group = c.benchmark_group("binding");
    for backend in Backend::ALL {
        group.bench_function(format!("raw_verify/{}", backend.name()), |b| {
            b.iter(|| {
                verify_signature(
                    *backend,
                    key.public_key(),
                    parsed.tbs_der(),
                    parsed.signature(),
                )
                .unwrap()
            });
        });
        let warm = Verifier::with_trust_store(store.clone()).with_backend(*backend);
        warm.verify_binding(&der, &context).unwrap();
        group.bench_function(format!("verify_binding_warm/{}", backend.name()), |b| {
            b.iter(|| warm.verify_binding(&der, &context).unwrap());
        });
        group.bench_function(format!("verify_binding_cold/{}", backend.name()), |b| {
            b.iter_batched(
                || Verifier::with_trust_store(store.clone()).with_backend(*backend),
                |cold| cold.verify_binding(&der, &context).unwrap(),
                criterion::BatchSize::SmallInput,
            );
        });
    }
    // A binding whose intermediate's CRL is about 1 MB (47,000 serials, near MAX_CRL_LEN):
    // the CRL is parsed and hashed when loaded, so a warm binding should cost what it costs
    // with the small CRL above (Step 12, finding R6).
    let serials: Vec<u64> = (1_000..48_000).collect();
    let large = poci::x509::mint::mint_crl(
        vendor.intermediate(),
        TEST_NOT_BEFORE,
        poci::x509::mint::TEST_DEVICE_NOT_AFTER,
        2,
        &serials,
    )
    .unwrap();
    let mut large_store = TrustStore::new(
        store.registry().clone(),
        poci::TrustPolicy {
            allow_test_vendors: true,
            ..poci::TrustPolicy::default()
        },
    );
    large_store
        .add_roots(
            "poci-test-a",
            poci::RootKind::Vendor,
            &[&vendor.root_der],
            &[&vendor.root_crl_der, &large],
        )
        .unwrap();
    let warm = Verifier::with_trust_store(large_store);
    warm.verify_binding(&der, &context).unwrap();
    group.bench_function("verify_binding_warm_1mb_crl/ring", |b| {
        b.iter(|| warm.verify_binding(&der, &context).unwrap());
    });
    group.finish();
}

/// `count` heartbeats of `count` chips for one slot, with their keys.
fn heartbeat_batch(count: usize) -> (NetworkParams, [u8; 32], Vec<DeviceKey>, Vec<Vec<u8>>) {
    let params = NetworkParams::new("poci-bench", 1_767_225_600, 3600, 120).unwrap();
    let challenge = derive_challenge(&params, 3, 9, &[7; 32]).unwrap();
    let keys: Vec<DeviceKey> = (0..count)
        .map(|index| DeviceKey::from_seed(format!("batch chip {index}").as_bytes()).unwrap())
        .collect();
    let ders = keys
        .iter()
        .map(|key| {
            let tbs = HeartbeatTbs {
                network_id: params.network_id().to_owned(),
                chip_key_id: *key.key_id(),
                wallet: b"bench-wallet".to_vec(),
                epoch: 3,
                slot: 9,
                challenge,
                counter: 1,
                measurement: None,
            };
            Signed::sign(tbs, key).unwrap().to_der().unwrap()
        })
        .collect();
    (params, challenge, keys, ders)
}

fn bench_batch(c: &mut Criterion) {
    use poci::HeartbeatItem;
    const BATCH: usize = 512;
    let (params, challenge, keys, ders) = heartbeat_batch(BATCH);
    let items: Vec<HeartbeatItem<'_>> = keys
        .iter()
        .zip(&ders)
        .map(|(key, der)| HeartbeatItem {
            der,
            key: key.public_key(),
            context: SlotContext {
                network_id: params.network_id(),
                epoch: 3,
                slot: 9,
                challenge: &challenge,
                wallet: b"bench-wallet",
            },
        })
        .collect();
    let verifier = Verifier::default();
    let first = HeartbeatRef::from_der(&ders[0]).unwrap();
    let mut group = c.benchmark_group("batch");
    group.bench_function("raw_verify/ring", |b| {
        b.iter(|| {
            verify_signature(
                Backend::default(),
                keys[0].public_key(),
                first.tbs_der(),
                first.signature(),
            )
            .unwrap()
        });
    });
    group.throughput(criterion::Throughput::Elements(BATCH as u64));
    let all = rayon::current_num_threads();
    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_function(
            format!("verify_heartbeats_{BATCH}/threads-{threads}"),
            |b| {
                b.iter(|| {
                    pool.install(|| {
                        let results = verifier.verify_heartbeats(&items).unwrap();
                        assert!(results.iter().all(Result::is_ok));
                    });
                });
            },
        );
    }
    group.finish();
}

fn bench_der(c: &mut Criterion) {
    use poci::x509::mint::TestVendor;
    use poci::{
        ChipBinding, ChipBindingRef, ChipBindingTbs, ChipIdentity, Heartbeat, LeaseAcceptance,
        LeaseAcceptanceRef, LeaseAcceptanceTbs,
    };

    let (_, _, keys, ders) = heartbeat_batch(1);
    let key = &keys[0];
    let heartbeat_der = ders[0].clone();
    let vendor = TestVendor::from_seed("poci-test-a", "POCI Test Vendor A").unwrap();
    let identity = ChipIdentity {
        model_id: "poci-test-accel-a1".into(),
        serial: b"SN".to_vec(),
        security_version: 1,
    };
    let (chip, certificate) = vendor.mint_chip(b"der chip", &identity, 10).unwrap();
    let binding_der = Signed::sign(
        ChipBindingTbs {
            network_id: "poci-bench".into(),
            chip_serial: b"SN".to_vec(),
            model_id: "poci-test-accel-a1".into(),
            wallet: b"w".to_vec(),
            binding_counter: 1,
            epoch: 1,
            slot: 2,
            challenge: [3; 32],
            certificates: vec![certificate, vendor.intermediate_der.clone()],
        },
        &chip,
    )
    .unwrap()
    .to_der()
    .unwrap();
    let lease_der = Signed::sign(
        LeaseAcceptanceTbs {
            network_id: "poci-bench".into(),
            lease_id: b"lease-1".to_vec(),
            renter_wallet: b"renter".to_vec(),
            chip_key_id: *key.key_id(),
            first_epoch: 10,
            last_epoch: 19,
            price: 5_000_000_000_000_000_000_000_000,
        },
        key,
    )
    .unwrap()
    .to_der()
    .unwrap();
    let heartbeat = Heartbeat::from_der(&heartbeat_der).unwrap();
    let binding = ChipBinding::from_der(&binding_der).unwrap();
    let lease = LeaseAcceptance::from_der(&lease_der).unwrap();
    let first = HeartbeatRef::from_der(&heartbeat_der).unwrap();

    let mut group = c.benchmark_group("der");
    group.bench_function("raw_verify/ring", |b| {
        b.iter(|| {
            verify_signature(
                Backend::default(),
                key.public_key(),
                first.tbs_der(),
                first.signature(),
            )
            .unwrap()
        });
    });
    group.bench_function("parse/heartbeat", |b| {
        b.iter(|| HeartbeatRef::from_der(&heartbeat_der).unwrap());
    });
    group.bench_function("parse/binding", |b| {
        b.iter(|| ChipBindingRef::from_der(&binding_der).unwrap());
    });
    group.bench_function("parse/lease", |b| {
        b.iter(|| LeaseAcceptanceRef::from_der(&lease_der).unwrap());
    });
    group.bench_function("encode/heartbeat", |b| {
        b.iter(|| heartbeat.to_der().unwrap());
    });
    group.bench_function("encode/binding", |b| {
        b.iter(|| binding.to_der().unwrap());
    });
    group.bench_function("encode/lease", |b| {
        b.iter(|| lease.to_der().unwrap());
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_verify,
    bench_nvidia,
    bench_binding,
    bench_batch,
    bench_der
);
criterion_main!(benches);
