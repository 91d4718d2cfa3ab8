//! [`HttpClientError`] (Tornado's `HTTPClientError`, formerly `HTTPError`)
//! and [`FetchError`], why a fetch got no HTTP response.

use std::fmt;

use crate::httputil::reason_or_unknown;
use std::sync::Arc;

use super::response::HttpResponse;
use crate::iostream::StreamError;
use crate::netutil::TlsConfigError;
use crate::tcpclient::ConnectError;
use crate::util::GzipError;

/// The status code of a fetch that got no HTTP response: a network error, a
/// timeout, a malformed response (Tornado's 599).
pub const NETWORK_ERROR_CODE: u16 = 599;

/// Why a fetch ended without a (usable) HTTP response. It is the cause of
/// an [`HttpClientError`] with code 599.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    /// No slot among `max_clients` became free within the request's
    /// `connect_timeout` (or `request_timeout`, if shorter).
    #[error("Timeout in request queue")]
    QueueTimeout,
    /// Resolving, connecting and the TLS handshake took longer than
    /// `connect_timeout` (or `request_timeout`, if shorter).
    #[error("Timeout while connecting")]
    ConnectTimeout,
    /// The whole request took longer than `request_timeout`.
    #[error("Timeout during request")]
    RequestTimeout,
    /// The connection could not be made.
    #[error("{0}")]
    Connect(Arc<ConnectError>),
    /// Reading or writing the connection failed.
    #[error("{0}")]
    Stream(StreamError),
    /// The server closed the connection before the response was complete.
    #[error("Connection closed")]
    ConnectionClosed,
    /// The response is not valid HTTP/1.x, or breaks a limit
    /// (`max_header_size`, `max_body_size`).
    #[error("Malformed HTTP response: {0}")]
    Malformed(String),
    /// The request cannot be sent as it is: an unsupported URL or auth mode,
    /// a body where none is allowed, an invalid header. Tornado raises
    /// `ValueError` for these.
    #[error("{0}")]
    InvalidRequest(String),
    /// The gzip response body could not be decompressed.
    #[error("cannot decompress the response body: {0}")]
    Decompress(GzipError),
    /// The TLS options of the request could not become a configuration
    /// (unreadable `ca_certs`, `client_cert`, `client_key`).
    #[error("{0}")]
    Tls(Arc<TlsConfigError>),
    /// The `body_producer` returned an error.
    #[error("body_producer failed: {0}")]
    BodyProducer(Arc<dyn std::error::Error + Send + Sync>),
    /// A `streaming_callback`, `header_callback` or `body_producer`
    /// panicked; the panic was caught and logged.
    #[error("{callback} panicked: {message}")]
    CallbackPanicked {
        /// Which callback.
        callback: &'static str,
        /// The panic's message.
        message: String,
    },
    /// `fetch` on a client after `close` (Tornado's `RuntimeError`).
    #[error("fetch() called on closed AsyncHttpClient")]
    ClientClosed,
}

impl FetchError {
    /// Whether this is one of the three timeouts.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            FetchError::QueueTimeout | FetchError::ConnectTimeout | FetchError::RequestTimeout
        )
    }
}

/// An unsuccessful fetch (Tornado's `HTTPClientError`): either an HTTP
/// response whose code is not 2xx (`code` is the response's), or no
/// response at all (`code` 599, [`cause`](Self::cause) says why).
///
/// `response` holds the response when there is one: the non-2xx response
/// itself, or the 599 response a failed fetch produces. Note that when
/// `follow_redirects` is off, redirects become errors too; the `Location`
/// is then in `response.headers`.
///
/// ```
/// use supercell::httpclient::HttpClientError;
///
/// let error = HttpClientError::new(403);
/// assert_eq!(error.to_string(), "HTTP 403: Forbidden");
/// ```
#[derive(Clone)]
pub struct HttpClientError {
    /// The HTTP status code, or 599 when no response was received.
    pub code: u16,
    /// A description: the reason phrase, or what went wrong.
    pub message: String,
    /// The response, if there is one.
    pub response: Option<Box<HttpResponse>>,
    /// Why there is no response, for code 599.
    pub cause: Option<FetchError>,
}

impl HttpClientError {
    /// An error for status `code`, described by its standard reason phrase
    /// (`"Unknown"` for codes without one).
    pub fn new(code: u16) -> HttpClientError {
        HttpClientError::with_message(code, reason_or_unknown(code))
    }

    /// An error for status `code` with a message of its own.
    pub fn with_message(code: u16, message: impl Into<String>) -> HttpClientError {
        HttpClientError {
            code,
            message: message.into(),
            response: None,
            cause: None,
        }
    }

    /// The 599 error of a fetch that failed for `cause`.
    pub fn from_cause(cause: FetchError) -> HttpClientError {
        HttpClientError {
            code: NETWORK_ERROR_CODE,
            message: cause.to_string(),
            response: None,
            cause: Some(cause),
        }
    }

    /// Whether the fetch failed by running out of time (in the queue, while
    /// connecting, or during the request).
    pub fn is_timeout(&self) -> bool {
        self.cause.as_ref().is_some_and(FetchError::is_timeout)
    }
}

impl fmt::Display for HttpClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}: {}", self.code, self.message)
    }
}

impl fmt::Debug for HttpClientError {
    /// As Tornado's `repr`: the code and message (the response would
    /// repeat the error).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for HttpClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_ref()
            .map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}

impl From<FetchError> for HttpClientError {
    fn from(cause: FetchError) -> Self {
        HttpClientError::from_cause(cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_errors_have_code_599_and_the_cause_as_message() {
        let error = HttpClientError::from(FetchError::ConnectTimeout);
        assert_eq!(error.code, 599);
        assert_eq!(error.to_string(), "HTTP 599: Timeout while connecting");
        assert!(error.is_timeout());
        assert!(std::error::Error::source(&error).is_some());
    }

    #[test]
    fn unknown_codes_say_unknown() {
        assert_eq!(HttpClientError::new(599).to_string(), "HTTP 599: Unknown");
        assert!(!HttpClientError::new(404).is_timeout());
    }
}
