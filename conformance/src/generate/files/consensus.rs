//! The `consensus` vector file (conformance/vectors/consensus.json): the rules of SPEC.md 18
//! that every node applies identically: the network policy, timeliness, sampling, firmware
//! floors, trust material by epoch and revocation of bound chips, leases.

use super::*;

/// Every manifest, vendor A's rewritten by `change`.
fn manifests_where(change: impl Fn(&str) -> String) -> Value {
    let mut all = embedded_manifests(false);
    let tests: Vec<(String, String)> = embedded_manifests(true)
        .into_iter()
        .map(|(file, toml)| {
            let toml = if file.contains("poci-test-a/") {
                change(toml)
            } else {
                toml.to_owned()
            };
            (file, toml)
        })
        .collect();
    let mut sources: Vec<(String, &str)> = std::mem::take(&mut all);
    sources.extend(
        tests
            .iter()
            .map(|(file, toml)| (file.clone(), toml.as_str())),
    );
    manifests_json(&sources)
}

/// The testnet roots, vendor A's with `intermediate_crl` in place of its own, or left out.
fn roots_where(
    vendor: &TestVendor,
    intermediate_crl: Option<&[u8]>,
    vendor_a: bool,
) -> Result<Vec<Value>> {
    let mut roots = testnet_roots();
    roots.remove(0);
    if vendor_a {
        let crl =
            intermediate_crl.map_or_else(|| vendor.intermediate_crl_der.clone(), <[u8]>::to_vec);
        roots.insert(
            0,
            vendor_a_roots(vendor, &[vendor.root_crl_der.clone(), crl])?,
        );
    }
    Ok(roots)
}

fn policy_json(change: impl FnOnce(&mut poci::NetworkPolicy)) -> Result<Value> {
    let mut policy = poci::NetworkPolicy::ledger_defaults(params()?);
    change(&mut policy);
    json_value(&policy)
}

pub(super) fn consensus() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "consensus",
        "The ledger's consensus rules: network policy, timeliness, sampling, firmware floors, trust material by epoch, leases (SPEC.md 18)",
    );
    let vendor = vendor_a()?;
    let start = TEST_NOT_BEFORE;
    let revoking_crl = mint_crl(
        vendor.intermediate(),
        start + 8 * 3_600,
        start + 400 * 86_400,
        1_000,
        &[100],
    )?;
    let floor = |toml: &str| {
        toml.replace(
            "model_id = \"poci-test-accel-a1\"\n",
            "model_id = \"poci-test-accel-a1\"\nmin_security_version = 4\n",
        )
    };
    let revoked = |toml: &str| toml.replace("status = \"active\"", "status = \"revoked\"");
    let same = |toml: &str| toml.to_owned();
    f.trust_store(
        "testnet",
        store_spec(true, "deny", all_manifests(), testnet_roots()),
    );
    f.trust_store(
        "floor-4",
        store_spec(true, "deny", manifests_where(floor), testnet_roots()),
    );
    f.trust_store(
        "vendor-a-revoked",
        store_spec(true, "deny", manifests_where(revoked), testnet_roots()),
    );
    f.trust_store(
        "vendor-a-root-removed",
        store_spec(
            true,
            "deny",
            manifests_where(same),
            roots_where(&vendor, None, false)?,
        ),
    );
    f.trust_store(
        "chip-100-revoked",
        store_spec(
            true,
            "deny",
            manifests_where(same),
            roots_where(&vendor, Some(&revoking_crl), true)?,
        ),
    );

    // --- The policy and its digest ------------------------------------------------------
    f.group("policy", "network_policy");
    f.ok(
        "the ledger defaults",
        json!({ "policy": policy_json(|_| {})? }),
    );
    f.ok(
        "a sampled network with a threshold and a tiered emission",
        json!({ "policy": policy_json(|policy| {
            policy.grace_slots = 4;
            policy.sample_one_in = 16;
            policy.min_availability_bps = 2_500;
            policy.emission = EmissionSchedule::TieredDecay(TieredDecaySchedule::published(
                120,
                [10, 20, 30],
                RewardDecay { start_block: 40, period_blocks: 5, rate_num: 1, rate_den: 2, floor_per_block: 10 },
                u128::MAX,
            ));
        })? }),
    );
    f.ok(
        "inflation and other pools",
        json!({ "policy": policy_json(|policy| {
            policy.pools = PoolSplit { miners_bps: 9_000, pools: vec![NamedPool { name: "dao".into(), bps: 1_000 }] };
            policy.emission = EmissionSchedule::Inflation(InflationSchedule {
                initial_supply: 1_000_000, bps_per_year: 500, epochs_per_year: 4, cap: 1_100_000,
            });
        })? }),
    );
    let mut bad = policy_json(|_| {})?;
    bad["sample_one_in"] = json!(0);
    f.err("sampling of 0", json!({ "policy": bad }), "INVALID_POLICY");
    let mut bad = policy_json(|_| {})?;
    bad["grace_slots"] = json!(121);
    f.err(
        "a grace longer than an epoch",
        json!({ "policy": bad }),
        "INVALID_POLICY",
    );
    let mut bad = policy_json(|_| {})?;
    bad["min_availability_bps"] = json!(10_001);
    f.err(
        "a threshold above 100%",
        json!({ "policy": bad }),
        "INVALID_POLICY",
    );
    let mut bad = policy_json(|_| {})?;
    bad["pools"]["miners_bps"] = json!(9_800);
    f.err(
        "pools that do not sum to 10000",
        json!({ "policy": bad }),
        "INVALID_POOLS",
    );

    // --- The sampling draw --------------------------------------------------------------
    f.group("draw", "is_sampled");
    // For each rate, the first chip-slot drawn and the first not (one in 1: every one).
    for one_in in [1u32, 2, 16, 65_536] {
        for wanted in [true, false] {
            let found = (0u8..=255).find_map(|n| {
                let challenge = challenge_at(8, u32::from(n)).ok()?;
                let key = DeviceKey::from_seed(&[b'k', n]).ok()?;
                (poci::is_sampled(&challenge, key.key_id(), one_in) == wanted)
                    .then_some((challenge, key))
            });
            if let Some((challenge, key)) = found {
                f.ok(
                    &format!("one in {one_in}, {}", if wanted { "drawn" } else { "not drawn" }),
                    json!({ "challenge": h(&challenge), "key_id": h(key.key_id().as_bytes()), "sample_one_in": one_in }),
                );
            }
        }
    }

    // --- Ledger rules -------------------------------------------------------------------
    let (chip, certificate) = vendor.mint_chip(
        b"ledger chip",
        &identity("poci-test-accel-a1", b"SN-L"),
        100,
    )?;
    let bind = || -> Result<Value> {
        let tbs = binding_tbs(
            b"SN-L",
            "poci-test-accel-a1",
            vec![certificate.clone(), vendor.intermediate_der.clone()],
        )?;
        let der = Signed::sign(tbs, &chip)?.to_der()?;
        Ok(
            json!({ "op": "bind", "der": h(&der), "epoch": EPOCH.to_string(), "slot": SLOT,
            "challenge": h(&challenge()?), "wallet": h(WALLET) }),
        )
    };
    let beat = |epoch: u64, slot: u32, counter: u64| -> Result<Value> {
        let tbs = HeartbeatTbs {
            network_id: NETWORK.into(),
            chip_key_id: *chip.key_id(),
            wallet: WALLET.to_vec(),
            epoch,
            slot,
            challenge: challenge_at(epoch, slot)?,
            counter,
            measurement: None,
        };
        let der = Signed::sign(tbs, &chip)?.to_der()?;
        Ok(
            json!({ "op": "heartbeat", "der": h(&der), "epoch": epoch.to_string(), "slot": slot,
            "challenge": h(&challenge_at(epoch, slot)?) }),
        )
    };
    let now = |mut step: Value, epoch: u64, slot: u32| {
        step["now"] = json!({ "epoch": epoch.to_string(), "slot": slot });
        step
    };
    let case = |policy: Value, setup: Vec<Value>, step: Value| -> Value {
        json!({ "trust_store": "testnet", "policy": policy, "setup": in_their_slots(setup),
            "step": in_its_slot(step) })
    };
    let defaults = policy_json(|_| {})?;

    f.group("timeliness", "ledger");
    f.ok(
        "a heartbeat one slot late, within the grace",
        case(defaults.clone(), vec![bind()?], now(beat(8, 0, 1)?, 8, 1)),
    );
    f.err(
        "a heartbeat two slots late",
        case(defaults.clone(), vec![bind()?], now(beat(8, 0, 1)?, 8, 2)),
        "SLOT_TOO_LATE",
    );
    f.ok(
        "late across an epoch boundary, within the grace",
        case(defaults.clone(), vec![bind()?], now(beat(8, 119, 1)?, 9, 0)),
    );
    f.err(
        "a heartbeat for a slot not yet begun",
        case(defaults.clone(), vec![bind()?], now(beat(8, 5, 1)?, 8, 4)),
        "SLOT_IN_FUTURE",
    );
    f.err(
        "a binding past its grace",
        case(defaults.clone(), vec![], now(bind()?, EPOCH, SLOT + 2)),
        "SLOT_TOO_LATE",
    );
    f.ok(
        "a grace of four slots",
        case(
            policy_json(|policy| policy.grace_slots = 4)?,
            vec![bind()?],
            now(beat(8, 0, 1)?, 8, 4),
        ),
    );

    f.group("sampling", "ledger");
    let sampled = policy_json(|policy| policy.sample_one_in = 4)?;
    let draws: Vec<bool> = (0..120)
        .map(|slot| Ok(poci::is_sampled(&challenge_at(8, slot)?, chip.key_id(), 4)))
        .collect::<Result<_>>()?;
    let drawn = draws.iter().position(|drawn| *drawn).unwrap_or(0) as u32;
    let skipped = draws.iter().position(|drawn| !*drawn).unwrap_or(0) as u32;
    f.ok(
        "a chip drawn for its slot",
        case(sampled.clone(), vec![bind()?], beat(8, drawn, 1)?),
    );
    f.err(
        "a chip not drawn for its slot",
        case(sampled.clone(), vec![bind()?], beat(8, skipped, 1)?),
        "NOT_SELECTED",
    );
    let challenges: Vec<String> = (0..120)
        .map(|slot| Ok(h(&challenge_at(8, slot)?)))
        .collect::<Result<_>>()?;
    f.ok(
        "closing counts the slots the chip was drawn for",
        case(
            sampled.clone(),
            vec![bind()?, beat(8, drawn, 1)?],
            json!({ "op": "close", "epoch": "8", "challenges": challenges }),
        ),
    );
    f.err(
        "closing a sampled epoch without its challenges",
        case(
            sampled,
            vec![bind()?, beat(8, drawn, 1)?],
            json!({ "op": "close", "epoch": "8" }),
        ),
        "SLOT_CHALLENGES_MISSING",
    );

    f.group("floors_and_revocation", "ledger");
    let later = |store: &str, setup: Vec<Value>, step: Value| -> Value {
        json!({ "trust_store": "testnet", "trust_versions": [{ "activation_epoch": "9", "trust_store": store }],
            "policy": defaults.clone(), "setup": in_their_slots(setup), "step": in_its_slot(step) })
    };
    f.err(
        "a binding below the model's firmware floor",
        json!({ "trust_store": "floor-4", "policy": defaults.clone(), "setup": [], "step": in_its_slot(bind()?) }),
        "FIRMWARE_BELOW_FLOOR",
    );
    f.ok(
        "a floor raised from epoch 9: epoch 8 still counts",
        later("floor-4", vec![bind()?], beat(8, 0, 1)?),
    );
    f.err(
        "a floor raised from epoch 9 stops the bound chip then",
        later("floor-4", vec![bind()?, beat(8, 0, 1)?], beat(9, 0, 2)?),
        "FIRMWARE_BELOW_FLOOR",
    );
    f.err(
        "a CRL listing the chip's certificate from epoch 9",
        later(
            "chip-100-revoked",
            vec![bind()?, beat(8, 0, 1)?],
            beat(9, 0, 2)?,
        ),
        "CERT_REVOKED",
    );
    f.ok(
        "the same CRL before its epoch",
        later("chip-100-revoked", vec![bind()?], beat(8, 0, 1)?),
    );
    f.err(
        "the chip's vendor marked revoked from epoch 9",
        later("vendor-a-revoked", vec![bind()?], beat(9, 0, 1)?),
        "VENDOR_REVOKED",
    );
    f.err(
        "the chip's root removed from epoch 9",
        later("vendor-a-root-removed", vec![bind()?], beat(9, 0, 1)?),
        "UNKNOWN_ISSUER",
    );
    f.err(
        "trust material scheduled at epoch 0",
        json!({ "trust_store": "testnet", "trust_versions": [{ "activation_epoch": "0", "trust_store": "floor-4" }],
            "policy": defaults.clone(), "setup": [], "step": in_its_slot(bind()?) }),
        "TRUST_SCHEDULE_INVALID",
    );

    f.group("leases", "ledger");
    let lease = |id: &[u8], first: u64, last: u64, price: u128| -> Result<String> {
        let tbs = LeaseAcceptanceTbs {
            network_id: NETWORK.into(),
            lease_id: id.to_vec(),
            renter_wallet: b"renter".to_vec(),
            chip_key_id: *chip.key_id(),
            first_epoch: first,
            last_epoch: last,
            price,
        };
        Ok(h(&Signed::sign(tbs, &chip)?.to_der()?))
    };
    let accept = |der: String, epoch: u64, slot: u32| json!({ "op": "lease", "der": der, "now": { "epoch": epoch.to_string(), "slot": slot } });
    let settle = |id: &[u8]| json!({ "op": "settle", "lease_id": h(id) });
    let close = |epoch: u64| json!({ "op": "close", "epoch": epoch.to_string() });
    let l1 = lease(b"lease-1", 8, 9, 1_000_003)?;
    f.ok(
        "a lease accepted before it starts",
        case(defaults.clone(), vec![bind()?], accept(l1.clone(), 7, 50)),
    );
    f.ok(
        "the same acceptance again",
        case(
            defaults.clone(),
            vec![bind()?, accept(l1.clone(), 7, 50)],
            accept(l1.clone(), 7, 51),
        ),
    );
    f.err(
        "another acceptance with the same lease id",
        case(
            defaults.clone(),
            vec![bind()?, accept(l1.clone(), 7, 50)],
            accept(lease(b"lease-1", 10, 10, 5)?, 7, 50),
        ),
        "LEASE_ID_REUSED",
    );
    f.err(
        "a lease overlapping another of the chip",
        case(
            defaults.clone(),
            vec![bind()?, accept(l1.clone(), 7, 50)],
            accept(lease(b"lease-2", 9, 12, 5)?, 7, 50),
        ),
        "LEASE_OVERLAP",
    );
    f.err(
        "an acceptance after its lease began",
        case(defaults.clone(), vec![bind()?], accept(l1.clone(), 9, 0)),
        "LEASE_NOT_TIMELY",
    );
    f.err(
        "settling a lease nobody holds",
        case(defaults.clone(), vec![], settle(b"none")),
        "LEASE_UNKNOWN",
    );
    f.err(
        "settling before the lease's last epoch closed",
        case(
            defaults.clone(),
            vec![bind()?, accept(l1.clone(), 7, 50), close(8)],
            settle(b"lease-1"),
        ),
        "LEASE_NOT_ENDED",
    );
    let served = vec![
        bind()?,
        accept(l1.clone(), 7, 50),
        beat(8, 0, 1)?,
        beat(8, 1, 2)?,
        beat(8, 2, 3)?,
        beat(9, 0, 4)?,
        beat(10, 0, 5)?,
        close(8),
        close(9),
    ];
    f.ok(
        "settled from the slots the ledger counted: 4 of 240",
        case(defaults.clone(), served.clone(), settle(b"lease-1")),
    );
    let mut settled = served;
    settled.push(settle(b"lease-1"));
    f.err(
        "a settled acceptance replayed",
        case(defaults, settled, accept(l1, 7, 52)),
        "EPOCH_CLOSED",
    );
    Ok(f.finish())
}
