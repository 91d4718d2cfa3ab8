//! Hex text of bytes and back, for signed values, XSRF tokens, ETags and
//! static file versions.

/// Lowercase hex digits.
pub(super) const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex.
pub(super) fn hex_encode(bytes: &[u8]) -> String {
    let mut out = vec![0; bytes.len() * 2];
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX_DIGITS[usize::from(b >> 4)];
        pair[1] = HEX_DIGITS[usize::from(b & 0x0f)];
    }
    // Hex digits are ASCII: the check cannot fail.
    String::from_utf8(out).unwrap_or_default()
}

/// Decodes hex of either case; `None` for an odd length or a non-hex byte.
pub(super) fn hex_decode(text: &[u8]) -> Option<Vec<u8>> {
    hex_decode_with(text, |b| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    })
}

/// Decodes lowercase hex only, as the signatures are written (and as
/// Tornado compares them, as text).
pub(super) fn hex_decode_lower(text: &[u8]) -> Option<Vec<u8>> {
    hex_decode_with(text, |b| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    })
}

fn hex_decode_with(text: &[u8], digit: impl Fn(u8) -> Option<u8>) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        let hex = hex_encode(&bytes);
        assert_eq!(hex_decode(hex.as_bytes()).unwrap(), bytes);
        assert_eq!(hex_decode_lower(hex.as_bytes()).unwrap(), bytes);
        assert_eq!(hex_decode(b"AbCd").unwrap(), [0xab, 0xcd]);
        assert_eq!(hex_decode_lower(b"AbCd"), None);
        assert_eq!(hex_decode(b"abc"), None);
        assert_eq!(hex_decode(b"zz"), None);
    }
}
