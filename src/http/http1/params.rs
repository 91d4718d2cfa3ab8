//! [`Http1ConnectionParameters`]: the limits and switches of one server
//! connection.

use std::time::Duration;

use super::codec::{DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_HEADER_SIZE};

/// The settings of an [`Http1ServerConnection`](super::Http1ServerConnection)
/// (Tornado's `HTTP1ConnectionParameters`). The defaults are Tornado's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Http1ConnectionParameters {
    /// Close the connection after every response. Default: `false`.
    pub no_keep_alive: bool,
    /// The most body bytes handed to `data_received` at once, and the
    /// most a response gathers before it is written out; `0` is taken as
    /// `1`. Default: 64 KiB.
    pub chunk_size: usize,
    /// The most bytes a request head (request line and headers) may take;
    /// a larger head is answered `431` (`414` for the request line alone).
    /// Default: 64 KiB.
    pub max_header_size: usize,
    /// The most bytes a request body may take (after decompression, with
    /// `decompress`); a larger one is answered `413`. A delegate may
    /// change it per request with
    /// [`HttpConnection::set_max_body_size`](crate::httputil::HttpConnection::set_max_body_size).
    /// Default: 100 MiB.
    pub max_body_size: u64,
    /// How long a request head may take to arrive in full, counted from
    /// when the connection starts waiting for it: it bounds both an idle
    /// keep-alive connection and a head that trickles in. `None`: no
    /// limit. Default: `None`.
    pub header_timeout: Option<Duration>,
    /// How long a request body may take to arrive in full. A delegate may
    /// change it per request with
    /// [`HttpConnection::set_body_timeout`](crate::httputil::HttpConnection::set_body_timeout).
    /// `None`: no limit. Default: `None`.
    pub body_timeout: Option<Duration>,
    /// How long the connection may wait for the next piece of a request
    /// body without receiving anything (a stalled upload). `None`: no
    /// limit. Default: `None`.
    pub idle_timeout: Option<Duration>,
    /// Decompress request bodies sent with `Content-Encoding: gzip`; the
    /// delegate sees the decompressed body, the header renamed
    /// `X-Consumed-Content-Encoding`. Default: `false`.
    pub decompress: bool,
}

impl Default for Http1ConnectionParameters {
    fn default() -> Self {
        Http1ConnectionParameters {
            no_keep_alive: false,
            chunk_size: 64 * 1024,
            max_header_size: DEFAULT_MAX_HEADER_SIZE,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            header_timeout: None,
            body_timeout: None,
            idle_timeout: None,
            decompress: false,
        }
    }
}
