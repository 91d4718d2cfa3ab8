//! The complete responses the connection itself sends: errors for requests
//! it refuses, `100 Continue`, and the `500` for a request its delegate
//! left unanswered.

use bytes::Bytes;

/// The interim response to `Expect: 100-continue`.
pub(super) const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// The response to a request refused with `status` (from
/// [`ParseError::status`](super::codec::ParseError::status) or a body
/// limit): an empty body, and `Connection: close`, since the connection
/// closes after it.
pub(super) fn refusal(status: u16) -> Bytes {
    let response: &'static [u8] = match status {
        408 => b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        413 => b"HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        414 => b"HTTP/1.1 414 URI Too Long\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        431 => b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        501 => b"HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        505 => b"HTTP/1.1 505 HTTP Version Not Supported\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        _ => b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    };
    Bytes::from_static(response)
}

/// `500 Internal Server Error` with a short HTML page; `Connection: close`
/// when the connection closes after it.
pub(super) fn internal_error(close: bool) -> Bytes {
    if close {
        Bytes::from_static(
            b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: 93\r\n\r\n<html><title>500: Internal Server Error</title><body>500: Internal Server Error</body></html>",
        )
    } else {
        Bytes::from_static(
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: 93\r\n\r\n<html><title>500: Internal Server Error</title><body>500: Internal Server Error</body></html>",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The announced length is the page's length.
    #[test]
    fn internal_error_content_length_matches() {
        for close in [false, true] {
            let response = internal_error(close);
            let split = memchr::memmem::find(&response, b"\r\n\r\n").unwrap() + 4;
            assert_eq!(response.len() - split, 93);
        }
    }

    #[test]
    fn refusals_name_their_status() {
        for status in [400, 408, 413, 414, 431, 501, 505] {
            let response = refusal(status);
            assert!(response.starts_with(format!("HTTP/1.1 {status} ").as_bytes()));
            assert!(memchr::memmem::find(&response, b"\r\nConnection: close\r\n").is_some());
        }
        assert!(refusal(499).starts_with(b"HTTP/1.1 400 "));
    }
}
