//! The JSON forms of SPEC.md: bytes as lowercase hex, `u64`/`u128` as decimal strings.
//!
//! Decimal strings keep 64- and 128-bit quantities exact in JavaScript; lowercase hex
//! and canonical decimals (no sign, no leading zero) give each value one spelling,
//! so JSON -> DER -> JSON is stable.

use serde::{Serialize, de::DeserializeOwned};

use crate::error::{Error, Result};

/// Serialises a value to its JSON form.
///
/// # Errors
/// `JSON_INVALID` only if a value cannot be represented (not expected for POCI types).
pub fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|error| Error::of_json(&error))
}

/// Parses a value from its JSON form, strictly (unknown fields refused).
///
/// # Errors
/// `JSON_INVALID` for malformed JSON or a value that does not match the schema.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|error| Error::of_json(&error))
}

/// Parses a canonical unsigned decimal: digits only, no leading zero unless "0".
fn parse_canonical_decimal<T: core::str::FromStr>(text: &str) -> Option<T> {
    let bytes = text.as_bytes();
    let canonical = !bytes.is_empty()
        && bytes.iter().all(u8::is_ascii_digit)
        && (bytes.len() == 1 || bytes.first() != Some(&b'0'));
    if canonical { text.parse().ok() } else { None }
}

/// Parses a token amount (or any `u128`) in its one spelling: a canonical unsigned decimal
/// string (digits only, no sign, no leading zero unless `"0"`), as the JSON forms and every
/// binding that takes amounts as text write it.
#[must_use]
pub fn parse_decimal_u128(text: &str) -> Option<u128> {
    parse_canonical_decimal(text)
}

/// Parses a `u64` (epoch, counter, slot number) as a canonical unsigned decimal string.
#[must_use]
pub fn parse_decimal_u64(text: &str) -> Option<u64> {
    parse_canonical_decimal(text)
}

/// Decodes lowercase hex (uppercase is refused: one spelling per value).
fn parse_lower_hex(text: &str) -> Option<Vec<u8>> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    hex::decode(text).ok()
}

macro_rules! decimal_module {
    ($name:ident, $ty:ty) => {
        /// Serde adapter: the integer as a canonical decimal string.
        pub mod $name {
            use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

            /// Serialises as a decimal string.
            ///
            /// # Errors
            /// Only the serializer's own errors.
            pub fn serialize<S: Serializer>(value: &$ty, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(value)
            }

            /// Deserialises a canonical decimal string.
            ///
            /// # Errors
            /// A non-canonical or out-of-range decimal.
            pub fn deserialize<'de, D: Deserializer<'de>>(
                deserializer: D,
            ) -> Result<$ty, D::Error> {
                let text = String::deserialize(deserializer)?;
                super::parse_canonical_decimal(&text).ok_or_else(|| {
                    D::Error::custom(concat!(
                        "expected a canonical decimal string for ",
                        stringify!($ty)
                    ))
                })
            }
        }
    };
}

decimal_module!(dec_u64, u64);
decimal_module!(dec_u128, u128);

/// Serde adapter: an optional `u64` as a canonical decimal string or `null`.
pub mod opt_dec_u64 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    /// Serialises as a decimal string or `null`.
    ///
    /// # Errors
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(value: &Option<u64>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.collect_str(value),
            None => serializer.serialize_none(),
        }
    }

    /// Deserialises a canonical decimal string or `null`.
    ///
    /// # Errors
    /// A non-canonical or out-of-range decimal.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<u64>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| {
                super::parse_canonical_decimal(&text)
                    .ok_or_else(|| D::Error::custom("expected a canonical decimal string for u64"))
            })
            .transpose()
    }
}

/// Serde adapter: bytes as lowercase hex.
pub mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    /// Serialises as lowercase hex.
    ///
    /// # Errors
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(value: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(value))
    }

    /// Deserialises lowercase hex.
    ///
    /// # Errors
    /// Odd length, non-hex characters or uppercase digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_lower_hex(&text).ok_or_else(|| D::Error::custom("expected lowercase hex"))
    }
}

/// Serde adapter: a 32-byte value as 64 lowercase hex digits.
pub mod hex_32 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    /// Serialises as lowercase hex.
    ///
    /// # Errors
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(value: &[u8; 32], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(value))
    }

    /// Deserialises exactly 64 lowercase hex digits.
    ///
    /// # Errors
    /// Anything but 64 lowercase hex digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_lower_hex(&text)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| D::Error::custom("expected 64 lowercase hex digits"))
    }
}

/// Serde adapter: optional bytes as lowercase hex or `null`.
pub mod opt_hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    /// Serialises as lowercase hex or `null`.
    ///
    /// # Errors
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(
        value: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(bytes) => serializer.serialize_str(&hex::encode(bytes)),
            None => serializer.serialize_none(),
        }
    }

    /// Deserialises lowercase hex or `null`.
    ///
    /// # Errors
    /// Anything but lowercase hex digits in pairs or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        text.map(|text| {
            super::parse_lower_hex(&text).ok_or_else(|| D::Error::custom("expected lowercase hex"))
        })
        .transpose()
    }
}

/// Serde adapter: an optional 32-byte value as 64 lowercase hex digits or `null`.
pub mod opt_hex_32 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    /// Serialises as lowercase hex or `null`.
    ///
    /// # Errors
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(
        value: &Option<[u8; 32]>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(bytes) => serializer.serialize_str(&hex::encode(bytes)),
            None => serializer.serialize_none(),
        }
    }

    /// Deserialises 64 lowercase hex digits or `null`.
    ///
    /// # Errors
    /// Anything but 64 lowercase hex digits or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<[u8; 32]>, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        text.map(|text| {
            super::parse_lower_hex(&text)
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| D::Error::custom("expected 64 lowercase hex digits"))
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_decimals() {
        assert_eq!(parse_canonical_decimal::<u64>("0"), Some(0));
        assert_eq!(
            parse_canonical_decimal::<u64>("18446744073709551615"),
            Some(u64::MAX)
        );
        for bad in [
            "",
            "01",
            "+1",
            "-1",
            " 1",
            "1 ",
            "18446744073709551616",
            "1e3",
        ] {
            assert_eq!(parse_canonical_decimal::<u64>(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn amounts_have_one_spelling() {
        assert_eq!(
            parse_decimal_u128("340282366920938463463374607431768211455"),
            Some(u128::MAX)
        );
        assert_eq!(
            parse_decimal_u128("340282366920938463463374607431768211456"),
            None
        );
        for bad in ["", "007", "1_000", "１"] {
            assert_eq!(parse_decimal_u128(bad), None, "{bad:?}");
        }
        assert_eq!(parse_decimal_u64("18446744073709551616"), None);
    }

    #[test]
    fn lowercase_hex_only() {
        assert_eq!(parse_lower_hex("00ff"), Some(vec![0, 255]));
        assert_eq!(parse_lower_hex("00FF"), None);
        assert_eq!(parse_lower_hex("0"), None);
    }
}
