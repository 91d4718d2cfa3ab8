use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use crate::util::panic_message;

/// A unit of blocking work handed to an [`Executor`].
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// Somewhere to run blocking functions off the event loop (Python's
/// `concurrent.futures.Executor`).
///
/// Implement it to plug in your own pool; [`BlockingPool`] (tokio's
/// blocking pool) is the default used by `IoLoop::run_in_executor`.
pub trait Executor: Send + Sync + 'static {
    /// Runs `job` to completion on some thread other than the event loop's.
    /// An executor that cannot run the job (for example, because it shut
    /// down) drops it; the waiting [`ExecutorFuture`] then fails with
    /// [`ExecutorError::Dropped`].
    fn execute(&self, job: Job);
}

/// tokio's blocking thread pool (`spawn_blocking`), the default executor.
#[derive(Clone, Debug)]
pub struct BlockingPool {
    handle: tokio::runtime::Handle,
}

impl BlockingPool {
    /// The blocking pool of the given runtime.
    pub fn new(handle: tokio::runtime::Handle) -> Self {
        BlockingPool { handle }
    }

    /// The blocking pool of the runtime this code runs on.
    ///
    /// # Panics
    /// When called outside a tokio runtime.
    pub fn current() -> Self {
        BlockingPool::new(tokio::runtime::Handle::current())
    }
}

impl Executor for BlockingPool {
    fn execute(&self, job: Job) {
        // The JoinHandle is not needed: the job reports through its channel.
        drop(self.handle.spawn_blocking(job));
    }
}

/// Why a function given to an executor produced no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutorError {
    /// The function panicked; the panic message is kept when it was a string.
    #[error("function on executor panicked: {0}")]
    Panicked(String),
    /// The executor dropped the job without running it.
    #[error("executor dropped the job without running it")]
    Dropped,
}

/// The result of [`run_on_executor`]: resolves when the function returns.
/// Dropping it does not stop the function, whose result is then discarded.
#[derive(Debug)]
pub struct ExecutorFuture<T> {
    rx: oneshot::Receiver<Result<T, ExecutorError>>,
}

impl<T> Future for ExecutorFuture<T> {
    type Output = Result<T, ExecutorError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.rx)
            .poll(cx)
            .map(|r| r.unwrap_or(Err(ExecutorError::Dropped)))
    }
}

/// Runs the blocking function `f` on `executor` and returns a future of its
/// result (Tornado's `run_on_executor`; `IoLoop::run_in_executor` is built on
/// it). A panic in `f` is caught and reported as [`ExecutorError::Panicked`].
pub fn run_on_executor<E, F, T>(executor: &E, f: F) -> ExecutorFuture<T>
where
    E: Executor + ?Sized,
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    executor.execute(Box::new(move || {
        let result = catch_unwind(AssertUnwindSafe(f))
            .map_err(|p| ExecutorError::Panicked(panic_message(p.as_ref()).to_owned()));
        // The waiter may have gone away; then the result is not wanted.
        let _ = tx.send(result);
    }));
    ExecutorFuture { rx }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Refuses;
    impl Executor for Refuses {
        fn execute(&self, job: Job) {
            drop(job);
        }
    }

    #[tokio::test]
    async fn result_comes_back_from_the_blocking_pool() {
        let id = std::thread::current().id();
        let other = run_on_executor(&BlockingPool::current(), move || {
            std::thread::current().id() != id
        })
        .await;
        assert_eq!(other, Ok(true));
    }

    #[tokio::test]
    async fn panic_is_reported_not_propagated() {
        let r = run_on_executor(&BlockingPool::current(), || -> u8 { panic!("boom") }).await;
        assert_eq!(r, Err(ExecutorError::Panicked("boom".into())));
    }

    #[tokio::test]
    async fn dropped_job_is_an_error() {
        assert_eq!(
            run_on_executor(&Refuses, || 1).await,
            Err(ExecutorError::Dropped)
        );
    }
}
