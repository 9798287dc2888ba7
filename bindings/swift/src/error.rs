//! POCI errors as a Swift `PociError` enum: one case per family, each with the stable code.

/// A POCI failure; `code` is the stable code of SPEC.md.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum PociError {
    /// The input is not a well-formed message, JSON form or field.
    #[error("{code}: {message}")]
    Parse { code: String, message: String },
    /// A signature or key is malformed or does not verify.
    #[error("{code}: {message}")]
    Signature { code: String, message: String },
    /// A certificate, chain or CRL is refused.
    #[error("{code}: {message}")]
    Certificate { code: String, message: String },
    /// An authentic input breaks a rule: context, model, vendor, time.
    #[error("{code}: {message}")]
    Policy { code: String, message: String },
    /// The ledger refuses a state transition.
    #[error("{code}: {message}")]
    Ledger { code: String, message: String },
    /// Reward math parameters or amounts out of bounds.
    #[error("{code}: {message}")]
    Math { code: String, message: String },
    /// A bad argument from the caller (not a POCI rule): code `INVALID_ARGUMENT`.
    #[error("{code}: {message}")]
    InvalidArgument { code: String, message: String },
}

impl PociError {
    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            Self::Parse { code, .. }
            | Self::Signature { code, .. }
            | Self::Certificate { code, .. }
            | Self::Policy { code, .. }
            | Self::Ledger { code, .. }
            | Self::Math { code, .. }
            | Self::InvalidArgument { code, .. } => code,
        }
    }
}

impl From<poci::Error> for PociError {
    fn from(error: poci::Error) -> Self {
        let code = error.code().to_owned();
        let message = error.to_string();
        match error.family() {
            poci::ErrorFamily::Parse => Self::Parse { code, message },
            poci::ErrorFamily::Signature => Self::Signature { code, message },
            poci::ErrorFamily::Certificate => Self::Certificate { code, message },
            poci::ErrorFamily::Policy => Self::Policy { code, message },
            poci::ErrorFamily::Ledger => Self::Ledger { code, message },
            poci::ErrorFamily::Math => Self::Math { code, message },
        }
    }
}

/// Result of a binding call.
pub type Result<T> = std::result::Result<T, PociError>;

/// A bad argument.
pub fn invalid_argument(message: &str) -> PociError {
    PociError::InvalidArgument {
        code: poci::Error::INVALID_ARGUMENT.to_owned(),
        message: message.to_owned(),
    }
}
