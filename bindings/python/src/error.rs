//! POCI errors as Python exceptions: `PociError` with `.code`, one subclass per family.

use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
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

/// Doc of `InvalidArgumentError`.
const INVALID_ARGUMENT_DOC: &str = "An argument Python cannot hand to the core as it is (a \
wrong type, bytes of the wrong length, an int out of range, an unknown name): code \
INVALID_ARGUMENT. Also a ValueError.";

/// `InvalidArgumentError(PociError, ValueError)`, made once per interpreter: two bases, so
/// code that catches `ValueError` for a bad argument keeps working.
static INVALID_ARGUMENT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The `InvalidArgumentError` class.
fn invalid_argument_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    INVALID_ARGUMENT_ERROR
        .get_or_try_init(py, || {
            let bases = PyTuple::new(
                py,
                [py.get_type::<PociError>(), py.get_type::<PyValueError>()],
            )?;
            let namespace = PyDict::new(py);
            namespace.set_item("__module__", "poci")?;
            namespace.set_item("__doc__", INVALID_ARGUMENT_DOC)?;
            namespace.set_item("code", poci::Error::INVALID_ARGUMENT)?;
            let class =
                py.get_type::<PyType>()
                    .call1(("InvalidArgumentError", bases, namespace))?;
            Ok(class.cast_into::<PyType>()?.unbind())
        })
        .map(|class| class.bind(py))
}

/// The `InvalidArgumentError` for a bad argument, with `.code` `INVALID_ARGUMENT`.
pub fn invalid_argument(message: impl Into<String>) -> PyErr {
    let message = message.into();
    Python::attach(|py| match invalid_argument_type(py) {
        Ok(class) => PyErr::from_type(class.clone(), message),
        // Creating a class from two exception bases does not fail; if it did, the error
        // would still say what is wrong.
        Err(error) => error,
    })
}

/// Whether `error` is an `InvalidArgumentError` already (a nested conversion's).
pub fn is_invalid_argument(py: Python<'_>, error: &PyErr) -> bool {
    invalid_argument_type(py).is_ok_and(|class| error.is_instance(py, class))
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
    module.add("InvalidArgumentError", invalid_argument_type(py)?)?;
    Ok(())
}
