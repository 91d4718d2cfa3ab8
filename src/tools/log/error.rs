//! The error of the logging configuration.

use std::path::PathBuf;

/// A logging option or format that cannot be used, or a log file that
/// cannot be opened. Tornado raises `ValueError` for the bad option values.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// `log_rotate_mode` is neither `size` nor `time`.
    #[error("log_rotate_mode must be \"size\" or \"time\", not {0:?}")]
    InvalidRotateMode(String),
    /// `log_rotate_when` is not one of `S`, `M`, `H`, `D`, `W0`-`W6`,
    /// `midnight`.
    #[error("log_rotate_when must be one of S, M, H, D, W0-W6 or midnight, not {0:?}")]
    InvalidRotateWhen(String),
    /// `logging` is not a level name nor `none`.
    #[error("logging must be one of trace, debug, info, warning, error or none, not {0:?}")]
    InvalidLevel(String),
    /// An option got a value of the wrong shape (not a number, not a
    /// boolean, or out of range).
    #[error("invalid value {value:?} for option {option}: {reason}")]
    InvalidValue {
        /// The option's name.
        option: &'static str,
        /// The rejected value.
        value: String,
        /// What the option expects.
        reason: &'static str,
    },
    /// No logging option has this name.
    #[error("unknown logging option {0:?}")]
    UnknownOption(String),
    /// A line format or date format that cannot be used.
    #[error("invalid log format {format:?}: {reason}")]
    InvalidFormat {
        /// The rejected format string.
        format: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The log file could not be opened.
    #[error("cannot open log file {}: {source}", path.display())]
    OpenFile {
        /// The file's path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// [`enable_pretty_logging`](super::enable_pretty_logging) found a
    /// global `tracing` subscriber already installed.
    #[error("a global tracing subscriber is already installed")]
    AlreadyInstalled,
}
