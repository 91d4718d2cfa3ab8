//! Coroutine helpers, after `tornado.gen`: waiting on many futures at once,
//! timeouts, sleeping and yielding to the loop.
//!
//! Rust's `async`/`await` replaces `@gen.coroutine`; what remains of
//! `tornado.gen` are the combinators:
//!
//! - [`multi`] / [`multi_map`]: wait for a list or a map of fallible futures;
//!   results come back in the same shape, the first error wins and the
//!   others are logged unless made quiet.
//! - [`WaitIterator`]: outputs in the order they finish, with their index or
//!   key.
//! - [`with_timeout`], [`sleep`], [`moment`].
//!
//! ```
//! use std::collections::HashMap;
//! use std::time::Duration;
//! use supercell::r#gen::{multi, multi_map, sleep, with_timeout, WaitIterator};
//! use supercell::util::TimeoutError;
//!
//! async fn fetch(id: u32) -> Result<String, String> {
//!     sleep(Duration::from_millis(u64::from(10 * id))).await;
//!     if id == 0 { Err("no such id".into()) } else { Ok(format!("item {id}")) }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! // A list: results in input order.
//! assert_eq!(multi([2, 1].map(fetch)).await.unwrap(), ["item 2", "item 1"]);
//! assert_eq!(multi([3, 0].map(fetch)).await, Err("no such id".to_string()));
//!
//! // A map: results under the same keys.
//! let by_name = HashMap::from([("a", fetch(1)), ("b", fetch(2))]);
//! let results: HashMap<&str, String> = multi_map(by_name).await.unwrap();
//! assert_eq!(results["b"], "item 2");
//!
//! // As they finish.
//! let mut waits = WaitIterator::new([3, 1].map(fetch));
//! assert_eq!(waits.next().await, Some((1, Ok("item 1".to_string()))));
//!
//! assert_eq!(
//!     with_timeout(Duration::from_millis(1), sleep(Duration::from_secs(60))).await,
//!     Err(TimeoutError)
//! );
//! # });
//! ```

mod keyed;
mod multi;
mod multi_map;
mod ordered_children;
mod timeout;
mod wait_iterator;

pub use multi::{LogAll, Multi, multi};
pub use multi_map::{FutureMap, MultiMap, multi_map};
pub use timeout::{moment, sleep, with_timeout};
pub use wait_iterator::WaitIterator;
