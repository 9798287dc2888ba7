//! `floor(a * b / c)` with a 256-bit intermediate: reward products exceed u128.

use ethnum::U256;

use crate::error::{Error, Result};

/// `floor(a * b / c)` and `(a * b) mod c`, exactly.
///
/// # Errors
/// `AMOUNT_OVERFLOW` if `c` is zero or the quotient does not fit a `u128`.
pub(crate) fn mul_div_rem(a: u128, b: u128, c: u128) -> Result<(u128, u128)> {
    let product = U256::new(a)
        .checked_mul(U256::new(b))
        .ok_or(Error::AmountOverflow)?;
    let (quotient, remainder) = product
        .checked_div_rem(U256::new(c))
        .ok_or(Error::AmountOverflow)?;
    let (high, low) = quotient.into_words();
    if high != 0 {
        return Err(Error::AmountOverflow);
    }
    // The remainder is below c, itself a u128.
    Ok((low, remainder.into_words().1))
}

/// `floor(a * b / c)`.
///
/// # Errors
/// As [`mul_div_rem`].
pub(crate) fn mul_div(a: u128, b: u128, c: u128) -> Result<u128> {
    mul_div_rem(a, b, c).map(|(quotient, _)| quotient)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_beyond_u128() {
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX).unwrap(), u128::MAX);
        assert_eq!(
            mul_div_rem(u128::MAX, 3, 2).unwrap_err(),
            Error::AmountOverflow
        );
        assert_eq!(mul_div_rem(10, 10, 7).unwrap(), (14, 2));
        assert_eq!(mul_div(1, 1, 0).unwrap_err(), Error::AmountOverflow);
    }
}
