//! Lingering close: how a server closes a connection without its last
//! response being destroyed.
//!
//! Closing a socket with unread input makes the kernel answer with a
//! reset, and a reset can make the peer discard the response it has not
//! read yet. So the write side is shut first (the peer sees the end of the
//! response), then input is read and dropped for a short, bounded time,
//! until the peer closes too; only then is the socket closed.

use std::time::Duration;

use socket2::SockRef;
use tokio::time::{Instant, timeout_at};

use crate::iostream::IoStream;

/// The longest a closing connection waits for its output to leave and its
/// peer to close.
pub(super) const LINGER_TIME: Duration = Duration::from_secs(2);
/// The most input a closing connection reads and drops.
pub(super) const LINGER_BYTES: usize = 64 * 1024;

/// Closes `stream` lingeringly: waits (within [`LINGER_TIME`]) for
/// `last_write` to leave, shuts the write side, drops up to
/// [`LINGER_BYTES`] of input until the peer closes or the time is up, then
/// closes.
pub(super) async fn close(stream: &IoStream, last_write: Option<crate::iostream::WriteFuture>) {
    let deadline = Instant::now() + LINGER_TIME;
    if let Some(write) = last_write
        && !matches!(timeout_at(deadline, write).await, Ok(Ok(())))
    {
        stream.close();
        return;
    }
    if shutdown_write(stream) {
        let mut dropped = 0;
        while dropped < LINGER_BYTES {
            match timeout_at(deadline, stream.read_bytes(LINGER_BYTES, true)).await {
                Ok(Ok(data)) => dropped += data.len(),
                _ => break,
            }
        }
    }
    stream.close();
}

/// Ends the sending direction of `stream` (TCP `shutdown(SHUT_WR)`; with
/// TLS, `close_notify` first). `false` when the transport cannot be
/// half-closed (a Unix socket, a closed stream).
fn shutdown_write(stream: &IoStream) -> bool {
    stream.shared.with_state(|s| {
        if s.closed {
            return false;
        }
        if s.transport.is_tls() {
            // Sends close_notify and shuts the socket's write side.
            s.transport.close_gracefully();
            return true;
        }
        match s.transport.tcp() {
            Some(tcp) => SockRef::from(tcp)
                .shutdown(std::net::Shutdown::Write)
                .is_ok(),
            None => false,
        }
    })
}
