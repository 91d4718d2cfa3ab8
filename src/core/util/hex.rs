//! Hex digits of machine words, a word at a time (for hashes sent as
//! entity tags).

/// Lowercase hex of `value`, most significant digit first: eight
/// digits at a time, each nibble spread into a byte of its own and
/// turned into its digit with arithmetic on the whole word.
pub(crate) fn hex_u64(value: u64) -> [u8; 16] {
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn hex_u64_is_hex_of_the_big_endian_bytes(value: u64) {
            let expected: String = value.to_be_bytes().iter().map(|b| format!("{b:02x}")).collect();
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
