//! Asynchronous queues for producer and consumer tasks, after Tornado's
//! `tornado.queues`: [`Queue`] (first in, first out), [`PriorityQueue`]
//! (smallest first) and [`LifoQueue`] (last in, first out).
//!
//! All three are one type, [`OrderedQueue`], differing only in its
//! [`QueueOrder`].
//! Unlike Tornado's, these queues are thread-safe: handles are `Send +
//! Sync` (for `T: Send`) and may be used from any task of a multi-thread
//! runtime.
//!
//! Like the [`locks`](crate::locks), a `put` or `get` joins its line when
//! called, timeouts take `impl Into<Deadline>` (and need tokio's timer),
//! and nothing is lost on timeout or cancellation: a getter that gives up
//! leaves its item to the next getter, and a putter that gives up never
//! puts its item.
//!
//! ```
//! use std::time::Duration;
//! use supercell::queues::{PriorityQueue, Queue, QueueEmpty};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let q = Queue::new(2);
//! let consumer = tokio::spawn({
//!     let q = q.clone();
//!     async move {
//!         let mut total = 0;
//!         loop {
//!             let item: u32 = q.get().await;
//!             total += item;
//!             q.task_done().unwrap();
//!             if item == 5 {
//!                 return total;
//!             }
//!         }
//!     }
//! });
//! for item in 1..=5 {
//!     q.put(item).await; // waits while two items are queued
//! }
//! q.join().await; // every item was marked done
//! assert_eq!(consumer.await.unwrap(), 15);
//! assert_eq!(q.get_nowait(), Err(QueueEmpty));
//! assert!(q.get_timeout(Duration::from_millis(1)).await.is_err());
//!
//! let pq = PriorityQueue::new(0);
//! pq.put_nowait((1, "medium")).unwrap();
//! pq.put_nowait((0, "high")).unwrap();
//! pq.put_nowait((10, "low")).unwrap();
//! assert_eq!(pq.get_nowait(), Ok((0, "high")));
//! assert_eq!(pq.get_nowait(), Ok((1, "medium")));
//! # });
//! ```

mod error;
mod futures;
mod order;
mod queue;
mod state;

pub use error::{PutTimeoutError, QueueEmpty, QueueFull, TaskDoneError};
pub use futures::{Get, GetTimeout, Put, PutTimeout};
pub use order::{Fifo, Lifo, Priority, QueueOrder};
pub use queue::{LifoQueue, OrderedQueue, PriorityQueue, Queue};
