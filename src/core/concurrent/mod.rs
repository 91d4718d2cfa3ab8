//! Futures and executors, after `tornado.concurrent`.
//!
//! Blocking work runs on an [`Executor`]: tokio's blocking pool
//! ([`BlockingPool`]) by default, or any pool of your own.
//!
//! ```
//! use supercell::concurrent::{run_on_executor, BlockingPool};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let sum = run_on_executor(&BlockingPool::current(), || (1..=100u64).sum::<u64>()).await;
//! assert_eq!(sum.unwrap(), 5050);
//! # });
//! ```

mod executor;

pub use executor::{BlockingPool, Executor, ExecutorError, ExecutorFuture, Job, run_on_executor};
