//! Reward math: emission schedules, the pool split, the miners' allocation, the epoch
//! report, lease settlement and producer selection.

use napi::bindgen_prelude::{BigInt, Buffer, Unknown};
use napi_derive::napi;

use crate::args::{self, Name};
use crate::error::{NodeResult, OrThrow, thrown};
use crate::types::{Allocation, Availability, Candidate, LeaseSettlement, NamedPool, PoolAmounts};

/// An emission schedule, capped.
#[napi]
pub struct EmissionSchedule(poci::rewards::emission::EmissionSchedule);

#[napi]
impl EmissionSchedule {
    /// Halving: `basePerEpoch >> era`.
    #[napi(factory)]
    pub fn halving(
        #[napi(ts_arg_type = "bigint")] base_per_epoch: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] epochs_per_era: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] cap: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let schedule = poci::rewards::emission::EmissionSchedule::Halving(
            poci::rewards::emission::HalvingSchedule {
                base_per_epoch: args::u128(base_per_epoch, &"basePerEpoch")?,
                epochs_per_era: args::u64(epochs_per_era, &"epochsPerEra")?,
                cap: args::u128(cap, &"cap")?,
            },
        );
        schedule.validate().or_throw()?;
        Ok(Self(schedule))
    }
    /// Yearly inflation in basis points on the supply at the year's start.
    #[napi(factory)]
    pub fn inflation(
        #[napi(ts_arg_type = "bigint")] initial_supply: Unknown<'_>,
        #[napi(ts_arg_type = "number")] bps_per_year: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] epochs_per_year: Unknown<'_>,
        #[napi(ts_arg_type = "bigint")] cap: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let schedule = poci::rewards::emission::EmissionSchedule::Inflation(
            poci::rewards::emission::InflationSchedule {
                initial_supply: args::u128(initial_supply, &"initialSupply")?,
                bps_per_year: args::u32(bps_per_year, &"bpsPerYear")?,
                epochs_per_year: args::u64(epochs_per_year, &"epochsPerYear")?,
                cap: args::u128(cap, &"cap")?,
            },
        );
        schedule.validate().or_throw()?;
        Ok(Self(schedule))
    }
    /// Any schedule from its JSON form (SPEC.md 15.1).
    #[napi(factory)]
    pub fn from_json(
        #[napi(ts_arg_type = "string")] text: Unknown<'_>,
    ) -> napi::Result<Self, String> {
        let text = args::string(text, &"text")?;
        let schedule: poci::rewards::emission::EmissionSchedule =
            poci::json::from_json(&text).or_throw()?;
        schedule.validate().or_throw()?;
        Ok(Self(schedule))
    }
    /// The JSON form.
    #[napi]
    pub fn to_json(&self) -> napi::Result<String, String> {
        poci::json::to_json(&self.0).or_throw()
    }
    /// The emission of `epoch`, base units.
    #[napi]
    pub fn emission(
        &self,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    ) -> napi::Result<BigInt, String> {
        let epoch = args::u64(epoch, &"epoch")?;
        Ok(BigInt::from(self.0.emission(epoch).or_throw()?))
    }
    /// Total supply before `epoch`, base units.
    #[napi]
    pub fn cumulative(
        &self,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    ) -> napi::Result<BigInt, String> {
        let epoch = args::u64(epoch, &"epoch")?;
        Ok(BigInt::from(self.0.cumulative(epoch).or_throw()?))
    }
    /// Total supply once `epoch` is paid, `C(epoch + 1)`, base units (the last epoch too).
    #[napi]
    pub fn supply_after(
        &self,
        #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    ) -> napi::Result<BigInt, String> {
        let epoch = args::u64(epoch, &"epoch")?;
        Ok(BigInt::from(self.0.supply_after(epoch).or_throw()?))
    }
    /// The supply cap.
    #[napi(getter)]
    pub fn cap(&self) -> BigInt {
        BigInt::from(self.0.cap())
    }
}

/// Splits an emission into pools (default: miners 9700 bps, three 100 bps pools).
#[napi]
pub fn split_emission(
    #[napi(ts_arg_type = "bigint")] emission: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] miners_bps: Option<Unknown<'_>>,
    #[napi(ts_arg_type = "Array<NamedPool> | undefined | null")] pools: Option<Unknown<'_>>,
) -> napi::Result<PoolAmounts, String> {
    let emission = args::u128(emission, &"emission")?;
    let miners_bps = args::optional(miners_bps, |value| args::u32(value, &"minersBps"))?;
    let pools = args::optional(pools, |value| {
        args::list(value, &"pools", "an array of NamedPool", NamedPool::read)
    })?;
    let default = poci::rewards::pools::PoolSplit::default();
    let split = poci::rewards::pools::PoolSplit {
        miners_bps: miners_bps.unwrap_or(default.miners_bps),
        pools: pools.unwrap_or(default.pools),
    };
    Ok(PoolAmounts::from(&split.split(emission).or_throw()?))
}

/// An array of `Availability` argument, as allocation inputs.
fn availability_arg(
    value: Unknown<'_>,
    name: Name<'_>,
) -> NodeResult<Vec<poci::rewards::allocation::AllocationInput>> {
    args::list(value, name, "an array of Availability", Availability::read)
}

/// Allocates the miners' pool by weight = rating x proven slots.
#[napi]
pub fn allocate(
    #[napi(ts_arg_type = "bigint")] pool: Unknown<'_>,
    #[napi(ts_arg_type = "Array<Availability>")] availability: Unknown<'_>,
    #[napi(ts_arg_type = "number")] slots_per_epoch: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] min_availability_bps: Option<Unknown<'_>>,
) -> napi::Result<Allocation, String> {
    let pool = args::u128(pool, &"pool")?;
    let entries = availability_arg(availability, &"availability")?;
    let policy = poci::rewards::allocation::AllocationPolicy {
        slots_per_epoch: args::u32(slots_per_epoch, &"slotsPerEpoch")?,
        min_availability_bps: args::optional(min_availability_bps, |value| {
            args::u32(value, &"minAvailabilityBps")
        })?
        .unwrap_or(0),
    };
    Ok(Allocation::from(
        &poci::rewards::allocation::allocate(pool, &entries, &policy).or_throw()?,
    ))
}

/// The epoch report of SPEC.md 15.6 as JSON (what a node publishes and a wallet reads):
/// emission from `schedule`, the default pool split, the miners' pool allocated over
/// `availability`.
#[napi]
pub fn epoch_report_json(
    #[napi(ts_arg_type = "bigint")] epoch: Unknown<'_>,
    #[napi(ts_arg_type = "EmissionSchedule")] schedule: Unknown<'_>,
    #[napi(ts_arg_type = "Array<Availability>")] availability: Unknown<'_>,
    #[napi(ts_arg_type = "number")] slots_per_epoch: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] min_availability_bps: Option<Unknown<'_>>,
) -> napi::Result<String, String> {
    let epoch = args::u64(epoch, &"epoch")?;
    let schedule = args::instance::<EmissionSchedule>(schedule, &"schedule", "EmissionSchedule")?;
    let entries = availability_arg(availability, &"availability")?;
    let policy = poci::rewards::allocation::AllocationPolicy {
        slots_per_epoch: args::u32(slots_per_epoch, &"slotsPerEpoch")?,
        min_availability_bps: args::optional(min_availability_bps, |value| {
            args::u32(value, &"minAvailabilityBps")
        })?
        .unwrap_or(0),
    };
    let report = poci::rewards::report::EpochReport::compute(
        epoch,
        &schedule.0,
        &poci::rewards::pools::PoolSplit::default(),
        &entries,
        &policy,
        poci::rewards::report::RejectionTally::default(),
    )
    .or_throw()?;
    poci::json::to_json(&report).or_throw()
}

/// Settles a lease: rent for the proven slots, the rest refunded.
#[napi]
pub fn settle_lease(
    #[napi(ts_arg_type = "bigint")] price: Unknown<'_>,
    #[napi(ts_arg_type = "bigint")] lease_slots: Unknown<'_>,
    #[napi(ts_arg_type = "bigint")] proven_slots: Unknown<'_>,
) -> napi::Result<LeaseSettlement, String> {
    let settlement = poci::rewards::lease::settle(
        args::u128(price, &"price")?,
        args::u128(lease_slots, &"leaseSlots")?,
        args::u128(proven_slots, &"provenSlots")?,
    )
    .or_throw()?;
    Ok(LeaseSettlement {
        rent: BigInt::from(settlement.rent),
        refund: BigInt::from(settlement.refund),
    })
}

/// Picks the slot's producer, weighted; null without weight.
#[napi]
pub fn select_producer(
    #[napi(ts_arg_type = "Buffer")] beacon: Unknown<'_>,
    #[napi(ts_arg_type = "Array<Candidate>")] candidates: Unknown<'_>,
) -> napi::Result<Option<Buffer>, String> {
    let beacon = args::bytes32(beacon, &"beacon")?;
    let list = args::list(
        candidates,
        &"candidates",
        "an array of Candidate",
        Candidate::read,
    )?;
    let producer =
        poci::rewards::producer::select_producer(&beacon, &list).map_err(|e| thrown(&e))?;
    Ok(producer.map(|id| Buffer::from(id.as_bytes().to_vec())))
}
