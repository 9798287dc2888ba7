//! POCI errors as Python exceptions: `PociError` with `.code`, one subclass per family.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::{PyErr, create_exception};

create_exception!(
    poci,
    PociError,
    PyException,
    "Any POCI failure; `.code` is the stable code of SPEC.md."
);
create_exception!(
    poci,
    ParseError,
    PociError,
    "The input is not a well-formed message, JSON form or field."
);
create_exception!(
    poci,
    SignatureError,
    PociError,
    "A signature or key is malformed or does not verify."
);
create_exception!(
    poci,
    CertificateError,
    PociError,
    "A certificate, chain or CRL is refused."
);
create_exception!(
    poci,
    PolicyError,
    PociError,
    "An authentic input breaks a rule: context, model, vendor, time."
);
create_exception!(
    poci,
    LedgerError,
    PociError,
    "The ledger refuses a state transition."
);
create_exception!(
    poci,
    MathError,
    PociError,
    "Reward math parameters or amounts out of bounds."
);

create_exception!(
    poci,
    InvalidArgumentError,
    PociError,
    "An argument Python cannot hand to the core as it is (bytes of the wrong length, an unknown name): code INVALID_ARGUMENT."
);

/// The `InvalidArgumentError` for a bad argument, with `.code` set.
pub fn invalid_argument(message: impl Into<String>) -> PyErr {
    let err = InvalidArgumentError::new_err(message.into());
    Python::attach(|py| {
        // As in `exception`: a fresh instance takes the attribute.
        let _ = err.value(py).setattr("code", poci::Error::INVALID_ARGUMENT);
    });
    err
}

/// A core error on its way to Python.
pub struct PociErr(pub poci::Error);

impl From<poci::Error> for PociErr {
    fn from(error: poci::Error) -> Self {
        Self(error)
    }
}

/// The exception instance for a core error, with `.code` set.
pub fn exception(py: Python<'_>, error: &poci::Error) -> PyErr {
    let message = error.to_string();
    let err = match error.family() {
        poci::ErrorFamily::Parse => ParseError::new_err(message),
        poci::ErrorFamily::Signature => SignatureError::new_err(message),
        poci::ErrorFamily::Certificate => CertificateError::new_err(message),
        poci::ErrorFamily::Policy => PolicyError::new_err(message),
        poci::ErrorFamily::Ledger => LedgerError::new_err(message),
        poci::ErrorFamily::Math => MathError::new_err(message),
    };
    // Setting an attribute on a fresh exception instance cannot fail in practice; if it
    // did, the exception still carries its message and class.
    let _ = err.value(py).setattr("code", error.code());
    err
}

impl From<PociErr> for PyErr {
    fn from(error: PociErr) -> Self {
        Python::attach(|py| exception(py, &error.0))
    }
}

/// Result of a binding call.
pub type PociResult<T> = Result<T, PociErr>;

/// Registers the exception classes on the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add("PociError", py.get_type::<PociError>())?;
    module.add("ParseError", py.get_type::<ParseError>())?;
    module.add("SignatureError", py.get_type::<SignatureError>())?;
    module.add("CertificateError", py.get_type::<CertificateError>())?;
    module.add("PolicyError", py.get_type::<PolicyError>())?;
    module.add("LedgerError", py.get_type::<LedgerError>())?;
    module.add("MathError", py.get_type::<MathError>())?;
    module.add(
        "InvalidArgumentError",
        py.get_type::<InvalidArgumentError>(),
    )?;
    Ok(())
}
