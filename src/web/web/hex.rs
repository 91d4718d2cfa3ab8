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

/// Lowercase hex of `value`, most significant digit first: eight
/// digits at a time, each nibble spread into a byte of its own and
/// turned into its digit with arithmetic on the whole word.
pub(super) fn hex_u64(value: u64) -> [u8; 16] {
    let mut out = [0; 16];
    out[..8].copy_from_slice(&hex_u32((value >> 32) as u32).to_be_bytes());
    out[8..].copy_from_slice(&hex_u32(value as u32).to_be_bytes());
    out
}

/// The eight lowercase hex digits of `value`, most significant first
/// when the result is read big-endian.
fn hex_u32(value: u32) -> u64 {
    let x = u64::from(value);
    // Byte i of the result (from the least significant) gets nibble i.
    let x = ((x & 0xffff_0000) << 16) | (x & 0xffff);
    let x = ((x & 0x0000_ff00_0000_ff00) << 8) | (x & 0x0000_00ff_0000_00ff);
    let x = ((x & 0x00f0_00f0_00f0_00f0) << 4) | (x & 0x000f_000f_000f_000f);
    // 1 in each byte whose nibble is 10 or more (a letter).
    let letters = ((x + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
    x + 0x3030_3030_3030_3030 + letters * u64::from(b'a' - b'0' - 10)
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

    proptest::proptest! {
        #[test]
        fn hex_u64_is_hex_of_the_big_endian_bytes(value: u64) {
            let expected = hex_encode(&value.to_be_bytes());
            proptest::prop_assert_eq!(&hex_u64(value)[..], expected.as_bytes());
        }
    }

    #[test]
    fn hex_u64_edges() {
        assert_eq!(&hex_u64(0), b"0000000000000000");
        assert_eq!(&hex_u64(u64::MAX), b"ffffffffffffffff");
        assert_eq!(&hex_u64(0x0123_4567_89ab_cdef), b"0123456789abcdef");
        assert_eq!(&hex_u64(0xfedc_ba98_7654_3210), b"fedcba9876543210");
    }
}
