//! Errors of the process module.

use std::io;

/// Why [`fork_processes`](super::fork_processes) failed.
#[derive(Debug, thiserror::Error)]
pub enum ForkError {
    /// Called inside a tokio runtime: the children would get a broken
    /// copy of it (fork copies only the calling thread).
    #[error("fork_processes must be called before any tokio runtime exists")]
    RuntimeExists,
    /// Called a second time in this process (Tornado asserts that no task
    /// id is set yet).
    #[error("fork_processes was already called in this process")]
    AlreadyCalled,
    /// In the parent: a child needed a restart beyond `max_restarts`.
    #[error("too many child restarts (at most {max_restarts}), giving up")]
    TooManyRestarts {
        /// The limit that was passed.
        max_restarts: usize,
    },
    /// `fork` failed.
    #[error("fork failed: {0}")]
    Fork(io::Error),
    /// Waiting for the children failed.
    #[error("waiting for child processes failed: {0}")]
    Wait(io::Error),
}
