//! The request heads clients send nearly always, read in one pass: a
//! token method, a printable-ASCII target, `HTTP/1.1` or `HTTP/1.0`, and
//! fields of a token name and a printable-ASCII value, every line ended
//! by CRLF. Anything else (an incomplete head, other bytes, any error) is
//! left to the full parser, which accepts or refuses it; what this reader
//! accepts, the full parser accepts too and reads the same way.

use http::{HeaderName, HeaderValue, Method, Version};

use super::framing::{is_token_byte, trim_ows};
use super::head::{STACK_HEADERS, ValueSpans};
use crate::httputil::{HttpHeaders, RequestStartLine};

/// A head read by [`read`]: its start line, its fields (values still
/// empty: where they lie is in the spans), and its length.
pub(super) struct FastHead {
    pub start_line: RequestStartLine,
    pub headers: HttpHeaders,
    pub consumed: usize,
}

/// Reads the head starting at `start` in `buf` when it is complete within
/// `max` bytes and made only of what this module reads; `spans` receives
/// where each field value lies in `buf`. `None`: the full parser decides.
pub(super) fn read(
    buf: &[u8],
    start: usize,
    max: usize,
    spans: &mut ValueSpans,
) -> Option<FastHead> {
    let end = buf.len().min(start.saturating_add(max));
    let mut at = start;
    let method_len = token_len(&buf[at..end]);
    let method = Method::from_bytes(&buf[at..at + method_len]).ok()?;
    at += method_len;
    at = expect(buf, end, at, b" ")?;
    let space = at + memchr::memchr(b' ', &buf[at..end])?;
    let target = &buf[at..space];
    if target.is_empty() || !all_visible(target) {
        return None;
    }
    // Visible ASCII only: valid UTF-8.
    let path = String::from_utf8(target.to_vec()).ok()?;
    at = space + 1;
    let version = match buf.get(at..at + 10)? {
        b"HTTP/1.1\r\n" => Version::HTTP_11,
        b"HTTP/1.0\r\n" => Version::HTTP_10,
        _ => return None,
    };
    at += 10;
    if at > end {
        return None;
    }
    let mut headers = HttpHeaders::with_capacity(8);
    loop {
        if buf.get(at..at + 2)? == b"\r\n" {
            at += 2;
            break;
        }
        if headers.len() == STACK_HEADERS {
            return None;
        }
        let name_len = token_len(&buf[at..end]);
        let name = HeaderName::from_bytes(&buf[at..at + name_len]).ok()?;
        at = expect(buf, end, at + name_len, b":")?;
        let cr = at + memchr::memchr(b'\r', &buf[at..end])?;
        if buf.get(cr + 1) != Some(&b'\n') || cr + 2 > end {
            return None;
        }
        if !all_field_value(&buf[at..cr]) {
            return None;
        }
        let value = trim_ows(&buf[at..cr]);
        let value_start = value.as_ptr() as usize - buf.as_ptr() as usize;
        spans[headers.len()] = (value_start, value_start + value.len());
        headers.append(name, HeaderValue::from_static(""));
        at = cr + 2;
    }
    if at > end {
        return None;
    }
    Some(FastHead {
        start_line: RequestStartLine {
            method,
            path,
            version,
        },
        headers,
        consumed: at,
    })
}

/// How many token bytes `bytes` starts with.
fn token_len(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|&&b| is_token_byte(b)).count()
}

/// The position after `literal` at `at`, when it is there before `end`.
fn expect(buf: &[u8], end: usize, at: usize, literal: &[u8]) -> Option<usize> {
    let after = at + literal.len();
    (after <= end && buf[at..after] == *literal).then_some(after)
}

/// Every byte is visible ASCII (no space, no control, no obs-text). Runs
/// over the whole slice without branching per byte.
fn all_visible(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(true, |ok, &b| ok & (b > b' ') & (b < 0x7f))
}

/// Every byte is visible ASCII, space or tab.
fn all_field_value(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| {
        ok & ((b' '..0x7f).contains(&b) | (b == b'\t'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(raw: &[u8]) -> Option<(FastHead, Vec<&[u8]>)> {
        let mut spans: ValueSpans = [(0, 0); STACK_HEADERS];
        let head = read(raw, 0, 1024, &mut spans)?;
        let values = spans[..head.headers.len()]
            .iter()
            .map(|&(start, end)| &raw[start..end])
            .collect();
        Some((head, values))
    }

    #[test]
    fn reads_a_plain_head() {
        let raw = b"GET /a?b=c HTTP/1.1\r\nHost: h\r\nX-A: \t v w \t\r\nEmpty:\r\n\r\nnext";
        let (head, values) = fast(raw).unwrap();
        assert_eq!(head.start_line.method, Method::GET);
        assert_eq!(head.start_line.path, "/a?b=c");
        assert_eq!(head.start_line.version, Version::HTTP_11);
        assert_eq!(head.consumed, raw.len() - 4);
        let names: Vec<_> = (&head.headers)
            .into_iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, ["host", "x-a", "empty"]);
        assert_eq!(values, [&b"h"[..], b"v w", b""]);
    }

    #[test]
    fn leaves_everything_unusual_to_the_full_parser() {
        let heads: [&[u8]; 16] = [
            b"GET / HTTP/1.1\r\nHost: h\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\n\r",
            b"GET / HTTP/1.1\nHost: h\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\n\r\n",
            b"GET  / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.2\r\n\r\n",
            b"GET /\x80 HTTP/1.1\r\n\r\n",
            b"G(T / HTTP/1.1\r\n\r\n",
            b" / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost : h\r\n\r\n",
            b"GET / HTTP/1.1\r\n: h\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\x00\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\x80\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\rx\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\n\r\r\n",
        ];
        for raw in heads {
            assert!(fast(raw).is_none(), "{:?}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn stays_within_the_limit_and_the_stack_storage() {
        let raw = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
        let mut spans: ValueSpans = [(0, 0); STACK_HEADERS];
        assert!(read(raw, 0, raw.len(), &mut spans).is_some());
        assert!(read(raw, 0, raw.len() - 1, &mut spans).is_none());
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..=STACK_HEADERS {
            many.extend_from_slice(format!("X-{i}: {i}\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert!(read(&many, 0, 4096, &mut spans).is_none());
    }
}
