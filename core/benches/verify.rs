//! Heartbeat verification with each backend, against one raw P-256 verify of each,
//! side by side in one run: the ratios are what matters on a shared machine.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use poci::{
    Backend, DeviceKey, HeartbeatContext, HeartbeatRef, HeartbeatTbs, NetworkParams, Signed,
    Verifier, derive_challenge, verify_signature,
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
    let context = HeartbeatContext {
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
    let context = BindingContext {
        params: &params,
        epoch: 1,
        slot: 2,
        challenge: &challenge,
        wallet: b"w",
    };
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
        let warm = Verifier::with_trust_store(store.clone()).backend_set(*backend);
        warm.verify_binding(&der, &context).unwrap();
        group.bench_function(format!("verify_binding_warm/{}", backend.name()), |b| {
            b.iter(|| warm.verify_binding(&der, &context).unwrap());
        });
        group.bench_function(format!("verify_binding_cold/{}", backend.name()), |b| {
            b.iter_batched(
                || Verifier::with_trust_store(store.clone()).backend_set(*backend),
                |cold| cold.verify_binding(&der, &context).unwrap(),
                criterion::BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, bench_verify, bench_binding);
criterion_main!(benches);
