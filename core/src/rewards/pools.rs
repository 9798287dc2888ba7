//! Splitting an epoch's emission into pools: the miners' and the named others.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Field, Result};
use crate::identifier::validate_identifier;
use crate::json::dec_u128;
use crate::rewards::wide::mul_div;

/// Basis points in a whole.
pub const BPS_TOTAL: u32 = 10_000;
/// Most named pools besides the miners'.
pub const MAX_POOLS: usize = 16;

/// A named pool and its share in basis points.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedPool {
    /// Pool name (identifier; not `miners`).
    pub name: String,
    /// Share in basis points.
    pub bps: u32,
}

/// How an emission is split: the miners' share and named pools, summing to 10000 bps.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSplit {
    /// The miners' share in basis points (9700 by default).
    pub miners_bps: u32,
    /// The other pools, in reporting order.
    pub pools: Vec<NamedPool>,
}

impl Default for PoolSplit {
    /// 97% to miners; 1% each to the technology fund, the DAO and initial mining.
    fn default() -> Self {
        let pool = |name: &str| NamedPool {
            name: name.to_owned(),
            bps: 100,
        };
        Self {
            miners_bps: 9_700,
            pools: vec![pool("technology-fund"), pool("dao"), pool("initial-mining")],
        }
    }
}

/// One pool's amount.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolAmount {
    /// Pool name.
    pub name: String,
    /// Amount, base units.
    #[serde(with = "dec_u128")]
    pub amount: u128,
}

/// An emission split into pools; `miners + sum(pools) == emission`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolAmounts {
    /// The miners' pool, including the split's rounding remainder.
    #[serde(with = "dec_u128")]
    pub miners: u128,
    /// The other pools, each `floor(emission * bps / 10000)`.
    pub pools: Vec<PoolAmount>,
}

impl PoolSplit {
    /// Checks the split.
    ///
    /// # Errors
    /// `INVALID_POOLS` unless the shares sum to 10000 bps and names are distinct
    /// identifiers other than `miners`, at most `MAX_POOLS` of them.
    pub fn validate(&self) -> Result<()> {
        let total = self
            .pools
            .iter()
            .try_fold(self.miners_bps, |sum, pool| sum.checked_add(pool.bps));
        let mut names: Vec<&str> = self.pools.iter().map(|pool| pool.name.as_str()).collect();
        names.sort_unstable();
        let distinct = names
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if a != b));
        let names_ok = self.pools.iter().all(|pool| {
            pool.name != "miners" && validate_identifier(&pool.name, Field::VendorId, 64).is_ok()
        });
        if total != Some(BPS_TOTAL) || !distinct || !names_ok || self.pools.len() > MAX_POOLS {
            return Err(Error::InvalidPools);
        }
        Ok(())
    }

    /// Splits `emission`: each named pool gets `floor(emission * bps / 10000)`, the miners
    /// the rest, so the pools sum to the emission exactly.
    ///
    /// # Errors
    /// `INVALID_POOLS` for a bad split.
    pub fn split(&self, emission: u128) -> Result<PoolAmounts> {
        self.validate()?;
        let mut pools = Vec::with_capacity(self.pools.len());
        let mut others: u128 = 0;
        for pool in &self.pools {
            let amount = mul_div(emission, u128::from(pool.bps), u128::from(BPS_TOTAL))?;
            others = others.checked_add(amount).ok_or(Error::AmountOverflow)?;
            pools.push(PoolAmount {
                name: pool.name.clone(),
                amount,
            });
        }
        let miners = emission.checked_sub(others).ok_or(Error::AmountOverflow)?;
        Ok(PoolAmounts { miners, pools })
    }
}
