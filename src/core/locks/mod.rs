//! Synchronization primitives for tasks, after Tornado's `tornado.locks`:
//! [`Condition`], [`Event`], [`Semaphore`], [`BoundedSemaphore`] and
//! [`Lock`].
//!
//! They coordinate tasks, not threads — waiting never blocks a thread —
//! yet every type is `Send + Sync` and works across the worker threads of
//! a multi-thread runtime. Each is a cheap handle: clone it to share it,
//! as Tornado code shares one object.
//!
//! Common rules:
//!
//! - **A wait joins the line when called.** `wait()` and `acquire()`
//!   register before their future is first polled, as a Tornado method
//!   returns an already-pending future; the order of calls is the order of
//!   service (FIFO), and a newcomer never barges past waiting tasks.
//! - **Timeouts** take `impl Into<Deadline>`: a
//!   [`Duration`](std::time::Duration) from now or a tokio
//!   [`Instant`](tokio::time::Instant). A timed-out waiter reports
//!   [`TimeoutError`](crate::util::TimeoutError) (or `false`). A timed
//!   wait is polled with tokio's timer, so, as `tokio::time::timeout`,
//!   it panics when polled outside a runtime with time enabled.
//! - **Nothing is swallowed.** A waiter that timed out, or whose future
//!   was dropped, never keeps a notification or a permit: it goes to the
//!   next live waiter.
//!
//! ```
//! use std::time::Duration;
//! use supercell::locks::{Condition, Lock, Semaphore};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let condition = Condition::new();
//! let waiter = tokio::spawn({
//!     let condition = condition.clone();
//!     let wait = condition.wait(); // in line from here on
//!     async move { wait.await }
//! });
//! condition.notify(1);
//! waiter.await.unwrap();
//!
//! // A timed wait reports whether it was notified.
//! assert!(!condition.wait_timeout(Duration::from_millis(1)).await);
//!
//! let sem = Semaphore::new(2);
//! let first = sem.acquire().await;
//! let _second = sem.acquire().await;
//! assert!(sem.acquire_timeout(Duration::from_millis(1)).await.is_err());
//! drop(first); // the guard releases its permit
//! let _third = sem.acquire().await;
//!
//! let lock = Lock::new();
//! {
//!     let _guard = lock.acquire().await;
//!     // ... exclusive section ...
//! }
//! assert!(lock.release().is_err()); // already unlocked
//! # });
//! ```

mod condition;
mod error;
mod event;
mod lock;
mod semaphore;
pub(crate) mod waiting;
pub(crate) mod waitlist;

pub use condition::{Condition, Wait, WaitTimeout};
pub use error::ReleaseError;
pub use event::{Event, EventWait, EventWaitTimeout};
pub use lock::Lock;
pub use semaphore::{Acquire, AcquireTimeout, BoundedSemaphore, Guard, Semaphore};
