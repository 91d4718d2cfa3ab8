//! Futures and executors, after `tornado.concurrent`.
//!
//! - [`Future`]: a settable, cloneable result that many tasks can await
//!   (Tornado 5.0's `Future`, which is asyncio's). It implements
//!   [`std::future::Future`] but is a concrete value, not that trait.
//!   [`chain_future`], [`future_set_result_unless_cancelled`],
//!   [`future_set_exception_unless_cancelled`] and
//!   [`future_add_done_callback`] work on it as Tornado's helpers do.
//! - Blocking work runs on an [`Executor`] through [`run_on_executor`]:
//!   tokio's blocking pool ([`BlockingPool`]) by default, a
//!   [`ThreadPoolExecutor`] with a fixed number of threads, or any pool of
//!   your own.
//!
//! ```
//! use supercell::concurrent::{chain_future, run_on_executor, Future, ThreadPoolExecutor};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let pool = ThreadPoolExecutor::new(2).unwrap();
//! let sum = run_on_executor(&pool, || (1..=100u64).sum::<u64>()).await;
//! assert_eq!(sum, Ok(5050));
//!
//! let source: Future<&str> = Future::new();
//! let copy = Future::new();
//! chain_future(&source, &copy);
//! source.set_result("hello").unwrap();
//! assert_eq!(copy.await.unwrap(), "hello");
//! # });
//! ```

mod done_callbacks;
mod error;
mod executor;
mod future;
mod future_fns;
mod future_state;
mod thread_pool;

pub use error::{CancelledError, Exception, FutureError, InvalidStateError};
pub use executor::{BlockingPool, Executor, ExecutorError, ExecutorFuture, Job, run_on_executor};
pub use future::Future;
pub use future_fns::{
    chain_future, future_add_done_callback, future_set_exception_unless_cancelled,
    future_set_result_unless_cancelled,
};
pub use thread_pool::{ThreadPoolExecutor, ZeroWorkersError};
