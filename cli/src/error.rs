//! The command's errors and their exit statuses: 1 for refused input, 2 for usage and I/O.

use std::path::PathBuf;
use std::process::ExitCode;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Input that POCI refuses: the stable code of SPEC.md and what it was.
    #[error("{what}: {code}: {error}", code = error.code())]
    Refused {
        /// Which input.
        what: String,
        /// POCI's verdict.
        error: poci::Error,
    },
    /// Input that POCI refuses, with what the command found out about it: the field of a
    /// JSON file that is wrong, or where a DER file was cut short.
    #[error("{what}: {code}: {detail}", code = error.code())]
    Explained {
        /// Which input.
        what: String,
        /// POCI's verdict (its stable code is printed).
        error: poci::Error,
        /// The verdict for people: the field, the position, the reason.
        detail: String,
    },
    /// Some inputs were refused (each already reported).
    #[error("{refused} of {total} refused")]
    SomeRefused {
        /// How many were refused.
        refused: usize,
        /// How many were checked.
        total: usize,
    },
    /// Two inputs compared differ (`poci policy diff`).
    #[error("{changes} field(s) differ")]
    Differs {
        /// How many fields differ.
        changes: usize,
    },
    /// The simulation found a fault: an attack accepted, or sums that do not add up.
    #[error("simulation failed: {0}")]
    SimulationFailed(String),
    /// A file that cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Arguments that do not make sense together, or a file in no known format.
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    /// Exit status: 1 for inputs POCI refused or a failed simulation, 2 for usage and I/O.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Refused { .. }
            | Self::Explained { .. }
            | Self::SomeRefused { .. }
            | Self::SimulationFailed(_)
            | Self::Differs { .. } => ExitCode::from(1),
            Self::Io { .. } | Self::Usage(_) => ExitCode::from(2),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// Input refused by POCI.
    pub fn refused(what: impl Into<String>, error: poci::Error) -> Self {
        Self::Refused {
            what: what.into(),
            error,
        }
    }
}

/// Our trust material or parameters refused: a usage problem, not an input verdict.
pub fn setup(what: &str) -> impl FnOnce(poci::Error) -> CliError + '_ {
    move |error| CliError::Usage(format!("{what}: {}: {error}", error.code()))
}
