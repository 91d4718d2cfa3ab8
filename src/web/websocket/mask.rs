//! Masking of payloads (RFC 6455 §5.3): each byte XORed with the key byte
//! at its position modulo four. Masking and unmasking are the same
//! operation.
//!
//! [`apply_mask`] picks the fastest implementation once per process: AVX2
//! (32 bytes per instruction) where the CPU has it, otherwise a
//! word-at-a-time loop that the compiler widens to the vector registers
//! every x86-64 and AArch64 CPU has.

use std::sync::OnceLock;

/// XORs `buf` with `key`, as the part of a payload starting `offset` bytes
/// into it: byte `i` of `buf` is XORed with `key[(offset + i) % 4]`. A
/// payload masked in pieces, each with the offset where it starts, comes
/// out as if masked whole.
///
/// ```
/// use supercell::websocket::apply_mask;
///
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let mut whole = *b"Hello, world";
/// apply_mask(&mut whole, key, 0);
///
/// let mut pieces = *b"Hello, world";
/// let (first, second) = pieces.split_at_mut(5);
/// apply_mask(first, key, 0);
/// apply_mask(second, key, 5);
/// assert_eq!(pieces, whole);
///
/// apply_mask(&mut whole, key, 0);
/// assert_eq!(&whole, b"Hello, world");
/// ```
#[inline]
pub fn apply_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    if buf.len() < SMALL {
        mask_words(buf, key, offset);
    } else {
        selected()(buf, key, offset);
    }
}

/// [`apply_mask`] without its choice of implementation: always the
/// portable word-at-a-time loop, which is what `apply_mask` runs on a CPU
/// without AVX2 and for buffers under 64 bytes. Same arguments and result
/// as `apply_mask`; there to measure one against the other.
///
/// ```
/// use supercell::websocket::{apply_mask, apply_mask_scalar};
///
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let mut vector = vec![0x5a; 1000];
/// let mut scalar = vector.clone();
/// apply_mask(&mut vector, key, 3);
/// apply_mask_scalar(&mut scalar, key, 3);
/// assert_eq!(vector, scalar);
/// ```
pub fn apply_mask_scalar(buf: &mut [u8], key: [u8; 4], offset: usize) {
    mask_words(buf, key, offset);
}

/// Below this many bytes the word loop wins over the vector setup.
const SMALL: usize = 64;

/// A masking implementation.
type MaskFn = fn(&mut [u8], [u8; 4], usize);

/// The implementation chosen for this CPU, found on first use.
static SELECTED: OnceLock<MaskFn> = OnceLock::new();

fn selected() -> MaskFn {
    *SELECTED.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        if avx2_available() {
            return mask_avx2;
        }
        mask_words
    })
}

/// `key` turned so that its first byte is the one for `offset`.
const fn rotated(key: [u8; 4], offset: usize) -> [u8; 4] {
    let turn = offset % 4;
    [
        key[turn],
        key[(turn + 1) % 4],
        key[(turn + 2) % 4],
        key[(turn + 3) % 4],
    ]
}

/// One byte at a time: the reference the others are tested against, and
/// the loop for their short heads and tails.
pub(crate) fn mask_bytes(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let key = rotated(key, offset);
    for (i, byte) in buf.iter_mut().enumerate() {
        *byte ^= key[i % 4];
    }
}

/// Eight bytes at a time, with the key repeated in a `u64` turned to the
/// phase where the words begin: from the first byte for a short buffer,
/// from the first 8-byte boundary for a long one (the loop the compiler
/// widens runs faster on aligned words).
#[inline]
pub(crate) fn mask_words(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let head = if buf.len() < SMALL {
        0
    } else {
        buf.as_ptr().align_offset(8).min(buf.len())
    };
    let (head_bytes, rest) = buf.split_at_mut(head);
    mask_bytes(head_bytes, key, offset);
    let key = rotated(key, offset % 4 + head);
    let word = u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ]);
    let (words, tail) = rest.as_chunks_mut::<8>();
    for chunk in words {
        *chunk = (u64::from_ne_bytes(*chunk) ^ word).to_ne_bytes();
    }
    // The words covered a multiple of four bytes: the phase is unchanged.
    mask_bytes(tail, key, 0);
}

/// Whether this CPU has AVX2.
#[cfg(target_arch = "x86_64")]
pub(crate) fn avx2_available() -> bool {
    std::is_x86_feature_detected!("avx2")
}

/// 32 bytes at a time with AVX2; the word loop on a CPU without it.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
pub(crate) fn mask_avx2(buf: &mut [u8], key: [u8; 4], offset: usize) {
    if avx2_available() {
        // SAFETY: `mask_avx2_unchecked` needs AVX2, which this CPU has.
        unsafe { mask_avx2_unchecked(buf, key, offset) }
    } else {
        mask_words(buf, key, offset);
    }
}

/// The AVX2 loop: scalar up to a 32-byte boundary, then 128 and 32 bytes
/// per step, then the scalar loop for the tail. Callers must make sure
/// the CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
fn mask_avx2_unchecked(buf: &mut [u8], key: [u8; 4], offset: usize) {
    use std::arch::x86_64::{
        __m256i, _mm256_loadu_si256, _mm256_set1_epi32, _mm256_storeu_si256, _mm256_xor_si256,
    };

    let head = buf.as_ptr().align_offset(32).min(buf.len());
    let (head_bytes, rest) = buf.split_at_mut(head);
    mask_bytes(head_bytes, key, offset);
    let key = rotated(key, offset % 4 + head);
    let lanes = _mm256_set1_epi32(i32::from_ne_bytes(key));

    let (quads, rest) = rest.as_chunks_mut::<128>();
    for quad in quads {
        let p = quad.as_mut_ptr().cast::<__m256i>();
        // SAFETY: `p` points to 128 bytes borrowed mutably: four 32-byte
        // lanes, each valid for reads and writes; the unaligned load and
        // store need no alignment.
        unsafe {
            let a = _mm256_loadu_si256(p);
            let b = _mm256_loadu_si256(p.add(1));
            let c = _mm256_loadu_si256(p.add(2));
            let d = _mm256_loadu_si256(p.add(3));
            _mm256_storeu_si256(p, _mm256_xor_si256(a, lanes));
            _mm256_storeu_si256(p.add(1), _mm256_xor_si256(b, lanes));
            _mm256_storeu_si256(p.add(2), _mm256_xor_si256(c, lanes));
            _mm256_storeu_si256(p.add(3), _mm256_xor_si256(d, lanes));
        }
    }
    let (blocks, tail) = rest.as_chunks_mut::<32>();
    for block in blocks {
        let p = block.as_mut_ptr().cast::<__m256i>();
        // SAFETY: `p` points to 32 bytes borrowed mutably, valid for reads
        // and writes; the unaligned load and store need no alignment.
        unsafe { _mm256_storeu_si256(p, _mm256_xor_si256(_mm256_loadu_si256(p), lanes)) }
    }
    // 128- and 32-byte steps keep the phase.
    mask_words(tail, key, 0);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const KEY: [u8; 4] = [0x9c, 0x21, 0xe7, 0x5a];

    /// The implementations under test, by name.
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    fn implementations() -> Vec<(&'static str, MaskFn)> {
        let mut all: Vec<(&'static str, MaskFn)> = vec![
            ("words", mask_words),
            ("apply_mask", apply_mask),
            ("apply_mask_scalar", apply_mask_scalar),
        ];
        #[cfg(target_arch = "x86_64")]
        {
            if avx2_available() {
                all.push(("avx2", mask_avx2));
            } else {
                eprintln!("this CPU has no AVX2: the AVX2 loop is not tested");
            }
        }
        all
    }

    /// Bytes that differ from one position to the next.
    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + 3) as u8).collect()
    }

    #[test]
    fn byte_loop_is_the_definition() {
        let mut buf = [0u8; 9];
        mask_bytes(&mut buf, [1, 2, 3, 4], 0);
        assert_eq!(buf, [1, 2, 3, 4, 1, 2, 3, 4, 1]);
        let mut buf = [0u8; 5];
        mask_bytes(&mut buf, [1, 2, 3, 4], 7);
        assert_eq!(buf, [4, 1, 2, 3, 4]);
    }

    #[test]
    fn every_implementation_equals_the_byte_loop() {
        // A backing store with room to start the slice at each
        // misalignment against 32 bytes.
        let mut store = vec![0u8; 300 + 64];
        for (name, mask) in implementations() {
            for misalign in [0, 1, 3, 4, 7, 8, 13, 31, 32, 33] {
                for len in 0..=300 {
                    for offset in 0..4 {
                        let base = store.as_ptr().align_offset(32);
                        let buf = &mut store[base + misalign..base + misalign + len];
                        buf.copy_from_slice(&pattern(len));
                        let mut expected = pattern(len);
                        mask_bytes(&mut expected, KEY, offset);
                        mask(buf, KEY, offset);
                        assert_eq!(
                            buf,
                            &expected[..],
                            "{name}: len {len}, offset {offset}, misalign {misalign}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn offsets_beyond_four_wrap() {
        for (name, mask) in implementations() {
            for offset in [4, 5, 1001, usize::MAX] {
                let mut buf = pattern(200);
                let mut expected = pattern(200);
                mask_bytes(&mut expected, KEY, offset % 4);
                mask(&mut buf, KEY, offset);
                assert_eq!(buf, expected, "{name}: offset {offset}");
            }
        }
    }

    #[test]
    fn the_word_loop_is_exercised_directly() {
        let mut buf = pattern(1000);
        mask_words(&mut buf, KEY, 2);
        mask_words(&mut buf, KEY, 2);
        assert_eq!(buf, pattern(1000));
        let mut expected = pattern(1000);
        mask_bytes(&mut expected, KEY, 2);
        mask_words(&mut buf[3..], KEY, 5);
        mask_words(&mut buf[..3], KEY, 2);
        assert_eq!(buf, expected);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_loop_is_exercised_directly() {
        if !avx2_available() {
            eprintln!("this CPU has no AVX2: skipped");
            return;
        }
        let mut buf = pattern(65536 + 77);
        let mut expected = buf.clone();
        mask_bytes(&mut expected, KEY, 1);
        mask_avx2(&mut buf[1..], KEY, 2);
        mask_avx2(&mut buf[..1], KEY, 1);
        assert_eq!(buf, expected);
        assert!(std::ptr::fn_addr_eq(selected(), mask_avx2 as MaskFn));
    }

    #[test]
    fn masking_in_pieces_equals_masking_whole() {
        let mut whole = pattern(1000);
        apply_mask(&mut whole, KEY, 0);
        for cut in [1, 2, 3, 63, 64, 65, 127, 129, 999] {
            let mut pieces = pattern(1000);
            let (a, b) = pieces.split_at_mut(cut);
            apply_mask(a, KEY, 0);
            apply_mask(b, KEY, cut);
            assert_eq!(pieces, whole, "cut at {cut}");
        }
    }

    proptest! {
        #[test]
        fn implementations_agree(
            data in prop::collection::vec(any::<u8>(), 0..1200),
            key in any::<[u8; 4]>(),
            offset in any::<usize>(),
            start in 0usize..40,
        ) {
            let start = start.min(data.len());
            let mut expected = data.clone();
            mask_bytes(&mut expected[start..], key, offset);
            for (name, mask) in implementations() {
                let mut buf = data.clone();
                mask(&mut buf[start..], key, offset);
                prop_assert_eq!(&buf, &expected, "{}", name);
            }
        }
    }
}
