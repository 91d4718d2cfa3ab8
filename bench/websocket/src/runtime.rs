//! The runtime every server and client of this crate runs on.

use std::io;

use tokio::runtime::{Builder, Runtime};

/// A current-thread tokio runtime with I/O and time enabled: one thread,
/// so that a process pinned to one core measures one core's work.
pub fn one_thread() -> io::Result<Runtime> {
    Builder::new_current_thread().enable_all().build()
}
