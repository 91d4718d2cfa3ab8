//! [`HttpServerSettings`]: everything an [`HttpServer`](super::HttpServer)
//! is configured with.

use std::sync::Arc;
use std::time::Duration;

use crate::http1::Http1ConnectionParameters;
use crate::http1::codec::{DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_HEADER_SIZE};

/// The settings of an [`HttpServer`](super::HttpServer) (the keyword
/// arguments of Tornado's `HTTPServer`); `Default` gives Tornado's
/// defaults.
#[derive(Clone, Debug)]
pub struct HttpServerSettings {
    /// Close every connection after one request. Default: `false`.
    pub no_keep_alive: bool,
    /// Trust the `X-Real-Ip` / `X-Forwarded-For` and `X-Scheme` /
    /// `X-Forwarded-Proto` headers a proxy in front of the server sets:
    /// they give each request's `remote_ip` and `protocol`. Default:
    /// `false`.
    pub xheaders: bool,
    /// With `xheaders`, the addresses of further proxies to skip, from the
    /// right, in `X-Forwarded-For`. Default: none.
    pub trusted_downstream: Vec<String>,
    /// The protocol requests report (`http` or `https`), for a server
    /// behind a proxy that does not say. Default: `None`, `https` with
    /// `tls`, else `http`.
    pub protocol: Option<String>,
    /// Decompress `Content-Encoding: gzip` request bodies. Default:
    /// `false`.
    pub decompress_request: bool,
    /// The most body bytes handed to a delegate at once (`0` is taken as
    /// `1`). Default: 64 KiB.
    pub chunk_size: usize,
    /// The most bytes a request head may take (`431` beyond). Default:
    /// 64 KiB.
    pub max_header_size: usize,
    /// The most bytes a request body may take (`413` beyond). Default:
    /// 100 MiB.
    pub max_body_size: u64,
    /// The most bytes a connection's read buffer may hold. Default:
    /// 100 MiB.
    pub max_buffer_size: usize,
    /// How long a connection may wait for a request (idle keep-alive, or
    /// a head trickling in), or go without receiving anything while it
    /// reads a body. Default: 3600 seconds.
    pub idle_connection_timeout: Duration,
    /// How long a request body may take to arrive. Default: `None`, no
    /// limit beyond `idle_connection_timeout` between pieces.
    pub body_timeout: Option<Duration>,
    /// Serve HTTPS with this configuration (Tornado's `ssl_options`; build
    /// it with [`SslOptions::server_config`](crate::netutil::SslOptions::server_config)).
    /// Default: `None`, plain HTTP.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for HttpServerSettings {
    fn default() -> Self {
        HttpServerSettings {
            no_keep_alive: false,
            xheaders: false,
            trusted_downstream: Vec::new(),
            protocol: None,
            decompress_request: false,
            chunk_size: 64 * 1024,
            max_header_size: DEFAULT_MAX_HEADER_SIZE,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            max_buffer_size: 100 * 1024 * 1024,
            idle_connection_timeout: Duration::from_secs(3600),
            body_timeout: None,
            tls: None,
        }
    }
}

impl HttpServerSettings {
    /// The parameters of each connection.
    pub(super) fn connection_parameters(&self) -> Http1ConnectionParameters {
        Http1ConnectionParameters {
            no_keep_alive: self.no_keep_alive,
            chunk_size: self.chunk_size,
            max_header_size: self.max_header_size,
            max_body_size: self.max_body_size,
            header_timeout: Some(self.idle_connection_timeout),
            body_timeout: self.body_timeout,
            idle_timeout: Some(self.idle_connection_timeout),
            decompress: self.decompress_request,
        }
    }

    /// The protocol requests report when no header says otherwise.
    pub(super) fn default_protocol(&self) -> String {
        match &self.protocol {
            Some(protocol) => protocol.clone(),
            None if self.tls.is_some() => "https".to_owned(),
            None => "http".to_owned(),
        }
    }
}
