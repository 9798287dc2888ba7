//! The `rewards` vector file (conformance/vectors/rewards.json) and its builders.

use super::*;

pub(super) fn rewards() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "rewards",
        "Pools, allocation, lease settlement and producer selection (SPEC.md 15.2-15.5)",
    );
    f.group("pools", "pools");
    let split = |split: &PoolSplit, emission: u128| -> Result<Value> {
        Ok(json!({ "split": json_value(&split)?, "emission": emission.to_string() }))
    };
    let default = PoolSplit::default();
    for emission in [0, 1, 99, 100, 1_000_003, u128::MAX] {
        f.ok(
            &format!("default split of {emission}"),
            split(&default, emission)?,
        );
    }
    let treasury = PoolSplit {
        miners_bps: 9_000,
        pools: vec![NamedPool {
            name: "treasury".into(),
            bps: 1_000,
        }],
    };
    f.ok(
        "90/10 treasury split (the deployed first-network node)",
        split(&treasury, 123_456_789)?,
    );
    let short = PoolSplit {
        miners_bps: 9_600,
        ..PoolSplit::default()
    };
    f.err(
        "shares summing to 9900 bps",
        split(&short, 1)?,
        "INVALID_POOLS",
    );

    f.group("allocate", "allocate");
    let key = |n: u8| h(&[n; 32]);
    let entry = |n: u8, rating: u64, slots: u32| json!({ "key_id": key(n), "wallet": h(&[b'w', n]), "rating_milli_cu": rating.to_string(), "proven_slots": slots });
    let policy =
        |threshold: u32| json!({ "slots_per_epoch": 120, "min_availability_bps": threshold });
    let alloc = |pool: u128, entries: Vec<Value>, threshold: u32| json!({ "pool": pool.to_string(), "entries": entries, "policy": policy(threshold) });
    f.ok(
        "worked example: weights 3, 3, 1 of 1000",
        alloc(
            1000,
            vec![entry(3, 1, 1), entry(1, 3, 1), entry(2, 3, 1)],
            0,
        ),
    );
    f.ok(
        "seven equal weights share 100: ties to the smaller key ids",
        alloc(100, (0..7).map(|n| entry(n, 10, 120)).collect(), 0),
    );
    f.ok("no chips: all unallocated", alloc(777, vec![], 0));
    f.ok(
        "a single chip takes the pool",
        alloc(777, vec![entry(1, 5, 3)], 0),
    );
    f.ok(
        "90% availability threshold, one chip just under",
        alloc(1000, vec![entry(1, 1, 108), entry(2, 1, 107)], 9_000),
    );
    f.ok(
        "nobody eligible: all unallocated",
        alloc(1000, vec![entry(2, 1, 107)], 9_000),
    );
    // Sampled networks (SPEC.md 18.3): the threshold is judged against the drawn slots.
    let sampled = |n: u8, rating: u64, slots: u32, selected: u32| {
        let mut e = entry(n, rating, slots);
        e["selected_slots"] = json!(selected);
        e
    };
    f.ok(
        "sampled: 5 of 6 drawn slots pass 80%, 4 of 6 do not",
        alloc(1000, vec![sampled(1, 1, 5, 6), sampled(2, 1, 4, 6)], 8_000),
    );
    f.err(
        "sampled: more proven than drawn slots",
        alloc(1000, vec![sampled(1, 1, 7, 6)], 0),
        "ALLOCATION_OUT_OF_BOUNDS",
    );
    f.err(
        "sampled: more drawn slots than the epoch has",
        alloc(1000, vec![sampled(1, 1, 7, 121)], 0),
        "ALLOCATION_OUT_OF_BOUNDS",
    );
    // Ambiguities A12, A13 of the Step 12 review (SPEC.md 15.3).
    f.err(
        "a threshold above 10000 bps with a duplicate entry: the policy first",
        alloc(1000, vec![entry(1, 1, 1), entry(1, 1, 1)], 10_001),
        "ALLOCATION_OUT_OF_BOUNDS",
    );
    f.err(
        "no slots in the epoch, no entries",
        json!({ "pool": "1000", "entries": [], "policy": { "slots_per_epoch": 0, "min_availability_bps": 0 } }),
        "ALLOCATION_OUT_OF_BOUNDS",
    );
    f.err(
        "a duplicate entry before an entry out of bounds",
        alloc(
            1000,
            vec![entry(1, 1, 1), entry(1, 1, 1), entry(2, (1 << 40) + 1, 1)],
            0,
        ),
        "DUPLICATE_ALLOCATION_ENTRY",
    );
    f.ok(
        "the wallets list holds only wallets paid more than 0",
        alloc(
            1000,
            vec![
                entry(1, 1, 1),
                entry(2, 1, 1),
                entry(3, 0, 1),
                entry(4, 5, 0),
            ],
            0,
        ),
    );
    f.ok(
        "real ratings: H100, RTX 4090, BM1684",
        alloc(
            970_000_000_000_000_000_000_000_000,
            vec![
                entry(1, 989_500, 120),
                entry(2, 165_200, 120),
                entry(3, 8_800, 60),
            ],
            0,
        ),
    );
    f.ok(
        "documented maxima with the largest pool",
        alloc(
            u128::MAX,
            (0..16).map(|n| entry(n, 1 << 40, 120)).collect(),
            0,
        ),
    );
    f.err(
        "the same chip and wallet twice",
        alloc(1, vec![entry(1, 1, 1), entry(1, 2, 2)], 0),
        "DUPLICATE_ALLOCATION_ENTRY",
    );
    f.err(
        "rating above 2^40",
        alloc(1, vec![entry(1, (1 << 40) + 1, 1)], 0),
        "ALLOCATION_OUT_OF_BOUNDS",
    );
    f.err(
        "more slots than the epoch has",
        alloc(1, vec![entry(1, 1, 121)], 0),
        "ALLOCATION_OUT_OF_BOUNDS",
    );

    f.group("lease", "settle_lease");
    let lease = |price: u128, slots: u128, proven: u128| json!({ "price": price.to_string(), "lease_slots": slots.to_string(), "proven_slots": proven.to_string() });
    f.ok("worked example: 2 of 3 slots", lease(1000, 3, 2));
    f.ok(
        "fully available",
        lease(5_000_000_000_000_000_000_000_000, 1200, 1200),
    );
    f.ok(
        "never available: full refund",
        lease(5_000_000_000_000_000_000_000_000, 1200, 0),
    );
    f.ok("largest price", lease(u128::MAX, 7, 3));
    f.err(
        "more proven slots than the lease has",
        lease(1, 3, 4),
        "LEASE_OUT_OF_BOUNDS",
    );
    f.err("a lease of no slots", lease(1, 0, 0), "LEASE_OUT_OF_BOUNDS");

    f.group("producer", "select_producer");
    let candidates = |weights: &[(u8, u128)]| -> Value {
        Value::Array(
            weights
                .iter()
                .map(|(n, w)| json!({ "key_id": key(*n), "weight": w.to_string() }))
                .collect(),
        )
    };
    for beacon in 0u8..8 {
        f.ok(&format!("weights 1, 2, 7, beacon {beacon:02x}.."), json!({ "beacon": h(&[beacon; 32]), "candidates": candidates(&[(1, 1), (2, 2), (3, 7)]) }));
    }
    f.ok(
        "candidates in another order: same winner",
        json!({ "beacon": h(&[5; 32]), "candidates": candidates(&[(3, 7), (1, 1), (2, 2)]) }),
    );
    f.ok(
        "no weight: no producer",
        json!({ "beacon": h(&[1; 32]), "candidates": candidates(&[(1, 0)]) }),
    );
    f.ok(
        "a weight near 2^127 forces rejection sampling",
        json!({ "beacon": h(&[9; 32]), "candidates": candidates(&[(1, (1 << 127) + 1), (2, 3)]) }),
    );
    f.ok(
        "a key id listed twice counts as one summed weight",
        json!({ "beacon": h(&[5; 32]), "candidates": candidates(&[(1, 1), (1, 1), (2, 2)]) }),
    );
    f.err(
        "weights summing beyond u128",
        json!({ "beacon": h(&[1; 32]), "candidates": candidates(&[(1, u128::MAX), (2, 1)]) }),
        "AMOUNT_OVERFLOW",
    );
    Ok(f.finish())
}
