//! One client connection: the stream and the bytes read from it but not
//! used yet, and reading a response head from it.

use bytes::{Bytes, BytesMut};
use http::Method;
use memchr::memmem;

use super::error::FetchError;
use crate::http1::codec::{ResponseHead, parse_response_head};
use crate::iostream::{IoStream, StreamError};

/// How much is asked of the stream per read.
const READ_CHUNK: usize = 64 * 1024;

/// A connection used for one request at a time.
#[derive(Debug)]
pub(crate) struct Connection {
    pub(crate) stream: IoStream,
    /// Bytes read but not consumed yet (the start of a body read with its
    /// head, for instance).
    pub(crate) buf: BytesMut,
    /// Whether the connection served a request before (came from the
    /// pool).
    pub(crate) reused: bool,
    /// Whether any byte of a response arrived on it for the current
    /// request.
    pub(crate) received: bool,
}

impl Connection {
    pub(crate) fn new(stream: IoStream, reused: bool) -> Connection {
        Connection {
            stream,
            buf: BytesMut::new(),
            reused,
            received: false,
        }
    }

    /// Reads what the stream has (at least one byte) into `buf`. `Ok(false)`:
    /// the peer closed the connection cleanly.
    pub(crate) async fn read_more(&mut self) -> Result<bool, FetchError> {
        match self.stream.read_bytes(READ_CHUNK, true).await {
            Ok(data) => {
                self.received = true;
                self.append(data);
                Ok(true)
            }
            Err(StreamError::Closed(closed)) => match closed.real_error() {
                None => Ok(false),
                Some(error) => Err(FetchError::Stream(error.clone())),
            },
            Err(error) => Err(FetchError::Stream(error)),
        }
    }

    fn append(&mut self, data: Bytes) {
        if self.buf.is_empty() {
            self.buf = BytesMut::from(data);
        } else {
            self.buf.extend_from_slice(&data);
        }
    }

    /// Reads the next response head (1xx heads included), at most
    /// `max_header_size` bytes, answering a request made with `method`.
    /// A head folded over several lines (obs-fold) is unfolded first, as
    /// RFC 9112 §5.2 asks of user agents.
    pub(crate) async fn read_head(
        &mut self,
        max_header_size: usize,
        method: &Method,
    ) -> Result<ResponseHead, FetchError> {
        let end = loop {
            if let Some(at) = memmem::find(&self.buf, b"\r\n\r\n") {
                break at + 4;
            }
            if self.buf.len() > max_header_size {
                return Err(head_too_large(max_header_size));
            }
            if !self.read_more().await? {
                return Err(FetchError::ConnectionClosed);
            }
        };
        if end > max_header_size {
            return Err(head_too_large(max_header_size));
        }
        let raw = self.buf.split_to(end);
        let head = unfold(&raw);
        match parse_response_head(&head, max_header_size.max(head.len()), method) {
            Ok(Some((head, _))) => Ok(head),
            Ok(None) => Err(FetchError::Malformed("incomplete response head".to_owned())),
            Err(error) => Err(FetchError::Malformed(error.to_string())),
        }
    }
}

fn head_too_large(max_header_size: usize) -> FetchError {
    FetchError::Malformed(format!(
        "response head larger than max_header_size ({max_header_size} bytes)"
    ))
}

/// `head` with each obs-fold (optional whitespace, CRLF, whitespace) in
/// the header lines replaced by one space. The start line and the line
/// after it are left as they are: a header line cannot begin with
/// whitespace.
fn unfold(head: &[u8]) -> Vec<u8> {
    let first_line_end = memmem::find(head, b"\r\n").unwrap_or(head.len());
    let mut out = Vec::with_capacity(head.len());
    let mut i = 0;
    while i < head.len() {
        let folded = i > first_line_end
            && head[i..].starts_with(b"\r\n")
            && matches!(head.get(i + 2), Some(b' ' | b'\t'));
        if folded {
            while matches!(out.last(), Some(b' ' | b'\t')) {
                out.pop();
            }
            out.push(b' ');
            i += 2;
            while matches!(head.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
        } else {
            out.push(head[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_continuation_lines_but_not_after_the_start_line() {
        let head = b"HTTP/1.1 200 OK\r\nX-A: 1; \r\n\t mode=block\r\nX-B: 2\r\n\r\n";
        assert_eq!(
            unfold(head),
            b"HTTP/1.1 200 OK\r\nX-A: 1; mode=block\r\nX-B: 2\r\n\r\n".to_vec()
        );
        let bad = b"HTTP/1.1 200 OK\r\n X-A: 1\r\n\r\n";
        assert_eq!(unfold(bad), bad.to_vec());
    }
}
