//! Arguments from Python. Every parameter of the module converts through [`extract`]
//! (`#[pyo3(from_py_with = extract)]`): a value it cannot convert to its Rust type (another
//! type, an int out of range, bytes of the wrong length) raises `InvalidArgumentError`,
//! code `INVALID_ARGUMENT`, saying what was expected and what came; Python 3.11+ adds a note
//! naming the parameter. The core's rules are not checked here: only the conversion.

use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyFloat, PyInt};

use crate::error::{invalid_argument, is_invalid_argument};
use crate::types::Bytes32;

/// What a parameter's Rust type accepts, in Python's words.
pub trait Expected {
    /// For the message of the `InvalidArgumentError`: "an int from 0 to 2**64-1".
    fn expected() -> String;
}

/// `Expected` for concrete types, one text each.
macro_rules! expected {
    ($($ty:ty => $text:literal),* $(,)?) => {
        $(impl Expected for $ty {
            fn expected() -> String {
                $text.to_owned()
            }
        })*
    };
}

expected! {
    u32 => "an int from 0 to 2**32-1",
    u64 => "an int from 0 to 2**64-1",
    u128 => "an int from 0 to 2**128-1",
    bool => "a bool",
    String => "a str",
    &[u8] => "bytes",
    Vec<u8> => "bytes",
    Bytes32 => "32 bytes",
    std::path::PathBuf => "a str or os.PathLike path",
    Vec<Vec<u8>> => "a list of bytes",
    Vec<Bytes32> => "a list of 32-byte bytes",
    Vec<(String, Vec<u8>)> => "a list of (str, bytes) pairs",
    Vec<(String, String)> => "a list of (str, str) pairs",
    Vec<(String, u32)> => "a list of (str, int) pairs",
    Vec<(Bytes32, u128)> => "a list of (32-byte key id, int weight) pairs",
}

impl<T: Expected> Expected for Option<T> {
    fn expected() -> String {
        format!("{} or None", T::expected())
    }
}

impl<T: pyo3::PyClass> Expected for PyRef<'_, T> {
    fn expected() -> String {
        format!("a {}", T::NAME)
    }
}

impl<T: pyo3::PyClass> Expected for Vec<PyRef<'_, T>> {
    fn expected() -> String {
        format!("a list of {}", T::NAME)
    }
}

impl<T: pyo3::PyClass> Expected for Vec<(u64, PyRef<'_, T>)> {
    fn expected() -> String {
        format!("a list of (int, {}) pairs", T::NAME)
    }
}

/// One item of `Verifier.verify_heartbeats`: the public key stays a Python object, read
/// with its item.
pub type HeartbeatItem<'py> = (
    Vec<u8>,
    Bound<'py, PyAny>,
    String,
    u64,
    u32,
    Bytes32,
    Vec<u8>,
);

impl Expected for Vec<HeartbeatItem<'_>> {
    fn expected() -> String {
        "a list of (der: bytes, public_key: PublicKey or bytes, network_id: str, epoch: int, \
         slot: int, challenge: 32 bytes, wallet: bytes) tuples"
            .to_owned()
    }
}

/// Converts one argument (see the module documentation).
///
/// # Errors
/// `InvalidArgumentError` when `obj` does not convert to `T`.
pub fn extract<'a, 'py, T>(obj: &'a Bound<'py, PyAny>) -> PyResult<T>
where
    T: FromPyObject<'a, 'py> + Expected,
{
    obj.extract::<T>().map_err(|error| {
        let error: PyErr = error.into();
        if is_invalid_argument(obj.py(), &error) {
            // A nested conversion (32 bytes in a list) said what is wrong already.
            return error;
        }
        invalid_argument(format!("expected {}, got {}", T::expected(), describe(obj)))
    })
}

/// What the caller passed, without its contents (bytes may be secrets): `int -1`,
/// `bytes of length 31`, `str`.
pub fn describe(obj: &Bound<'_, PyAny>) -> String {
    let type_name = obj
        .get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |name| name.to_string());
    if obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>() {
        if let Ok(repr) = obj.repr() {
            let repr = repr.to_string();
            if repr.len() <= 48 {
                return format!("{type_name} {repr}");
            }
        }
    }
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        if let Ok(len) = obj.len() {
            return format!("{type_name} of length {len}");
        }
    }
    type_name
}
