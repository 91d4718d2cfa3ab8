//! Errors of the process module.

use std::io;
use std::process::ExitStatus;
use std::sync::Arc;

/// Why [`fork_processes`](super::fork_processes) failed.
#[derive(Debug, thiserror::Error)]
pub enum ForkError {
    /// Called inside a tokio runtime: the children would get a broken
    /// copy of it (fork copies only the calling thread).
    #[error("fork_processes must be called before any tokio runtime exists")]
    RuntimeExists,
    /// Other threads exist in this process (counted on Linux): the
    /// children would get only the calling thread, and any lock another
    /// thread holds would stay locked in them forever.
    #[error(
        "fork_processes must be called while the process has a single thread, it has {threads}"
    )]
    ThreadsExist {
        /// How many threads the process has, the caller's included.
        threads: usize,
    },
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

/// Why a [`Subprocess`](super::Subprocess) could not be started or
/// waited for.
#[derive(Debug, thiserror::Error)]
pub enum SubprocessError {
    /// [`Subprocess::spawn`](super::Subprocess::spawn) was called outside
    /// a tokio runtime (it needs one to watch the process and its pipes).
    #[error("a Subprocess must be spawned inside a tokio runtime")]
    NoRuntime,
    /// A [`Redirect`](super::Redirect) that cannot be used where it was
    /// given.
    #[error("invalid redirect: {0}")]
    InvalidRedirect(&'static str),
    /// Creating a pipe or starting the process failed.
    #[error("could not start the process: {0}")]
    Spawn(io::Error),
    /// The process exited with a non-zero status, and the caller asked for
    /// this to be an error.
    #[error(transparent)]
    CalledProcess(#[from] CalledProcessError),
    /// Waiting for the process failed.
    #[error("waiting for the process failed: {0}")]
    Wait(Arc<io::Error>),
    /// The runtime the process was spawned on shut down before the process
    /// exited, so its exit cannot be observed.
    #[error("the runtime watching the process shut down before it exited")]
    Abandoned,
}

/// A process exited unsuccessfully (Python's
/// `subprocess.CalledProcessError`, which Tornado's `wait_for_exit`
/// raises).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("process {pid} returned non-zero exit status {returncode}")]
pub struct CalledProcessError {
    /// The process id.
    pub pid: u32,
    /// Python's return code: the exit code, or the negated signal number
    /// when a signal killed the process.
    pub returncode: i32,
    /// The exit status.
    pub status: ExitStatus,
}
