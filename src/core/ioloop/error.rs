use crate::util::TimeoutError;

/// Why an [`IoLoop`](super::IoLoop) could not be started, run or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum IoLoopError {
    /// `start` or `run_sync` was called while the loop is already running
    /// (on this thread or another), or `close` was called on a running loop.
    #[error("IOLoop is already running")]
    Running,
    /// The loop was closed; its runtime is gone.
    #[error("IOLoop is closed")]
    Closed,
    /// The loop is a handle on a runtime it did not create (for example the
    /// one of `#[tokio::main]`); only that runtime's owner can run or shut
    /// it down.
    #[error("IOLoop does not own its runtime; run or shut down the runtime that made it instead")]
    NotOwned,
    /// `start` or `run_sync` was called from a thread that is inside a tokio
    /// runtime context, where blocking on another runtime is not allowed.
    #[error("cannot run an IOLoop from inside a tokio runtime context")]
    InsideRuntime,
}

/// Why [`IoLoop::run_sync`](super::IoLoop::run_sync) returned without the
/// future's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum RunSyncError {
    /// The timeout ran out; the future was dropped (cancelled).
    #[error(transparent)]
    Timeout(#[from] TimeoutError),
    /// [`IoLoop::stop`](super::IoLoop::stop) was called before the future
    /// completed; the future was dropped.
    #[error("IOLoop stopped before the future completed")]
    Stopped,
    /// The loop could not run at all.
    #[error(transparent)]
    Loop(#[from] IoLoopError),
}

/// Why a [`PeriodicCallback`](super::PeriodicCallback) could not be made.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum PeriodicCallbackError {
    /// The period was zero (Tornado's "must have a positive callback_time").
    #[error("periodic callback must have a positive period")]
    NonPositivePeriod,
    /// The jitter was negative, not finite, or 2 or more (which could make a
    /// period zero or negative).
    #[error("jitter must be a finite fraction in [0, 2), got {0}")]
    InvalidJitter(f64),
}
