use std::sync::Arc;

/// The error a [`Future`](super::Future) fails with: any error, shared so
/// that every clone of the future can observe it (Python's exception
/// object, as set by `Future.set_exception`).
///
/// Downcast it to learn the concrete type:
/// `exception.downcast_ref::<std::io::Error>()`.
pub type Exception = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// Shares a boxed error as an [`Exception`]; an `Exception` that was boxed
/// (because it was passed where any error is accepted) is unboxed rather
/// than wrapped a second time, so it still downcasts to its concrete type.
pub(super) fn into_exception(
    boxed: Box<dyn std::error::Error + Send + Sync + 'static>,
) -> Exception {
    match boxed.downcast::<Exception>() {
        Ok(already_shared) => *already_shared,
        Err(boxed) => Arc::from(boxed),
    }
}

/// A [`Future`](super::Future) was used in a state that does not allow the
/// operation (asyncio's `InvalidStateError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum InvalidStateError {
    /// The outcome was read before the future was done.
    #[error("Result is not set.")]
    NotDone,
    /// An outcome was set on a future that is already done (set before, or
    /// cancelled).
    #[error("invalid state: the future is already done")]
    AlreadyDone,
}

/// The future was cancelled before it got an outcome (asyncio's
/// `CancelledError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("the future was cancelled")]
pub struct CancelledError;

/// Why a [`Future`](super::Future) holds no result.
///
/// Awaiting a future yields only [`FutureError::Cancelled`] or
/// [`FutureError::Exception`]; [`FutureError::InvalidState`] comes from the
/// non-blocking accessors (`result`, `exception`) called too early.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FutureError {
    /// The future is not done yet.
    #[error(transparent)]
    InvalidState(#[from] InvalidStateError),
    /// The future was cancelled.
    #[error(transparent)]
    Cancelled(#[from] CancelledError),
    /// The future failed with this error.
    #[error(transparent)]
    Exception(Exception),
}

impl FutureError {
    /// The error the future failed with, when it failed (rather than being
    /// cancelled or not done).
    pub fn exception(&self) -> Option<&Exception> {
        match self {
            FutureError::Exception(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this is the error of a cancelled future.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, FutureError::Cancelled(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_error_displays_and_downcasts_as_its_source() {
        let e: Exception = Arc::new(std::io::Error::other("disk on fire"));
        let err = FutureError::Exception(e);
        assert_eq!(err.to_string(), "disk on fire");
        let inner = err.exception().expect("an exception");
        assert!(inner.downcast_ref::<std::io::Error>().is_some());
        assert!(!err.is_cancelled());
    }

    #[test]
    fn cancelled_and_invalid_state_are_distinct() {
        let c = FutureError::from(CancelledError);
        assert!(c.is_cancelled());
        assert!(c.exception().is_none());
        let s = FutureError::from(InvalidStateError::NotDone);
        assert!(!s.is_cancelled());
        assert_eq!(s.to_string(), "Result is not set.");
    }
}
