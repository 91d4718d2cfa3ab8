//! Errors of the locks.

/// A release that does not match an acquisition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    /// A [`BoundedSemaphore`](super::BoundedSemaphore) was released more
    /// times than it was acquired (Tornado's `ValueError`).
    #[error("semaphore released too many times")]
    TooManyReleases,
    /// A [`Lock`](super::Lock) was released while unlocked (Tornado's
    /// `RuntimeError`).
    #[error("release unlocked lock")]
    Unlocked,
}
