//! Reading case inputs: each field in the JSON form of SPEC.md, or `JSON_INVALID`.

use serde::de::DeserializeOwned;
use serde_json::Value;

use poci::{Error, JsonProblem};

fn invalid() -> Error {
    Error::JsonInvalid {
        problem: JsonProblem::Schema,
        line: 0,
        column: 0,
    }
}

/// A field of `input`.
pub(crate) fn field<'v>(input: &'v Value, name: &str) -> Result<&'v Value, Error> {
    input.get(name).ok_or_else(invalid)
}

/// A field deserialised from its JSON form.
pub(crate) fn typed<T: DeserializeOwned>(input: &Value, name: &str) -> Result<T, Error> {
    poci::json::from_json(&field(input, name)?.to_string())
}

/// A `NetworkParams` field: its JSON form parsed as `NetworkParams::from_json` does, so
/// invalid values are `INVALID_NETWORK_PARAMS` (SPEC.md 5), not `JSON_INVALID`.
pub(crate) fn network_params(input: &Value, name: &str) -> Result<poci::NetworkParams, Error> {
    poci::NetworkParams::from_json(&field(input, name)?.to_string())
}

/// A string field.
/// A network policy from its JSON form, as `NetworkPolicy::from_json` reads it.
pub(crate) fn network_policy(input: &Value, name: &str) -> Result<poci::NetworkPolicy, Error> {
    poci::NetworkPolicy::from_json(&field(input, name)?.to_string())
}

pub(crate) fn text<'v>(input: &'v Value, name: &str) -> Result<&'v str, Error> {
    field(input, name)?.as_str().ok_or_else(invalid)
}

/// A lowercase-hex field.
pub(crate) fn bytes(input: &Value, name: &str) -> Result<Vec<u8>, Error> {
    let text = text(input, name)?;
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(invalid());
    }
    hex::decode(text).map_err(|_| invalid())
}

/// A 32-byte hex field.
pub(crate) fn bytes32(input: &Value, name: &str) -> Result<[u8; 32], Error> {
    <[u8; 32]>::try_from(bytes(input, name)?).map_err(|_| invalid())
}

/// A decimal-string u64 field.
pub(crate) fn dec64(input: &Value, name: &str) -> Result<u64, Error> {
    text(input, name)?.parse().map_err(|_| invalid())
}

/// A decimal-string u128 field.
pub(crate) fn dec128(input: &Value, name: &str) -> Result<u128, Error> {
    text(input, name)?.parse().map_err(|_| invalid())
}

/// A JSON-number u32 field.
pub(crate) fn num32(input: &Value, name: &str) -> Result<u32, Error> {
    field(input, name)?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(invalid)
}
