//! Why autoreload could not start.

/// Why [`start`](super::start), [`start_with`](super::start_with) or
/// [`wait`](super::wait) could not start checking for changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum StartError {
    /// Called outside any tokio runtime: the checks run on the current
    /// runtime's loop, and there is none.
    #[error("autoreload must be started inside a tokio runtime")]
    NoRuntime,
    /// The interval between two checks was zero.
    #[error("autoreload needs a positive interval between checks")]
    ZeroCheckTime,
}
