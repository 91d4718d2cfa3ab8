//! `IoStream`: the handle, its constructors, settings and state queries.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::unix::pipe;
use tokio::net::{TcpStream, UnixStream};

use super::error::StreamError;
use super::monitor::spawn_monitor;
use super::state::{CloseCallback, Limits, Shared, State, run_close_callback};
use super::transport::{Socket, Transport};

/// A non-blocking stream over TCP, a Unix socket, a pipe or TLS: Tornado's
/// `IOStream`, `SSLIOStream` and `PipeIOStream` in one type.
///
/// A cheap handle: clones share the stream; every method takes `&self`.
/// One read may be pending at a time (a second is
/// [`StreamError::AlreadyReading`]); writes queue at once and go out in
/// order. Reads are cancel-safe: a read future dropped before it completes
/// leaves every received byte for the next read.
#[derive(Clone)]
pub struct IoStream {
    pub(crate) shared: Arc<Shared>,
    pub(crate) peer: Option<SocketAddr>,
    pub(crate) local: Option<SocketAddr>,
}

impl std::fmt::Debug for IoStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IoStream")
            .field("peer", &self.peer)
            .field("local", &self.local)
            .field("closed", &self.closed())
            .finish()
    }
}

impl IoStream {
    pub(crate) fn from_transport(
        transport: Transport,
        peer: Option<SocketAddr>,
        local: Option<SocketAddr>,
    ) -> IoStream {
        IoStream {
            shared: Arc::new(Shared::new(State::new(transport))),
            peer,
            local,
        }
    }

    /// A stream over a connected TCP socket.
    pub fn from_tcp(stream: TcpStream) -> IoStream {
        let peer = stream.peer_addr().ok();
        let local = stream.local_addr().ok();
        IoStream::from_transport(Transport::Plain(Socket::Tcp(stream)), peer, local)
    }

    /// A stream over a connected Unix socket.
    pub fn from_unix(stream: UnixStream) -> IoStream {
        IoStream::from_transport(Transport::Plain(Socket::Unix(stream)), None, None)
    }

    /// A read-only stream over the read end of a pipe (Tornado's
    /// `PipeIOStream`); writes fail with an `Unsupported` I/O error.
    pub fn from_pipe_receiver(rx: pipe::Receiver) -> IoStream {
        IoStream::from_transport(Transport::PipeRx(rx), None, None)
    }

    /// A write-only stream over the write end of a pipe; reads fail with an
    /// `Unsupported` I/O error.
    pub fn from_pipe_sender(tx: pipe::Sender) -> IoStream {
        IoStream::from_transport(Transport::PipeTx(tx), None, None)
    }

    /// Connects to `addr` over TCP (Tornado's `IOStream.connect`).
    pub async fn connect(addr: SocketAddr) -> Result<IoStream, StreamError> {
        let stream = TcpStream::connect(addr).await?;
        Ok(IoStream::from_tcp(stream))
    }

    fn set_limits(self, f: impl FnOnce(&mut Limits)) -> IoStream {
        self.shared.with_state(|s| f(&mut s.limits));
        self
    }

    /// Sets the most bytes the read buffer may hold; more closes the stream
    /// with [`StreamError::BufferFull`]. Default: 100 MiB.
    pub fn with_max_buffer_size(self, bytes: usize) -> IoStream {
        self.set_limits(|l| l.max_buffer_size = bytes)
    }

    /// Sets how much one read from the socket asks for (capped at half of
    /// `max_buffer_size`). Default: 64 KiB.
    pub fn with_read_chunk_size(self, bytes: usize) -> IoStream {
        self.set_limits(|l| l.read_chunk_size = bytes)
    }

    /// Sets the most bytes the write queue may hold; a write that would go
    /// past it fails with [`StreamError::BufferFull`] (and queues nothing).
    /// Default: `None`, unbounded.
    pub fn with_max_write_buffer_size(self, bytes: Option<usize>) -> IoStream {
        self.set_limits(|l| l.max_write_buffer_size = bytes)
    }

    /// Whether a read is pending.
    pub fn reading(&self) -> bool {
        self.shared.with_state(|s| s.reading)
    }

    /// Whether written data has not all reached the kernel yet.
    pub fn writing(&self) -> bool {
        self.shared
            .with_state(|s| !s.closed && s.flushed_total < s.writes.queued_total())
    }

    /// Closes the stream: releases the socket, fails pending reads (except
    /// `read_until_close`, which gets the buffered data) and writes with
    /// [`StreamError::Closed`], then runs the close callback. Data already
    /// buffered can still be read. Closing twice does nothing.
    pub fn close(&self) {
        self.shared.with_state(|s| {
            if !s.closed {
                s.transport.close_gracefully();
            }
            s.close(None)
        });
    }

    /// Half-closes the stream (TCP `shutdown(SHUT_WR)`; with TLS,
    /// `close_notify` first): waits until everything written so far
    /// reached the kernel, then ends the sending direction, so that the
    /// peer reads to the end of what was sent and then sees the end of the
    /// stream. Reading goes on (see [`read_available`](Self::read_available));
    /// later writes fail. Fails with [`StreamError::Closed`] when the
    /// stream closes first, and with an `Unsupported` I/O error on a
    /// transport that cannot be half-closed (a pipe, a TLS handshake under
    /// way). The socket is released only by [`close`](Self::close).
    pub async fn shutdown_write(&self) -> Result<(), StreamError> {
        self.write(bytes::Bytes::new()).await?;
        self.shared.with_state(|s| {
            if s.closed {
                return Err(s.closed_error());
            }
            s.transport.shutdown_write().map_err(StreamError::io)
        })
    }

    /// Whether the stream is closed.
    pub fn closed(&self) -> bool {
        self.shared.with_state(|s| s.closed)
    }

    /// Why the stream closed, if an error closed it: a reset, EOF in the
    /// middle of a read (`UnexpectedEof`), a TLS failure, a limit. `None`
    /// while open and after a clean close.
    pub fn error(&self) -> Option<StreamError> {
        self.shared.with_state(|s| s.error.clone())
    }

    /// Sets the callback run once when the stream closes, whatever closes
    /// it (explicit close, EOF, reset, error, limit), after pending
    /// operations were failed. On an already closed stream it runs at once.
    /// While a callback is set and no read is pending, the stream watches
    /// the socket so that a close by the peer is noticed (received data is
    /// buffered for the next read). `None` removes the callback.
    pub fn set_close_callback(&self, callback: Option<Box<dyn FnOnce() + Send>>) {
        let (run_now, replaced): (Option<CloseCallback>, Option<CloseCallback>) =
            self.shared.with_state(|s| {
                if s.closed {
                    return (callback, None);
                }
                (None, std::mem::replace(&mut s.close_callback, callback))
            });
        // A replaced callback is dropped here, outside the lock: what it
        // holds (a pending write of this stream) may take the lock as it
        // goes.
        drop(replaced);
        match run_now {
            Some(callback) => run_close_callback(callback),
            None => spawn_monitor(&self.shared),
        }
    }

    /// Sets `TCP_NODELAY` (Nagle's algorithm off when `on`), on TLS
    /// streams too, also while the handshake runs. A no-op on other
    /// transports and on a closed stream.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.shared.with_state(|s| match s.transport.tcp() {
            Some(tcp) => tcp.set_nodelay(on),
            None => Ok(()),
        })
    }

    /// The address of the other end of a TCP stream.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// The local address of a TCP stream.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local
    }
}
