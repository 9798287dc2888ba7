//! POCI errors as thrown JS `Error`s whose `.code` is the stable code of SPEC.md.

use napi_derive::napi;

/// Result of a binding call: errors carry their code as napi status.
pub type NodeResult<T> = napi::Result<T, String>;

/// The thrown form of a core error.
pub fn thrown(error: &poci::Error) -> napi::Error<String> {
    napi::Error::new(error.code().to_owned(), error.to_string())
}

/// `?` on core results.
pub trait OrThrow<T> {
    /// Converts the error.
    ///
    /// # Errors
    /// The core error, as thrown.
    fn or_throw(self) -> NodeResult<T>;
}

impl<T> OrThrow<T> for poci::Result<T> {
    fn or_throw(self) -> NodeResult<T> {
        self.map_err(|error| thrown(&error))
    }
}

/// A bad JS argument (not a POCI rule): code `INVALID_ARGUMENT`.
pub fn invalid_argument(what: &str) -> napi::Error<String> {
    napi::Error::new(poci::Error::INVALID_ARGUMENT.to_owned(), what.to_owned())
}

/// Every error code of SPEC.md.
#[napi]
pub fn error_codes() -> Vec<String> {
    poci::Error::ALL_CODES
        .iter()
        .map(|code| (*code).to_owned())
        .collect()
}

/// The name of every error family of the core (a thrown error carries its code only; the
/// family of a code is the core's).
#[napi]
pub fn error_families() -> Vec<String> {
    poci::ErrorFamily::ALL
        .iter()
        .map(|family| family.name().to_owned())
        .collect()
}
