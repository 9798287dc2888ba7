//! A wallet: reads its reward from an epoch report and settles a lease. The report is
//! computed here from a small epoch's availability (a node publishes the same thing as
//! JSON); the wallet shows its own reward in tokens with integer arithmetic only (1 token
//! = 10^24 base units, no floats anywhere). It then verifies a lease acceptance signed by
//! the rented chip itself, shows that altered terms are refused, and settles the lease:
//! rent for the slots the chip proved, the rest refunded, to the base unit.

use poci::rewards::allocation::{AllocationInput, AllocationPolicy};
use poci::rewards::emission::{BASE_UNITS_PER_TOKEN, EmissionSchedule, HalvingSchedule};
use poci::rewards::lease::settle_lease;
use poci::rewards::pools::PoolSplit;
use poci::rewards::report::{EpochReport, RejectionTally};
use poci::x509::mint::TEST_NOT_BEFORE;
use poci::{DeviceKey, KeyId, LeaseAcceptanceTbs, NetworkParams, Signed, Verifier};

type Outcome = Result<(), Box<dyn std::error::Error>>;

const MY_WALLET: &[u8] = b"wallet-of-alice";

fn check(ok: bool, what: &str) -> Outcome {
    Ok(ok
        .then_some(())
        .ok_or_else(|| format!("check failed: {what}"))?)
}

/// `amount` base units as tokens, e.g. `12.5`: integer division, never a float.
fn tokens(amount: u128) -> Result<String, &'static str> {
    let whole = amount.checked_div(BASE_UNITS_PER_TOKEN).ok_or("division")?;
    let fraction = amount.checked_rem(BASE_UNITS_PER_TOKEN).ok_or("division")?;
    let digits = format!("{fraction:024}");
    Ok(format!("{whole}.{}", digits.trim_end_matches('0'))
        .trim_end_matches('.')
        .to_owned())
}

fn main() -> Outcome {
    let params = NetworkParams::new("poci-testnet", TEST_NOT_BEFORE, 3600, 120)?;
    let token = |n: u128| BASE_UNITS_PER_TOKEN.checked_mul(n).ok_or("overflow");

    // The closed epoch 8 as a node's ledger reports it: (chip, wallet, rating, proven slots).
    let chip = |id: u8, wallet: &[u8], rating_milli_cu: u64, proven_slots: u32| AllocationInput {
        key_id: KeyId([id; 32]),
        wallet: wallet.to_vec(),
        rating_milli_cu,
        proven_slots,
        selected_slots: None,
    };
    let availability = [
        chip(1, MY_WALLET, 989_500, 120),        // an H100, online all epoch
        chip(2, MY_WALLET, 16_000, 90),          // a BM1684X, three quarters of the epoch
        chip(3, b"wallet-of-bob", 165_200, 120), // an RTX 4090
    ];
    let schedule = EmissionSchedule::Halving(HalvingSchedule {
        base_per_epoch: token(50)?,
        epochs_per_era: 17_520,
        cap: token(21_000_000)?,
    });
    let policy = AllocationPolicy {
        slots_per_epoch: params.slots_per_epoch(),
        min_availability_bps: 0,
    };
    let computed = EpochReport::compute(
        8,
        &schedule,
        &PoolSplit::default(),
        &availability,
        &policy,
        RejectionTally::default(),
    )?;
    // A node publishes the report as JSON (amounts as decimal strings); the wallet reads that.
    let report: EpochReport = poci::json::from_json(&poci::json::to_json(&computed)?)?;
    check(report == computed, "the JSON report reads back exactly")?;

    // My reward is my wallet's line; it must equal the sum of my chips' shares.
    let miners = &report.miners;
    let mine = miners
        .wallets
        .iter()
        .find(|w| w.wallet == MY_WALLET)
        .map_or(0, |w| w.reward);
    let my_chips = miners
        .shares
        .iter()
        .filter(|share| share.wallet == MY_WALLET);
    let my_shares = my_chips
        .map(|share| share.reward)
        .try_fold(0, u128::checked_add);
    check(
        my_shares == Some(mine),
        "my reward is the sum of my chips' shares",
    )?;
    check(
        mine > 0 && mine < report.pools.miners,
        "I earned part of the miners' pool",
    )?;
    println!(
        "epoch {}: emission {} tokens, miners' pool {} tokens",
        report.epoch,
        tokens(report.emission)?,
        tokens(report.pools.miners)?
    );
    println!(
        "wallet {} earned {mine} base units = {} tokens",
        String::from_utf8_lossy(MY_WALLET),
        tokens(mine)?
    );

    // A lease of one chip for epochs 10..=19 at 500 tokens, accepted by the chip's own key:
    // a lessor cannot rent out a chip it does not hold.
    let rented = DeviceKey::from_seed(b"rented chip")?;
    let terms = LeaseAcceptanceTbs {
        network_id: params.network_id().into(),
        lease_id: b"lease-0001".to_vec(),
        renter_wallet: b"wallet-of-renter".to_vec(),
        chip_key_id: *rented.key_id(),
        first_epoch: 10,
        last_epoch: 19,
        price: token(500)?,
    };
    let acceptance = Signed::sign(terms, &rented)?;
    let (verifier, network) = (Verifier::default(), params.network_id());
    let verified =
        verifier.verify_lease_acceptance(&acceptance.to_der()?, rented.public_key(), network)?;

    // Someone lowers the price after the chip signed: the signature no longer matches.
    let mut cheaper = acceptance.clone();
    cheaper.tbs.price = token(1)?;
    let refused =
        verifier.verify_lease_acceptance(&cheaper.to_der()?, rented.public_key(), network);
    let code = refused.err().map(|error| error.code());
    check(
        code == Some("SIGNATURE_INVALID"),
        "altered terms are refused",
    )?;
    println!("altered lease refused: SIGNATURE_INVALID");

    // The ledger saw the chip prove 1140 of the lease's 10 x 120 slots: 95% of the rent is due.
    let settlement = settle_lease(&verified.lease, &params, 1140)?;
    let paid = settlement.rent.checked_add(settlement.refund);
    check(paid == Some(verified.lease.price), "rent + refund == price")?;
    check(settlement.rent == token(475)?, "rent is 95% of the price")?;
    println!(
        "lease {}: 1140/1200 slots proven, rent {} tokens, refund {} tokens",
        String::from_utf8_lossy(&verified.lease.lease_id),
        tokens(settlement.rent)?,
        tokens(settlement.refund)?
    );
    Ok(())
}
