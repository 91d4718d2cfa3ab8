//! The message framing rules of RFC 9112 §6: what `Content-Length`,
//! `Transfer-Encoding`, `Connection`, `Host` and `Expect` say about a
//! received head, checked strictly (the request-smuggling vectors are
//! refused, not guessed at).

use http::header::{CONNECTION, CONTENT_LENGTH, EXPECT, HOST, HeaderName, TRANSFER_ENCODING};

use super::ParseError;
use crate::httputil::HttpHeaders;

/// How the body of a message is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyLength {
    /// No body (also `Content-Length: 0`).
    Empty,
    /// Exactly this many bytes (never 0).
    Fixed(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Everything until the peer closes (responses only).
    CloseDelimited,
}

/// What the framing fields of one head say, gathered in one pass.
#[derive(Debug, Default)]
pub(super) struct FramingFields {
    /// The agreed `Content-Length`, if any field was present.
    pub content_length: Option<u64>,
    /// The `Transfer-Encoding` codings, if any field was present.
    pub transfer_encoding: Option<TransferCodings>,
    /// `Connection: close` was present.
    pub close: bool,
    /// `Connection: keep-alive` was present.
    pub keep_alive: bool,
    /// How many `Host` fields there were.
    pub hosts: usize,
    /// `Expect: 100-continue` was present.
    pub expect_continue: bool,
}

/// A summary of a `Transfer-Encoding` list (all fields together).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct TransferCodings {
    /// How many codings were listed.
    pub count: usize,
    /// How many of them were `chunked`.
    pub chunked: usize,
    /// The last one was `chunked`.
    pub last_is_chunked: bool,
}

impl FramingFields {
    /// Reads the framing fields of `headers`, refusing malformed
    /// `Content-Length` and `Transfer-Encoding` values.
    pub fn read(headers: &HttpHeaders) -> Result<FramingFields, ParseError> {
        let mut fields = FramingFields::default();
        for (name, value) in headers {
            fields.add(name, value.as_bytes())?;
        }
        Ok(fields)
    }

    /// Takes one field into account (any field: those that say nothing
    /// about framing are passed over).
    pub fn add(&mut self, name: &HeaderName, value: &[u8]) -> Result<(), ParseError> {
        if *name == CONTENT_LENGTH {
            for element in value.split(|&b| b == b',') {
                let n = parse_content_length(element)?;
                match self.content_length {
                    Some(seen) if seen != n => {
                        return Err(ParseError::ConflictingContentLength);
                    }
                    _ => self.content_length = Some(n),
                }
            }
        } else if *name == TRANSFER_ENCODING {
            let codings = self.transfer_encoding.get_or_insert_default();
            add_transfer_codings(codings, value)?;
        } else if *name == CONNECTION {
            for token in list_elements(value) {
                if token.eq_ignore_ascii_case(b"close") {
                    self.close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") {
                    self.keep_alive = true;
                }
            }
        } else if *name == HOST {
            self.hosts += 1;
        } else if *name == EXPECT {
            self.expect_continue |= trim_ows(value).eq_ignore_ascii_case(b"100-continue");
        }
        Ok(())
    }

    /// The body length these fields give a request (RFC 9112 §6.3: no
    /// close-delimited requests; the final coding must be `chunked`).
    pub fn request_body(&self, http10: bool) -> Result<BodyLength, ParseError> {
        match (self.content_length, self.transfer_encoding) {
            (Some(_), Some(_)) => Err(ParseError::ContentLengthWithTransferEncoding),
            (_, Some(_)) if http10 => Err(ParseError::BadTransferEncoding),
            (_, Some(codings)) => {
                check_codings(&codings)?;
                if !codings.last_is_chunked {
                    return Err(ParseError::BadTransferEncoding);
                }
                Ok(BodyLength::Chunked)
            }
            (Some(n), None) => Ok(fixed(n)),
            (None, None) => Ok(BodyLength::Empty),
        }
    }

    /// The body length these fields give a response that may have a body
    /// (a final coding other than `chunked` reads until close).
    pub fn response_body(&self, http10: bool) -> Result<BodyLength, ParseError> {
        match (self.content_length, self.transfer_encoding) {
            (Some(_), Some(_)) => Err(ParseError::ContentLengthWithTransferEncoding),
            (_, Some(_)) if http10 => Err(ParseError::BadTransferEncoding),
            (_, Some(codings)) => {
                check_codings(&codings)?;
                if codings.last_is_chunked {
                    Ok(BodyLength::Chunked)
                } else {
                    Ok(BodyLength::CloseDelimited)
                }
            }
            (Some(n), None) => Ok(fixed(n)),
            (None, None) => Ok(BodyLength::CloseDelimited),
        }
    }
}

/// `Content-Length: 0` is no body at all.
fn fixed(n: u64) -> BodyLength {
    if n == 0 {
        BodyLength::Empty
    } else {
        BodyLength::Fixed(n)
    }
}

/// `chunked` at most once and only last; other codings are not supported
/// (501) since only `chunked` is decoded.
fn check_codings(codings: &TransferCodings) -> Result<(), ParseError> {
    if codings.chunked > 1 || (codings.chunked == 1 && !codings.last_is_chunked) {
        return Err(ParseError::BadTransferEncoding);
    }
    if codings.last_is_chunked && codings.count > 1 {
        return Err(ParseError::UnsupportedTransferEncoding);
    }
    Ok(())
}

/// Adds the codings of one `Transfer-Encoding` field value.
fn add_transfer_codings(codings: &mut TransferCodings, value: &[u8]) -> Result<(), ParseError> {
    let mut any = false;
    for coding in list_elements(value) {
        any = true;
        codings.count += 1;
        let chunked = coding.eq_ignore_ascii_case(b"chunked");
        if chunked {
            codings.chunked += 1;
        } else if !is_coding(coding) {
            return Err(ParseError::BadTransferEncoding);
        }
        codings.last_is_chunked = chunked;
    }
    if any {
        Ok(())
    } else {
        Err(ParseError::BadTransferEncoding)
    }
}

/// A transfer coding: a token, optionally with `;` parameters.
fn is_coding(coding: &[u8]) -> bool {
    let name = coding.split(|&b| b == b';').next().unwrap_or_default();
    let name = trim_ows(name);
    !name.is_empty() && name.iter().all(|&b| is_token_byte(b))
}

/// One `Content-Length` list element: `1*DIGIT` between optional OWS.
pub(super) fn parse_content_length(element: &[u8]) -> Result<u64, ParseError> {
    let digits = trim_ows(element);
    if digits.is_empty() {
        return Err(ParseError::BadContentLength);
    }
    digits.iter().try_fold(0u64, |n, &b| {
        if !b.is_ascii_digit() {
            return Err(ParseError::BadContentLength);
        }
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or(ParseError::BadContentLength)
    })
}

/// The non-empty elements of a comma-separated list, OWS trimmed (empty
/// elements are ignored, as RFC 9110 §5.6.1 asks).
pub(super) fn list_elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(trim_ows)
        .filter(|element| !element.is_empty())
}

/// `bytes` without leading and trailing spaces and tabs.
fn trim_ows(bytes: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !is_ows(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// A `tchar` of RFC 9110 §5.6.2.
pub(super) fn is_token_byte(b: u8) -> bool {
    TOKEN[usize::from(b)]
}

/// [`is_token_byte`] for each byte value, looked up rather than compared
/// (heads are read a byte at a time).
static TOKEN: [bool; 256] = token_table();

const fn token_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_tchar(b as u8);
        b += 1;
    }
    table
}

/// Whether `c` is a `tchar`, compared (for constants; heads use
/// [`is_token_byte`]).
pub(super) const fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'^'..=b'`' | b'|' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(fields: &[(&str, &str)]) -> HttpHeaders {
        let mut h = HttpHeaders::new();
        for (n, v) in fields {
            h.add(n, v).unwrap();
        }
        h
    }

    fn request_body(fields: &[(&str, &str)]) -> Result<BodyLength, ParseError> {
        FramingFields::read(&headers(fields))?.request_body(false)
    }

    #[test]
    fn content_length_accepts_digits_between_ows() {
        assert_eq!(parse_content_length(b" 42\t"), Ok(42));
        assert_eq!(parse_content_length(b"007"), Ok(7));
        assert_eq!(parse_content_length(b"18446744073709551615"), Ok(u64::MAX));
    }

    #[test]
    fn content_length_refuses_signs_separators_and_overflow() {
        for bad in [
            &b"+5"[..],
            b"-5",
            b"1_0",
            b"0x5",
            b"",
            b"  ",
            b"5 5",
            b"18446744073709551616",
        ] {
            assert_eq!(
                parse_content_length(bad),
                Err(ParseError::BadContentLength),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn identical_content_lengths_merge_and_differing_ones_conflict() {
        assert_eq!(
            request_body(&[("Content-Length", "5, 5")]),
            Ok(BodyLength::Fixed(5))
        );
        assert_eq!(
            request_body(&[("Content-Length", "5"), ("Content-Length", "5")]),
            Ok(BodyLength::Fixed(5))
        );
        assert_eq!(
            request_body(&[("Content-Length", "5, 6")]),
            Err(ParseError::ConflictingContentLength)
        );
        assert_eq!(
            request_body(&[("Content-Length", "5"), ("Content-Length", "6")]),
            Err(ParseError::ConflictingContentLength)
        );
        assert_eq!(
            request_body(&[("Content-Length", "5,")]),
            Err(ParseError::BadContentLength)
        );
    }

    #[test]
    fn content_length_zero_is_empty() {
        assert_eq!(
            request_body(&[("Content-Length", "0")]),
            Ok(BodyLength::Empty)
        );
    }

    #[test]
    fn transfer_encoding_must_be_exactly_one_final_chunked() {
        assert_eq!(
            request_body(&[("Transfer-Encoding", "Chunked")]),
            Ok(BodyLength::Chunked)
        );
        assert_eq!(
            request_body(&[("Transfer-Encoding", " chunked ")]),
            Ok(BodyLength::Chunked)
        );
        for (value, error) in [
            ("chunked, identity", ParseError::BadTransferEncoding),
            ("identity, chunked", ParseError::UnsupportedTransferEncoding),
            ("gzip, chunked", ParseError::UnsupportedTransferEncoding),
            ("chunked, chunked", ParseError::BadTransferEncoding),
            ("xchunked", ParseError::BadTransferEncoding),
            ("gzip", ParseError::BadTransferEncoding),
            ("", ParseError::BadTransferEncoding),
            (",", ParseError::BadTransferEncoding),
            ("ch@nked", ParseError::BadTransferEncoding),
        ] {
            let fields = FramingFields::read(&headers(&[("Transfer-Encoding", value)]));
            let result = fields.and_then(|f| f.request_body(false));
            assert_eq!(result, Err(error), "{value:?}");
        }
        assert_eq!(
            request_body(&[
                ("Transfer-Encoding", "chunked"),
                ("Transfer-Encoding", "chunked")
            ]),
            Err(ParseError::BadTransferEncoding)
        );
    }

    #[test]
    fn content_length_with_transfer_encoding_is_refused() {
        assert_eq!(
            request_body(&[("Content-Length", "5"), ("Transfer-Encoding", "chunked")]),
            Err(ParseError::ContentLengthWithTransferEncoding)
        );
    }

    #[test]
    fn transfer_encoding_on_http10_is_refused() {
        let fields = FramingFields::read(&headers(&[("Transfer-Encoding", "chunked")])).unwrap();
        assert_eq!(
            fields.request_body(true),
            Err(ParseError::BadTransferEncoding)
        );
        assert_eq!(
            fields.response_body(true),
            Err(ParseError::BadTransferEncoding)
        );
    }

    #[test]
    fn responses_without_framing_or_with_a_final_non_chunked_coding_read_until_close() {
        let none = FramingFields::read(&headers(&[])).unwrap();
        assert_eq!(none.response_body(false), Ok(BodyLength::CloseDelimited));
        let gzip = FramingFields::read(&headers(&[("Transfer-Encoding", "gzip")])).unwrap();
        assert_eq!(gzip.response_body(false), Ok(BodyLength::CloseDelimited));
    }

    #[test]
    fn connection_tokens_are_case_insensitive_list_elements() {
        let f = FramingFields::read(&headers(&[("Connection", "Upgrade, CLOSE")])).unwrap();
        assert!(f.close && !f.keep_alive);
        let f = FramingFields::read(&headers(&[("Connection", "Keep-Alive")])).unwrap();
        assert!(f.keep_alive && !f.close);
    }

    #[test]
    fn trim_ows_trims_only_spaces_and_tabs() {
        assert_eq!(trim_ows(b" \ta b\t "), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
    }
}
