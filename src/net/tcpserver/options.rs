use std::sync::Arc;
use std::time::Duration;

/// How long a TLS client has to complete its handshake before the server
/// drops the connection, unless [`ServerOptions::handshake_timeout`] says
/// otherwise. Default: 30 seconds.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The settings of a [`TcpServer`](super::TcpServer) (Tornado's
/// `TCPServer(ssl_options, max_buffer_size, read_chunk_size)`).
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Serve TLS with this configuration (Tornado's `ssl_options`; build it
    /// with [`SslOptions::server_config`](crate::netutil::SslOptions::server_config)).
    /// Default: `None`, plain TCP.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The `max_buffer_size` of every accepted stream. Default: `None`, the
    /// stream's own default (100 MiB).
    pub max_buffer_size: Option<usize>,
    /// The `read_chunk_size` of every accepted stream. Default: `None`, the
    /// stream's own default (64 KiB).
    pub read_chunk_size: Option<usize>,
    /// With TLS, how long a client has to complete its handshake; a client
    /// that takes longer is dropped (logged at debug level). Default:
    /// [`DEFAULT_HANDSHAKE_TIMEOUT`] (30 seconds).
    pub handshake_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            tls: None,
            max_buffer_size: None,
            read_chunk_size: None,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }
}
