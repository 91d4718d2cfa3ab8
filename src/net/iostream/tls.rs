//! Switching a stream to TLS (Tornado's `start_tls` and `SSLIOStream`) and
//! waiting for the handshake.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Weak};
use std::task::Poll;

use rustls::pki_types::ServerName;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::error::{StartTlsError, StreamError};
use super::monitor::spawn_monitor;
use super::state::{Shared, State, is_connection_reset};
use super::stream::IoStream;
use super::transport::{Handshake, Socket, Transport};
use crate::netutil::{PeerAddress, TlsConfig};
use crate::util::log_target::GEN_LOG;

/// The name a client verifies the server certificate against: the given
/// hostname, else the peer's IP address.
fn server_name(
    server_hostname: Option<&str>,
    peer: Option<IpAddr>,
) -> Result<ServerName<'static>, StreamError> {
    match (server_hostname, peer) {
        (Some(host), _) => ServerName::try_from(host.to_owned()).map_err(|e| {
            StreamError::io(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid server hostname {host:?}: {e}"),
            ))
        }),
        (None, Some(ip)) => Ok(ServerName::IpAddress(ip.into())),
        (None, None) => Err(StreamError::StartTls(
            "a TLS client over a Unix socket needs a server_hostname",
        )),
    }
}

/// The end of the handshake this stream plays.
enum Side {
    Client(TlsConnector, ServerName<'static>),
    Server(TlsAcceptor),
}

/// Takes the plain socket out of a stream that may switch to TLS, leaving
/// the old stream closed (without running its callback, which moves on).
fn take_socket(s: &mut State) -> Result<Socket, StreamError> {
    if s.closed {
        return Err(s.closed_error());
    }
    if s.reading {
        return Err(StreamError::StartTls("a read is pending"));
    }
    if !s.writes.is_empty() || s.flusher_running {
        return Err(StreamError::StartTls("a write is pending"));
    }
    if !s.read_buf.is_empty() {
        return Err(StreamError::StartTls("the read buffer is not empty"));
    }
    let socket = match std::mem::replace(&mut s.transport, Transport::Closed) {
        Transport::Plain(socket) => socket,
        other => {
            s.transport = other;
            return Err(StreamError::StartTls(
                "only a plain TCP or Unix socket can start TLS",
            ));
        }
    };
    s.closed = true;
    if let Some(waker) = s.monitor_waker.take() {
        waker.wake();
    }
    Ok(socket)
}

impl IoStream {
    /// Switches this plain stream to TLS and returns the TLS stream without
    /// waiting for the handshake (as Tornado's `SSLIOStream` constructor):
    /// the handshake runs at once in its own task, and reads and writes on
    /// the new stream wait for it. A failed handshake closes the new stream
    /// with the TLS error as its [`IoStream::error`] and logs it on the
    /// general log: at debug level when the peer closed or reset the
    /// connection, else as a warning naming the peer. Closing the new stream
    /// during the handshake, or dropping every handle of it while no write
    /// is queued, abandons the handshake and releases the socket at once.
    ///
    /// The stream must have no pending read or write and empty buffers;
    /// the old handle (and every clone of it) is closed afterwards and its
    /// close callback, limits and addresses move to the new stream.
    /// `server_hostname` is the name a client verifies (and sends as SNI);
    /// without it a client verifies the peer's IP address. Must be called
    /// within a tokio runtime. A refused switch gives this stream back, as
    /// it was, in the [`StartTlsError`].
    pub fn into_tls(
        self,
        config: TlsConfig,
        server_hostname: Option<&str>,
    ) -> Result<IoStream, StartTlsError> {
        match self.prepare_tls(config, server_hostname) {
            Ok((side, handle)) => self.switch_to_tls(side, handle),
            Err(error) => Err(StartTlsError::new(error, self)),
        }
    }

    /// Everything that can refuse a switch, checked before the socket is
    /// taken, so that a refused switch leaves the stream as it was.
    fn prepare_tls(
        &self,
        config: TlsConfig,
        server_hostname: Option<&str>,
    ) -> Result<(Side, tokio::runtime::Handle), StreamError> {
        let side = match config {
            TlsConfig::Client(config) => {
                let name = server_name(server_hostname, self.peer.map(|addr| addr.ip()))?;
                Side::Client(TlsConnector::from(config), name)
            }
            TlsConfig::Server(config) => Side::Server(TlsAcceptor::from(config)),
        };
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|e| StreamError::io(io::Error::other(e)))?;
        Ok((side, handle))
    }

    fn switch_to_tls(
        self,
        side: Side,
        handle: tokio::runtime::Handle,
    ) -> Result<IoStream, StartTlsError> {
        let taken = self.shared.with_state(|s| {
            take_socket(s).map(|socket| (socket, s.limits, s.close_callback.take()))
        });
        let (socket, limits, callback) = match taken {
            Ok(taken) => taken,
            Err(error) => return Err(StartTlsError::new(error, self)),
        };
        let peer = Peer::of(&socket, self.peer);
        let handshake = match side {
            Side::Client(connector, name) => Handshake::client(connector.connect(name, socket)),
            Side::Server(acceptor) => Handshake::server(acceptor.accept(socket)),
        };
        let stream = IoStream::from_transport(
            Transport::Handshaking(Box::new(handshake)),
            self.peer,
            self.local,
        );
        let has_callback = callback.is_some();
        stream.shared.with_state(|s| {
            s.limits = limits;
            s.close_callback = callback;
        });
        handle.spawn(drive_handshake(Arc::downgrade(&stream.shared), peer));
        if has_callback {
            spawn_monitor(&stream.shared);
        }
        Ok(stream)
    }

    /// Switches this plain stream to TLS (Tornado's `start_tls`; the
    /// config's variant is `server_side`) and returns the TLS stream once
    /// the handshake completed. See [`IoStream::into_tls`] for the
    /// conditions. A refused switch gives this stream back; a failed
    /// handshake gives the handshake's error and the closed TLS stream
    /// (see [`StartTlsError`]).
    pub async fn start_tls(
        self,
        config: TlsConfig,
        server_hostname: Option<&str>,
    ) -> Result<IoStream, StartTlsError> {
        let stream = self.into_tls(config, server_hostname)?;
        match stream.wait_for_handshake().await {
            Ok(()) => Ok(stream),
            Err(StreamError::Closed(closed)) => {
                let error = closed
                    .real_error()
                    .cloned()
                    .unwrap_or(StreamError::Closed(closed));
                Err(StartTlsError::new(error, stream))
            }
            Err(error) => Err(StartTlsError::new(error, stream)),
        }
    }

    /// Resolves when the TLS handshake has completed (at once if it has,
    /// or if the stream is not TLS). Fails with [`StreamError::Closed`]
    /// carrying the TLS error if the handshake failed.
    pub async fn wait_for_handshake(&self) -> Result<(), StreamError> {
        poll_fn(|cx| {
            self.shared.with_state(|s| {
                if s.transport.is_handshaking() {
                    s.wait_for_handshake(cx.waker());
                    Poll::Pending
                } else if s.closed {
                    Poll::Ready(Err(s.closed_error()))
                } else {
                    Poll::Ready(Ok(()))
                }
            })
        })
        .await
    }
}

/// The peer of a handshake, as its log messages name it.
#[derive(Clone, Copy)]
struct Peer(Option<PeerAddress>);

impl Peer {
    fn of(socket: &Socket, peer: Option<SocketAddr>) -> Peer {
        Peer(match socket {
            Socket::Tcp(_) => peer.map(PeerAddress::Inet),
            Socket::Unix(_) => Some(PeerAddress::Unix),
        })
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(peer) => peer.fmt(f),
            None => f.write_str("(not connected)"),
        }
    }
}

/// Drives the handshake to its end, then wakes what waited for it.
///
/// Holds the stream weakly, so a stream whose every handle was dropped
/// mid-handshake is closed at once rather than when the handshake ends.
/// The task ends as soon as the stream is closed or dropped: dropping the
/// handshake with its socket wakes it.
async fn drive_handshake(stream: Weak<Shared>, peer: Peer) {
    poll_fn(|cx| {
        let Some(shared) = stream.upgrade() else {
            return Poll::Ready(());
        };
        shared.with_state(|s| {
            if s.closed {
                return Poll::Ready(());
            }
            match s.transport.poll_handshake(cx) {
                Poll::Ready(Ok(())) => {
                    s.handshake_done();
                    Poll::Ready(())
                }
                Poll::Ready(Err(e)) => {
                    log_handshake_failure(peer, &e);
                    s.close(Some(StreamError::io(e)));
                    Poll::Ready(())
                }
                Poll::Pending => Poll::Pending,
            }
        })
    })
    .await
}

/// A peer that went away during the handshake (reset, EOF) is noted at
/// debug level only, as Tornado says nothing about it; any other failure
/// (a TLS protocol error, a rejected certificate) is a warning naming the
/// peer.
fn log_handshake_failure(peer: Peer, error: &io::Error) {
    if peer_went_away(error) {
        tracing::debug!(target: GEN_LOG, "TLS handshake with {peer} ended early: {error}");
    } else {
        tracing::warn!(target: GEN_LOG, "SSL Error on {peer}: {error}");
    }
}

/// Whether a handshake error means the peer closed or reset the connection.
fn peer_went_away(error: &io::Error) -> bool {
    is_connection_reset(error) || error.kind() == io::ErrorKind::UnexpectedEof
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::task::Context;

    use super::super::write_waiters::tests::Counter;
    use super::*;

    /// A client stream whose handshake never ends: the peer is silent.
    fn handshaking_client() -> (IoStream, tokio::net::UnixStream) {
        let (ours, peer) = tokio::net::UnixStream::pair().unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let stream = IoStream::from_unix(ours)
            .into_tls(TlsConfig::Client(Arc::new(config)), Some("localhost"))
            .unwrap();
        (stream, peer)
    }

    fn poll_with<F: Future + Unpin>(future: &mut F, waker: &std::task::Waker) -> bool {
        std::pin::Pin::new(future)
            .poll(&mut Context::from_waker(waker))
            .is_pending()
    }

    /// Operations polled again and again while the handshake runs (a
    /// select! loop with a ticking timer) keep one waker each.
    #[tokio::test]
    async fn waiting_for_the_handshake_keeps_one_waker_per_operation() {
        let (stream, _peer) = handshaking_client();
        let (task, task_waker) = Counter::waker();
        let mut wait = Box::pin(stream.wait_for_handshake());
        let mut read = Box::pin(stream.read_bytes(1, false));
        let mut write = stream.write(&b"x"[..]);
        for _ in 0..100 {
            assert!(poll_with(&mut wait, &task_waker));
            // A new future of the same task each time, as a loop makes.
            assert!(poll_with(
                &mut Box::pin(stream.wait_for_handshake()),
                &task_waker
            ));
            // The read and the write polled through ever new wakers.
            assert!(poll_with(&mut read, &Counter::waker().1));
            assert!(poll_with(&mut write, &Counter::waker().1));
        }
        let (last_read, read_waker) = Counter::waker();
        let (last_write, write_waker) = Counter::waker();
        assert!(poll_with(&mut read, &read_waker));
        assert!(poll_with(&mut write, &write_waker));
        stream.shared.with_state(|s| {
            assert_eq!(s.handshake_waiters.len(), 1);
            assert_eq!(s.write_waiters.len(), 1);
        });
        // The close wakes each of them once.
        stream.close();
        assert_eq!(
            (task.woken(), last_read.woken(), last_write.woken()),
            (1, 1, 1)
        );
        assert!(!poll_with(&mut read, &read_waker));
        assert!(!poll_with(&mut write, &write_waker));
    }

    #[test]
    fn resets_and_eof_are_a_peer_going_away() {
        for kind in [
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::BrokenPipe,
            io::ErrorKind::UnexpectedEof,
        ] {
            assert!(peer_went_away(&kind.into()), "{kind:?}");
        }
        let tls = io::Error::new(io::ErrorKind::InvalidData, "bad record");
        assert!(!peer_went_away(&tls));
    }

    #[test]
    fn peers_are_named_in_log_messages() {
        let addr: SocketAddr = "127.0.0.1:4433".parse().unwrap();
        assert_eq!(
            Peer(Some(PeerAddress::Inet(addr))).to_string(),
            "127.0.0.1:4433"
        );
        assert_eq!(Peer(Some(PeerAddress::Unix)).to_string(), "unix:");
        assert_eq!(Peer(None).to_string(), "(not connected)");
    }
}
