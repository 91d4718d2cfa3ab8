//! Lingering close: how a server closes a connection without its last
//! response being destroyed.
//!
//! Closing a socket with unread input makes the kernel answer with a
//! reset, and a reset can make the peer discard the response it has not
//! read yet. So the write side is shut first (the peer sees the end of the
//! response), then input is read and dropped for a short, bounded time,
//! until the peer closes too; only then is the socket closed.

use std::time::Duration;

use tokio::time::{Instant, timeout_at};

use crate::iostream::IoStream;

/// The longest a closing connection waits for its output to leave and its
/// peer to close.
pub(super) const LINGER_TIME: Duration = Duration::from_secs(2);
/// The most input a closing connection reads and drops.
pub(super) const LINGER_BYTES: usize = 64 * 1024;

/// Closes `stream` lingeringly: waits (within [`LINGER_TIME`]) for what
/// is queued to leave and shuts the write side, drops up to
/// [`LINGER_BYTES`] of input until the peer closes or the time is up, then
/// closes.
pub(crate) async fn close(stream: &IoStream) {
    let deadline = Instant::now() + LINGER_TIME;
    if let Ok(Ok(())) = timeout_at(deadline, stream.shutdown_write()).await {
        let mut dropped = 0;
        while dropped < LINGER_BYTES {
            match timeout_at(deadline, stream.read_available(LINGER_BYTES)).await {
                Ok(Ok(Some(data))) => dropped += data.len(),
                _ => break,
            }
        }
    }
    stream.close();
}
