//! Identifiers (network ids, model ids): one spelling per name.
//!
//! Restricting identifiers to lowercase ASCII leaves no Unicode normalisation or
//! case folding for two implementations to disagree on.

use crate::error::{Error, Field, Result};

/// Checks that `value` is an identifier: 1..=`max` bytes of `[a-z0-9._-]`,
/// starting with a letter or digit.
///
/// # Errors
/// `FIELD_EMPTY`, `FIELD_TOO_LONG` or `INVALID_IDENTIFIER`, naming `field`.
pub fn validate_identifier(value: &str, field: Field, max: usize) -> Result<()> {
    let bytes = value.as_bytes();
    let Some(first) = bytes.first() else {
        return Err(Error::FieldEmpty { field });
    };
    if bytes.len() > max {
        return Err(Error::FieldTooLong {
            field,
            len: bytes.len(),
            max,
        });
    }
    let allowed =
        |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-');
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) || !bytes.iter().all(allowed) {
        return Err(Error::InvalidIdentifier { field });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(validate_identifier("nvidia-h100-sxm", Field::ModelId, 64).is_ok());
        assert!(validate_identifier("poci.main_1", Field::NetworkId, 32).is_ok());
        for bad in ["-a", "A", "a b", "é", ".x"] {
            assert_eq!(
                validate_identifier(bad, Field::ModelId, 64),
                Err(Error::InvalidIdentifier {
                    field: Field::ModelId
                })
            );
        }
        assert_eq!(
            validate_identifier("", Field::ModelId, 64),
            Err(Error::FieldEmpty {
                field: Field::ModelId
            })
        );
        assert_eq!(
            validate_identifier("abc", Field::ModelId, 2),
            Err(Error::FieldTooLong {
                field: Field::ModelId,
                len: 3,
                max: 2
            })
        );
    }
}
