//! Client role: parsing a response head ([`parse_response_head`] and its
//! zero-copy variants).

use std::mem::MaybeUninit;

use bytes::{Bytes, BytesMut};
use http::{Method, Version};

use super::ParseError;
use super::framing::BodyLength;
use super::head::{self, Retry};
use super::request::head_end;
use crate::httputil::{HttpHeaders, ResponseStartLine};

/// A parsed response head and what it says about the rest of the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHead {
    /// Version, status code and reason phrase.
    pub start_line: ResponseStartLine,
    /// The header fields, in order.
    pub headers: HttpHeaders,
    /// How the body is delimited.
    pub body: BodyLength,
    /// Whether the connection may carry another request afterwards:
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with
    /// `Connection: keep-alive`; never after a close-delimited body.
    pub keep_alive: bool,
}

/// Parses the response head at the front of `buf`; the contract is
/// [`parse_request_head`](super::parse_request_head)'s.
///
/// 1xx, 204 and 304 responses, responses to HEAD and 2xx responses to
/// CONNECT have [`BodyLength::Empty`] (a 204 announcing a body is
/// refused, as Tornado does). A 1xx head is returned like any other: the
/// caller reads the next head after it. Without `Content-Length` or
/// `Transfer-Encoding` (or with a final coding other than `chunked`) the
/// body lasts until the server closes.
pub fn parse_response_head(
    buf: &[u8],
    max_header_size: usize,
    request_method: &Method,
) -> Result<Option<(ResponseHead, usize)>, ParseError> {
    parse(buf, max_header_size, request_method, None)
}

/// [`parse_response_head`] for a shared buffer: header values are
/// zero-copy slices of `buf`.
pub fn parse_response_head_shared(
    buf: &Bytes,
    max_header_size: usize,
    request_method: &Method,
) -> Result<Option<(ResponseHead, usize)>, ParseError> {
    parse(buf, max_header_size, request_method, Some(buf))
}

/// [`parse_response_head`] that splits the head off the front of `buf`
/// when it is complete (no copy); `buf` keeps whatever follows.
pub fn split_response_head(
    buf: &mut BytesMut,
    max_header_size: usize,
    request_method: &Method,
) -> Result<Option<ResponseHead>, ParseError> {
    match head_end(buf, max_header_size) {
        Some(end) => {
            let head = buf.split_to(end).freeze();
            match parse_response_head_shared(&head, max_header_size, request_method)? {
                Some((response, consumed)) if consumed == end => Ok(Some(response)),
                _ => Err(ParseError::BadLineEnding),
            }
        }
        None => parse_response_head(buf, max_header_size, request_method).map(|_| None),
    }
}

fn parse(
    buf: &[u8],
    max: usize,
    method: &Method,
    shared: Option<&Bytes>,
) -> Result<Option<(ResponseHead, usize)>, ParseError> {
    let Some(start) = head::head_start(buf)? else {
        return Ok(None);
    };
    head::parse_with_storage(buf, start, max, |storage| {
        parse_window(buf, start, max, method, shared, storage)
    })
}

fn parse_window<'b>(
    buf: &'b [u8],
    start: usize,
    max: usize,
    method: &Method,
    shared: Option<&Bytes>,
    storage: &mut [MaybeUninit<httparse::Header<'b>>],
) -> Result<Result<Option<(ResponseHead, usize)>, ParseError>, Retry> {
    let window = head::window(buf, start, max);
    let mut response = httparse::Response::new(&mut []);
    let config = httparse::ParserConfig::default();
    let len = match config.parse_response_with_uninit_headers(&mut response, window, storage) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(head::incomplete(buf, start, max)),
        Err(httparse::Error::TooManyHeaders) => return Err(Retry),
        Err(httparse::Error::Version) => return Ok(version_error(buf, start, max)),
        Err(httparse::Error::Token | httparse::Error::Status) => {
            return Ok(Err(ParseError::BadStatusLine));
        }
        Err(error) => return Ok(Err(head::header_error(error))),
    };
    Ok(finish(buf, start + len, method, &response, shared).map(Some))
}

/// Tells a malformed version from an unsupported one, once the status
/// line is complete.
fn version_error<T>(buf: &[u8], start: usize, max: usize) -> Result<Option<T>, ParseError> {
    let Some(line) = head::start_line(head::window(buf, start, max)) else {
        return head::incomplete(buf, start, max);
    };
    let version = line.split(|&b| b == b' ').next().unwrap_or_default();
    if head::is_well_formed_version(version) {
        Err(ParseError::UnsupportedVersion)
    } else {
        Err(ParseError::BadVersion)
    }
}

fn finish(
    buf: &[u8],
    consumed: usize,
    method: &Method,
    response: &httparse::Response<'_, '_>,
    shared: Option<&Bytes>,
) -> Result<(ResponseHead, usize), ParseError> {
    head::check_line_endings(&buf[..consumed])?;
    let code = response.code.unwrap_or_default();
    if code < 100 {
        return Err(ParseError::BadStatusLine);
    }
    let version = head::version(response.version);
    let (headers, fields) = head::fields(buf, consumed, response.headers, shared)?;
    let http10 = version == Version::HTTP_10;
    let body = if code < 200
        || code == 304
        || *method == Method::HEAD
        || (*method == Method::CONNECT && code < 300)
    {
        BodyLength::Empty
    } else if code == 204 {
        if fields.transfer_encoding.is_some() || fields.content_length.is_some_and(|n| n != 0) {
            return Err(ParseError::BodyOnNoContent);
        }
        BodyLength::Empty
    } else {
        fields.response_body(http10)?
    };
    let keep_alive =
        body != BodyLength::CloseDelimited && !fields.close && (!http10 || fields.keep_alive);
    let head = ResponseHead {
        start_line: ResponseStartLine {
            version,
            code,
            reason: String::from(response.reason.unwrap_or_default()).into(),
        },
        headers,
        body,
        keep_alive,
    };
    Ok((head, consumed))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1024;

    fn parse_ok(raw: &[u8], method: Method) -> (ResponseHead, usize) {
        parse_response_head(raw, MAX, &method).unwrap().unwrap()
    }

    #[test]
    fn parses_a_fixed_length_response() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        let (head, consumed) = parse_ok(raw, Method::GET);
        assert_eq!(consumed, raw.len() - 5);
        assert_eq!(head.start_line.code, 200);
        assert_eq!(head.start_line.reason, "OK");
        assert_eq!(head.body, BodyLength::Fixed(5));
        assert!(head.keep_alive);
    }

    #[test]
    fn bodiless_responses() {
        let raw = b"HTTP/1.1 100 Continue\r\n\r\n";
        assert_eq!(parse_ok(raw, Method::POST).0.body, BodyLength::Empty);
        let raw = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n";
        assert_eq!(parse_ok(raw, Method::GET).0.body, BodyLength::Empty);
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
        let (head, _) = parse_ok(raw, Method::HEAD);
        assert_eq!(head.body, BodyLength::Empty);
        assert_eq!(head.headers.get("content-length"), Some("10"));
        let raw = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(parse_ok(raw, Method::GET).0.body, BodyLength::Empty);
        let raw = b"HTTP/1.1 204 No Content\r\nContent-Length: 1\r\n\r\n";
        assert_eq!(
            parse_response_head(raw, MAX, &Method::GET),
            Err(ParseError::BodyOnNoContent)
        );
    }

    #[test]
    fn close_delimited_and_chunked() {
        let (head, _) = parse_ok(b"HTTP/1.1 200 OK\r\n\r\n", Method::GET);
        assert_eq!(head.body, BodyLength::CloseDelimited);
        assert!(!head.keep_alive);
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        let (head, _) = parse_ok(raw, Method::GET);
        assert_eq!(head.body, BodyLength::Chunked);
        assert!(head.keep_alive);
    }

    #[test]
    fn http10_keep_alive_needs_the_header() {
        let raw = b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n";
        assert!(!parse_ok(raw, Method::GET).0.keep_alive);
        let raw = b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n";
        assert!(parse_ok(raw, Method::GET).0.keep_alive);
    }

    #[test]
    fn status_line_errors() {
        let get = Method::GET;
        assert_eq!(
            parse_response_head(b"HTTP/2.0 200 OK\r\n\r\n", MAX, &get),
            Err(ParseError::UnsupportedVersion)
        );
        assert_eq!(
            parse_response_head(b"HTTP/1.1 20 OK\r\n\r\n", MAX, &get),
            Err(ParseError::BadStatusLine)
        );
        assert_eq!(
            parse_response_head(b"HTTP/1.1 099 X\r\n\r\n", MAX, &get),
            Err(ParseError::BadStatusLine)
        );
    }

    #[test]
    fn split_keeps_the_body() {
        let mut buf = BytesMut::from(&b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"[..]);
        let head = split_response_head(&mut buf, MAX, &Method::GET)
            .unwrap()
            .unwrap();
        assert_eq!(head.body, BodyLength::Fixed(2));
        assert_eq!(&buf[..], b"hi");
    }
}
