//! The complete responses the connection itself sends: errors for requests
//! it refuses, `100 Continue`, and the `500` for a request its delegate
//! left unanswered.

use bytes::Bytes;
use http::Version;

use super::codec::RequestInfo;

/// The interim response to `Expect: 100-continue`.
pub(super) const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// The response to a request refused with `status` (from
/// [`ParseError::status`](super::codec::ParseError::status) or a body
/// limit): an empty body, and `Connection: close`, since the connection
/// closes after it.
pub(super) fn refusal(status: u16) -> Bytes {
    let response: &'static [u8] = match status {
        413 => b"HTTP/1.1 413 Content Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        414 => b"HTTP/1.1 414 URI Too Long\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        431 => b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        501 => b"HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        505 => b"HTTP/1.1 505 HTTP Version Not Supported\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        _ => b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    };
    Bytes::from_static(response)
}

/// The page of the `500` answering a request left unanswered.
const INTERNAL_ERROR_PAGE: &str =
    "<html><title>500: Internal Server Error</title><body>500: Internal Server Error</body></html>";

/// `500 Internal Server Error` with a short HTML page, answering
/// `request`: `Connection: close` when the connection closes after it,
/// `Connection: keep-alive` for an HTTP/1.0 request kept alive, and no
/// page (its `Content-Length` stays) for a `HEAD` request.
pub(super) fn internal_error(close: bool, request: &RequestInfo) -> Bytes {
    let connection = if close {
        "Connection: close\r\n"
    } else if request.version == Version::HTTP_10 {
        "Connection: keep-alive\r\n"
    } else {
        ""
    };
    let body = if request.head_request {
        ""
    } else {
        INTERNAL_ERROR_PAGE
    };
    Bytes::from(format!(
        "HTTP/1.1 500 Internal Server Error\r\n{connection}Content-Type: text/html; charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}",
        INTERNAL_ERROR_PAGE.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn info(method: Method, version: Version) -> RequestInfo {
        RequestInfo {
            head_request: method == Method::HEAD,
            version,
            keep_alive: true,
        }
    }

    fn split(response: &[u8]) -> (&[u8], &[u8]) {
        let split = memchr::memmem::find(response, b"\r\n\r\n").unwrap() + 4;
        response.split_at(split)
    }

    /// The announced length is the page's length.
    #[test]
    fn internal_error_content_length_matches() {
        for close in [false, true] {
            let response = internal_error(close, &info(Method::GET, Version::HTTP_11));
            let (head, body) = split(&response);
            assert_eq!(body.len(), 93);
            assert!(memchr::memmem::find(head, b"\r\nContent-Length: 93\r\n").is_some());
        }
    }

    #[test]
    fn internal_error_to_head_has_no_body_but_its_length() {
        let response = internal_error(false, &info(Method::HEAD, Version::HTTP_11));
        let (head, body) = split(&response);
        assert!(body.is_empty());
        assert!(memchr::memmem::find(head, b"\r\nContent-Length: 93\r\n").is_some());
    }

    #[test]
    fn internal_error_says_how_the_connection_goes_on() {
        let has = |response: &[u8], field: &[u8]| memchr::memmem::find(response, field).is_some();
        let http10 = info(Method::GET, Version::HTTP_10);
        assert!(has(
            &internal_error(false, &http10),
            b"Connection: keep-alive\r\n"
        ));
        assert!(has(
            &internal_error(true, &http10),
            b"Connection: close\r\n"
        ));
        let http11 = internal_error(false, &info(Method::GET, Version::HTTP_11));
        assert!(!has(&http11, b"Connection:"));
    }

    #[test]
    fn refusals_name_their_status() {
        for status in [400, 413, 414, 431, 501, 505] {
            let response = refusal(status);
            assert!(response.starts_with(format!("HTTP/1.1 {status} ").as_bytes()));
            assert!(memchr::memmem::find(&response, b"\r\nConnection: close\r\n").is_some());
        }
        assert!(refusal(499).starts_with(b"HTTP/1.1 400 "));
    }
}
