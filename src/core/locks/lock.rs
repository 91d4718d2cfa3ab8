//! [`Lock`]: mutual exclusion between tasks.

use std::fmt;
use std::sync::Arc;

use super::error::ReleaseError;
use super::semaphore::{Acquire, AcquireTimeout, Core};
use crate::util::Deadline;

/// A lock for tasks, as Tornado's `locks.Lock`: a bounded semaphore of one
/// permit. It guards no data — pair it with the state it protects, or use
/// it to serialise whole operations.
///
/// [`acquire`](Lock::acquire) returns a [`Guard`](super::Guard) that
/// unlocks when dropped. Waiting tasks get the lock in the order they asked
/// for it; one that timed out or gave up never holds it.
/// [`release`](Lock::release) unlocks by hand, after
/// [`Guard::forget`](super::Guard::forget), as Tornado's `lock.release()`.
///
/// `Lock` is a cheap handle: clones share the same lock.
#[derive(Clone)]
pub struct Lock {
    core: Arc<Core>,
}

impl Default for Lock {
    fn default() -> Self {
        Lock::new()
    }
}

impl Lock {
    /// An unlocked lock.
    pub fn new() -> Self {
        Lock {
            core: Core::new(1, Some(1)),
        }
    }

    /// Locks, waiting in line while another holder has it.
    pub fn acquire(&self) -> Acquire {
        self.core.acquire()
    }

    /// Locks, or fails with [`TimeoutError`](crate::util::TimeoutError)
    /// once `timeout` passes.
    pub fn acquire_timeout(&self, timeout: impl Into<Deadline>) -> AcquireTimeout {
        self.core.acquire_timeout(timeout)
    }

    /// Unlocks, handing the lock to the oldest waiter if any; fails with
    /// [`ReleaseError::Unlocked`] if it is not locked.
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.core
            .release_checked()
            .map_err(|_| ReleaseError::Unlocked)
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (value, waiters) = self.core.snapshot();
        f.debug_struct("Lock")
            .field("locked", &(value == 0))
            .field("waiters", &waiters)
            .finish()
    }
}
