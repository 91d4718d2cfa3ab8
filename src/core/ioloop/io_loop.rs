use std::fmt;
use std::io;
use std::sync::{Arc, Mutex};

use tokio::runtime::{Builder, Handle};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::time::Instant;

use super::owned::OwnedRuntime;
use super::registry;
use super::runner::{Callback, run_callbacks};
use crate::concurrent::{BlockingPool, Executor};

/// A cheap, cloneable, thread-safe handle on the event loop: a tokio runtime
/// plus the callback queue, timeouts and default executor Tornado's
/// `IOLoop` offers on top of it.
///
/// There is one `IoLoop` per runtime: every handle obtained for the same
/// runtime (through [`IoLoop::current`], [`IoLoop::from_handle`] or a
/// clone) shares one callback queue and one default executor, and compares
/// equal.
///
/// Two kinds exist:
///
/// * A loop made by [`IoLoop::new`] owns a current-thread runtime. It runs
///   only while some thread is inside [`start`](IoLoop::start) or
///   [`run_sync`](IoLoop::run_sync), and [`close`](IoLoop::close) shuts it
///   down. Dropping the last handle of a loop closes it too (a handle held
///   by one of its own pending callbacks or tasks keeps it open until
///   `close`).
/// * A loop obtained by [`IoLoop::current`] inside a runtime that supercell
///   did not make (`#[tokio::main]`, `#[tokio::test]`) borrows that runtime:
///   it is always running, and `start`, `run_sync` and `close` return
///   [`IoLoopError::NotOwned`](super::IoLoopError::NotOwned).
///
/// Every method may be called from any thread.
#[derive(Clone)]
pub struct IoLoop {
    pub(super) inner: Arc<Inner>,
}

/// What every handle on one loop shares.
pub(super) struct Inner {
    pub(super) handle: Handle,
    pub(super) callbacks: UnboundedSender<Callback>,
    pub(super) default_executor: Mutex<Arc<dyn Executor>>,
    /// `Some` when the loop made (and so owns) its runtime.
    pub(super) owned: Option<OwnedRuntime>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        registry::forget(self.handle.id());
    }
}

impl IoLoop {
    /// Makes a new loop that owns a current-thread tokio runtime with its
    /// I/O and time drivers enabled. Nothing runs on it until a thread calls
    /// [`start`](IoLoop::start) or [`run_sync`](IoLoop::run_sync).
    ///
    /// Unlike Tornado 5.0 the new loop does not become "current" for the
    /// calling thread: it is current for the code that runs on it.
    ///
    /// # Errors
    /// When the runtime cannot be built (the OS refused a resource).
    pub fn new() -> io::Result<IoLoop> {
        let runtime = Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let handle = runtime.handle().clone();
        let (callbacks, queue) = unbounded_channel();
        // The queue task holds no handle on the loop: a loop whose handles
        // are all dropped shuts its runtime down.
        drop(runtime.spawn(run_callbacks(queue, None)));
        let inner = Arc::new(Inner {
            default_executor: Mutex::new(Arc::new(BlockingPool::new(handle.clone()))),
            handle,
            callbacks,
            owned: Some(OwnedRuntime::new(runtime)),
        });
        registry::insert(&inner);
        Ok(IoLoop { inner })
    }

    /// The loop of the code that calls it: inside a task, callback or
    /// blocking function of a loop made by [`IoLoop::new`], that loop;
    /// inside any other tokio runtime, the loop of that runtime.
    ///
    /// # Panics
    /// When called outside any tokio runtime, as `tokio::spawn` does. Use
    /// [`IoLoop::try_current`] to check.
    #[track_caller]
    pub fn current() -> IoLoop {
        match IoLoop::try_current() {
            Some(io_loop) => io_loop,
            None => panic!(
                "there is no current IoLoop: IoLoop::current() must be called from code \
                 running on an IoLoop or inside a tokio runtime"
            ),
        }
    }

    /// The current loop, or `None` outside any tokio runtime.
    pub fn try_current() -> Option<IoLoop> {
        Handle::try_current().ok().map(IoLoop::from_handle)
    }

    /// Deprecated alias for [`IoLoop::current`], as in Tornado 5.0. To reach
    /// a loop from another thread, keep a clone of its handle instead.
    #[deprecated(
        since = "0.1.0",
        note = "use IoLoop::current(), or keep a clone of the loop"
    )]
    #[track_caller]
    pub fn instance() -> IoLoop {
        IoLoop::current()
    }

    /// The loop of the runtime `handle` belongs to (the same loop
    /// [`IoLoop::current`] returns inside that runtime).
    pub fn from_handle(handle: Handle) -> IoLoop {
        let inner = registry::find_or_insert(&handle, || {
            let (callbacks, queue) = unbounded_channel();
            let inner = Arc::new(Inner {
                default_executor: Mutex::new(Arc::new(BlockingPool::new(handle.clone()))),
                handle: handle.clone(),
                callbacks,
                owned: None,
            });
            drop(handle.spawn(run_callbacks(queue, Some(inner.clone()))));
            inner
        });
        IoLoop { inner }
    }

    /// The tokio runtime handle underneath, to reach tokio directly.
    pub fn handle(&self) -> &Handle {
        &self.inner.handle
    }

    /// Whether this loop made (and so may run and close) its runtime.
    pub fn owns_runtime(&self) -> bool {
        self.inner.owned.is_some()
    }

    /// The loop's monotonic clock (Tornado's `IOLoop.time`): tokio's
    /// [`Instant::now`] read in the loop's runtime, so paused or advanced
    /// test time is honoured.
    pub fn time(&self) -> Instant {
        let _runtime = self.inner.handle.enter();
        Instant::now()
    }
}

impl PartialEq for IoLoop {
    /// Two handles are equal when they are handles on the same loop.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for IoLoop {}

impl fmt::Debug for IoLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoLoop")
            .field("runtime", &self.inner.handle.id())
            .field("owns_runtime", &self.owns_runtime())
            .finish()
    }
}
