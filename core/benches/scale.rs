//! One pass at scale, printed as a table (not criterion: one pass takes minutes): a ledger
//! of a million chips (`POCI_SCALE_CHIPS` to change), its memory per chip, and one heartbeat
//! per chip applied in batches, against raw verifies timed in the same process.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    missing_docs
)]

#[path = "support/fleet.rs"]
mod fleet;

use std::time::{Duration, Instant};

use poci::x509::mint::TestVendor;
use poci::{
    Backend, BindingSubmission, ChipLedger, DeviceKey, HeartbeatRef, HeartbeatSubmission,
    HeartbeatTbs, NetworkParams, Signed, SlotId, TrustStore, Verifier, derive_challenge,
    verify_signature,
};
use rayon::prelude::*;

const CHUNK: usize = 10_000;

/// Resident memory of this process, bytes (Linux; `None` elsewhere).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn key_of(index: usize) -> DeviceKey {
    DeviceKey::from_seed(&fleet::chip_seed("scale", index)).unwrap()
}

fn micros(time: Duration, count: usize) -> f64 {
    time.as_secs_f64() * 1e6 / count as f64
}

fn main() {
    let chips: usize = std::env::var("POCI_SCALE_CHIPS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1_000_000);
    let threads = rayon::current_num_threads();
    let vendor = TestVendor::from_seed("poci-test-a", "POCI Test Vendor A").unwrap();
    let params = NetworkParams::new("poci-scale", 1_767_225_600, 3600, 120).unwrap();
    let bind_at = SlotId { epoch: 1, slot: 0 };
    let beat_at = SlotId { epoch: 1, slot: 1 };
    let bind_challenge = derive_challenge(&params, 1, 0, &[1; 32]).unwrap();
    let beat_challenge = derive_challenge(&params, 1, 1, &[2; 32]).unwrap();
    let verifier = Verifier::with_trust_store(TrustStore::embedded_testnet().unwrap());

    // Baseline: raw verifies on one thread, then on all.
    let probe = key_of(0);
    let probe_der = Signed::sign(
        HeartbeatTbs {
            network_id: "poci-scale".into(),
            chip_key_id: *probe.key_id(),
            wallet: b"w".to_vec(),
            epoch: 1,
            slot: 1,
            challenge: beat_challenge,
            counter: 1,
            measurement: None,
        },
        &probe,
    )
    .unwrap()
    .to_der()
    .unwrap();
    let parsed = HeartbeatRef::from_der(&probe_der).unwrap();
    let raw = |count: usize| {
        let started = Instant::now();
        (0..count).into_par_iter().for_each(|_| {
            verify_signature(
                Backend::default(),
                probe.public_key(),
                parsed.tbs_der(),
                parsed.signature(),
            )
            .unwrap();
        });
        started.elapsed()
    };
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let raw_one = one_thread.install(|| raw(20_000));
    let raw_all = raw(20_000 * threads);
    let raw_one_us = micros(raw_one, 20_000);
    let raw_all_us = micros(raw_all, 20_000 * threads);

    // A million chips bound, chunk by chunk (keys are derived again from their seeds later,
    // so nothing but the ledger grows).
    let before = resident_bytes();
    let mut ledger = ChipLedger::new(params.clone());
    let mut bind_time = Duration::ZERO;
    for start in (0..chips).step_by(CHUNK) {
        let end = (start + CHUNK).min(chips);
        let bindings: Vec<Vec<u8>> = (start..end)
            .into_par_iter()
            .map(|index| {
                let wallet = format!("wallet-{}", index % 1000).into_bytes();
                fleet::bound_chip(
                    &vendor,
                    "scale",
                    index,
                    "poci-scale",
                    &wallet,
                    bind_challenge,
                )
                .1
            })
            .collect();
        let wallets: Vec<Vec<u8>> = (start..end)
            .map(|index| format!("wallet-{}", index % 1000).into_bytes())
            .collect();
        let submissions: Vec<BindingSubmission<'_>> = bindings
            .iter()
            .zip(&wallets)
            .map(|(der, wallet)| BindingSubmission::poci(der, bind_at, &bind_challenge, wallet))
            .collect();
        let started = Instant::now();
        let results = ledger
            .apply_bindings(&verifier, &submissions, bind_at)
            .unwrap();
        bind_time += started.elapsed();
        assert!(results.iter().all(Result::is_ok));
        eprint!("\rbound {end} of {chips} chips");
    }
    eprintln!();
    let after = resident_bytes();
    let per_chip = before
        .zip(after)
        .map(|(before, after)| after.saturating_sub(before) / chips as u64);

    // One heartbeat per chip, signed outside the clock, applied in batches on the clock.
    let mut apply_time = Duration::ZERO;
    for start in (0..chips).step_by(CHUNK) {
        let end = (start + CHUNK).min(chips);
        let heartbeats: Vec<Vec<u8>> = (start..end)
            .into_par_iter()
            .map(|index| {
                let key = key_of(index);
                Signed::sign(
                    HeartbeatTbs {
                        network_id: "poci-scale".into(),
                        chip_key_id: *key.key_id(),
                        wallet: format!("wallet-{}", index % 1000).into_bytes(),
                        epoch: beat_at.epoch,
                        slot: beat_at.slot,
                        challenge: beat_challenge,
                        counter: 1,
                        measurement: None,
                    },
                    &key,
                )
                .unwrap()
                .to_der()
                .unwrap()
            })
            .collect();
        let submissions: Vec<HeartbeatSubmission<'_>> = heartbeats
            .iter()
            .map(|der| HeartbeatSubmission::poci(der, beat_at, &beat_challenge))
            .collect();
        let started = Instant::now();
        let results = ledger
            .apply_heartbeats(&verifier, &submissions, beat_at)
            .unwrap();
        apply_time += started.elapsed();
        assert!(results.iter().all(Result::is_ok));
        eprint!("\rapplied {end} of {chips} heartbeats");
    }
    eprintln!();
    let with_epoch = resident_bytes();
    let per_chip_with_epoch = before
        .zip(with_epoch)
        .map(|(before, after)| after.saturating_sub(before) / chips as u64);
    let started = Instant::now();
    let closed = ledger.close_epoch(1, None, &[]).unwrap();
    let close_time = started.elapsed();
    assert_eq!(closed.availability.len(), chips);

    // Sampling (SPEC.md 18.3): the draw a node computes per chip-slot when it closes a
    // sampled epoch, timed over DRAWS chip-slots on all threads.
    const DRAWS: usize = 10_000_000;
    let key_ids: Vec<poci::KeyId> = (0..1024).map(|index| *key_of(index).key_id()).collect();
    let started = Instant::now();
    let drawn = (0..DRAWS)
        .into_par_iter()
        .filter(|index| {
            let challenge = [(*index / 1024 % 256) as u8; 32];
            poci::is_sampled(&challenge, &key_ids[*index % 1024], 16)
        })
        .count();
    let draw_us = micros(started.elapsed(), DRAWS);
    let heartbeat_us = micros(apply_time, chips);
    println!("| measurement ({chips} chips, {threads} threads) | value | baseline | ratio |");
    println!("|---|---|---|---|");
    println!("| raw verify (default backend), 1 thread | {raw_one_us:.1} µs | | |");
    println!(
        "| raw verify (default backend), {threads} threads (per item) | {raw_all_us:.1} µs | {raw_one_us:.1} µs | {:.2}× throughput |",
        raw_one_us / raw_all_us
    );
    println!(
        "| `apply_heartbeats`, {chips} heartbeats (per item) | {heartbeat_us:.1} µs | {raw_all_us:.1} µs (raw, {threads} threads) | {:.3}× raw throughput |",
        raw_all_us / heartbeat_us
    );
    println!(
        "| `apply_bindings`, {chips} bindings (per item) | {:.1} µs | {raw_all_us:.1} µs | {:.2}× raw |",
        micros(bind_time, chips),
        micros(bind_time, chips) / raw_all_us
    );
    println!(
        "| `close_epoch`, {chips} chips | {:.0} ms | | {:.2} µs per chip |",
        close_time.as_secs_f64() * 1e3,
        micros(close_time, chips)
    );
    // A day of 96 slots on this machine's threads: every chip answers every slot, or one
    // chip-slot in 16 (plus the close's draw for every chip-slot).
    let day_full_s = chips as f64 * 96.0 * heartbeat_us / 1e6;
    let day_sampled_s = chips as f64 * 96.0 * (heartbeat_us / 16.0 + draw_us) / 1e6;
    println!(
        "| sampling draw (`is_sampled`), per chip-slot ({threads} threads; {:.1}% of {DRAWS} drawn at 1/16) | {draw_us:.3} µs | {heartbeat_us:.1} µs (a heartbeat) | {:.0}× cheaper |",
        drawn as f64 * 100.0 / DRAWS as f64,
        heartbeat_us / draw_us
    );
    println!(
        "| a day of 96 slots, {chips} chips: node time for heartbeats, full / sampled 1 in 16 | {day_full_s:.0} s / {day_sampled_s:.0} s | | {:.1}× less |",
        day_full_s / day_sampled_s
    );
    match per_chip {
        Some(bytes) => println!(
            "| ledger memory per registered chip (resident set growth) | {bytes} B | 320 B target | {:.2}× target |",
            bytes as f64 / 320.0
        ),
        None => println!("| ledger memory per registered chip | n/a (no /proc) | | |"),
    }
    if let Some(bytes) = per_chip_with_epoch {
        println!(
            "| … with one open epoch (a proven slot per chip) | {bytes} B | 320 B target | {:.2}× target |",
            bytes as f64 / 320.0
        );
    }
}
