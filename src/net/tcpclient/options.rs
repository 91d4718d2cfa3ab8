use std::net::IpAddr;
use std::sync::Arc;

use crate::netutil::AddressFamily;
use crate::util::Deadline;

/// The settings of one [`TcpClient::connect`](super::TcpClient::connect)
/// (Tornado's keyword arguments of `TCPClient.connect`). Every field
/// defaults to "not set".
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Only resolve the host to addresses of this family. Default:
    /// [`AddressFamily::Unspec`], both.
    pub family: AddressFamily,
    /// Speak TLS with this configuration once connected, verifying the
    /// server as `host` (Tornado's `ssl_options`; build it with
    /// [`SslOptions::client_config`](crate::netutil::SslOptions::client_config)).
    /// Default: `None`, plain TCP.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// The `max_buffer_size` of the stream. Default: `None`, the stream's
    /// own default (100 MiB).
    pub max_buffer_size: Option<usize>,
    /// Bind the local side of the connection to this address. Default:
    /// `None`, chosen by the system.
    pub source_ip: Option<IpAddr>,
    /// Bind the local side of the connection to this port (on `source_ip`,
    /// or on every interface). Default: `None`, chosen by the system.
    pub source_port: Option<u16>,
    /// Give up with [`ConnectError::Timeout`](super::ConnectError::Timeout)
    /// when resolving, connecting and the TLS handshake together take
    /// longer than this. Default: `None`, no limit.
    pub timeout: Option<Deadline>,
}
