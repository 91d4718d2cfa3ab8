//! The event loop, after `tornado.ioloop`.
//!
//! As Tornado 5.0's `IOLoop` wraps the asyncio event loop, an [`IoLoop`] is
//! a handle on a tokio runtime: there is no second event loop. Inside any
//! tokio runtime, [`IoLoop::current`] is that runtime's loop;
//! [`IoLoop::new`] makes a loop that owns a runtime of its own, run by
//! [`IoLoop::start`] (until [`IoLoop::stop`]) or [`IoLoop::run_sync`].
//!
//! On top of the runtime the loop offers Tornado's scheduling API:
//! callbacks from any thread ([`IoLoop::add_callback`], run in order, their
//! panics logged), timed callbacks ([`IoLoop::call_later`],
//! [`IoLoop::call_at`], [`IoLoop::add_timeout`], [`IoLoop::remove_timeout`]),
//! futures ([`IoLoop::add_future`], [`IoLoop::spawn_callback`]), blocking
//! functions ([`IoLoop::run_in_executor`]) and [`PeriodicCallback`].
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::time::Duration;
//! use supercell::ioloop::{IoLoop, PeriodicCallback};
//!
//! let io_loop = IoLoop::new().unwrap();
//!
//! // Run a future to completion; a thread with no runtime at all hands the
//! // answer back through a callback, which wakes the loop.
//! let answer = io_loop
//!     .run_sync(
//!         || async {
//!             let (tx, rx) = tokio::sync::oneshot::channel();
//!             let io_loop = IoLoop::current();
//!             std::thread::spawn(move || io_loop.add_callback(move || tx.send(42).unwrap()));
//!             rx.await.unwrap()
//!         },
//!         Some(Duration::from_secs(10)),
//!     )
//!     .unwrap();
//! assert_eq!(answer, 42);
//!
//! // Run the loop until a periodic callback has ticked three times.
//! let ticks = Arc::new(AtomicUsize::new(0));
//! let counter = ticks.clone();
//! let pc = PeriodicCallback::new(
//!     move || {
//!         if counter.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
//!             IoLoop::current().stop();
//!         }
//!     },
//!     Duration::from_millis(5),
//! )
//! .unwrap();
//! pc.start_on(&io_loop);
//! io_loop.start().unwrap();
//! pc.stop();
//! assert_eq!(ticks.load(Ordering::SeqCst), 3);
//! io_loop.close().unwrap();
//! ```

mod callbacks;
mod error;
mod io_loop;
mod owned;
mod periodic;
mod registry;
mod report;
mod runner;
mod schedule;
mod timeout;

pub use error::{IoLoopError, PeriodicCallbackError, RunSyncError};
pub use io_loop::IoLoop;
pub use periodic::PeriodicCallback;
pub use timeout::Timeout;
