//! Writing heads: [`encode_response_head`] (server role) and
//! [`encode_request_head`] (client role), which also decide the body's
//! framing.

use super::head::is_control;
use bytes::{BufMut, BytesMut};
use http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_TYPE, DATE, ETAG, EXPIRES, HeaderName, LAST_MODIFIED, LOCATION, SERVER, SET_COOKIE,
    TRANSFER_ENCODING, VARY,
};
use http::{Method, Version};

use super::body_encoder::{BodyEncoder, Framing};
use super::framing::{list_elements, parse_content_length};
use super::http_date::HttpDate;
use super::{ExtraFields, RequestHead, WriteBuffer};
use crate::httputil::{HttpHeaders, HttpOutputError, RequestStartLine, ResponseStartLine};
use crate::util::hex_u64;

/// What the server knows about the request a response answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestInfo {
    /// The request was a `HEAD`: its response carries no body. (Only
    /// this of the method matters to the response, and a flag is cheaper
    /// to carry along with each request than a `Method`.)
    pub head_request: bool,
    /// The request's version (chunked output needs HTTP/1.1).
    pub version: Version,
    /// Whether the client asked for the connection to stay open
    /// ([`RequestHead::keep_alive`]).
    pub keep_alive: bool,
}

impl RequestInfo {
    /// What a response needs to know of the request `start_line`, which
    /// asked for the connection to stay open or not (`keep_alive`).
    pub fn of(start_line: &RequestStartLine, keep_alive: bool) -> RequestInfo {
        RequestInfo {
            head_request: start_line.method == Method::HEAD,
            version: start_line.version,
            keep_alive,
        }
    }
}

impl From<&RequestHead> for RequestInfo {
    fn from(head: &RequestHead) -> RequestInfo {
        RequestInfo::of(&head.start_line, head.keep_alive)
    }
}

/// Writes a response head to `out` (server role) and decides the body's
/// framing, as Tornado 5.0 does and RFC 9112 asks:
///
/// - 1xx, 204 and 304: `Content-Length` and `Transfer-Encoding` are left
///   out and no body is allowed ([`HttpOutputError::BodyNotAllowed`]);
/// - a response to HEAD: the headers are written as given (a
///   `Content-Length` too) and body writes are dropped;
/// - a `Content-Length` given: exactly that many bytes;
/// - a `Transfer-Encoding` given: left alone, the body is written as is;
/// - otherwise, to an HTTP/1.1 request: `Transfer-Encoding: chunked` is
///   added; to an HTTP/1.0 one: the body lasts until the connection
///   closes (which forces the close).
///
/// The connection closes after the response when `close` is true, the
/// request did not ask for keep-alive, the headers say
/// `Connection: close`, or the body is close-delimited. An HTTP/1.1
/// response that closes says `Connection: close`; an HTTP/1.0 response
/// that keeps the connection says `Connection: keep-alive` (either
/// replaces a `Connection` field given). 1xx responses are written as
/// given; they never close, except `101 Switching Protocols`, after which
/// the connection no longer carries HTTP/1 (the returned flag says close,
/// the head is left as given). Names are written in `Title-Case`, the status
/// line always as `HTTP/1.1`.
///
/// Returns the body encoder and whether the connection must close after
/// the response. Errors: a status code outside 100–999, a reason phrase
/// with control characters, a malformed `Content-Length`.
pub fn encode_response_head(
    start_line: &ResponseStartLine,
    headers: &HttpHeaders,
    request: &RequestInfo,
    close: bool,
    out: &mut WriteBuffer,
) -> Result<(BodyEncoder, bool), HttpOutputError> {
    encode_response_head_with(
        start_line,
        headers,
        DefaultFields::default(),
        request,
        close,
        out,
    )
}

/// Fields [`encode_response_head_with`] writes after the given headers
/// when these have none of that name: what a server adds to every
/// response without making the application's headers longer.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultFields<'a> {
    /// A `Date` value.
    pub date: Option<HttpDate>,
    /// A `Content-Length`, which then frames the body as if given (left
    /// out where no body framing may be sent: 1xx, 204, 304).
    pub content_length: Option<u64>,
    /// Fields written as given: the headers should not give them too.
    pub extra: ExtraFields<'a>,
}

/// [`encode_response_head`] that also writes `defaults` the headers do
/// not give. Nothing is written when it fails.
// Inlined, so that the result is taken apart where it is used rather
// than passed back in memory and read again in pieces of other sizes.
#[inline(always)]
pub fn encode_response_head_with(
    start_line: &ResponseStartLine,
    headers: &HttpHeaders,
    defaults: DefaultFields<'_>,
    request: &RequestInfo,
    close: bool,
    out: &mut WriteBuffer,
) -> Result<(BodyEncoder, bool), HttpOutputError> {
    let code = start_line.code;
    if !(100..=999).contains(&code) {
        return Err(HttpOutputError::Misuse("status code outside 100-999"));
    }
    let common_line = common_status_line(code, &start_line.reason);
    if common_line.is_none() && start_line.reason.bytes().any(is_control) {
        return Err(HttpOutputError::Misuse(
            "control character in reason phrase",
        ));
    }
    let given = GivenFraming::scan(headers)?;
    let interim = code < 200;
    let no_body = interim || code == 204 || code == 304;
    let default_length = match (given.content_length, defaults.content_length) {
        (None, Some(length)) if !no_body => Some(length),
        _ => None,
    };
    let content_length = given.content_length.or(default_length);
    let framing = if no_body {
        Framing::Empty(Some(code))
    } else if request.head_request {
        Framing::Discard
    } else if let Some(expected) = content_length {
        Framing::Fixed {
            written: 0,
            expected,
        }
    } else if given.transfer_encoding || request.version != Version::HTTP_11 {
        Framing::Raw
    } else {
        Framing::Chunked
    };
    let close_delimited = framing == Framing::Raw && !given.transfer_encoding;
    // After `101 Switching Protocols` the connection no longer speaks
    // HTTP/1: whatever follows is not parsed as requests (the head keeps
    // the application's `Connection: upgrade`).
    let switching = code == 101;
    let must_close =
        switching || (!interim && (close || given.close || !request.keep_alive || close_delimited));
    let connection: Option<&[u8]> = if interim {
        None
    } else if request.version == Version::HTTP_11 {
        must_close.then_some(b"close")
    } else if must_close {
        given.connection.then_some(b"close")
    } else {
        Some(b"keep-alive")
    };

    let date = defaults.date.filter(|_| !given.date);
    // Sized once, as closely as cheaply known: every piece below then fits,
    // and a buffer gathering many responses grows no sooner than it must.
    let size = given.fields_len
        + 16
        + start_line.reason.len()
        + connection.map_or(0, |value| 14 + value.len())
        + date.map_or(0, |_| 37)
        + defaults.extra.fixed.as_bytes().len()
        + defaults
            .extra
            .content_type
            .as_ref()
            .map_or(0, |value| 16 + value.len())
        + defaults.extra.etag.map_or(0, |_| 26)
        + default_length.map_or(0, |_| 38)
        + if framing == Framing::Chunked { 28 } else { 0 }
        + 2;
    let buf = out.staging(size);
    match common_line {
        Some(line) => line.put(buf),
        None => {
            buf.put_slice(b"HTTP/1.1 ");
            put_status_code(code, buf);
            buf.put_u8(b' ');
            buf.put_slice(start_line.reason.as_bytes());
            buf.put_slice(b"\r\n");
        }
    }
    buf.put_slice(defaults.extra.fixed.as_bytes());
    if let Some(value) = defaults.extra.content_type {
        put_field(&CONTENT_TYPE, value.as_bytes(), buf);
    }
    for (name, value) in headers {
        let skip = (no_body && (*name == CONTENT_LENGTH || *name == TRANSFER_ENCODING))
            || (connection.is_some() && *name == CONNECTION);
        if !skip {
            put_field(name, value.as_bytes(), buf);
        }
    }
    if let Some(connection) = connection {
        buf.put_slice(b"Connection: ");
        buf.put_slice(connection);
        buf.put_slice(b"\r\n");
    }
    if let Some(date) = date {
        // The whole line is one piece of fixed size.
        let mut line = *b"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
        line[6..35].copy_from_slice(date.as_bytes());
        buf.put_slice(&line);
    }
    if let Some(hash) = defaults.extra.etag {
        let mut line = *b"Etag: \"0000000000000000\"\r\n";
        line[7..23].copy_from_slice(&hex_u64(hash));
        buf.put_slice(&line);
    }
    match default_length {
        // The last field (a body of known length is never chunked): its
        // line and the blank line after it go out as one piece.
        Some(length) => put_content_length_and_end(length, buf),
        None => {
            if framing == Framing::Chunked {
                buf.put_slice(b"Transfer-Encoding: chunked\r\n");
            }
            buf.put_slice(b"\r\n");
        }
    }
    Ok((BodyEncoder::new(framing), must_close))
}

/// Writes a request head to `out` (client role) and decides the body's
/// framing: a `Content-Length` given means exactly that many bytes; a
/// `Transfer-Encoding` given is left alone (the body is written as is);
/// else `chunked` true adds `Transfer-Encoding: chunked`; else the
/// request has no body and writing one is an error. The version written
/// is `HTTP/1.0` for an HTTP/1.0 start line, `HTTP/1.1` otherwise; names
/// are written in `Title-Case`.
pub fn encode_request_head(
    start_line: &RequestStartLine,
    headers: &HttpHeaders,
    chunked: bool,
    out: &mut WriteBuffer,
) -> Result<BodyEncoder, HttpOutputError> {
    let path = start_line.path.as_bytes();
    if path.is_empty() || path.iter().any(|&b| b <= b' ' || b == 0x7f) {
        return Err(HttpOutputError::Misuse("invalid request target"));
    }
    let given = GivenFraming::scan(headers)?;
    let framing = if let Some(expected) = given.content_length {
        Framing::Fixed {
            written: 0,
            expected,
        }
    } else if given.transfer_encoding {
        Framing::Raw
    } else if chunked {
        Framing::Chunked
    } else {
        Framing::Empty(None)
    };
    let buf = out.staging(32 + path.len() + 32 * headers.len());
    buf.put_slice(start_line.method.as_str().as_bytes());
    buf.put_u8(b' ');
    buf.put_slice(path);
    buf.put_slice(if start_line.version == Version::HTTP_10 {
        b" HTTP/1.0\r\n"
    } else {
        b" HTTP/1.1\r\n"
    });
    for (name, value) in headers {
        put_field(name, value.as_bytes(), buf);
    }
    if framing == Framing::Chunked {
        buf.put_slice(b"Transfer-Encoding: chunked\r\n");
    }
    buf.put_slice(b"\r\n");
    Ok(BodyEncoder::new(framing))
}

/// The framing fields an application put in its headers, and how long
/// its fields are written.
struct GivenFraming {
    content_length: Option<u64>,
    transfer_encoding: bool,
    connection: bool,
    close: bool,
    date: bool,
    /// The bytes of every field line, `: ` and CRLF included.
    fields_len: usize,
}

impl GivenFraming {
    fn scan(headers: &HttpHeaders) -> Result<GivenFraming, HttpOutputError> {
        let mut given = GivenFraming {
            content_length: None,
            transfer_encoding: false,
            connection: false,
            close: false,
            date: false,
            fields_len: 0,
        };
        for (name, value) in headers {
            given.fields_len += name.as_str().len() + value.len() + 4;
            if *name == CONTENT_LENGTH {
                if given.content_length.is_none() {
                    let n = parse_content_length(value.as_bytes())
                        .map_err(|_| HttpOutputError::Misuse("malformed Content-Length header"))?;
                    given.content_length = Some(n);
                }
            } else if *name == TRANSFER_ENCODING {
                given.transfer_encoding = true;
            } else if *name == DATE {
                given.date = true;
            } else if *name == CONNECTION {
                given.connection = true;
                given.close |= list_elements(value.as_bytes())
                    .any(|token| token.eq_ignore_ascii_case(b"close"));
            }
        }
        Ok(given)
    }
}

/// The status line of one of the most common responses, carrying its
/// standard reason phrase.
#[derive(Clone, Copy)]
enum CommonLine {
    Ok,
    NotModified,
    NotFound,
}

impl CommonLine {
    /// Writes the line: each a piece of fixed size, copied without a call.
    fn put(self, buf: &mut BytesMut) {
        match self {
            CommonLine::Ok => buf.put_slice(b"HTTP/1.1 200 OK\r\n"),
            CommonLine::NotModified => buf.put_slice(b"HTTP/1.1 304 Not Modified\r\n"),
            CommonLine::NotFound => buf.put_slice(b"HTTP/1.1 404 Not Found\r\n"),
        }
    }
}

/// The common status line of `code` with `reason`, when it is one.
fn common_status_line(code: u16, reason: &str) -> Option<CommonLine> {
    let (standard, line) = match code {
        200 => ("OK", CommonLine::Ok),
        304 => ("Not Modified", CommonLine::NotModified),
        404 => ("Not Found", CommonLine::NotFound),
        _ => return None,
    };
    // Byte by byte: the phrases are too short for a call to `memcmp`.
    let same =
        reason.len() == standard.len() && reason.bytes().zip(standard.bytes()).all(|(a, b)| a == b);
    same.then_some(line)
}

/// Writes a three-digit status code.
fn put_status_code(code: u16, buf: &mut BytesMut) {
    let digits = [
        b'0' + (code / 100) as u8,
        b'0' + (code / 10 % 10) as u8,
        b'0' + (code % 10) as u8,
    ];
    buf.put_slice(&digits);
}

/// Writes a `Content-Length` line for `length` and the blank line ending
/// the head: the prefix as one piece of fixed size, the digits and both
/// line ends as one more.
fn put_content_length_and_end(length: u64, buf: &mut BytesMut) {
    buf.put_slice(b"Content-Length: ");
    // Twenty digits at most, then CRLF CRLF.
    let mut tail = [0u8; 24];
    tail[20..].copy_from_slice(b"\r\n\r\n");
    let mut start = 20;
    let mut n = length;
    loop {
        start -= 1;
        tail[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.put_slice(&tail[start..]);
}

/// Writes one field line: a known name as its Title-Case prefix, each a
/// piece of fixed size, any other name title-cased byte by byte.
#[inline]
fn put_field(name: &HeaderName, value: &[u8], buf: &mut BytesMut) {
    if !put_known_prefix(name, buf) {
        put_title_case(name.as_str(), buf);
    }
    buf.put_slice(value);
    buf.put_slice(b"\r\n");
}

/// `name` in Title-Case, then `: `.
fn put_title_case(name: &str, buf: &mut BytesMut) {
    buf.reserve(name.len() + 2);
    let mut upper = true;
    for &b in name.as_bytes() {
        buf.put_u8(if upper { b.to_ascii_uppercase() } else { b });
        upper = b == b'-';
    }
    buf.put_slice(b": ");
}

/// Writes the `Title-Case: ` prefix of the fields responses carry most,
/// told by comparing names (for the standard names, a comparison of
/// tags), not strings; false for any other name.
#[inline]
fn put_known_prefix(name: &HeaderName, buf: &mut BytesMut) -> bool {
    if *name == CONTENT_TYPE {
        buf.put_slice(b"Content-Type: ");
    } else if *name == DATE {
        buf.put_slice(b"Date: ");
    } else if *name == CONTENT_LENGTH {
        buf.put_slice(b"Content-Length: ");
    } else if *name == SERVER {
        buf.put_slice(b"Server: ");
    } else if *name == CONNECTION {
        buf.put_slice(b"Connection: ");
    } else if *name == ETAG {
        buf.put_slice(b"Etag: ");
    } else if *name == LOCATION {
        buf.put_slice(b"Location: ");
    } else if *name == SET_COOKIE {
        buf.put_slice(b"Set-Cookie: ");
    } else if *name == CACHE_CONTROL {
        buf.put_slice(b"Cache-Control: ");
    } else if *name == VARY {
        buf.put_slice(b"Vary: ");
    } else if *name == LAST_MODIFIED {
        buf.put_slice(b"Last-Modified: ");
    } else if *name == EXPIRES {
        buf.put_slice(b"Expires: ");
    } else if *name == CONTENT_ENCODING {
        buf.put_slice(b"Content-Encoding: ");
    } else if *name == TRANSFER_ENCODING {
        buf.put_slice(b"Transfer-Encoding: ");
    } else if *name == ACCEPT_RANGES {
        buf.put_slice(b"Accept-Ranges: ");
    } else if *name == CONTENT_RANGE {
        buf.put_slice(b"Content-Range: ");
    } else {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn info(method: Method, version: Version, keep_alive: bool) -> RequestInfo {
        RequestInfo {
            head_request: method == Method::HEAD,
            version,
            keep_alive,
        }
    }

    fn status(code: u16, reason: &str) -> ResponseStartLine {
        ResponseStartLine {
            version: Version::HTTP_11,
            code,
            reason: reason.to_owned().into(),
        }
    }

    fn headers(fields: &[(&str, &str)]) -> HttpHeaders {
        let mut h = HttpHeaders::new();
        for (n, v) in fields {
            h.add(n, v).unwrap();
        }
        h
    }

    fn response(
        code: u16,
        fields: &[(&str, &str)],
        request: RequestInfo,
        close: bool,
    ) -> (String, BodyEncoder, bool) {
        let mut out = WriteBuffer::new();
        let (encoder, close) = encode_response_head(
            &status(code, "R"),
            &headers(fields),
            &request,
            close,
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out.take_bytes().to_vec()).unwrap();
        (text, encoder, close)
    }

    #[test]
    fn standard_and_own_reason_phrases_are_written_as_given() {
        for (code, reason) in [
            (200, "OK"),
            (200, "Fine"),
            (304, "Not Modified"),
            (404, "Gone"),
        ] {
            let mut out = WriteBuffer::new();
            let start_line = ResponseStartLine {
                version: Version::HTTP_11,
                code,
                reason: reason.into(),
            };
            let request = info(Method::GET, Version::HTTP_11, true);
            encode_response_head(&start_line, &HttpHeaders::new(), &request, false, &mut out)
                .unwrap();
            let text = String::from_utf8(out.take_bytes().to_vec()).unwrap();
            assert!(
                text.starts_with(&format!("HTTP/1.1 {code} {reason}\r\n")),
                "{text:?}"
            );
        }
    }

    #[test]
    fn chunked_for_http11_without_content_length() {
        let (text, _, close) = response(
            200,
            &[("content-type", "text/plain")],
            info(Method::GET, Version::HTTP_11, true),
            false,
        );
        assert_eq!(
            text,
            "HTTP/1.1 200 R\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        assert!(!close);
    }

    #[test]
    fn fixed_length_and_close() {
        let (text, _, close) = response(
            200,
            &[("Content-Length", "5")],
            info(Method::GET, Version::HTTP_11, true),
            true,
        );
        assert_eq!(
            text,
            "HTTP/1.1 200 R\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
        );
        assert!(close);
    }

    #[test]
    fn http10_close_delimited_and_keep_alive() {
        let (text, encoder, close) =
            response(200, &[], info(Method::GET, Version::HTTP_10, true), false);
        assert_eq!(text, "HTTP/1.1 200 R\r\n\r\n");
        assert!(close && encoder.is_close_delimited());
        let (text, _, close) = response(
            200,
            &[("Content-Length", "0")],
            info(Method::GET, Version::HTTP_10, true),
            false,
        );
        assert_eq!(
            text,
            "HTTP/1.1 200 R\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"
        );
        assert!(!close);
    }

    #[test]
    fn no_body_statuses_drop_framing_headers() {
        for code in [100, 204, 304] {
            let (text, mut encoder, _) = response(
                code,
                &[
                    ("Content-Length", "5"),
                    ("Transfer-Encoding", "chunked"),
                    ("X-A", "b"),
                ],
                info(Method::GET, Version::HTTP_11, true),
                false,
            );
            assert_eq!(text, format!("HTTP/1.1 {code} R\r\nX-A: b\r\n\r\n"));
            let mut out = WriteBuffer::new();
            assert_eq!(
                encoder.encode(Bytes::from_static(b"x"), &mut out),
                Err(HttpOutputError::BodyNotAllowed(code))
            );
        }
    }

    #[test]
    fn switching_protocols_closes_without_saying_so() {
        let (text, _, close) = response(
            101,
            &[("Connection", "Upgrade"), ("Upgrade", "x")],
            info(Method::GET, Version::HTTP_11, true),
            false,
        );
        assert_eq!(
            text,
            "HTTP/1.1 101 R\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n"
        );
        assert!(close);
    }

    #[test]
    fn head_keeps_content_length_and_writes_no_body() {
        let (text, mut encoder, close) = response(
            200,
            &[("Content-Length", "5")],
            info(Method::HEAD, Version::HTTP_11, true),
            false,
        );
        assert_eq!(text, "HTTP/1.1 200 R\r\nContent-Length: 5\r\n\r\n");
        assert!(!close);
        let mut out = WriteBuffer::new();
        encoder
            .encode(Bytes::from_static(b"hello"), &mut out)
            .unwrap();
        encoder.finish(&mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn request_head_framing() {
        let line = RequestStartLine {
            method: Method::POST,
            path: "/upload".into(),
            version: Version::HTTP_11,
        };
        let mut out = WriteBuffer::new();
        let mut encoder =
            encode_request_head(&line, &headers(&[("host", "a")]), true, &mut out).unwrap();
        encoder
            .encode(Bytes::from_static(b"abc"), &mut out)
            .unwrap();
        encoder.finish(&mut out).unwrap();
        assert_eq!(
            &out.take_bytes()[..],
            b"POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        );
        let mut encoder =
            encode_request_head(&line, &headers(&[("host", "a")]), false, &mut out).unwrap();
        assert!(matches!(
            encoder.encode(Bytes::from_static(b"x"), &mut out),
            Err(HttpOutputError::Misuse(_))
        ));
    }

    #[test]
    fn invalid_output_is_refused() {
        let mut out = WriteBuffer::new();
        let request = info(Method::GET, Version::HTTP_11, true);
        let bad_reason = encode_response_head(
            &status(200, "a\r\nb"),
            &headers(&[]),
            &request,
            false,
            &mut out,
        );
        assert!(matches!(bad_reason, Err(HttpOutputError::Misuse(_))));
        let bad_code =
            encode_response_head(&status(1000, "R"), &headers(&[]), &request, false, &mut out);
        assert!(matches!(bad_code, Err(HttpOutputError::Misuse(_))));
        let bad_length = encode_response_head(
            &status(200, "R"),
            &headers(&[("Content-Length", "x")]),
            &request,
            false,
            &mut out,
        );
        assert!(matches!(bad_length, Err(HttpOutputError::Misuse(_))));
        let line = RequestStartLine {
            method: Method::GET,
            path: "/a b".into(),
            version: Version::HTTP_11,
        };
        assert!(encode_request_head(&line, &headers(&[]), false, &mut out).is_err());
        assert!(out.is_empty());
    }

    fn with_defaults(code: u16, fields: &[(&str, &str)], method: Method, length: u64) -> String {
        let defaults = DefaultFields {
            date: Some(HttpDate::from_unix_secs(784_111_777)),
            content_length: Some(length),
            extra: ExtraFields::default(),
        };
        let mut out = WriteBuffer::new();
        encode_response_head_with(
            &status(code, "R"),
            &headers(fields),
            defaults,
            &info(method, Version::HTTP_11, true),
            false,
            &mut out,
        )
        .unwrap();
        String::from_utf8(out.take_bytes().to_vec()).unwrap()
    }

    #[test]
    fn default_fields_are_written_only_where_the_headers_have_none() {
        let text = with_defaults(200, &[], Method::GET, 12);
        assert!(
            text.contains("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"),
            "{text}"
        );
        assert!(text.contains("Content-Length: 12\r\n"), "{text}");
        assert!(!text.contains("Transfer-Encoding"), "{text}");
        let given = &[
            ("date", "Mon, 07 Nov 1994 08:49:37 GMT"),
            ("content-length", "3"),
        ];
        let text = with_defaults(200, given, Method::GET, 12);
        assert_eq!(text.matches("Date:").count(), 1, "{text}");
        assert!(text.contains("Mon, 07 Nov"), "{text}");
        assert_eq!(text.matches("Content-Length:").count(), 1, "{text}");
        assert!(text.contains("Content-Length: 3\r\n"), "{text}");
        // HEAD keeps the length of the body it does not send; 204 and 304
        // get no length at all.
        assert!(with_defaults(200, &[], Method::HEAD, 5).contains("Content-Length: 5\r\n"));
        for code in [204, 304] {
            let text = with_defaults(code, &[], Method::GET, 0);
            assert!(!text.contains("Content-Length"), "{code}: {text}");
            assert!(text.contains("Date:"), "{code}: {text}");
        }
    }

    #[test]
    fn extra_fields_are_the_fixed_lines_and_type_first_and_the_etag_last() {
        let defaults = DefaultFields {
            date: None,
            content_length: Some(2),
            extra: ExtraFields {
                fixed: super::super::FixedFields::new("Server: s\r\n"),
                content_type: Some(&http::HeaderValue::from_static("text/plain")),
                etag: Some(0x0123_4567_89ab_cdef),
            },
        };
        let mut out = WriteBuffer::new();
        encode_response_head_with(
            &status(200, "OK"),
            &headers(&[("X-A", "b")]),
            defaults,
            &info(Method::GET, Version::HTTP_11, true),
            false,
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out.take_bytes().to_vec()).unwrap();
        assert_eq!(
            text,
            "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Type: text/plain\r\nX-A: b\r\nEtag: \"0123456789abcdef\"\r\nContent-Length: 2\r\n\r\n"
        );
    }

    #[test]
    fn a_default_content_length_of_any_size_ends_the_head() {
        let date = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
        for (length, digits) in [
            (0, "0"),
            (9, "9"),
            (10, "10"),
            (u64::MAX, "18446744073709551615"),
        ] {
            let text = with_defaults(200, &[("X-A", "b")], Method::GET, length);
            let expected =
                format!("HTTP/1.1 200 R\r\nX-A: b\r\n{date}Content-Length: {digits}\r\n\r\n");
            assert_eq!(text, expected);
        }
    }

    #[test]
    fn a_default_content_length_frames_the_body() {
        let defaults = DefaultFields {
            date: Some(HttpDate::from_unix_secs(784_111_777)),
            content_length: Some(4),
            extra: ExtraFields::default(),
        };
        let mut out = WriteBuffer::new();
        let (encoder, _) = encode_response_head_with(
            &status(200, "OK"),
            &headers(&[]),
            defaults,
            &info(Method::GET, Version::HTTP_11, true),
            false,
            &mut out,
        )
        .unwrap();
        assert!(encoder.check_whole_body(4).is_ok());
        assert!(matches!(
            encoder.check_whole_body(5),
            Err(HttpOutputError::TooMuchData(4))
        ));
        assert!(matches!(
            encoder.check_whole_body(3),
            Err(HttpOutputError::TooLittleData {
                written: 3,
                expected: 4
            })
        ));
    }
}
