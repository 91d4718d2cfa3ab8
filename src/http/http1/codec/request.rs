//! Server role: parsing a request head ([`parse_request_head`] and its
//! zero-copy variants).

use std::mem::MaybeUninit;

use bytes::{Bytes, BytesMut};
use http::{Method, Version};

use super::ParseError;
use super::fast_head::{self, FAST_FIELDS, FastSpans};
use super::framing::{BodyLength, FramingFields};
use super::head::{self, Retry, STACK_HEADERS, ValueSpans};
use super::request_reader::RequestHeadReader;
use crate::httputil::{HttpHeaders, RequestStartLine, RequestTarget};

/// A parsed request head and what it says about the rest of the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHead {
    /// Method, target and version.
    pub start_line: RequestStartLine,
    /// The header fields, in order.
    pub headers: HttpHeaders,
    /// How the body is delimited (`Content-Length: 0` is
    /// [`BodyLength::Empty`]).
    pub body: BodyLength,
    /// Whether the client wants the connection kept open: HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`
    /// (and, as Tornado, only for a request with a `Content-Length`, a
    /// chunked body, or a GET or HEAD).
    pub keep_alive: bool,
    /// HTTP/1.1 with `Expect: 100-continue`.
    pub expect_continue: bool,
}

/// Parses the request head at the front of `buf`.
///
/// One optional leading CRLF is skipped (and counted in `consumed`, not in
/// the limit). `Ok(None)`: the head is incomplete and still within
/// `max_header_size`; call again with more bytes (the parse restarts, so
/// the work per call is bounded by `max_header_size`).
/// `Ok(Some((head, consumed)))`: the first `consumed` bytes of `buf` were
/// the head; the body (or the next request) follows.
///
/// Header values are slices of one copy of the head. A caller holding the
/// bytes in a [`BytesMut`] can avoid that copy with
/// [`split_request_head`], one holding [`Bytes`] with
/// [`parse_request_head_shared`].
///
/// Refused (see [`ParseError::status`]): anything RFC 9112 forbids in a
/// request head (bare CR or LF, NUL, obs-fold, whitespace before a colon,
/// invalid method or target, doubled spaces), versions other than
/// HTTP/1.0 and HTTP/1.1, missing or repeated `Host` on HTTP/1.1, and the
/// ambiguous framings request smuggling relies on.
pub fn parse_request_head(
    buf: &[u8],
    max_header_size: usize,
) -> Result<Option<(RequestHead, usize)>, ParseError> {
    parse(buf, max_header_size, None)
}

/// [`parse_request_head`] for a shared buffer: header values are
/// zero-copy slices of `buf`.
pub fn parse_request_head_shared(
    buf: &Bytes,
    max_header_size: usize,
) -> Result<Option<(RequestHead, usize)>, ParseError> {
    parse(buf, max_header_size, Some(buf))
}

/// [`parse_request_head`] that splits the head off the front of `buf`
/// when it is complete (header values then share `buf`'s memory, no
/// copy); `buf` keeps whatever follows. Incomplete: `buf` is untouched,
/// and the complete lines were checked for early errors. A connection
/// whose buffer grows between calls keeps a [`RequestHeadReader`]
/// instead, which does not look at the same bytes again.
pub fn split_request_head(
    buf: &mut BytesMut,
    max_header_size: usize,
) -> Result<Option<RequestHead>, ParseError> {
    RequestHeadReader::new().split(buf, max_header_size)
}

/// Checks a complete request line (with its CRLF): `Ok` when it may
/// start a valid head.
pub(super) fn check_request_line(line: &[u8]) -> Result<(), ParseError> {
    match parse_window(line, 0, line.len(), None, &mut []) {
        Ok(Err(error)) => Err(error),
        Ok(Ok(_)) | Err(Retry) => Ok(()),
    }
}

/// The end of a head terminated by CRLFCRLF within the limit, if there
/// is one (a valid head ends at its first CRLFCRLF).
pub(super) fn head_end(buf: &[u8], max_header_size: usize) -> Option<usize> {
    let start = if buf.starts_with(b"\r\n") { 2 } else { 0 };
    let window = head::window(buf, start, max_header_size);
    memchr::memchr_iter(b'\n', window)
        .find(|&lf| lf >= 3 && window[lf - 3..lf] == *b"\r\n\r")
        .map(|lf| start + lf + 1)
}

fn parse(
    buf: &[u8],
    max: usize,
    shared: Option<&Bytes>,
) -> Result<Option<(RequestHead, usize)>, ParseError> {
    let Some(start) = head::head_start(buf)? else {
        return Ok(None);
    };
    head::parse_with_storage(buf, start, max, |storage| {
        parse_window(buf, start, max, shared, storage)
    })
}

fn parse_window<'b>(
    buf: &'b [u8],
    start: usize,
    max: usize,
    shared: Option<&Bytes>,
    storage: &mut [MaybeUninit<httparse::Header<'b>>],
) -> Result<Result<Option<(RequestHead, usize)>, ParseError>, Retry> {
    let window = head::window(buf, start, max);
    let mut request = httparse::Request::new(&mut []);
    let len = match request.parse_with_uninit_headers(window, storage) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(head::incomplete(buf, start, max)),
        Err(httparse::Error::TooManyHeaders) => return Err(Retry),
        Err(httparse::Error::Version) => return Ok(version_error(buf, start, max)),
        Err(httparse::Error::Token) => return Ok(Err(ParseError::BadRequestLine)),
        Err(error) => return Ok(Err(head::header_error(error))),
    };
    Ok(finish(buf, start + len, &request, shared).map(Some))
}

/// Tells a malformed version (400) from an unsupported one (505), once
/// the request line is complete.
fn version_error<T>(buf: &[u8], start: usize, max: usize) -> Result<Option<T>, ParseError> {
    let Some(line) = head::start_line(head::window(buf, start, max)) else {
        return head::incomplete(buf, start, max);
    };
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ParseError::BadRequestLine);
    };
    if method.is_empty() || target.is_empty() {
        Err(ParseError::BadRequestLine)
    } else if head::is_well_formed_version(version) {
        Err(ParseError::UnsupportedVersion)
    } else {
        Err(ParseError::BadVersion)
    }
}

fn finish(
    buf: &[u8],
    consumed: usize,
    request: &httparse::Request<'_, '_>,
    shared: Option<&Bytes>,
) -> Result<(RequestHead, usize), ParseError> {
    head::check_line_endings(&buf[..consumed])?;
    let start_line = start_line(request)?;
    let (headers, fields) = head::fields(buf, consumed, request.headers, shared)?;
    Ok((complete(start_line, headers, &fields)?, consumed))
}

/// Splits a request head that is complete at the front of `buf` off it,
/// parsing it in one pass (the common heads by the fast reader, others by
/// `httparse`): the fields are read from `buf` and their values sliced
/// from the split-off head. `None` when the head is not
/// complete, has more fields than fit on the stack, or `httparse` refuses
/// it (`buf` is untouched): the [`RequestHeadReader`] then reads it as it
/// reads a head arriving in pieces, and tells the error.
pub(super) fn split_complete(
    buf: &mut BytesMut,
    max: usize,
) -> Option<Result<RequestHead, ParseError>> {
    let start = head::head_start(buf).ok()??;
    // Not cleared: the fast reader writes the span of each field it reads
    // before the field counts, and only those spans are read.
    let mut fast_spans: FastSpans = [const { MaybeUninit::uninit() }; FAST_FIELDS];
    if let Some(fast) = fast_head::read(buf, start, max, &mut fast_spans) {
        let head = buf.split_to(fast.consumed).freeze();
        let mut headers = fast.headers;
        // SAFETY: the spans are those the fast reader wrote for these
        // headers as it read this head.
        #[allow(unsafe_code)]
        unsafe {
            let spans = fast_head::written(&fast_spans, headers.len());
            head::fill_checked_values(&mut headers, head, spans);
        }
        return Some(complete(fast.start_line, headers, &fast.framing));
    }
    split_with_httparse(buf, start, max)
}

/// [`split_complete`] for a head the fast reader left to `httparse`.
/// Kept out of line, away from the code of the common case.
#[cold]
#[inline(never)]
fn split_with_httparse(
    buf: &mut BytesMut,
    start: usize,
    max: usize,
) -> Option<Result<RequestHead, ParseError>> {
    let mut spans: ValueSpans = [(0, 0); STACK_HEADERS];
    let (consumed, start_line, mut headers) = match read_with_httparse(buf, start, max, &mut spans)?
    {
        Ok(read) => read,
        Err(error) => return Some(Err(error)),
    };
    let head = buf.split_to(consumed).freeze();
    let result = head::fill_values(&mut headers, &head, &spans)
        .and_then(|()| FramingFields::read(&headers))
        .and_then(|fields| complete(start_line, headers, &fields));
    Some(result)
}

/// What [`split_complete`] reads with `httparse` when the fast reader
/// left the head to it: the head's length, start line and fields (values
/// still empty, where they lie written to `spans`); `None` when the head
/// is incomplete, has more fields than fit on the stack, or `httparse`
/// refuses it.
fn read_with_httparse(
    buf: &[u8],
    start: usize,
    max: usize,
    spans: &mut ValueSpans,
) -> Option<Result<(usize, RequestStartLine, HttpHeaders), ParseError>> {
    let mut storage = head::stack_headers();
    let window = head::window(buf, start, max);
    let mut request = httparse::Request::new(&mut []);
    let Ok(httparse::Status::Complete(len)) =
        request.parse_with_uninit_headers(window, &mut storage)
    else {
        return None;
    };
    let consumed = start + len;
    let read = head::check_line_endings(&buf[..consumed]).and_then(|()| {
        let start_line = start_line(&request)?;
        let headers = head::header_names(buf, request.headers, spans)?;
        Ok((consumed, start_line, headers))
    });
    Some(read)
}

/// The start line `httparse` read.
fn start_line(request: &httparse::Request<'_, '_>) -> Result<RequestStartLine, ParseError> {
    let method = request.method.unwrap_or_default();
    let method = Method::from_bytes(method.as_bytes()).map_err(|_| ParseError::BadRequestLine)?;
    Ok(RequestStartLine {
        method,
        path: RequestTarget::from(request.path.unwrap_or_default()),
        version: head::version(request.version),
    })
}

/// The request head of `start_line` and `headers`, with what their
/// framing `fields` say about the body and the connection.
#[inline]
fn complete(
    start_line: RequestStartLine,
    headers: HttpHeaders,
    fields: &FramingFields,
) -> Result<RequestHead, ParseError> {
    let http10 = start_line.version == Version::HTTP_10;
    match fields.hosts {
        0 if !http10 => return Err(ParseError::MissingHost),
        0 | 1 => {}
        _ => return Err(ParseError::DuplicateHost),
    }
    let body = fields.request_body(http10)?;
    let method = &start_line.method;
    let keep_alive = if http10 {
        fields.keep_alive
            && !fields.close
            && (fields.content_length.is_some()
                || body == BodyLength::Chunked
                || *method == Method::GET
                || *method == Method::HEAD)
    } else {
        !fields.close
    };
    Ok(RequestHead {
        start_line,
        headers,
        body,
        keep_alive,
        expect_continue: !http10 && fields.expect_continue,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1024;

    fn parse_ok(raw: &[u8]) -> (RequestHead, usize) {
        parse_request_head(raw, MAX).unwrap().unwrap()
    }

    fn parse_err(raw: &[u8]) -> ParseError {
        parse_request_head(raw, MAX).unwrap_err()
    }

    #[test]
    fn parses_a_simple_get() {
        let raw = b"GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nX-Foo:  bar \r\n\r\nrest";
        let (head, consumed) = parse_ok(raw);
        assert_eq!(consumed, raw.len() - 4);
        assert_eq!(head.start_line.method, Method::GET);
        assert_eq!(head.start_line.path, "/a?b=c");
        assert_eq!(head.start_line.version, Version::HTTP_11);
        assert_eq!(head.headers.get("host"), Some("example.com"));
        assert_eq!(head.headers.get("x-foo"), Some("bar"));
        assert_eq!(head.body, BodyLength::Empty);
        assert!(head.keep_alive);
        assert!(!head.expect_continue);
    }

    #[test]
    fn incomplete_heads_wait() {
        let raw = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        for end in 0..raw.len() {
            assert_eq!(parse_request_head(&raw[..end], MAX), Ok(None), "{end}");
        }
    }

    #[test]
    fn the_three_entry_points_agree() {
        let raw = b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET";
        let (head, consumed) = parse_ok(raw);
        let shared = Bytes::from_static(raw);
        assert_eq!(
            parse_request_head_shared(&shared, MAX),
            Ok(Some((head.clone(), consumed)))
        );
        let mut buf = BytesMut::from(&raw[..]);
        assert_eq!(split_request_head(&mut buf, MAX), Ok(Some(head.clone())));
        assert_eq!(&buf[..], b"abcGET");
        assert_eq!(head.body, BodyLength::Fixed(3));
    }

    #[test]
    fn split_leaves_an_incomplete_head_alone_and_reports_early_errors() {
        let mut buf = BytesMut::from(&b"GET / HTTP/1.1\r\nHost: a\r\n"[..]);
        assert_eq!(split_request_head(&mut buf, MAX), Ok(None));
        assert_eq!(buf.len(), 25);
        let mut buf = BytesMut::from(&b"GET / HTTP/1.1\r\nHo st: a\r\n"[..]);
        assert_eq!(
            split_request_head(&mut buf, MAX),
            Err(ParseError::BadHeaderName)
        );
    }

    #[test]
    fn keep_alive_and_expect() {
        let (head, _) = parse_ok(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assert!(!head.keep_alive);
        let (head, _) = parse_ok(b"GET / HTTP/1.0\r\n\r\n");
        assert!(!head.keep_alive);
        let (head, _) = parse_ok(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assert!(head.keep_alive);
        let (head, _) = parse_ok(b"POST / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assert!(!head.keep_alive);
        let raw = b"PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n";
        assert!(parse_ok(raw).0.expect_continue);
        let raw = b"PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n";
        assert!(!parse_ok(raw).0.expect_continue);
    }

    #[test]
    fn version_errors() {
        assert_eq!(
            parse_err(b"GET / HTTP/2.0\r\n\r\n"),
            ParseError::UnsupportedVersion
        );
        assert_eq!(parse_err(b"GET / http/1.1\r\n\r\n"), ParseError::BadVersion);
        assert_eq!(parse_err(b"GET / FOO/1.1\r\n\r\n"), ParseError::BadVersion);
        assert_eq!(parse_request_head(b"GET / HTTP/2", MAX), Ok(None));
    }

    #[test]
    fn host_rules() {
        assert_eq!(
            parse_err(b"GET / HTTP/1.1\r\n\r\n"),
            ParseError::MissingHost
        );
        assert_eq!(
            parse_err(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            ParseError::DuplicateHost
        );
        assert_eq!(
            parse_err(b"GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n"),
            ParseError::DuplicateHost
        );
    }

    #[test]
    fn many_headers_spill_to_the_heap() {
        let mut raw = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
        for i in 0..200 {
            raw.extend_from_slice(format!("X-{i}: {i}\r\n").as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        let (head, consumed) = parse_request_head(&raw, 64 * 1024).unwrap().unwrap();
        assert_eq!(consumed, raw.len());
        assert_eq!(head.headers.len(), 201);
        assert_eq!(head.headers.get("x-199"), Some("199"));
    }
}
