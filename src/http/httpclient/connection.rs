//! One client connection: the stream and the bytes read from it but not
//! used yet, and reading a response head from it.

use bytes::{Bytes, BytesMut};
use http::Method;
use memchr::memmem;

use super::error::FetchError;
use super::head_scan::{HeadScan, HeadTooLarge};
use crate::http1::codec::{ResponseHead, parse_response_head_shared};
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
    /// Whether the current request started going out (its head was
    /// queued for writing). A request found with its connection closed
    /// before that was not seen by the server.
    pub(crate) sent: bool,
}

impl Connection {
    pub(crate) fn new(stream: IoStream, reused: bool) -> Connection {
        Connection {
            stream,
            buf: BytesMut::new(),
            reused,
            received: false,
            sent: false,
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
    /// RFC 9112 §5.2 asks of user agents; any other head is parsed where
    /// it was read, its header values sharing the read buffer.
    pub(crate) async fn read_head(
        &mut self,
        max_header_size: usize,
        method: &Method,
    ) -> Result<ResponseHead, FetchError> {
        let mut scan = HeadScan::default();
        let len = loop {
            match scan.head_len(&self.buf, max_header_size) {
                Ok(Some(len)) => break len,
                Ok(None) => {}
                Err(HeadTooLarge) => return Err(head_too_large(max_header_size)),
            }
            if !self.read_more().await? {
                return Err(FetchError::ConnectionClosed);
            }
        };
        let raw = self.buf.split_to(len).freeze();
        let head = unfold(&raw).map_or(raw, Bytes::from);
        match parse_response_head_shared(&head, max_header_size.max(head.len()), method) {
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
/// the header lines replaced by one space; `None` when it has none. The
/// start line and the line after it are left as they are: a header line
/// cannot begin with whitespace.
fn unfold(head: &[u8]) -> Option<Vec<u8>> {
    let first_line_end = memmem::find(head, b"\r\n")?;
    let mut folds = memmem::find_iter(head, b"\r\n")
        .filter(|&crlf| crlf > first_line_end && matches!(head.get(crlf + 2), Some(b' ' | b'\t')))
        .peekable();
    folds.peek()?;
    let mut out = Vec::with_capacity(head.len());
    // Where the bytes not copied yet start: never after the next CRLF, as
    // only spaces and tabs are skipped.
    let mut rest = 0;
    for crlf in folds {
        out.extend_from_slice(&head[rest..crlf]);
        while matches!(out.last(), Some(b' ' | b'\t')) {
            out.pop();
        }
        out.push(b' ');
        rest = crlf + 2;
        while matches!(head.get(rest), Some(b' ' | b'\t')) {
            rest += 1;
        }
    }
    out.extend_from_slice(&head[rest..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_continuation_lines_but_not_after_the_start_line() {
        let cases: [(&[u8], Option<&[u8]>); 4] = [
            (
                b"HTTP/1.1 200 OK\r\nX-A: 1; \r\n\t mode=block\r\nX-B: 2\r\n\r\n",
                Some(b"HTTP/1.1 200 OK\r\nX-A: 1; mode=block\r\nX-B: 2\r\n\r\n"),
            ),
            // Successive continuation lines fold into one space each.
            (
                b"HTTP/1.1 200 OK\r\nX-A: 1\r\n \r\n\t2 \r\n 3\r\nX-B: 4\r\n\r\n",
                Some(b"HTTP/1.1 200 OK\r\nX-A: 1 2 3\r\nX-B: 4\r\n\r\n"),
            ),
            // Whitespace after the start line is not a fold (the parse
            // refuses it); a head without folds is used as it is.
            (b"HTTP/1.1 200 OK\r\n X-A: 1\r\n\r\n", None),
            (b"HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n", None),
        ];
        for (head, unfolded) in cases {
            assert_eq!(unfold(head).as_deref(), unfolded, "{head:?}");
        }
    }
}
