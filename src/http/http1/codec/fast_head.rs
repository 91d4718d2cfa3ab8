//! The request heads clients send nearly always, read in one pass: a
//! token method, a printable-ASCII target, `HTTP/1.1` or `HTTP/1.0`, and
//! fields of a token name and a printable-ASCII value, every line ended
//! by CRLF. Anything else (an incomplete head, other bytes, any error) is
//! left to the full parser, which accepts or refuses it; what this reader
//! accepts, the full parser accepts too and reads the same way.

use std::mem::MaybeUninit;

use http::header::{self, HeaderName, HeaderValue};
use http::{Method, Version};

use super::framing::{FramingFields, is_token_byte};
use crate::httputil::{HttpHeaders, RequestStartLine, RequestTarget};

/// The most fields a head read here has: more go to the full parser.
pub(super) const FAST_FIELDS: usize = 32;

/// Where each field value of a head read here lies in the buffer read
/// (32-bit offsets), written as the fields are read: the first
/// `headers.len()` entries of a head [`read`] returned are set (see
/// [`written`]), the others may never have been.
pub(super) type FastSpans = [MaybeUninit<(u32, u32)>; FAST_FIELDS];

/// The first `count` spans of `spans`.
///
/// # Safety
///
/// `spans` was passed to a call of [`read`] that returned a head with at
/// least `count` fields: `read` writes `spans[i]` before it adds the
/// field `i`, so those entries are initialised.
#[allow(unsafe_code)]
pub(super) unsafe fn written(spans: &FastSpans, count: usize) -> &[(u32, u32)] {
    let written = &spans[..count];
    // SAFETY: initialised (the caller's promise); `MaybeUninit<T>` has
    // the layout of `T`.
    unsafe { &*(std::ptr::from_ref(written) as *const [(u32, u32)]) }
}

/// A head read by [`read`]: its start line, its fields (values still
/// empty: where they lie is in the spans), what they say about framing,
/// and its length.
pub(super) struct FastHead {
    pub start_line: RequestStartLine,
    pub headers: HttpHeaders,
    pub framing: FramingFields,
    pub consumed: usize,
}

/// Reads the head starting at `start` in `buf` when it is complete within
/// `max` bytes, made only of what this module reads, and its framing
/// fields are well formed; `spans` receives where each field value lies
/// in `buf`. `None`: the full parser decides.
///
/// Every byte is looked at once, eight at a time where it can be: the
/// lines of a head are too short for a vectorised search to pay for its
/// setup.
pub(super) fn read(
    buf: &[u8],
    start: usize,
    max: usize,
    spans: &mut FastSpans,
) -> Option<FastHead> {
    let end = buf.len().min(start.saturating_add(max));
    // Spans are 32-bit offsets.
    if end > u32::MAX as usize {
        return None;
    }
    let buf = &buf[..end];
    let (method, method_len) = method(&buf[start..])?;
    let target_start = start + method_len;
    let (target_len, query) = target_run(&buf[target_start..]);
    if target_len == 0 {
        return None;
    }
    let path = RequestTarget::from_ascii_window(&buf[target_start..], target_len, query);
    let mut at = target_start + target_len;
    let version = version(buf.get(at..at + 11)?.try_into().ok()?)?;
    at += 11;
    let mut headers = HttpHeaders::with_capacity(8);
    let mut framing = FramingFields::default();
    loop {
        if *buf.get(at)? == b'\r' {
            if *buf.get(at + 1)? != b'\n' {
                return None;
            }
            at += 2;
            break;
        }
        if headers.len() == FAST_FIELDS {
            return None;
        }
        let name_start = at;
        at += buf[at..].iter().take_while(|&&b| is_token_byte(b)).count();
        if *buf.get(at)? != b':' {
            return None;
        }
        let (name, role) = header_name(&buf[name_start..at])?;
        at += 1;
        while buf.get(at).is_some_and(|&b| b == b' ' || b == b'\t') {
            at += 1;
        }
        let value_start = at;
        at += value_run(&buf[at..]);
        if buf.get(at..at + 2)? != b"\r\n" {
            return None;
        }
        let mut value_end = at;
        while value_end > value_start && matches!(buf[value_end - 1], b' ' | b'\t') {
            value_end -= 1;
        }
        match role {
            Role::Host => framing.hosts += 1,
            Role::Framing => framing.add(&name, &buf[value_start..value_end]).ok()?,
            Role::Plain => {}
        }
        // Within `u32` (checked above).
        spans[headers.len()] = MaybeUninit::new((value_start as u32, value_end as u32));
        headers.append(name, HeaderValue::from_static(""));
        at += 2;
    }
    Some(FastHead {
        start_line: RequestStartLine {
            method,
            path,
            version,
        },
        headers,
        framing,
        consumed: at,
    })
}

/// The method `line` starts with, and the length of it and the space
/// after it; the common methods are told without building one.
fn method(line: &[u8]) -> Option<(Method, usize)> {
    if line.starts_with(b"GET ") {
        return Some((Method::GET, 4));
    }
    if line.starts_with(b"POST ") {
        return Some((Method::POST, 5));
    }
    let len = line.iter().take_while(|&&b| is_token_byte(b)).count();
    if line.get(len) != Some(&b' ') {
        return None;
    }
    Some((Method::from_bytes(&line[..len]).ok()?, len + 1))
}

/// The version of ` HTTP/1.x` CRLF ending a request line.
fn version(rest: &[u8; 11]) -> Option<Version> {
    if rest[..8] != *b" HTTP/1." || rest[9..] != *b"\r\n" {
        return None;
    }
    match rest[8] {
        b'1' => Some(Version::HTTP_11),
        b'0' => Some(Version::HTTP_10),
        _ => None,
    }
}

/// The length of the run of visible ASCII bytes `bytes` starts with (no
/// space, no control byte, no obs-text), and where its first `?` is.
fn target_run(bytes: &[u8]) -> (usize, Option<usize>) {
    let mut at = 0;
    let mut query = None;
    while let Some(word) = word_at(bytes, at) {
        let end = first_outside(word, 0x21, 0x7e);
        if query.is_none() {
            query = first_equal(word, b'?')
                .filter(|&offset| end.is_none_or(|end| offset < end))
                .map(|offset| at + offset);
        }
        match end {
            Some(offset) => return (at + offset, query),
            None => at += 8,
        }
    }
    let len = at + bytes[at..].iter().take_while(|&&b| is_visible(b)).count();
    let query = query.or_else(|| (at..len).find(|&i| bytes[i] == b'?'));
    (len, query)
}

/// The length of the run of field-value bytes `bytes` starts with:
/// visible ASCII, spaces and tabs.
fn value_run(bytes: &[u8]) -> usize {
    let mut at = 0;
    while let Some(word) = word_at(bytes, at) {
        match first_outside(word, 0x20, 0x7e) {
            Some(offset) if word[offset] == b'\t' => at += offset + 1,
            Some(offset) => return at + offset,
            None => at += 8,
        }
    }
    at + bytes[at..]
        .iter()
        .take_while(|&&b| is_visible(b) || b == b' ' || b == b'\t')
        .count()
}

/// The eight bytes of `bytes` from `at`, when there are that many.
fn word_at(bytes: &[u8], at: usize) -> Option<&[u8; 8]> {
    bytes.get(at..at + 8)?.try_into().ok()
}

/// Where the first of the eight bytes of `word` outside `low..=high` is
/// (`low` at most 0x80, `high` below 0x80), all eight tested at once. A
/// byte below `low` borrows into its top bit when `low` is taken from
/// each byte; a byte above `high` carries into its top bit when
/// `0x7f - high` is added to each (or has it set already). A borrow or a
/// carry only moves to later bytes, so the first byte flagged is the
/// first outside.
fn first_outside(word: &[u8; 8], low: u8, high: u8) -> Option<usize> {
    let x = u64::from_le_bytes(*word);
    let below = x.wrapping_sub(ONES * u64::from(low)) & !x;
    let above = x.wrapping_add(ONES * u64::from(0x7f - high)) | x;
    first_flagged(below | above)
}

/// Where the first byte of `word` equal to `byte` is, all eight tested at
/// once: a byte equal to it is zero once `byte` is xored out, and only a
/// zero byte borrows into its top bit when one is taken from each byte
/// without a borrow coming into it from a lower byte (only later bytes
/// may be flagged wrongly).
fn first_equal(word: &[u8; 8], byte: u8) -> Option<usize> {
    let x = u64::from_le_bytes(*word) ^ (ONES * u64::from(byte));
    first_flagged(x.wrapping_sub(ONES) & !x)
}

/// A one in each byte of a word.
const ONES: u64 = u64::from_le_bytes([1; 8]);

/// Which byte of a word (little-endian) is the first with its top bit
/// set in `flags`.
fn first_flagged(flags: u64) -> Option<usize> {
    let flagged = flags & (ONES * 0x80);
    (flagged != 0).then(|| flagged.trailing_zeros() as usize / 8)
}

/// Visible ASCII: no space, no control, no obs-text.
fn is_visible(b: u8) -> bool {
    b.wrapping_sub(0x21) < 0x7f - 0x21
}

/// What a field says about the message's framing.
enum Role {
    /// `Host`, counted.
    Host,
    /// `Content-Length`, `Transfer-Encoding`, `Connection` or `Expect`.
    Framing,
    /// Nothing.
    Plain,
}

/// The field names clients send in nearly every request, and those about
/// framing, told by length and a case-insensitive comparison; any other
/// name is looked up by `http`, and says nothing about framing.
fn header_name(name: &[u8]) -> Option<(HeaderName, Role)> {
    let known = match name.len() {
        4 if lower_eq(name, b"host") => (header::HOST, Role::Host),
        6 if lower_eq(name, b"accept") => (header::ACCEPT, Role::Plain),
        6 if lower_eq(name, b"cookie") => (header::COOKIE, Role::Plain),
        6 if lower_eq(name, b"expect") => (header::EXPECT, Role::Framing),
        7 if lower_eq(name, b"referer") => (header::REFERER, Role::Plain),
        10 if lower_eq(name, b"user-agent") => (header::USER_AGENT, Role::Plain),
        10 if lower_eq(name, b"connection") => (header::CONNECTION, Role::Framing),
        12 if lower_eq(name, b"content-type") => (header::CONTENT_TYPE, Role::Plain),
        14 if lower_eq(name, b"content-length") => (header::CONTENT_LENGTH, Role::Framing),
        15 if lower_eq(name, b"accept-encoding") => (header::ACCEPT_ENCODING, Role::Plain),
        15 if lower_eq(name, b"accept-language") => (header::ACCEPT_LANGUAGE, Role::Plain),
        17 if lower_eq(name, b"transfer-encoding") => (header::TRANSFER_ENCODING, Role::Framing),
        _ => return Some((HeaderName::from_bytes(name).ok()?, Role::Plain)),
    };
    Some(known)
}

/// `name` (token bytes only) is `lower` (lowercase letters and `-`) in
/// any case. Setting bit 5 lowercases a letter and leaves `-` alone; the
/// only other byte it maps to a letter or `-` is a control byte, which no
/// token has.
fn lower_eq(name: &[u8], lower: &[u8]) -> bool {
    name.len() == lower.len() && name.iter().zip(lower).all(|(&b, &l)| b | 0x20 == l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(raw: &[u8]) -> Option<(FastHead, Vec<&[u8]>)> {
        let mut spans: FastSpans = [const { MaybeUninit::uninit() }; FAST_FIELDS];
        let head = read(raw, 0, 1024, &mut spans)?;
        // SAFETY: the spans of the head `read` just returned.
        #[allow(unsafe_code)]
        let values = unsafe { written(&spans, head.headers.len()) }
            .iter()
            .map(|&(start, end)| &raw[start as usize..end as usize])
            .collect();
        Some((head, values))
    }

    #[test]
    fn reads_a_plain_head() {
        let raw = b"GET /a?b=c HTTP/1.1\r\nHost: h\r\nX-A: \t v w \t\r\nEmpty:\r\n\r\nnext";
        let (head, values) = fast(raw).unwrap();
        assert_eq!(head.start_line.method, Method::GET);
        assert_eq!(head.start_line.path, "/a?b=c");
        assert_eq!(head.start_line.path.split_query(), ("/a", "b=c"));
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
    fn runs_end_at_the_first_byte_outside_their_set_wherever_it_lies() {
        for b in 0..=255u8 {
            for at in 0..20 {
                let mut bytes = vec![b'a'; 20];
                bytes[at] = b;
                let visible = is_visible(b);
                let value = visible || b == b' ' || b == b'\t';
                assert_eq!(
                    target_run(&bytes).0,
                    if visible { 20 } else { at },
                    "{b:#x} at {at}"
                );
                assert_eq!(
                    value_run(&bytes),
                    if value { 20 } else { at },
                    "{b:#x} at {at}"
                );
            }
        }
    }

    #[test]
    fn a_target_run_finds_its_first_question_mark_and_none_past_its_end() {
        for end in 1..=20 {
            for first in 0..20 {
                let mut bytes = vec![b'a'; 20];
                bytes[first] = b'?';
                if first + 3 < 20 {
                    bytes[first + 3] = b'?';
                }
                if end < 20 {
                    bytes[end] = b' ';
                }
                let expected = (first < end).then_some(first);
                assert_eq!(
                    target_run(&bytes),
                    (end, expected),
                    "? at {first}, end {end}"
                );
            }
        }
        for b in 0..=255u8 {
            let word = [b, b'?', 0, 0, 0, 0, 0, 0];
            let expected = if b == b'?' { 0 } else { 1 };
            assert_eq!(first_equal(&word, b'?'), Some(expected), "{b:#x}");
        }
    }

    #[test]
    fn the_first_of_two_bytes_outside_ends_the_run() {
        // A byte above the range then one below it, and the reverse: the
        // carry or borrow of the first must not hide or move the answer.
        for (first, second) in [(0x80, 0x01), (0xff, 0x00), (0x01, 0x80), (0x7f, 0x1f)] {
            for at in 0..8 {
                let mut bytes = [b'a'; 16];
                bytes[at] = first;
                bytes[at + 1] = second;
                assert_eq!(target_run(&bytes).0, at, "{first:#x} {second:#x} at {at}");
                assert_eq!(value_run(&bytes), at, "{first:#x} {second:#x} at {at}");
            }
        }
    }

    #[test]
    fn known_names_match_in_any_case_and_only_themselves() {
        for (raw, name) in [
            (&b"HOST"[..], "host"),
            (b"hOsT", "host"),
            (b"Content-Length", "content-length"),
            (b"TRANSFER-encoding", "transfer-encoding"),
            (b"X-Host", "x-host"),
            (b"Hos1", "hos1"),
        ] {
            assert_eq!(header_name(raw).unwrap().0.as_str(), name);
        }
        assert!(matches!(header_name(b"Host").unwrap().1, Role::Host));
        assert!(matches!(header_name(b"expect").unwrap().1, Role::Framing));
        assert!(matches!(header_name(b"X-Expect").unwrap().1, Role::Plain));
        assert!(header_name(b"").is_none());
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
        let mut spans: FastSpans = [const { MaybeUninit::uninit() }; FAST_FIELDS];
        assert!(read(raw, 0, raw.len(), &mut spans).is_some());
        assert!(read(raw, 0, raw.len() - 1, &mut spans).is_none());
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..=FAST_FIELDS {
            many.extend_from_slice(format!("X-{i}: {i}\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert!(read(&many, 0, 4096, &mut spans).is_none());
    }
}
