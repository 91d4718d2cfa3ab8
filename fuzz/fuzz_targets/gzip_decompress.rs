//! Arbitrary bytes through `GzipDecompressor` with an arbitrary
//! `max_length` and input split: it must not panic, must never return more
//! than `max_length` bytes from one call, and must give the same output as
//! decompressing without a limit.
#![no_main]

use std::borrow::Cow;

use libfuzzer_sys::fuzz_target;
use supercell::util::{GzipDecompressor, GzipError};

/// Decompresses `stream` in `feed`-byte pieces, at most `max_length` bytes
/// per call (0: no limit).
fn decompress(stream: &[u8], feed: usize, max_length: usize) -> Result<Vec<u8>, GzipError> {
    let mut d = GzipDecompressor::new();
    let mut out = Vec::new();
    for piece in stream.chunks(feed) {
        let mut input = piece.to_vec();
        while !input.is_empty() {
            let chunk = d.decompress(&input, max_length)?;
            assert!(max_length == 0 || chunk.len() <= max_length);
            assert!(max_length == 0 || chunk.capacity() <= max_length);
            out.extend(chunk);
            input = d.take_unconsumed_tail();
        }
    }
    out.extend(d.flush()?);
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let [a, b, c, stream @ ..] = data else { return };
    let max_length = usize::from(u16::from_le_bytes([*a, *b]) % 4096);
    let feed = usize::from(*c) + 1;
    // Half the inputs get a valid gzip header, so the fuzzer reaches the
    // deflate data easily.
    let stream = if c & 1 == 1 {
        Cow::Owned([&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255][..], stream].concat())
    } else {
        Cow::Borrowed(stream)
    };
    let stream = &stream[..];
    let bounded = decompress(stream, feed, max_length);
    if let Ok(bounded) = bounded {
        let whole = decompress(stream, stream.len().max(1), 0).expect("unlimited decompression agrees");
        assert_eq!(bounded, whole);
    }
});
