//! Lease settlement: a renter pays for the slots the chip proved during the lease.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::json::dec_u128;
use crate::proof::LeaseAcceptanceTbs;
use crate::rewards::wide::mul_div;
use crate::time::NetworkParams;

/// A settled lease: `rent + refund == price`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaseSettlement {
    /// Paid to the lessor: `floor(price * proven / lease_slots)`.
    #[serde(with = "dec_u128")]
    pub rent: u128,
    /// Returned to the renter: `price - rent`.
    #[serde(with = "dec_u128")]
    pub refund: u128,
}

/// Settles a lease of `lease_slots` slots at `price` of which the chip proved `proven_slots`.
///
/// # Errors
/// `LEASE_OUT_OF_BOUNDS` for zero lease slots or more proven slots than the lease has.
pub fn settle(price: u128, lease_slots: u128, proven_slots: u128) -> Result<LeaseSettlement> {
    if lease_slots == 0 || proven_slots > lease_slots {
        return Err(Error::LeaseOutOfBounds);
    }
    let rent = mul_div(price, proven_slots, lease_slots)?;
    let refund = price.checked_sub(rent).ok_or(Error::AmountOverflow)?;
    Ok(LeaseSettlement { rent, refund })
}

/// Settles a signed lease acceptance: its slots are `(last - first + 1) * slots_per_epoch`.
/// The chip keeps its availability reward; rent is paid on top.
///
/// # Errors
/// As [`settle`].
pub fn settle_lease(
    lease: &LeaseAcceptanceTbs,
    params: &NetworkParams,
    proven_slots: u128,
) -> Result<LeaseSettlement> {
    let epochs = u128::from(lease.last_epoch)
        .checked_sub(u128::from(lease.first_epoch))
        .and_then(|span| span.checked_add(1))
        .ok_or(Error::LeaseOutOfBounds)?;
    let lease_slots = epochs
        .checked_mul(u128::from(params.slots_per_epoch()))
        .ok_or(Error::LeaseOutOfBounds)?;
    settle(lease.price, lease_slots, proven_slots)
}
