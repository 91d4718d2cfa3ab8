//! Percent-encoding of URL components, as Tornado's `url_escape` and
//! `url_unescape`.

use std::borrow::Cow;

/// Whether `byte` is written as itself by [`url_escape`]: ASCII letters and
/// digits, `_ . - ~`, and `/` when spaces are not written as `+` (that is,
/// for a path rather than a query).
fn is_safe(byte: u8, plus: bool) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(byte, b'_' | b'.' | b'-' | b'~')
        || (!plus && byte == b'/')
}

/// Whether `byte` starts something [`url_unescape_bytes`] decodes: `%`, or
/// `+` with `plus`.
fn needs_decoding(byte: u8, plus: bool) -> bool {
    byte == b'%' || (plus && byte == b'+')
}

/// Returns a URL-encoded version of `value`, as Tornado's `url_escape`.
///
/// Strings are encoded as UTF-8; byte slices are encoded as they are. Every
/// byte other than ASCII letters, digits and `_ . - ~` becomes `%XX`
/// (upper-case hex). With `plus` (Tornado's default, right for query
/// strings) a space becomes `+`, like Python's `quote_plus`; without it
/// (right for a path) a space becomes `%20` and `/` is kept, like `quote`.
///
/// Returns the input borrowed when it needs no escaping.
///
/// ```
/// use supercell::escape::url_escape;
///
/// assert_eq!(url_escape("a b/c+é", true), "a+b%2Fc%2B%C3%A9");
/// assert_eq!(url_escape("a b/c+é", false), "a%20b/c%2B%C3%A9");
/// assert_eq!(url_escape(b"\xe9", true), "%E9");
/// assert!(matches!(url_escape("plain-name_1.txt", true), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn url_escape(value: &(impl AsRef<[u8]> + ?Sized), plus: bool) -> Cow<'_, str> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = value.as_ref();
    if bytes.iter().all(|&b| is_safe(b, plus)) {
        // Safe bytes are ASCII, so this always succeeds.
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Cow::Borrowed(text);
        }
    }
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for &b in bytes {
        if is_safe(b, plus) {
            out.push(char::from(b));
        } else if plus && b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    Cow::Owned(out)
}

/// Decodes a URL-encoded `value` to text, as Tornado's `url_unescape` with
/// its default UTF-8 encoding.
///
/// `%XX` sequences (either case of hex digit) are decoded; a `%` not
/// followed by two hex digits is kept as written. With `plus` (Tornado's
/// default, right for query strings and form bodies) `+` means a space; a
/// literal plus must then be written `%2B`. Decoded bytes that are not valid
/// UTF-8 become U+FFFD REPLACEMENT CHARACTER, as Python's `unquote` does
/// with its default `errors="replace"`; use [`url_unescape_bytes`] to get
/// the bytes themselves.
///
/// Returns the input borrowed when it is UTF-8 with nothing to decode.
///
/// ```
/// use supercell::escape::url_unescape;
///
/// assert_eq!(url_unescape("a+b%2B%C3%A9", true), "a b+é");
/// assert_eq!(url_unescape("a+b%2B%C3%A9", false), "a+b+é");
/// assert_eq!(url_unescape("%E9", true), "\u{FFFD}");
/// assert!(matches!(url_unescape("a+b", false), std::borrow::Cow::Borrowed("a+b")));
/// ```
pub fn url_unescape(value: &(impl AsRef<[u8]> + ?Sized), plus: bool) -> Cow<'_, str> {
    let bytes = value.as_ref();
    if !bytes.iter().any(|&b| needs_decoding(b, plus)) {
        return String::from_utf8_lossy(bytes);
    }
    let decoded = url_unescape_bytes(bytes, plus);
    Cow::Owned(
        String::from_utf8(decoded)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// Decodes a URL-encoded `value` to bytes, as Tornado's `url_unescape` with
/// `encoding=None`. `%XX` and `plus` are handled as by [`url_unescape`].
///
/// ```
/// use supercell::escape::url_unescape_bytes;
///
/// assert_eq!(url_unescape_bytes("%E9+%2b", true), b"\xe9 +");
/// ```
pub fn url_unescape_bytes(value: impl AsRef<[u8]>, plus: bool) -> Vec<u8> {
    let mut rest = value.as_ref();
    let mut out = Vec::with_capacity(rest.len());
    while let Some(at) = rest.iter().position(|&b| needs_decoding(b, plus)) {
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at..];
        let (byte, len) = match *rest {
            [b'+', ..] => (b' ', 1),
            [b'%', high, low, ..] => decode_hex_pair(high, low).map_or((b'%', 1), |b| (b, 3)),
            _ => (b'%', 1),
        };
        out.push(byte);
        rest = &rest[len..];
    }
    out.extend_from_slice(rest);
    out
}

/// The byte two hex digits stand for, if `high` and `low` are hex digits.
fn decode_hex_pair(high: u8, low: u8) -> Option<u8> {
    let high = char::from(high).to_digit(16)?;
    let low = char::from(low).to_digit(16)?;
    u8::try_from(high * 16 + low).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        for plus in [true, false] {
            let escaped = url_escape(&all, plus);
            assert!(escaped.is_ascii());
            assert_eq!(url_unescape_bytes(escaped.as_bytes(), plus), all);
        }
    }

    #[test]
    fn safe_characters() {
        assert_eq!(url_escape("AZaz09_.-~", true), "AZaz09_.-~");
        assert_eq!(url_escape("/", true), "%2F");
        assert_eq!(url_escape("/", false), "/");
        assert_eq!(
            url_escape("!*'();:@&=+$,?#[]", false),
            "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%3F%23%5B%5D"
        );
    }

    #[test]
    fn bad_percent_sequences_are_kept() {
        assert_eq!(url_unescape_bytes("%", true), b"%");
        assert_eq!(url_unescape_bytes("%4", true), b"%4");
        assert_eq!(url_unescape_bytes("%zz%4g%%41", true), b"%zz%4g%A");
        assert_eq!(url_unescape_bytes("%e9%E9", false), b"\xe9\xe9");
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(url_unescape("a%FFb%C3", true), "a\u{FFFD}b\u{FFFD}");
    }

    #[test]
    fn borrowed_when_unchanged() {
        assert!(matches!(
            url_escape("a-b_c.d~9", true),
            Cow::Borrowed("a-b_c.d~9")
        ));
        assert!(matches!(url_escape("a/b", false), Cow::Borrowed("a/b")));
        assert!(matches!(url_escape("a/b", true), Cow::Owned(_)));
        assert!(matches!(
            url_unescape("a+b/é", false),
            Cow::Borrowed("a+b/é")
        ));
        assert!(matches!(url_unescape("a+b", true), Cow::Owned(_)));
        assert!(matches!(url_unescape("a%zz", true), Cow::Owned(_)));
    }

    #[test]
    fn invalid_utf8_with_nothing_to_decode_is_replaced() {
        assert_eq!(url_unescape(b"a\xffb", false), "a\u{FFFD}b");
    }
}
