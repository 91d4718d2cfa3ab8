//! Handing work to the loop: callbacks, futures and blocking functions.

use std::any::type_name;
use std::future::Future;
use std::sync::{Arc, PoisonError};

use super::io_loop::IoLoop;
use super::report::spawn_logged;
use super::runner::Callback;
use crate::concurrent::{Executor, ExecutorFuture, run_on_executor};

impl IoLoop {
    /// Calls `callback` on the loop's next turn. Callable from any thread,
    /// including threads outside any runtime; it wakes the loop.
    ///
    /// Callbacks run one at a time, in the order they were added (together
    /// with [`spawn_callback`](IoLoop::spawn_callback)s and the callbacks of
    /// [`add_future`](IoLoop::add_future)). A callback that panics is logged
    /// on the application log as "Exception in callback ..." and the loop
    /// carries on, as Tornado's `handle_callback_exception` does.
    ///
    /// A callback added to a closed loop is dropped without running.
    pub fn add_callback<F>(&self, callback: F)
    where
        F: FnOnce() + Send + 'static,
    {
        self.enqueue(Callback::new(callback));
    }

    /// Calls `callback` on the loop's next turn, like
    /// [`add_callback`](IoLoop::add_callback), and runs the future it
    /// returns as a task of its own (Tornado's `spawn_callback`, used to
    /// start a coroutine and forget it). A panic in the callback or in its
    /// future is logged and the loop carries on.
    pub fn spawn_callback<F, Fut>(&self, callback: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let name = type_name::<F>();
        let handle = self.inner.handle.clone();
        self.enqueue(Callback::named(name, move || {
            drop(spawn_logged(&handle, name, callback()));
        }));
    }

    /// Runs `future` on the loop and, when it completes, queues `callback`
    /// with its output like [`add_callback`](IoLoop::add_callback).
    ///
    /// If the future panics, the panic is logged and `callback` is not
    /// called.
    pub fn add_future<Fut, F>(&self, future: Fut, callback: F)
    where
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
        F: FnOnce(Fut::Output) + Send + 'static,
    {
        let callbacks = self.inner.callbacks.clone();
        let name = type_name::<F>();
        let task = async move {
            let output = future.await;
            // Dropped if the loop closed meanwhile, like any late callback.
            let _ = callbacks.send(Callback::named(name, move || callback(output)));
        };
        drop(spawn_logged(&self.inner.handle, type_name::<Fut>(), task));
    }

    /// Runs the blocking function `f` on `executor`, or on the loop's default
    /// executor when `None`, and returns a future of its result (Tornado's
    /// `run_in_executor`). The default is tokio's blocking pool of the loop's
    /// runtime ([`BlockingPool`](crate::concurrent::BlockingPool)) until
    /// [`set_default_executor`](IoLoop::set_default_executor) replaces it.
    pub fn run_in_executor<F, T>(&self, executor: Option<&dyn Executor>, f: F) -> ExecutorFuture<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        match executor {
            Some(executor) => run_on_executor(executor, f),
            None => run_on_executor(self.default_executor().as_ref(), f),
        }
    }

    /// Sets the executor [`run_in_executor`](IoLoop::run_in_executor) uses
    /// when given `None`, for every handle on this loop.
    pub fn set_default_executor(&self, executor: Arc<dyn Executor>) {
        *self
            .inner
            .default_executor
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = executor;
    }

    fn default_executor(&self) -> Arc<dyn Executor> {
        self.inner
            .default_executor
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn enqueue(&self, callback: Callback) {
        // The queue is closed only once the loop's runtime is shut down;
        // then the callback is dropped, as Tornado drops callbacks added
        // while closing.
        let _ = self.inner.callbacks.send(callback);
    }
}
