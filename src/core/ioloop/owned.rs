//! The runtime a loop made by `IoLoop::new` owns, and running it:
//! `start`, `stop`, `run_sync`, `close`.

use std::future::Future;
use std::mem;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::runtime::{Handle, Runtime};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::error::{IoLoopError, RunSyncError};
use super::io_loop::IoLoop;
use crate::util::{Deadline, TimeoutError};

/// The runtime of an owning loop, and whether a thread is running it.
pub(super) struct OwnedRuntime {
    slot: Mutex<Slot>,
    stop: StopSignal,
}

enum Slot {
    /// Not running; the runtime waits here.
    Idle(Runtime),
    /// A thread has taken the runtime out to run it.
    Running,
    /// Shut down by `close`.
    Closed,
}

impl OwnedRuntime {
    pub(super) fn new(runtime: Runtime) -> Self {
        OwnedRuntime {
            slot: Mutex::new(Slot::Idle(runtime)),
            stop: StopSignal::default(),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the runtime out to run it on this thread.
    fn begin(&self) -> Result<RunGuard<'_>, IoLoopError> {
        let mut slot = self.slot();
        match mem::replace(&mut *slot, Slot::Running) {
            Slot::Idle(runtime) => {
                if Handle::try_current().is_ok() {
                    *slot = Slot::Idle(runtime);
                    return Err(IoLoopError::InsideRuntime);
                }
                Ok(RunGuard {
                    owner: self,
                    runtime: Some(runtime),
                })
            }
            Slot::Running => Err(IoLoopError::Running),
            Slot::Closed => {
                *slot = Slot::Closed;
                Err(IoLoopError::Closed)
            }
        }
    }
}

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        let slot = mem::replace(&mut *self.slot(), Slot::Closed);
        if let Slot::Idle(runtime) = slot {
            dispose(runtime);
        }
    }
}

/// Shuts a runtime down. Inside a runtime context (where dropping one would
/// panic) its blocking threads are left to finish on their own.
fn dispose(runtime: Runtime) {
    if Handle::try_current().is_ok() {
        runtime.shutdown_background();
    } else {
        drop(runtime);
    }
}

/// Puts the runtime back when a run ends, even by a panic.
struct RunGuard<'a> {
    owner: &'a OwnedRuntime,
    runtime: Option<Runtime>,
}

impl RunGuard<'_> {
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime
            .as_ref()
            .expect("the runtime is held until the guard drops")
            .block_on(future)
    }
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        // As Tornado resets its `_stopped` flag: a stop that arrives while a
        // run ends does not leak into the next one.
        self.owner.stop.clear();
        if let Some(runtime) = self.runtime.take() {
            *self.owner.slot() = Slot::Idle(runtime);
        }
    }
}

/// A stop request that outlives the moment it was made: one made while the
/// loop is not running ends the next run right away, as in Tornado.
#[derive(Default)]
struct StopSignal {
    requested: AtomicBool,
    notify: Notify,
}

impl StopSignal {
    fn request(&self) {
        self.requested.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }

    fn clear(&self) {
        self.requested.store(false, Ordering::SeqCst);
    }

    async fn wait(&self) {
        // `notify_one` stores a permit when nobody waits, so a request made
        // between the check and the wait is not lost.
        while !self.requested.swap(false, Ordering::SeqCst) {
            self.notify.notified().await;
        }
    }
}

impl IoLoop {
    fn owned(&self) -> Result<&OwnedRuntime, IoLoopError> {
        self.inner.owned.as_ref().ok_or(IoLoopError::NotOwned)
    }

    /// Runs the loop on the calling thread until [`stop`](IoLoop::stop) is
    /// called (from a callback, a task, or any other thread).
    ///
    /// If `stop` was called while the loop was not running, `start` returns
    /// at once, as in Tornado.
    ///
    /// # Errors
    /// [`IoLoopError::Running`] when the loop is already running (including
    /// a call from one of its own callbacks), [`IoLoopError::Closed`] after
    /// [`close`](IoLoop::close), [`IoLoopError::NotOwned`] on a loop that
    /// borrows its runtime, and [`IoLoopError::InsideRuntime`] when the
    /// calling thread is inside a tokio runtime context.
    pub fn start(&self) -> Result<(), IoLoopError> {
        let owner = self.owned()?;
        let run = owner.begin()?;
        run.block_on(owner.stop.wait());
        Ok(())
    }

    /// Asks the loop to stop: the thread in [`start`](IoLoop::start) returns
    /// after the current callback, and [`run_sync`](IoLoop::run_sync) gives
    /// up with [`RunSyncError::Stopped`]. Callable from any thread.
    ///
    /// On a loop that borrows its runtime this does nothing: that runtime is
    /// stopped by whoever runs it.
    pub fn stop(&self) {
        if let Some(owner) = &self.inner.owned {
            owner.stop.request();
        }
    }

    /// Runs the loop on the calling thread until the future made by `f`
    /// completes, and returns its output (Tornado's `IOLoop.run_sync`).
    ///
    /// `f` is called on the loop, so the future can use
    /// [`IoLoop::current`] and tokio freely; it need not be `Send`.
    /// With a `timeout`, the future is dropped (cancelled) when it runs out.
    /// A panic in `f` or in the future propagates to the caller, and the
    /// loop can be run again afterwards.
    ///
    /// # Errors
    /// [`RunSyncError::Timeout`] when the timeout ran out,
    /// [`RunSyncError::Stopped`] when [`stop`](IoLoop::stop) was called
    /// first, and [`RunSyncError::Loop`] for the reasons
    /// [`start`](IoLoop::start) fails.
    pub fn run_sync<F, Fut>(
        &self,
        f: F,
        timeout: Option<Duration>,
    ) -> Result<Fut::Output, RunSyncError>
    where
        F: FnOnce() -> Fut,
        Fut: Future,
    {
        let owner = self.owned()?;
        let run = owner.begin()?;
        run.block_on(async {
            let deadline = timeout.map(|t| Deadline::from(t).instant());
            let future = f();
            tokio::select! {
                biased;
                output = future => Ok(output),
                () = owner.stop.wait() => Err(RunSyncError::Stopped),
                () = sleep_until(deadline) => Err(TimeoutError.into()),
            }
        })
    }

    /// Shuts the loop's runtime down: pending callbacks, timeouts and tasks
    /// are dropped, and functions still running on its blocking pool are
    /// waited for (when called outside any runtime context).
    ///
    /// Closing twice is harmless. Afterwards `start` and `run_sync` fail with
    /// [`IoLoopError::Closed`], callbacks and timeouts added to the loop are
    /// silently dropped (as Tornado drops callbacks added while closing), and
    /// `run_in_executor` on the default executor fails with
    /// [`ExecutorError::Dropped`](crate::concurrent::ExecutorError::Dropped).
    ///
    /// # Errors
    /// [`IoLoopError::Running`] while the loop runs (stop it and let `start`
    /// return first, as Tornado requires), and [`IoLoopError::NotOwned`] on
    /// a loop that borrows its runtime.
    pub fn close(&self) -> Result<(), IoLoopError> {
        let owner = self.owned()?;
        let runtime = {
            let mut slot = owner.slot();
            match mem::replace(&mut *slot, Slot::Closed) {
                Slot::Idle(runtime) => runtime,
                Slot::Running => {
                    *slot = Slot::Running;
                    return Err(IoLoopError::Running);
                }
                Slot::Closed => return Ok(()),
            }
        };
        dispose(runtime);
        Ok(())
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stop_requested_before_waiting_is_remembered_once() {
        let stop = StopSignal::default();
        stop.request();
        stop.wait().await;
        let second = tokio::time::timeout(Duration::from_millis(5), stop.wait()).await;
        assert!(second.is_err(), "one request ended two waits");
    }

    #[tokio::test]
    async fn a_cleared_request_is_forgotten() {
        let stop = StopSignal::default();
        stop.request();
        stop.clear();
        let waited = tokio::time::timeout(Duration::from_millis(5), stop.wait()).await;
        assert!(waited.is_err());
    }
}
