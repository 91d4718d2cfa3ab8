//! Tests of `supercell::util`'s gzip decompressor, the counterpart of
//! Tornado's `tornado.util.GzipDecompressor` (which Tornado's
//! `tornado/test/util_test.py` does not test directly: Tornado exercises it
//! through HTTP bodies), plus property tests.
//!
//! Tornado's `tornado/test/util_test.py` (v5.0.2) tests with no counterpart
//! here:
//! - `RaiseExcInfoTest.test_two_arg_exception`: Python exception re-raising.
//! - `ConfigurableTest.test_default`, `test_config_class`,
//!   `test_config_args`, `test_config_class_args`,
//!   `test_config_multi_level`, `test_config_inner_level`: Python's
//!   `Configurable` picks an implementation class at construction time;
//!   Rust chooses implementations with types and traits.
//! - `UnicodeLiteralTest.test_unicode_escapes`: Python 2 string literal
//!   helpers; Rust string literals are UTF-8.
//! - `ExecInTest.test_no_inherit_future`: Python's `exec` and
//!   `__future__` imports.
//! - `ArgReplacerTest.test_omitted`, `test_position`, `test_keyword`:
//!   rewriting a Python call's `callback=` argument; callback-style APIs
//!   have no Rust form.
//! - `TimedeltaToSecondsTest.test_timedelta_to_seconds`: a Python 2.6
//!   shim; Rust has `Duration::as_secs_f64`.
//! - `ImportObjectTest.test_import_member`, `test_import_member_unicode`,
//!   `test_import_module`, `test_import_module_unicode`: importing Python
//!   objects by dotted name.
//! - `ReUnescapeTest.test_re_unescape`,
//!   `test_re_unescape_raises_error_on_invalid_input`: `re_unescape`
//!   reverses Python's `re.escape` for reversing URL routes; it is not part
//!   of this module.
//! - `IsFinalizingTest.test_basic`: Python interpreter shutdown.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::{Compress, Compression, Crc, FlushCompress};
use proptest::prelude::*;
use supercell::util::{GzipDecompressor, GzipError};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Some compressible but not trivial data.
fn sample(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| b"the quick brown fox "[i % 20] ^ u8::from(i % 7 == 0))
        .collect()
}

/// Decompresses `stream` fed in `feed`-byte pieces with at most
/// `max_length` bytes out per call, as an HTTP body reader does, checking
/// the bound on every call.
fn decompress_in_steps(
    stream: &[u8],
    feed: usize,
    max_length: usize,
) -> Result<Vec<u8>, GzipError> {
    let mut d = GzipDecompressor::new();
    let mut out = Vec::new();
    for piece in stream.chunks(feed.max(1)) {
        let mut input = piece.to_vec();
        while !input.is_empty() {
            let chunk = d.decompress(&input, max_length)?;
            assert!(max_length == 0 || chunk.len() <= max_length);
            out.extend(chunk);
            input = d.take_unconsumed_tail();
        }
    }
    out.extend(d.flush()?);
    Ok(out)
}

#[test]
fn gzip_decompressor_whole_stream_unlimited() {
    let data = sample(100_000);
    let mut d = GzipDecompressor::new();
    let out = d.decompress(&gzip(&data), 0).unwrap();
    assert_eq!(out, data);
    assert!(d.unconsumed_tail().is_empty());
    assert!(d.eof());
    assert_eq!(d.flush().unwrap(), b"");
}

#[test]
fn gzip_decompressor_exactly_max_length() {
    let data = sample(4096);
    let stream = gzip(&data);
    let mut d = GzipDecompressor::new();
    let out = d.decompress(&stream, 4096).unwrap();
    assert_eq!(out, data);
    // Whatever input is left (at most the end of the stream) yields no
    // more output.
    let tail = d.take_unconsumed_tail();
    assert_eq!(d.decompress(&tail, 4096).unwrap(), b"");
    assert!(d.eof());
    assert_eq!(d.flush().unwrap(), b"");
}

#[test]
fn gzip_decompressor_one_byte_over_max_length() {
    let data = sample(4097);
    let stream = gzip(&data);
    let mut d = GzipDecompressor::new();
    let first = d.decompress(&stream, 4096).unwrap();
    assert_eq!(first, data[..4096]);
    let tail = d.take_unconsumed_tail();
    assert!(!tail.is_empty());
    let second = d.decompress(&tail, 4096).unwrap();
    assert_eq!(second, data[4096..]);
    assert!(d.unconsumed_tail().is_empty());
    assert_eq!(d.flush().unwrap(), b"");
}

#[test]
fn gzip_decompressor_max_length_one() {
    let data = sample(300);
    assert_eq!(decompress_in_steps(&gzip(&data), 1000, 1).unwrap(), data);
}

#[test]
fn gzip_decompressor_output_capacity_is_bounded() {
    let stream = gzip(&vec![0u8; 1 << 20]);
    let mut d = GzipDecompressor::new();
    let out = d.decompress(&stream, 1000).unwrap();
    assert_eq!(out.len(), 1000);
    assert!(out.capacity() <= 1000, "capacity {}", out.capacity());
}

#[test]
fn gzip_decompressor_empty_data() {
    let stream = gzip(b"");
    assert_eq!(decompress_in_steps(&stream, 1, 5).unwrap(), b"");
}

#[test]
fn gzip_decompressor_truncated_stream() {
    let stream = gzip(&sample(10_000));
    for cut in [
        0,
        1,
        5,
        10,
        stream.len() / 2,
        stream.len() - 8,
        stream.len() - 1,
    ] {
        assert_eq!(
            decompress_in_steps(&stream[..cut], 64, 512),
            Err(GzipError::Truncated),
            "cut at {cut}"
        );
    }
}

#[test]
fn gzip_decompressor_not_gzip() {
    let mut d = GzipDecompressor::new();
    assert_eq!(
        d.decompress(b"plain text, not gzip", 0),
        Err(GzipError::NotGzip)
    );
    // The error sticks.
    assert_eq!(d.decompress(b"more", 0), Err(GzipError::NotGzip));
    assert_eq!(d.flush(), Err(GzipError::NotGzip));
}

#[test]
fn gzip_decompressor_corrupt_deflate_data() {
    let mut stream = gzip(&sample(1000));
    // A deflate block type of 3 is invalid: set both BTYPE bits of the
    // first block header (bits 1-2 of the first byte after the header).
    stream[10] |= 0b110;
    let err = decompress_in_steps(&stream, 4096, 0).unwrap_err();
    assert!(matches!(err, GzipError::Deflate(_)), "{err:?}");
}

#[test]
fn gzip_decompressor_flush_with_unconsumed_tail() {
    let stream = gzip(&sample(10_000));
    let mut d = GzipDecompressor::new();
    d.decompress(&stream, 10).unwrap();
    assert!(!d.unconsumed_tail().is_empty());
    assert_eq!(d.flush(), Err(GzipError::UnconsumedTail));
}

/// A gzip stream that expands to `chunks` MiB of zeros, built from one
/// compressed MiB repeated (valid because the window before each copy holds
/// only zeros), so that making it costs no more than compressing 2 MiB.
fn zero_bomb(chunks: u32) -> Vec<u8> {
    const MIB: usize = 1 << 20;
    let zeros = vec![0u8; MIB];
    let mut compress = Compress::new(Compression::best(), false);
    let mut deflate = |input: &[u8], flush| {
        let mut out = Vec::with_capacity(MIB);
        let before = compress.total_in();
        compress.compress_vec(input, &mut out, flush).unwrap();
        assert_eq!(compress.total_in() - before, input.len() as u64);
        out
    };
    let first = deflate(&zeros, FlushCompress::Sync);
    let repeated = deflate(&zeros, FlushCompress::Sync);
    let end = deflate(&[], FlushCompress::Finish);

    let mut chunk_crc = Crc::new();
    chunk_crc.update(&zeros);
    let mut crc = Crc::new();
    for _ in 0..chunks {
        crc.combine(&chunk_crc);
    }

    let mut stream = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    stream.extend(&first);
    for _ in 1..chunks {
        stream.extend(&repeated);
    }
    stream.extend(&end);
    stream.extend(crc.sum().to_le_bytes());
    stream.extend(crc.amount().to_le_bytes());
    stream
}

#[test]
fn gzip_decompressor_bomb_in_bounded_steps() {
    const MAX_LENGTH: usize = 4 << 20;
    let stream = zero_bomb(1024);
    assert!(stream.len() < 2 << 20, "bomb is {} bytes", stream.len());
    let mut d = GzipDecompressor::new();
    let mut input = stream;
    let mut total: u64 = 0;
    let mut calls = 0;
    while !input.is_empty() {
        let chunk = d.decompress(&input, MAX_LENGTH).unwrap();
        assert!(chunk.len() <= MAX_LENGTH && chunk.capacity() <= MAX_LENGTH);
        assert!(chunk.iter().all(|&b| b == 0));
        total += chunk.len() as u64;
        calls += 1;
        input = d.take_unconsumed_tail();
    }
    assert_eq!(d.flush().unwrap(), b"");
    assert_eq!(total, 1 << 30);
    assert!(calls >= (1 << 30) / MAX_LENGTH);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn prop_gzip_round_trip_in_small_steps(
        data in proptest::collection::vec(any::<u8>(), 0..2000),
        repeat in 1usize..20,
        feed in 1usize..300,
        max_length in 0usize..200,
    ) {
        let data = data.repeat(repeat);
        prop_assert_eq!(decompress_in_steps(&gzip(&data), feed, max_length).unwrap(), data);
    }

    #[test]
    fn prop_gzip_arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        max_length in 0usize..64,
    ) {
        let mut stream = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
        stream.extend(bytes);
        let _ = decompress_in_steps(&stream, 37, max_length);
    }
}
