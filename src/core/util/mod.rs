//! Small pieces shared by every layer: the one [`TimeoutError`], the
//! [`Deadline`] accepted wherever Tornado takes a `timeout`, and a bounded
//! gzip decompressor for HTTP bodies.
//!
//! ```
//! use std::time::Duration;
//! use supercell::util::{Deadline, TimeoutError};
//!
//! # tokio_test_block_on(async {
//! let result = supercell::r#gen::with_timeout(
//!     Duration::from_millis(10),
//!     std::future::pending::<()>(),
//! )
//! .await;
//! assert_eq!(result, Err(TimeoutError));
//! # });
//! # fn tokio_test_block_on(f: impl std::future::Future<Output = ()>) {
//! #     tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
//! # }
//! ```

pub(crate) mod buffer_pool;
mod cold;
mod deadline;
mod gzip;
mod hex;
pub mod log_target;
pub(crate) mod out_of_line;
mod panic;
mod poison;
pub(crate) mod spare_block;
mod text_prefix;

pub(crate) use cold::cold_path;
pub use deadline::{Deadline, TimeoutError};
pub use gzip::{GzipDecompressor, GzipError};
pub(crate) use hex::hex_u64;
pub(crate) use panic::panic_message;
pub(crate) use poison::lock;
pub(crate) use text_prefix::prefix_within;
