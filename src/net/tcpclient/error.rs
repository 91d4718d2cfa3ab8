use std::io;
use std::net::SocketAddr;

use crate::iostream::StreamError;
use crate::netutil::ResolveError;
use crate::util::TimeoutError;

/// Why [`TcpClient::connect`](super::TcpClient::connect) (or a
/// [`Connector`](super::Connector)) gave up.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The host name could not be resolved.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The resolver (or the caller of a `Connector`) produced no address.
    #[error("no address to connect to")]
    NoAddresses,
    /// The local side (`source_ip` / `source_port`) could not be bound.
    #[error("cannot bind the local address {addr}: {source}")]
    Bind {
        /// The local address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// Connecting failed: with several addresses, the error of the last
    /// attempt (as Tornado's `_Connector` reports its `last_error`).
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// The remote address of the attempt.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The connection was made but the TLS handshake failed.
    #[error("TLS handshake failed: {0}")]
    Tls(#[source] StreamError),
    /// The `timeout` of [`ConnectOptions`](super::ConnectOptions) ran out
    /// (while resolving, connecting or in the TLS handshake).
    #[error(transparent)]
    Timeout(#[from] TimeoutError),
}
