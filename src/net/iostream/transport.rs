//! What an `IoStream` reads and writes: one enum over every transport, so
//! the hot path is a `match`, never a virtual call.

use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::unix::pipe;
use tokio::net::{TcpStream, UnixStream};
use tokio_rustls::TlsStream;

/// A connected socket: what TLS runs over.
#[derive(Debug)]
pub(crate) enum Socket {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Socket::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Socket::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Socket::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Socket::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Socket::Tcp(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Socket::Unix(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Socket::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Socket::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// The handshake future of one side.
enum HandshakeSide {
    Client(tokio_rustls::Connect<Socket>),
    Server(tokio_rustls::Accept<Socket>),
}

/// A TLS handshake in progress, and the waker of the task driving it.
///
/// The driver waits on the socket, which goes away with the handshake when
/// the stream closes or is dropped, and a dropped socket wakes nobody: so
/// dropping the handshake wakes the driver, which then sees that it has
/// nothing left to do.
pub(crate) struct Handshake {
    side: HandshakeSide,
    driver: Option<Waker>,
}

impl Handshake {
    /// The client side of a handshake.
    pub(crate) fn client(connect: tokio_rustls::Connect<Socket>) -> Handshake {
        Handshake {
            side: HandshakeSide::Client(connect),
            driver: None,
        }
    }

    /// The server side of a handshake.
    pub(crate) fn server(accept: tokio_rustls::Accept<Socket>) -> Handshake {
        Handshake {
            side: HandshakeSide::Server(accept),
            driver: None,
        }
    }

    /// The socket under the handshake (`None` once it failed).
    fn socket(&self) -> Option<&Socket> {
        match &self.side {
            HandshakeSide::Client(c) => c.get_ref(),
            HandshakeSide::Server(s) => s.get_ref(),
        }
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<TlsStream<Socket>>> {
        let poll = match &mut self.side {
            HandshakeSide::Client(c) => Pin::new(c).poll(cx).map_ok(TlsStream::Client),
            HandshakeSide::Server(s) => Pin::new(s).poll(cx).map_ok(TlsStream::Server),
        };
        if poll.is_pending() {
            if !self
                .driver
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                self.driver = Some(cx.waker().clone());
            }
        } else {
            // The driver is running and sees the end itself.
            self.driver = None;
        }
        poll
    }
}

impl Drop for Handshake {
    fn drop(&mut self) {
        if let Some(driver) = self.driver.take() {
            driver.wake();
        }
    }
}

/// The transport of a stream, in the state it is in.
pub(crate) enum Transport {
    /// TCP or Unix socket, plain.
    Plain(Socket),
    /// The read end of a pipe: read-only.
    PipeRx(pipe::Receiver),
    /// The write end of a pipe: write-only.
    PipeTx(pipe::Sender),
    /// TLS handshake under way; reads and writes wait for it.
    Handshaking(Box<Handshake>),
    /// TLS established.
    Tls(Box<TlsStream<Socket>>),
    /// Closed: the socket is released.
    Closed,
}

/// The error of a read or write the transport cannot do: the callers
/// check for these states first, so it is never expected.
fn cannot(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, format!("cannot {what}"))
}

/// Writes `bufs` to one writer. One buffer goes through the plain write,
/// for which tokio knows that a short write means the socket is full and
/// skips the doomed retry.
fn write_to<W: AsyncWrite + Unpin + ?Sized>(
    writer: &mut W,
    cx: &mut Context<'_>,
    bufs: &[IoSlice<'_>],
) -> Poll<io::Result<usize>> {
    match bufs {
        [buf] => Pin::new(writer).poll_write(cx, buf),
        _ => Pin::new(writer).poll_write_vectored(cx, bufs),
    }
}

impl Transport {
    /// Reads into `buf`. `Ready(Ok(()))` with nothing filled is EOF. Fails
    /// on a transport that cannot be read (the write end of a pipe, a
    /// handshake under way, closed), which the callers rule out first.
    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::PipeRx(p) => Pin::new(p).poll_read(cx, buf),
            Transport::Tls(t) => match Pin::new(&mut **t).poll_read(cx, buf) {
                // The peer closed its socket without sending `close_notify`
                // first, as many HTTP/1.0 peers do: an end of the stream
                // like any other (as Python's `ssl` suppresses such "ragged
                // EOFs"). A read cut short still fails as a read the
                // stream ended in the middle of.
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    Poll::Ready(Ok(()))
                }
                poll => poll,
            },
            Transport::PipeTx(_) | Transport::Handshaking(_) | Transport::Closed => {
                Poll::Ready(Err(cannot("read from this transport")))
            }
        }
    }

    /// Writes from `bufs` (vectored where the transport supports it). Fails
    /// on a transport that cannot be written (the read end of a pipe, a
    /// handshake under way, closed), which the callers rule out first.
    pub(crate) fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self {
            Transport::Plain(s) => write_to(s, cx, bufs),
            Transport::PipeTx(p) => write_to(p, cx, bufs),
            Transport::Tls(t) => write_to(&mut **t, cx, bufs),
            Transport::PipeRx(_) | Transport::Handshaking(_) | Transport::Closed => {
                Poll::Ready(Err(cannot("write to this transport")))
            }
        }
    }

    /// Pushes out what the transport buffers itself (TLS records).
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            Transport::Tls(t) => Pin::new(&mut **t).poll_flush(cx),
            _ => Poll::Ready(Ok(())),
        }
    }

    /// Drives a TLS handshake; `Ready(Ok(()))` once the transport is not
    /// handshaking (any more). Only the handshake's driver task calls it:
    /// that task is woken when the handshake is dropped.
    pub(crate) fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Transport::Handshaking(handshake) = self else {
            return Poll::Ready(Ok(()));
        };
        match handshake.poll(cx) {
            Poll::Ready(Ok(tls)) => {
                *self = Transport::Tls(Box::new(tls));
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Ends a TLS session politely before the socket is dropped: reads
    /// what already arrived (session tickets a client never asked for would
    /// otherwise make the kernel answer the close with a reset), then sends
    /// `close_notify` and shuts the write side, all without waiting.
    pub(crate) fn close_gracefully(&mut self) {
        let Transport::Tls(tls) = self else {
            return;
        };
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut scratch = [0u8; 4096];
        for _ in 0..16 {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut **tls).poll_read(&mut cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => {}
                _ => break,
            }
        }
        let _ = Pin::new(&mut **tls).poll_shutdown(&mut cx);
    }

    /// Ends the sending direction: TCP or Unix `shutdown(SHUT_WR)`; with
    /// TLS, `close_notify` first. Fails on a transport that cannot be
    /// half-closed (a pipe, a handshake under way, closed).
    pub(crate) fn shutdown_write(&mut self) -> io::Result<()> {
        let socket = match self {
            Transport::Plain(Socket::Tcp(s)) => socket2::SockRef::from(&*s),
            Transport::Plain(Socket::Unix(s)) => socket2::SockRef::from(&*s),
            Transport::Tls(_) => {
                // Sends close_notify and shuts the socket's write side.
                self.close_gracefully();
                return Ok(());
            }
            Transport::PipeRx(_)
            | Transport::PipeTx(_)
            | Transport::Handshaking(_)
            | Transport::Closed => return Err(cannot("half-close this transport")),
        };
        socket.shutdown(std::net::Shutdown::Write)
    }

    pub(crate) fn is_handshaking(&self) -> bool {
        matches!(self, Transport::Handshaking(_))
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, Transport::Handshaking(_) | Transport::Tls(_))
    }

    /// Whether reads are possible at all (not on a pipe's write end).
    pub(crate) fn readable(&self) -> bool {
        !matches!(self, Transport::PipeTx(_))
    }

    /// The TCP socket underneath, if any (also during a TLS handshake).
    pub(crate) fn tcp(&self) -> Option<&TcpStream> {
        let socket = match self {
            Transport::Plain(s) => s,
            Transport::Tls(t) => t.get_ref().0,
            Transport::Handshaking(h) => h.socket()?,
            Transport::PipeRx(_) | Transport::PipeTx(_) | Transport::Closed => return None,
        };
        match socket {
            Socket::Tcp(s) => Some(s),
            Socket::Unix(_) => None,
        }
    }
}
