//! What request and response heads share: where a head starts, the
//! parse window bounded by the size limit, the CRLF check `httparse`
//! leaves to us, and turning `httparse`'s fields into [`HttpHeaders`]
//! without copying values.

use std::mem::MaybeUninit;

use bytes::{Buf, Bytes};
use http::Version;
use http::header::{HeaderName, HeaderValue};

use super::ParseError;
use super::framing::FramingFields;
use crate::httputil::HttpHeaders;

/// How many header fields are parsed into stack storage before the parse
/// is retried with heap storage sized for the head.
pub(super) const STACK_HEADERS: usize = 48;

/// Uninitialised `httparse` header storage on the stack.
pub(super) fn stack_headers<'b>() -> [MaybeUninit<httparse::Header<'b>>; STACK_HEADERS] {
    [const { MaybeUninit::uninit() }; STACK_HEADERS]
}

/// Heap header storage with room for every line of `window`.
fn heap_headers<'b>(window: &[u8]) -> Vec<MaybeUninit<httparse::Header<'b>>> {
    let lines = memchr::memchr_iter(b'\n', window).count() + 1;
    vec![MaybeUninit::uninit(); lines]
}

/// The stack storage was too small for the header count.
pub(super) struct Retry;

/// Runs `parse` over the head at `start` in `buf` with stack storage for
/// the header fields, and once more with heap storage sized for the head
/// when they do not fit.
pub(super) fn parse_with_storage<'b, T>(
    buf: &'b [u8],
    start: usize,
    max: usize,
    mut parse: impl FnMut(
        &mut [MaybeUninit<httparse::Header<'b>>],
    ) -> Result<Result<Option<T>, ParseError>, Retry>,
) -> Result<Option<T>, ParseError> {
    match parse(&mut stack_headers()) {
        Err(Retry) => parse(&mut heap_headers(window(buf, start, max)))
            .unwrap_or(Err(ParseError::HeadTooLarge)),
        Ok(result) => result,
    }
}

/// Where the start line begins: one optional leading CRLF is skipped (RFC
/// 9112 §2.2); a second empty line, or a bare LF, is refused. `None`: not
/// enough bytes yet to tell.
pub(super) fn head_start(buf: &[u8]) -> Result<Option<usize>, ParseError> {
    let start = match buf {
        [] | [b'\r'] => return Ok(None),
        [b'\r', b'\n', ..] => 2,
        [b'\r', ..] | [b'\n', ..] => return Err(ParseError::BadLineEnding),
        _ => 0,
    };
    match buf.get(start) {
        Some(b'\r' | b'\n') => Err(ParseError::LeadingEmptyLines),
        _ => Ok(Some(start)),
    }
}

/// The bytes after `start` that may hold the head: at most `max` of them.
pub(super) fn window(buf: &[u8], start: usize, max: usize) -> &[u8] {
    let end = buf.len().min(start.saturating_add(max));
    &buf[start..end]
}

/// No complete head in `window`: wait for more bytes while the limit
/// allows, else the head is too large (414 when not even the start line
/// fits).
pub(super) fn incomplete<T>(buf: &[u8], start: usize, max: usize) -> Result<Option<T>, ParseError> {
    if buf.len() - start <= max {
        Ok(None)
    } else if memchr::memchr(b'\n', window(buf, start, max)).is_none() {
        Err(ParseError::UriTooLong)
    } else {
        Err(ParseError::HeadTooLarge)
    }
}

/// The start line of `window` without its CRLF, once it is complete.
pub(super) fn start_line(window: &[u8]) -> Option<&[u8]> {
    let end = memchr::memchr(b'\n', window)?;
    Some(window[..end].strip_suffix(b"\r").unwrap_or(&window[..end]))
}

/// `HTTP/DIGIT.DIGIT`: a version that is well formed, if not supported.
pub(super) fn is_well_formed_version(version: &[u8]) -> bool {
    matches!(version, [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
        if major.is_ascii_digit() && minor.is_ascii_digit())
}

/// Every LF of a complete head must follow a CR (`httparse` accepts bare
/// LF line endings; it already refuses a CR without LF).
pub(super) fn check_line_endings(head: &[u8]) -> Result<(), ParseError> {
    for lf in memchr::memchr_iter(b'\n', head) {
        if lf == 0 || head[lf - 1] != b'\r' {
            return Err(ParseError::BadLineEnding);
        }
    }
    Ok(())
}

/// Checks one complete header line (with its line ending) on its own, as
/// the full parse would check it.
pub(super) fn check_header_line(line: &[u8]) -> Result<(), ParseError> {
    let mut field = [httparse::EMPTY_HEADER; 1];
    match httparse::parse_headers(line, &mut field) {
        Ok(_) => Ok(()),
        Err(error) => Err(header_error(error)),
    }
}

/// `httparse`'s error as ours (the start-line errors are told apart by the
/// callers).
pub(super) fn header_error(error: httparse::Error) -> ParseError {
    match error {
        httparse::Error::HeaderName => ParseError::BadHeaderName,
        httparse::Error::HeaderValue => ParseError::BadHeaderValue,
        httparse::Error::NewLine => ParseError::BadLineEnding,
        httparse::Error::Status => ParseError::BadStatusLine,
        httparse::Error::Version => ParseError::BadVersion,
        httparse::Error::Token | httparse::Error::TooManyHeaders => ParseError::BadRequestLine,
    }
}

/// The bytes header values are sliced from: `buf` itself when it is
/// already shared, or one copy of the head.
enum ValueSource<'a> {
    /// Values are slices of this buffer (the same memory as the parsed one).
    Shared(&'a Bytes),
    /// Values are slices of one copy of the first `len` parsed bytes.
    Copy(usize),
}

/// Where each header value of a parsed head lies in the parsed buffer
/// (32-bit offsets: half the stack to clear per head).
pub(super) type ValueSpans = [(u32, u32); STACK_HEADERS];

/// `httparse`'s fields (at most [`STACK_HEADERS`]) as [`HttpHeaders`]
/// whose values are still empty: where each value lies in `buf` is
/// written to `spans`, for [`fill_values`] once the head is split off
/// the buffer.
pub(super) fn header_names(
    buf: &[u8],
    fields: &[httparse::Header<'_>],
    spans: &mut [(u32, u32)],
) -> Result<HttpHeaders, ParseError> {
    debug_assert!(spans.len() >= fields.len());
    let base = buf.as_ptr() as usize;
    let mut headers = HttpHeaders::with_capacity(fields.len());
    for (field, span) in fields.iter().zip(spans.iter_mut()) {
        let name =
            HeaderName::from_bytes(field.name.as_bytes()).map_err(|_| ParseError::BadHeaderName)?;
        let offset = field.value.as_ptr() as usize - base;
        let (Ok(start), Ok(end)) = (
            u32::try_from(offset),
            u32::try_from(offset + field.value.len()),
        ) else {
            return Err(ParseError::HeadTooLarge);
        };
        *span = (start, end);
        headers.append(name, HeaderValue::from_static(""));
    }
    Ok(headers)
}

/// Gives the values [`header_names`] left empty their bytes: zero-copy
/// slices of `head`, the buffer that was parsed.
pub(super) fn fill_values(
    headers: &mut HttpHeaders,
    head: &Bytes,
    spans: &[(u32, u32)],
) -> Result<(), ParseError> {
    for (value, &(start, end)) in headers.values_mut().zip(spans) {
        *value = HeaderValue::from_maybe_shared(head.slice(start as usize..end as usize))
            .map_err(|_| ParseError::BadHeaderValue)?;
    }
    Ok(())
}

/// [`fill_values`] for values the fast reader checked already. The last
/// value is `head` itself, narrowed, so a head with one field costs no
/// reference count of its own.
///
/// # Safety
///
/// `spans` must be those the fast reader wrote for `headers` as it read
/// `head`: each then holds only visible ASCII, spaces and tabs, which is
/// what `http` asks of a field value it does not check.
#[allow(unsafe_code)]
pub(super) unsafe fn fill_checked_values(
    headers: &mut HttpHeaders,
    mut head: Bytes,
    spans: &[(u32, u32)],
) {
    let mut values = headers.values_mut().zip(spans);
    let Some((last, &(last_start, last_end))) = values.next_back() else {
        return;
    };
    for (value, &(start, end)) in values {
        let bytes = head.slice(start as usize..end as usize);
        // SAFETY: the caller's promise (`http` checks again in debug
        // builds).
        *value = unsafe { HeaderValue::from_maybe_shared_unchecked(bytes) };
    }
    head.truncate(last_end as usize);
    head.advance(last_start as usize);
    // SAFETY: as above.
    *last = unsafe { HeaderValue::from_maybe_shared_unchecked(head) };
}

/// `httparse`'s fields as [`HttpHeaders`]; values are zero-copy slices of
/// one [`Bytes`] holding the head.
fn build_headers(
    buf: &[u8],
    fields: &[httparse::Header<'_>],
    source: ValueSource<'_>,
) -> Result<HttpHeaders, ParseError> {
    let base = buf.as_ptr() as usize;
    let copy;
    let head = match source {
        ValueSource::Shared(bytes) => bytes,
        ValueSource::Copy(len) => {
            copy = Bytes::copy_from_slice(&buf[..len]);
            &copy
        }
    };
    let mut headers = HttpHeaders::with_capacity(fields.len());
    for field in fields {
        let name =
            HeaderName::from_bytes(field.name.as_bytes()).map_err(|_| ParseError::BadHeaderName)?;
        let offset = field.value.as_ptr() as usize - base;
        let value = head.slice(offset..offset + field.value.len());
        let value =
            HeaderValue::from_maybe_shared(value).map_err(|_| ParseError::BadHeaderValue)?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// The version `httparse` read (`HTTP/1.0` for minor version 0, else
/// `HTTP/1.1`).
pub(super) fn version(minor: Option<u8>) -> Version {
    match minor {
        Some(0) => Version::HTTP_10,
        _ => Version::HTTP_11,
    }
}

/// The header fields of a head whose first `consumed` bytes of `buf`
/// were parsed (values shared with `shared` when given, else with one
/// copy of the head), and what their framing fields say.
pub(super) fn fields(
    buf: &[u8],
    consumed: usize,
    fields: &[httparse::Header<'_>],
    shared: Option<&Bytes>,
) -> Result<(HttpHeaders, FramingFields), ParseError> {
    let source = match shared {
        Some(bytes) => ValueSource::Shared(bytes),
        None => ValueSource::Copy(consumed),
    };
    let headers = build_headers(buf, fields, source)?;
    let framing = FramingFields::read(&headers)?;
    Ok((headers, framing))
}

/// A control byte other than horizontal tab (CTL in RFC 9110 terms,
/// tab excepted as field values allow it).
pub(super) fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_leading_crlf_is_skipped_and_a_second_refused() {
        assert_eq!(head_start(b"GET"), Ok(Some(0)));
        assert_eq!(head_start(b"\r\nGET"), Ok(Some(2)));
        assert_eq!(head_start(b"\r"), Ok(None));
        assert_eq!(head_start(b""), Ok(None));
        assert_eq!(
            head_start(b"\r\n\r\nGET"),
            Err(ParseError::LeadingEmptyLines)
        );
        assert_eq!(head_start(b"\r\n\nGET"), Err(ParseError::LeadingEmptyLines));
        assert_eq!(head_start(b"\nGET"), Err(ParseError::BadLineEnding));
        assert_eq!(head_start(b"\rGET"), Err(ParseError::BadLineEnding));
    }

    #[test]
    fn bare_lf_is_found_anywhere() {
        assert_eq!(check_line_endings(b"a\r\nb\r\n\r\n"), Ok(()));
        assert_eq!(
            check_line_endings(b"a\nb\r\n\r\n"),
            Err(ParseError::BadLineEnding)
        );
        assert_eq!(check_line_endings(b"\n"), Err(ParseError::BadLineEnding));
    }

    #[test]
    fn well_formed_versions() {
        assert!(is_well_formed_version(b"HTTP/2.0"));
        assert!(is_well_formed_version(b"HTTP/1.2"));
        assert!(!is_well_formed_version(b"http/1.1"));
        assert!(!is_well_formed_version(b"HTTP/1.10"));
        assert!(!is_well_formed_version(b"FOO/1.1"));
    }

    #[test]
    fn too_large_is_414_without_a_complete_first_line() {
        assert_eq!(
            incomplete::<()>(b"GET /aaaa", 0, 5),
            Err(ParseError::UriTooLong)
        );
        assert_eq!(
            incomplete::<()>(b"G\r\nH: aaaa", 0, 5),
            Err(ParseError::HeadTooLarge)
        );
        assert_eq!(incomplete::<()>(b"GET /", 0, 5), Ok(None));
    }
}
