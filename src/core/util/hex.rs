//! Hex digits of machine words (for hashes sent as entity tags): all
//! sixteen at once with SSE2 on x86-64, a word at a time elsewhere.

/// Lowercase hex of `value`, most significant digit first.
#[inline]
pub(crate) fn hex_u64(value: u64) -> [u8; 16] {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: the program is compiled for processors with SSE2 (every
        // x86-64 processor has it), the one feature the call needs.
        #[allow(unsafe_code)]
        unsafe {
            hex_u64_sse2(value)
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        hex_u64_words(value)
    }
}

/// [`hex_u64`] with SSE2 (which every x86-64 processor has): each byte
/// split into its two nibbles, the nibbles laid out in order, and all
/// sixteen turned into digits at once.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn hex_u64_sse2(value: u64) -> [u8; 16] {
    use std::arch::x86_64::{
        _mm_add_epi8, _mm_and_si128, _mm_cmpgt_epi8, _mm_cvtsi64_si128, _mm_cvtsi128_si64,
        _mm_set1_epi8, _mm_srli_epi64, _mm_srli_si128, _mm_unpacklo_epi8,
    };
    // The most significant byte first in memory order.
    let bytes = _mm_cvtsi64_si128(value.swap_bytes() as i64);
    let low_nibbles = _mm_set1_epi8(0x0f);
    let high = _mm_and_si128(_mm_srli_epi64::<4>(bytes), low_nibbles);
    let low = _mm_and_si128(bytes, low_nibbles);
    // Each byte's high nibble, then its low one.
    let nibbles = _mm_unpacklo_epi8(high, low);
    let letters = _mm_and_si128(
        _mm_cmpgt_epi8(nibbles, _mm_set1_epi8(9)),
        _mm_set1_epi8((b'a' - b'0' - 10) as i8),
    );
    let digits = _mm_add_epi8(_mm_add_epi8(nibbles, _mm_set1_epi8(b'0' as i8)), letters);
    let first = _mm_cvtsi128_si64(digits) as u64;
    let second = _mm_cvtsi128_si64(_mm_srli_si128::<8>(digits)) as u64;
    let mut out = [0; 16];
    out[..8].copy_from_slice(&first.to_le_bytes());
    out[8..].copy_from_slice(&second.to_le_bytes());
    out
}

/// [`hex_u64`] a word at a time, for processors without SSE2 (on x86-64,
/// only the tests call it): eight digits at a time, each nibble spread
/// into a byte of its own and turned into its digit with arithmetic on
/// the whole word.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn hex_u64_words(value: u64) -> [u8; 16] {
    let mut out = [0; 16];
    out[..8].copy_from_slice(&hex_u32((value >> 32) as u32).to_be_bytes());
    out[8..].copy_from_slice(&hex_u32(value as u32).to_be_bytes());
    out
}

/// The eight lowercase hex digits of `value`, most significant first
/// when the result is read big-endian.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
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
            proptest::prop_assert_eq!(&hex_u64_words(value)[..], expected.as_bytes());
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
