//! Simulated chips for the benchmarks: a device key and certificate from test vendor A, and
//! the chip's signed binding for slot (1, 0).

use poci::x509::mint::TestVendor;
use poci::{ChipBindingTbs, ChipIdentity, DeviceKey, Signed};

/// The seed of chip `index` of a benchmark.
pub fn chip_seed(bench: &str, index: usize) -> Vec<u8> {
    format!("{bench} chip {index}").into_bytes()
}

/// Chip `index`: its device key and its binding to `wallet` on `network_id`, answering
/// `challenge`.
pub fn bound_chip(
    vendor: &TestVendor,
    bench: &str,
    index: usize,
    network_id: &str,
    wallet: &[u8],
    challenge: [u8; 32],
) -> (DeviceKey, Vec<u8>) {
    let serial = format!("SN-{index}").into_bytes();
    let identity = ChipIdentity {
        model_id: "poci-test-accel-a1".into(),
        serial: serial.clone(),
        security_version: 1,
    };
    let (key, certificate) = vendor
        .mint_chip(&chip_seed(bench, index), &identity, index as u64 + 1)
        .unwrap();
    let binding = Signed::sign(
        ChipBindingTbs {
            network_id: network_id.into(),
            chip_serial: serial,
            model_id: "poci-test-accel-a1".into(),
            wallet: wallet.to_vec(),
            binding_counter: 1,
            epoch: 1,
            slot: 0,
            challenge,
            certificates: vec![certificate, vendor.intermediate_der.clone()],
        },
        &key,
    )
    .unwrap()
    .to_der()
    .unwrap();
    (key, binding)
}
