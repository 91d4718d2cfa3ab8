use std::future::Future;
use std::sync::Arc;

use tokio::time::Instant;

use super::attempt::Source;
use super::{ConnectError, ConnectOptions, Connector};
use crate::r#gen::with_timeout;
use crate::iostream::IoStream;
use crate::netutil::{DefaultResolver, Resolver, TlsConfig};
use crate::util::{Deadline, TimeoutError};

/// A factory of TCP connections (Tornado's `TCPClient`): resolves a host,
/// connects to one of its addresses with the "Happy Eyeballs" algorithm of
/// [`Connector`], and optionally starts TLS.
///
/// Cheap to clone; clones share the resolver.
#[derive(Clone)]
pub struct TcpClient {
    resolver: Arc<dyn Resolver>,
}

impl TcpClient {
    /// A client resolving names with `resolver`, or with a
    /// [`DefaultResolver`] when `None`.
    pub fn new(resolver: Option<Arc<dyn Resolver>>) -> TcpClient {
        TcpClient {
            resolver: resolver.unwrap_or_else(|| Arc::new(DefaultResolver)),
        }
    }

    /// Connects to `host` (a name or an IP literal) on `port`.
    ///
    /// The host is resolved (limited to `options.family`); the addresses
    /// are tried as [`Connector`] describes; the first connection made
    /// wins and the others are closed. With `options.tls`, the TLS
    /// handshake, verifying the server as `host`, completes before the
    /// stream is returned. `options.timeout` bounds all of it.
    ///
    /// Errors: [`ConnectError::Resolve`], then the error of the last failed
    /// attempt ([`ConnectError::Connect`] or, when `source_ip` /
    /// `source_port` cannot be bound, [`ConnectError::Bind`]),
    /// [`ConnectError::Tls`], or [`ConnectError::Timeout`].
    pub async fn connect(
        &self,
        host: &str,
        port: u16,
        options: ConnectOptions,
    ) -> Result<IoStream, ConnectError> {
        let deadline = options.timeout.map(Deadline::instant);
        let addrs = within(deadline, self.resolver.resolve(host, port, options.family)).await??;
        let source = Source {
            ip: options.source_ip,
            port: options.source_port,
        };
        let connector = Connector::new(addrs, |addr| source.connect(addr));
        let (_, socket) = connector.start(deadline).await?;
        let mut stream = IoStream::from_tcp(socket);
        if let Some(size) = options.max_buffer_size {
            stream = stream.with_max_buffer_size(size);
        }
        match options.tls {
            Some(config) => start_tls(stream, config, host, deadline).await,
            None => Ok(stream),
        }
    }
}

/// Switches a connected stream to TLS, verifying the server as `host`, and
/// waits for the handshake until `deadline`; a stream that times out is
/// dropped, which closes it.
async fn start_tls(
    stream: IoStream,
    config: Arc<rustls::ClientConfig>,
    host: &str,
    deadline: Option<Instant>,
) -> Result<IoStream, ConnectError> {
    let handshake = stream.start_tls(TlsConfig::Client(config), Some(host));
    within(deadline, handshake)
        .await?
        .map_err(|failed| ConnectError::Tls(failed.into()))
}

impl Default for TcpClient {
    /// A client with the [`DefaultResolver`].
    fn default() -> Self {
        TcpClient::new(None)
    }
}

impl std::fmt::Debug for TcpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpClient").finish_non_exhaustive()
    }
}

/// Runs `future` until `deadline`, if there is one.
async fn within<F: Future>(
    deadline: Option<Instant>,
    future: F,
) -> Result<F::Output, TimeoutError> {
    match deadline {
        Some(at) => with_timeout(at, future).await,
        None => Ok(future.await),
    }
}
