//! Arguments from JavaScript. Every parameter arrives as an `Unknown` and converts here,
//! with its name: a value of another type, out of range or missing throws an `Error` with
//! code `INVALID_ARGUMENT` and a message naming the argument, what it expected and what came
//! ("context.epoch: expected a bigint from 0 to 2^64-1, got number 3"), never one of
//! napi's status codes. Each `#[napi]` parameter carries its TypeScript type
//! (`ts_arg_type`). The core's rules are not checked here: only the conversion.

use core::fmt;

use napi::JsValue as _;
use napi::bindgen_prelude::{
    Array, BigInt, Buffer, ClassInstance, FromNapiValue, JsObjectValue as _, Object, Unknown,
    ValueType,
};

use crate::error::{NodeResult, invalid_argument};

/// The name of an argument, or of a field or element inside one, for messages.
pub type Name<'a> = &'a dyn fmt::Display;

/// `base.field`.
pub struct Field<'a> {
    base: Name<'a>,
    field: &'a str,
}

impl fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.base, self.field)
    }
}

/// `base[index]`.
pub struct Index<'a> {
    base: Name<'a>,
    index: u32,
}

impl fmt::Display for Index<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.base, self.index)
    }
}

/// The `INVALID_ARGUMENT` error for `value` where `expected` was wanted.
pub fn mismatch(name: Name<'_>, expected: &str, value: &Unknown<'_>) -> napi::Error<String> {
    invalid_argument(&format!(
        "{name}: expected {expected}, got {}",
        describe(value)
    ))
}

/// What the caller passed, without the contents of strings and buffers (they may be
/// secrets): `number 3`, `undefined`, `Buffer of 31 bytes`, `NetworkParams`.
fn describe(value: &Unknown<'_>) -> String {
    match value.get_type() {
        Ok(ValueType::Number) => f64::from_unknown(*value)
            .map_or_else(|_| "number".to_owned(), |number| format!("number {number}")),
        Ok(ValueType::BigInt) => BigInt::from_unknown(*value).map_or_else(
            |_| "bigint".to_owned(),
            |big| match big.get_i128() {
                (number, true) => format!("bigint {number}"),
                _ => "bigint".to_owned(),
            },
        ),
        Ok(ValueType::Boolean) => "boolean".to_owned(),
        Ok(ValueType::String) => "string".to_owned(),
        Ok(ValueType::Undefined) => "undefined".to_owned(),
        Ok(ValueType::Null) => "null".to_owned(),
        Ok(ValueType::Function) => "function".to_owned(),
        Ok(ValueType::Symbol) => "symbol".to_owned(),
        Ok(ValueType::Object) => {
            if let Ok(buffer) = Buffer::from_unknown(*value) {
                return format!("Buffer of {} bytes", buffer.len());
            }
            if value.is_array().unwrap_or(false) {
                return "array".to_owned();
            }
            Object::from_unknown(*value)
                .and_then(|object| object.get_named_property_unchecked::<Object<'_>>("constructor"))
                .and_then(|constructor| constructor.get_named_property_unchecked::<String>("name"))
                .unwrap_or_else(|_| "object".to_owned())
        }
        _ => "a value of another type".to_owned(),
    }
}

/// Whether `value` is `undefined` or `null` (an optional argument left out).
pub fn is_absent(value: &Unknown<'_>) -> bool {
    matches!(value.get_type(), Ok(ValueType::Undefined | ValueType::Null))
}

/// `None` for `undefined` or `null`, else `convert(value)`.
///
/// # Errors
/// The conversion's.
pub fn optional<'a, T>(
    value: Option<Unknown<'a>>,
    convert: impl FnOnce(Unknown<'a>) -> NodeResult<T>,
) -> NodeResult<Option<T>> {
    match value {
        Some(value) if !is_absent(&value) => convert(value).map(Some),
        _ => Ok(None),
    }
}

fn bigint(value: Unknown<'_>, name: Name<'_>, expected: &str) -> NodeResult<BigInt> {
    if value.get_type().ok() != Some(ValueType::BigInt) {
        return Err(mismatch(name, expected, &value));
    }
    BigInt::from_unknown(value).map_err(|_| mismatch(name, expected, &value))
}

/// A `bigint` from 0 to 2^64-1.
///
/// # Errors
/// `INVALID_ARGUMENT` for another type, a negative or a larger value.
pub fn u64(value: Unknown<'_>, name: Name<'_>) -> NodeResult<u64> {
    const EXPECTED: &str = "a bigint from 0 to 2^64-1";
    match bigint(value, name, EXPECTED)?.get_u64() {
        (false, number, true) => Ok(number),
        _ => Err(mismatch(name, EXPECTED, &value)),
    }
}

/// A `bigint` from 0 to 2^128-1.
///
/// # Errors
/// `INVALID_ARGUMENT` for another type, a negative or a larger value.
pub fn u128(value: Unknown<'_>, name: Name<'_>) -> NodeResult<u128> {
    const EXPECTED: &str = "a bigint from 0 to 2^128-1";
    match bigint(value, name, EXPECTED)?.get_u128() {
        (false, number, true) => Ok(number),
        _ => Err(mismatch(name, EXPECTED, &value)),
    }
}

/// An integral `number` from 0 to 2^32-1 (no silent wrap of -1 or truncation of 1.5).
///
/// # Errors
/// `INVALID_ARGUMENT` for another type, a fraction, a negative or a larger value.
pub fn u32(value: Unknown<'_>, name: Name<'_>) -> NodeResult<u32> {
    const EXPECTED: &str = "an integer number from 0 to 2^32-1";
    if value.get_type().ok() != Some(ValueType::Number) {
        return Err(mismatch(name, EXPECTED, &value));
    }
    let number = f64::from_unknown(value).map_err(|_| mismatch(name, EXPECTED, &value))?;
    if number.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&number) {
        return Err(mismatch(name, EXPECTED, &value));
    }
    // Integral and in range: the cast is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(number as u32)
}

/// A `string`.
///
/// # Errors
/// `INVALID_ARGUMENT` for another type.
pub fn string(value: Unknown<'_>, name: Name<'_>) -> NodeResult<String> {
    if value.get_type().ok() != Some(ValueType::String) {
        return Err(mismatch(name, "a string", &value));
    }
    String::from_unknown(value).map_err(|_| mismatch(name, "a string", &value))
}

/// A `boolean`.
///
/// # Errors
/// `INVALID_ARGUMENT` for another type.
pub fn boolean(value: Unknown<'_>, name: Name<'_>) -> NodeResult<bool> {
    if value.get_type().ok() != Some(ValueType::Boolean) {
        return Err(mismatch(name, "a boolean", &value));
    }
    bool::from_unknown(value).map_err(|_| mismatch(name, "a boolean", &value))
}

/// A `Buffer` (or `Uint8Array`).
///
/// # Errors
/// `INVALID_ARGUMENT` for another type.
pub fn bytes(value: Unknown<'_>, name: Name<'_>) -> NodeResult<Buffer> {
    if value.get_type().ok() != Some(ValueType::Object) {
        return Err(mismatch(name, "a Buffer", &value));
    }
    Buffer::from_unknown(value).map_err(|_| mismatch(name, "a Buffer", &value))
}

/// A `Buffer` of exactly 32 bytes (a challenge, beacon, nonce or key id).
///
/// # Errors
/// `INVALID_ARGUMENT` for another type or length.
pub fn bytes32(value: Unknown<'_>, name: Name<'_>) -> NodeResult<[u8; 32]> {
    let buffer = bytes(value, name)?;
    <[u8; 32]>::try_from(buffer.as_ref())
        .map_err(|_| mismatch(name, "a Buffer of 32 bytes", &value))
}

/// An instance of the `#[napi]` class `T`, spelt `class` in messages.
///
/// # Errors
/// `INVALID_ARGUMENT` for anything else.
pub fn instance<'a, T>(
    value: Unknown<'a>,
    name: Name<'_>,
    class: &str,
) -> NodeResult<ClassInstance<'a, T>>
where
    ClassInstance<'a, T>: FromNapiValue,
{
    let expected = || format!("a {class}");
    if value.get_type().ok() != Some(ValueType::Object) {
        return Err(mismatch(name, &expected(), &value));
    }
    ClassInstance::<'a, T>::from_unknown(value).map_err(|_| mismatch(name, &expected(), &value))
}

/// The elements of an array, each converted with its index in the name.
///
/// # Errors
/// `INVALID_ARGUMENT` when `value` is no array, or the first element's conversion error.
pub fn list<'a, T>(
    value: Unknown<'a>,
    name: Name<'_>,
    expected: &str,
    mut convert: impl FnMut(Unknown<'a>, Name<'_>) -> NodeResult<T>,
) -> NodeResult<Vec<T>> {
    if !value.is_array().unwrap_or(false) {
        return Err(mismatch(name, expected, &value));
    }
    let array = Array::from_unknown(value).map_err(|_| mismatch(name, expected, &value))?;
    let mut items = Vec::with_capacity(usize::try_from(array.len()).unwrap_or(0));
    for index in 0..array.len() {
        let item = array
            .get::<Unknown<'a>>(index)
            .ok()
            .flatten()
            .ok_or_else(|| mismatch(name, expected, &value))?;
        items.push(convert(item, &Index { base: name, index })?);
    }
    Ok(items)
}

/// A list of `Buffer`s argument, as owned bytes.
///
/// # Errors
/// `INVALID_ARGUMENT` when `value` is no array of `Buffer`s.
pub fn buffers(value: Unknown<'_>, name: Name<'_>) -> NodeResult<Vec<Vec<u8>>> {
    list(value, name, "an array of Buffers", |item, name| {
        bytes(item, name).map(|bytes| bytes.to_vec())
    })
}

/// A list of 32-byte `Buffer`s argument.
///
/// # Errors
/// `INVALID_ARGUMENT` when `value` is no array of 32-byte `Buffer`s.
pub fn buffers32(value: Unknown<'_>, name: Name<'_>) -> NodeResult<Vec<[u8; 32]>> {
    list(value, name, "an array of 32-byte Buffers", bytes32)
}

/// An object whose fields are read by name.
pub struct Fields<'a, 'n> {
    object: Object<'a>,
    name: Name<'n>,
}

impl<'a, 'n> Fields<'a, 'n> {
    /// The object `value` (`expected` says which, for the message).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when `value` is not an object.
    pub fn of(value: Unknown<'a>, name: Name<'n>, expected: &str) -> NodeResult<Self> {
        let object = match value.get_type() {
            Ok(ValueType::Object) if !value.is_array().unwrap_or(false) => {
                Object::from_unknown(value).ok()
            }
            _ => None,
        };
        object
            .map(|object| Self { object, name })
            .ok_or_else(|| mismatch(name, expected, &value))
    }

    /// Field `field` (`undefined` when missing), converted by `convert`.
    ///
    /// # Errors
    /// The conversion's, or `INVALID_ARGUMENT` when the field cannot be read.
    pub fn get<T>(
        &self,
        field: &str,
        convert: impl FnOnce(Unknown<'a>, Name<'_>) -> NodeResult<T>,
    ) -> NodeResult<T> {
        let name = Field {
            base: self.name,
            field,
        };
        let value = self
            .object
            .get_named_property_unchecked::<Unknown<'a>>(field)
            .map_err(|_| invalid_argument(&format!("{name}: cannot be read")))?;
        convert(value, &name)
    }

    /// Field `field` when present (not `undefined` or `null`), converted by `convert`.
    ///
    /// # Errors
    /// The conversion's, or `INVALID_ARGUMENT` when the field cannot be read.
    pub fn optional<T>(
        &self,
        field: &str,
        convert: impl FnOnce(Unknown<'a>, Name<'_>) -> NodeResult<T>,
    ) -> NodeResult<Option<T>> {
        self.get(field, |value, name| {
            if is_absent(&value) {
                Ok(None)
            } else {
                convert(value, name).map(Some)
            }
        })
    }
}
