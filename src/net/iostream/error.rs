//! The errors of stream operations.

use std::fmt;
use std::io;
use std::sync::Arc;

use super::stream::IoStream;

/// Why a stream operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StreamError {
    /// The stream is closed (or closed while the operation was pending);
    /// [`StreamClosedError::real_error`] says why, if there was an error.
    #[error(transparent)]
    Closed(StreamClosedError),
    /// A `read_until` or `read_until_regex` found no delimiter within
    /// `max_bytes`; the stream was closed.
    #[error(transparent)]
    UnsatisfiableRead(UnsatisfiableReadError),
    /// A buffer grew past its limit (`max_buffer_size` for reads,
    /// `max_write_buffer_size` for writes).
    #[error(transparent)]
    BufferFull(StreamBufferFullError),
    /// Another read is pending on this stream: only one read at a time.
    #[error("already reading: only one read may be pending on a stream")]
    AlreadyReading,
    /// `start_tls` needs a stream with no pending read or write and empty
    /// buffers, over a socket; the message says which condition failed.
    #[error("cannot start TLS: {0}")]
    StartTls(&'static str),
    /// An I/O error: connection reset, EOF in the middle of a read
    /// (`UnexpectedEof`), a TLS failure (`InvalidData` wrapping the rustls
    /// error), a failed connect, or an operation the transport does not
    /// support (reading a write-only pipe: `Unsupported`).
    #[error("{0}")]
    Io(Arc<io::Error>),
}

impl StreamError {
    /// An [`StreamError::Io`] from an `io::Error`.
    pub fn io(error: io::Error) -> StreamError {
        StreamError::Io(Arc::new(error))
    }

    /// The `io::ErrorKind` of an I/O error, directly or as the real cause
    /// of a close.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            StreamError::Io(e) => Some(e.kind()),
            StreamError::Closed(closed) => closed.real_error().and_then(StreamError::io_kind),
            _ => None,
        }
    }
}

impl From<io::Error> for StreamError {
    fn from(error: io::Error) -> Self {
        StreamError::io(error)
    }
}

impl From<StreamClosedError> for StreamError {
    fn from(error: StreamClosedError) -> Self {
        StreamError::Closed(error)
    }
}

impl From<UnsatisfiableReadError> for StreamError {
    fn from(error: UnsatisfiableReadError) -> Self {
        StreamError::UnsatisfiableRead(error)
    }
}

impl From<StreamBufferFullError> for StreamError {
    fn from(error: StreamBufferFullError) -> Self {
        StreamError::BufferFull(error)
    }
}

/// The stream is closed. Carries the error that closed it, if any (Tornado's
/// `StreamClosedError.real_error`); a clean close by either end has none.
#[derive(Debug, Clone, Default)]
pub struct StreamClosedError {
    real_error: Option<Box<StreamError>>,
}

impl StreamClosedError {
    /// A closed error with the given cause.
    pub fn new(real_error: Option<StreamError>) -> StreamClosedError {
        StreamClosedError {
            real_error: real_error.map(Box::new),
        }
    }

    /// The error that closed the stream, if it was closed by one.
    pub fn real_error(&self) -> Option<&StreamError> {
        self.real_error.as_deref()
    }
}

impl fmt::Display for StreamClosedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stream is closed")?;
        if let Some(error) = &self.real_error {
            write!(f, ": {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StreamClosedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.real_error
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A switch to TLS that failed ([`IoStream::into_tls`],
/// [`IoStream::start_tls`]): why, and the stream to go on with.
///
/// When the switch was refused (the stream was busy, closed or not over a
/// socket, the server hostname was invalid, no tokio runtime was running),
/// the stream is the one the switch was asked of, as it was: open, with
/// its close callback. When the handshake failed (only `start_tls` waits
/// for it), it is the closed TLS stream, whose [`IoStream::error`] is the
/// handshake's error. Converts into the [`StreamError`] with `?`.
#[derive(Debug)]
pub struct StartTlsError {
    error: StreamError,
    stream: IoStream,
}

impl StartTlsError {
    pub(crate) fn new(error: StreamError, stream: IoStream) -> StartTlsError {
        StartTlsError { error, stream }
    }

    /// Why the switch failed.
    pub fn error(&self) -> &StreamError {
        &self.error
    }

    /// The stream to go on with (see the type's documentation).
    pub fn stream(&self) -> &IoStream {
        &self.stream
    }

    /// Gives the stream back.
    pub fn into_stream(self) -> IoStream {
        self.stream
    }

    /// Splits into the stream and the error.
    pub fn into_parts(self) -> (IoStream, StreamError) {
        (self.stream, self.error)
    }
}

impl fmt::Display for StartTlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for StartTlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.error)
    }
}

impl From<StartTlsError> for StreamError {
    fn from(error: StartTlsError) -> Self {
        error.error
    }
}

/// A delimited read could not be satisfied within its `max_bytes`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsatisfiable read: {what} not found within {max_bytes} bytes")]
pub struct UnsatisfiableReadError {
    /// The delimiter or pattern, as text (bytes escaped).
    pub what: String,
    /// The read's `max_bytes`.
    pub max_bytes: usize,
}

/// A buffer reached its limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("reached maximum {which} buffer size ({limit} bytes)")]
pub struct StreamBufferFullError {
    /// `"read"` or `"write"`.
    pub which: &'static str,
    /// The limit that was reached.
    pub limit: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_error_says_why() {
        let reset = io::Error::new(io::ErrorKind::ConnectionReset, "connection reset by peer");
        let closed = StreamError::Closed(StreamClosedError::new(Some(StreamError::io(reset))));
        assert_eq!(
            closed.to_string(),
            "stream is closed: connection reset by peer"
        );
        assert_eq!(closed.io_kind(), Some(io::ErrorKind::ConnectionReset));
        assert_eq!(
            StreamError::Closed(StreamClosedError::default()).to_string(),
            "stream is closed"
        );
    }

    #[test]
    fn limit_errors_name_the_limit() {
        let e = UnsatisfiableReadError {
            what: "\"def\"".into(),
            max_bytes: 5,
        };
        assert_eq!(
            e.to_string(),
            "unsatisfiable read: \"def\" not found within 5 bytes"
        );
        let e = StreamBufferFullError {
            which: "read",
            limit: 10,
        };
        assert_eq!(e.to_string(), "reached maximum read buffer size (10 bytes)");
    }
}
