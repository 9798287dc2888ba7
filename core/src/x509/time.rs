//! X.509 times (RFC 5280 4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050,
//! always UTC ("Z") with seconds, converted to and from unix seconds.

#[cfg(feature = "mint")]
use crate::der::tlv;
use crate::error::{CertProblem, Error, Result};

/// DER tag of UTCTime.
pub(crate) const UTC_TIME: u8 = 0x17;
/// DER tag of GeneralizedTime.
pub(crate) const GENERALIZED_TIME: u8 = 0x18;

#[cfg(feature = "mint")]
/// Latest instant representable by both forms: 9999-12-31T23:59:59Z.
pub(crate) const MAX_UNIX: u64 = 253_402_300_799;

fn bad() -> Error {
    Error::BadCertificate {
        problem: CertProblem::Validity,
    }
}

fn digits(bytes: &[u8]) -> Result<u64> {
    bytes.iter().try_fold(0u64, |acc, b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b.wrapping_sub(b'0'))))
                .ok_or_else(bad)
        } else {
            Err(bad())
        }
    })
}

const fn is_leap(year: u64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

const fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the civil date (Hinnant's algorithm), for 1970 <= year <= 9999.
// Inputs are range-checked by the callers (year 1970..=9999, month 1..=12, day 1..=31),
// far from any overflow of u64.
#[allow(clippy::arithmetic_side_effects)]
const fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01 (inverse of `days_from_civil`).
// `days` is at most MAX_UNIX / 86400 (checked by the caller).
#[cfg(feature = "mint")]
#[allow(clippy::arithmetic_side_effects)]
const fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// Parses the content of a UTCTime or GeneralizedTime (tag given) into unix seconds.
/// Times before 1970 map to 0: POCI never judges anything before then.
///
/// # Errors
/// `BAD_CERTIFICATE` (validity) for any form other than `YYMMDDHHMMSSZ` /
/// `YYYYMMDDHHMMSSZ` or an impossible date.
pub(crate) fn parse_time(tag: u8, content: &[u8]) -> Result<u64> {
    let (year, rest) = match (tag, content.len()) {
        (UTC_TIME, 13) => {
            let (yy, rest) = content.split_at(2);
            let yy = digits(yy)?;
            (
                if yy >= 50 {
                    yy.saturating_add(1900)
                } else {
                    yy.saturating_add(2000)
                },
                rest,
            )
        }
        (GENERALIZED_TIME, 15) => {
            let (yyyy, rest) = content.split_at(4);
            let year = digits(yyyy)?;
            // RFC 5280: dates through 2049 MUST be UTCTime.
            if year < 2050 {
                return Err(bad());
            }
            (year, rest)
        }
        _ => return Err(bad()),
    };
    let (fields, zulu) = rest.split_at(rest.len().saturating_sub(1));
    if zulu != b"Z" || fields.len() != 10 {
        return Err(bad());
    }
    let part = |range: core::ops::Range<usize>| fields.get(range).ok_or_else(bad).and_then(digits);
    let (month, day, hour, minute, second) = (
        part(0..2)?,
        part(2..4)?,
        part(4..6)?,
        part(6..8)?,
        part(8..10)?,
    );
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(bad());
    }
    if year < 1970 {
        return Ok(0);
    }
    let seconds_of_day = hour
        .checked_mul(3600)
        .and_then(|h| h.checked_add(minute.checked_mul(60)?))
        .and_then(|hm| hm.checked_add(second))
        .ok_or_else(bad)?;
    days_from_civil(year, month, day)
        .checked_mul(86_400)
        .and_then(|d| d.checked_add(seconds_of_day))
        .ok_or_else(bad)
}

#[cfg(feature = "mint")]
/// Encodes unix seconds as the DER Time RFC 5280 requires (UTCTime before 2050).
///
/// # Errors
/// `BAD_CERTIFICATE` (validity) after 9999-12-31T23:59:59Z.
pub(crate) fn encode_time(unix: u64) -> Result<Vec<u8>> {
    if unix > MAX_UNIX {
        return Err(bad());
    }
    let days = unix.checked_div(86_400).ok_or_else(bad)?;
    let second_of_day = unix.checked_rem(86_400).ok_or_else(bad)?;
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (
        second_of_day.checked_div(3600).unwrap_or(0),
        second_of_day
            .checked_rem(3600)
            .and_then(|s| s.checked_div(60))
            .unwrap_or(0),
        second_of_day.checked_rem(60).unwrap_or(0),
    );
    if year < 2050 {
        let yy = year.checked_rem(100).unwrap_or(0);
        let text = format!("{yy:02}{month:02}{day:02}{hour:02}{minute:02}{second:02}Z");
        tlv(UTC_TIME, text.as_bytes())
    } else {
        let text = format!("{year:04}{month:02}{day:02}{hour:02}{minute:02}{second:02}Z");
        tlv(GENERALIZED_TIME, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_known_values() {
        for (unix, der_text) in [
            (0u64, "700101000000Z"),
            (1_767_225_600, "260101000000Z"),
            (951_782_400, "000229000000Z"),
            (2_524_607_999, "491231235959Z"),
            (2_524_608_000, "20500101000000Z"),
            (MAX_UNIX, "99991231235959Z"),
        ] {
            let der = encode_time(unix).unwrap();
            assert_eq!(&der[2..], der_text.as_bytes(), "{unix}");
            assert_eq!(parse_time(der[0], &der[2..]).unwrap(), unix);
        }
    }

    #[test]
    fn every_day_round_trips() {
        for day in (0..2_932_896u64).step_by(97) {
            let unix = day * 86_400 + 3_723;
            let der = encode_time(unix).unwrap();
            assert_eq!(parse_time(der[0], &der[2..]).unwrap(), unix);
        }
    }

    #[test]
    fn refuses_other_forms() {
        for (tag, text) in [
            (UTC_TIME, "2601010000Z"),
            (UTC_TIME, "260101000000+0100"),
            (UTC_TIME, "260230000000Z"),
            (UTC_TIME, "261301000000Z"),
            (UTC_TIME, "260101240000Z"),
            (GENERALIZED_TIME, "20260101000000Z"),
            (GENERALIZED_TIME, "20500101000000.5Z"),
        ] {
            assert!(parse_time(tag, text.as_bytes()).is_err(), "{text}");
        }
        assert_eq!(parse_time(UTC_TIME, b"500101000000Z").unwrap(), 0);
    }
}
