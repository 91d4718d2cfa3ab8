//! Callbacks at a time: `call_at`, `call_later`, `add_timeout` and their
//! cancellation.

use std::any::type_name;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::io_loop::IoLoop;
use super::report::spawn_logged;
use crate::util::Deadline;

/// A pending timed callback, returned by [`IoLoop::call_at`],
/// [`IoLoop::call_later`] and [`IoLoop::add_timeout`]; pass it to
/// [`IoLoop::remove_timeout`] to cancel the callback. Dropping it does not
/// cancel anything.
#[derive(Debug, Clone)]
pub struct Timeout {
    task: AbortHandle,
    removed: Arc<AtomicBool>,
}

impl IoLoop {
    /// Calls `callback` on the loop at `when` on the loop's clock (see
    /// [`IoLoop::time`]). Callable from any thread. A panicking callback is
    /// logged like one given to [`add_callback`](IoLoop::add_callback).
    pub fn call_at<F>(&self, when: Instant, callback: F) -> Timeout
    where
        F: FnOnce() + Send + 'static,
    {
        let removed = Arc::new(AtomicBool::new(false));
        let cancelled = removed.clone();
        let task = spawn_logged(&self.inner.handle, type_name::<F>(), async move {
            tokio::time::sleep_until(when).await;
            // Removal from a callback that ran in the same turn is honoured
            // even if this task was already woken.
            if !cancelled.load(Ordering::Acquire) {
                callback();
            }
        });
        Timeout {
            task: task.abort_handle(),
            removed,
        }
    }

    /// Calls `callback` on the loop `delay` from now.
    pub fn call_later<F>(&self, delay: Duration, callback: F) -> Timeout
    where
        F: FnOnce() + Send + 'static,
    {
        self.add_timeout(delay, callback)
    }

    /// Calls `callback` on the loop at `deadline`: a [`Duration`] from now
    /// (Tornado's `timedelta`) or an [`Instant`] on the loop's clock.
    pub fn add_timeout<F>(&self, deadline: impl Into<Deadline>, callback: F) -> Timeout
    where
        F: FnOnce() + Send + 'static,
    {
        let when = {
            let _runtime = self.inner.handle.enter();
            deadline.into().instant()
        };
        self.call_at(when, callback)
    }

    /// Cancels a pending timeout. Removing a timeout that already fired, or
    /// was already removed, does nothing.
    pub fn remove_timeout(&self, timeout: &Timeout) {
        timeout.removed.store(true, Ordering::Release);
        timeout.task.abort();
    }
}
