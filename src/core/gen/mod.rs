//! Coroutine helpers, after `tornado.gen`: waiting on many futures at once,
//! timeouts, sleeping and yielding to the loop.
//!
//! Rust's `async`/`await` replaces `@gen.coroutine`; what remains of
//! `tornado.gen` are the combinators.
//!
//! ```
//! use std::time::Duration;
//! use supercell::r#gen::{sleep, with_timeout};
//! use supercell::util::TimeoutError;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! assert_eq!(with_timeout(Duration::from_secs(1), async { 7 }).await, Ok(7));
//! assert_eq!(
//!     with_timeout(Duration::from_millis(1), sleep(Duration::from_secs(60))).await,
//!     Err(TimeoutError)
//! );
//! # });
//! ```

mod timeout;

pub use timeout::{moment, sleep, with_timeout};
